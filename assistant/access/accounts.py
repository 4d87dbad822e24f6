"""The local accounts: names, roles and argon2 password hashes, in the table `accounts` of the records'
database: the data folder's accounts.sqlite by default, or the PostgreSQL database that KH32_DATABASE_URL
names (several machines, one set of accounts). Managed with `python -m assistant users
add|remove|list|set-role|password`; read by the sign-in form. A change is one transaction under a lock of the
table (two changes at once never lose one). Names are one when they look alike (language/lookalike.py):
"Admin", "ａdmin" and "аdmin" with a Cyrillic "а" are "admin", both to find an account and to refuse a
new one.

The accounts file of earlier versions (accounts.json, or KH32_ACCOUNTS_FILE) is taken over once, in one
transaction: its accounts are copied with the same roles and hashes, read back and compared, the take-over
is noted (the file's sha256, where it was, its backup name, how many accounts), and only after the commit is
the file renamed to its backup name. A crash in between copies nothing or leaves a file already noted.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Column, Connection, Double, Integer, MetaData, Table, Text, delete, select

from assistant.access.accounts_file import Users, backup_path, move_aside, read_file
from assistant.access.roles import Role, User
from assistant.core.errors import InputError, StoreError
from assistant.core.settings import Settings
from assistant.database.connection import Database
from assistant.database.schema import Schema, upsert
from assistant.language.lookalike import identity_key
from assistant.language.text import nfc

_HASHER = PasswordHasher()
_NAME = re.compile(r"^[\w.@-]{1,64}$")
MIN_PASSWORD = 8
# Verified when the name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("kh32-no-such-user")

FILE_NAME = "accounts.sqlite"
METADATA = MetaData()
ACCOUNTS = Table(
    "accounts",
    METADATA,
    Column("name", Text, primary_key=True),
    Column("role", Text, nullable=False),
    Column("hash", Text, nullable=False),
)
# Each accounts file taken over: its sha256, where it was, the backup it was renamed to, its accounts, when.
TAKEN_OVER = Table(
    "accounts_taken_over",
    METADATA,
    Column("digest", Text, primary_key=True),
    Column("path", Text, nullable=False),
    Column("backup", Text, nullable=False),
    Column("accounts", Integer, nullable=False),
    Column("at", Double, nullable=False),
)
# Version 2: the table of accounts files taken over (made by create_all; no step needed).
SCHEMA = Schema("accounts", METADATA, version=2)


class Accounts:
    """The accounts; every method reads them afresh (the CLI may change them while the app runs).
    `Accounts(database)` or `Accounts(path)` (that SQLite file): the table there; `Accounts.of(settings)`:
    the configured ones, with an accounts file of an earlier version taken over first. `notice`: what an
    admin should be told about that file (taken over now, or KH32_ACCOUNTS_FILE no longer used), or None."""

    what = "danh sách tài khoản"

    def __init__(self, where: Path | Database) -> None:
        self.db = where if isinstance(where, Database) else Database.sqlite(Path(where))
        self.db.prepare(SCHEMA, self.what)
        self.notice: str | None = None

    @classmethod
    def of(cls, settings: Settings) -> Accounts:
        """The accounts of KH32_DATABASE_URL's database when set, else of the data folder's accounts.sqlite
        (into which an accounts file of an earlier version is taken over, once)."""
        if settings.database:
            accounts = cls(Database.postgresql(settings.database))
            if settings.accounts_file:
                accounts.notice = (
                    f"KH32_ACCOUNTS_FILE ('{settings.accounts_file}') không được dùng khi đặt "
                    f"KH32_DATABASE_URL: tài khoản nằm trong bảng accounts của {accounts.db.where} (chép "
                    "tài khoản của một thư mục dữ liệu sang đó bằng `python -m assistant db migrate`). "
                    "Hãy bỏ biến KH32_ACCOUNTS_FILE."
                )
            return accounts
        accounts = cls(Database.of(settings, FILE_NAME))
        accounts.notice = accounts.take_over(settings.accounts_path, named=settings.accounts_file is not None)
        return accounts

    def take_over(self, path: Path, named: bool = False) -> str | None:
        """Copy the accounts of the accounts file of an earlier version at `path` into the table (once, in
        one transaction, read back and compared), then rename the file to its backup name. What to tell the
        admin, or None (no file, nothing to say). `named`: KH32_ACCOUNTS_FILE named it (they are told to
        unset it). A file not taken over while the table has other accounts is refused, not merged (a
        removed account or an old password would come back): a StoreError, and the file is left as it is."""
        path = Path(path).absolute()
        found = read_file(path)
        if found is None:
            return self._named_notice(path) if named else None
        users, digest = found
        with self.db.write(self.what, lock=ACCOUNTS.name) as db:
            earlier = db.execute(select(TAKEN_OVER).where(TAKEN_OVER.c.digest == digest)).mappings().first()
            if earlier is None:
                earlier = _copy(db, users, path, digest, self.db.where)
        # the same bytes met again elsewhere (a copy of the backup): set aside beside themselves
        backup = Path(earlier["backup"]) if earlier["path"] == str(path) else backup_path(path, time.time())
        failed = move_aside(path, backup)
        where = self.db.where
        said = (
            f"Các tài khoản của tệp '{path}' ({earlier['accounts']} tài khoản) đã được chuyển vào {where} "
            f"lúc {_when(earlier['at'])}, cùng tên, vai trò và mật khẩu; "
        )
        if failed:
            said += f"tệp cũ giữ nguyên tại chỗ (không đổi tên được: {failed}) và không còn được đọc."
        else:
            said += f"tệp cũ được giữ lại làm bản sao lưu: '{backup}'."
        return said + (" Hãy bỏ biến KH32_ACCOUNTS_FILE: từ nay tài khoản chỉ nằm ở đó." if named else "")

    def _named_notice(self, path: Path) -> str:
        """What to tell an admin whose KH32_ACCOUNTS_FILE names a file that is not there (any more)."""
        with self.db.read(self.what) as db:
            earlier = (
                db.execute(
                    select(TAKEN_OVER).where(TAKEN_OVER.c.path == str(path)).order_by(TAKEN_OVER.c.at.desc())
                )
                .mappings()
                .first()
            )
        where = self.db.where
        if earlier is None:
            return (
                f"KH32_ACCOUNTS_FILE trỏ tới '{path}' nhưng không có tệp đó; tài khoản nằm trong {where} "
                "(biến này chỉ còn dùng để chuyển một tệp tài khoản của phiên bản cũ vào đó). Hãy bỏ biến "
                "KH32_ACCOUNTS_FILE."
            )
        return (
            f"Tệp tài khoản KH32_ACCOUNTS_FILE ('{path}') đã được chuyển vào {where} "
            f"lúc {_when(earlier['at'])} ({earlier['accounts']} tài khoản); bản cũ giữ ở "
            f"'{earlier['backup']}'. Từ nay tài khoản chỉ nằm ở đó; hãy bỏ biến KH32_ACCOUNTS_FILE."
        )

    def _read(self) -> Users:
        with self.db.read(self.what) as db:
            return _users(db.execute(select(ACCOUNTS)))

    @contextmanager
    def _edit(self) -> Iterator[Users]:
        """The accounts to change in place, written back in one transaction that holds the table."""
        with self.db.write(self.what, lock=ACCOUNTS.name) as db:
            before = _users(db.execute(select(ACCOUNTS)))
            users = {name: dict(entry) for name, entry in before.items()}
            yield users
            gone = set(before) - set(users)
            if gone:
                db.execute(delete(ACCOUNTS).where(ACCOUNTS.c.name.in_(sorted(gone))))
            for name, entry in users.items():
                if before.get(name) != entry:
                    values = {"name": name, "role": entry["role"], "hash": entry["hash"]}
                    upsert(db, ACCOUNTS, values, keys=("name",))

    def names(self) -> list[str]:
        return sorted(self._read())

    def entries(self) -> list[tuple[str, Role]]:
        return [(name, Role(entry["role"])) for name, entry in sorted(self._read().items())]

    def add(self, name: str, password: str, role: Role) -> str:
        name = check_name(name)
        _refuse_taken(self._read(), name)  # told before the password is asked about
        hashed = _HASHER.hash(check_password(password))  # slow: done before the accounts are held
        with self._edit() as users:
            _refuse_taken(users, name)
            users[name] = {"role": role.value, "hash": hashed}
        return name

    def remove(self, name: str) -> Role:
        with self._edit() as users:
            key = self._existing(users, name)
            return Role(users.pop(key)["role"])

    def set_role(self, name: str, role: Role) -> tuple[str, Role]:
        """Change a role; returns (the account's name, its previous role)."""
        with self._edit() as users:
            key = self._existing(users, name)
            before = Role(users[key]["role"])
            users[key]["role"] = role.value
        return key, before

    def set_password(self, name: str, password: str) -> None:
        hashed = _HASHER.hash(check_password(password))
        with self._edit() as users:
            users[self._existing(users, name)]["hash"] = hashed

    def export(self) -> list[dict[str, str]]:
        """Every account as stored (name, role, password hash), to copy them to another place."""
        return [{"name": k, "role": v["role"], "hash": v["hash"]} for k, v in sorted(self._read().items())]

    def stored_name(self, name: str) -> str:
        """The account's name as stored, for the name as typed (any case or look-alike spelling)."""
        return self._existing(self._read(), name)

    def verify(self, name: str, password: str) -> User | None:
        """The User when the name and password match an account, else None (same time either way)."""
        users = self._read()
        key = _find(users, nfc(name).strip())
        entry = users.get(key or "", {})
        try:
            _HASHER.verify(entry.get("hash", _DUMMY_HASH), nfc(password))
        except (VerificationError, InvalidHashError):
            return None
        if key is None:
            return None
        return User(key, Role(entry["role"]), display=key)

    def _existing(self, users: dict[str, dict[str, Any]], name: str) -> str:
        key = _find(users, nfc(name).strip())
        if key is None:
            if len(alike := _matches(users, nfc(name).strip())) > 1:
                shown = ", ".join(alike)
                raise InputError(
                    f"Tên '{name}' trông giống nhiều tài khoản: {shown}; hãy gõ đúng tên một tài khoản."
                )
            known = ", ".join(sorted(users)) or "(chưa có tài khoản nào)"
            raise InputError(f"Không có tài khoản '{name}'. Các tài khoản hiện có: {known}.")
        return key


def _refuse_taken(users: Users, name: str) -> None:
    """An InputError when `name`, or a name that looks like it, is an account already."""
    if name in users:
        raise InputError(f"Tài khoản '{name}' đã có; dùng set-role để đổi vai trò.")
    if taken := _matches(users, name):
        raise InputError(
            f"Tên tài khoản '{name}' trông giống hệt tài khoản đã có '{taken[0]}' (chỉ khác chữ "
            "hoa/thường, độ rộng ký tự hoặc chữ cái trông giống nhau của bảng chữ khác); hãy chọn tên "
            f"khác. Nếu muốn đổi vai trò của '{taken[0]}', dùng set-role."
        )


def _matches(users: dict[str, Any], name: str) -> list[str]:
    """The stored names that look like `name` (the same look-alike key), sorted."""
    key = identity_key(name)
    return sorted(k for k in users if identity_key(k) == key)


def _find(users: dict[str, Any], name: str) -> str | None:
    """The stored spelling of `name`: itself, else the one account whose name looks like it. None when
    none does, or when several do (a file written before look-alike names were refused)."""
    if name in users:
        return name
    found = _matches(users, name)
    return found[0] if len(found) == 1 else None


def _copy(db: Connection, users: Users, path: Path, digest: str, where: str) -> dict[str, Any]:
    """Put the accounts of a file into the table (empty, or holding exactly them already), read them back,
    note the take-over; its row. Raises (and the caller's transaction is rolled back) when they differ."""
    held = _users(db.execute(select(ACCOUNTS)))
    if held and any(held.get(name) != entry for name, entry in users.items()):
        raise StoreError(
            f"Tệp tài khoản '{path}' (của phiên bản cũ) chưa được chuyển vào {where}, mà ở đó đã có "
            f"{len(held)} tài khoản khác; chương trình không tự trộn hai nơi (một tài khoản đã xóa hay một "
            "mật khẩu cũ có thể sống lại) và không đụng tới tệp. Nếu tệp là bản cũ, hãy dời nó đi chỗ khác; "
            "nếu cần tài khoản nào trong đó, thêm lại bằng `python -m assistant users add`."
        )
    rows = [{"name": n, "role": e["role"], "hash": e["hash"]} for n, e in users.items() if n not in held]
    if rows:
        db.execute(ACCOUNTS.insert(), rows)
    copied = _users(db.execute(select(ACCOUNTS)))
    if len(copied) != len(held) + len(rows) or any(copied.get(n) != e for n, e in users.items()):
        raise StoreError(
            f"Chuyển tài khoản từ tệp '{path}' vào {where} không khớp khi đọc lại; không có gì được chuyển, "
            "tệp giữ nguyên. Hãy báo lỗi này."
        )
    at = time.time()
    row = {
        "digest": digest,
        "path": str(path),
        "backup": str(backup_path(path, at)),
        "accounts": len(users),
        "at": at,
    }
    db.execute(TAKEN_OVER.insert().values(**row))
    return row


def _when(at: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at))


def _users(rows: Any) -> Users:
    return {row.name: {"role": row.role, "hash": row.hash} for row in rows}


def check_name(name: str) -> str:
    name = nfc(name).strip()
    if not _NAME.match(name):
        raise InputError(
            f"Tên tài khoản '{name}' không hợp lệ: 1–64 ký tự chữ, số, '.', '_', '-', '@', không có dấu cách."
        )
    return name


def check_password(password: str) -> str:
    password = nfc(password)
    if len(password) < MIN_PASSWORD:
        raise InputError(f"Mật khẩu quá ngắn (tối thiểu {MIN_PASSWORD} ký tự).")
    if len(set(password.strip())) < 2:
        raise InputError(
            "Mật khẩu không được chỉ gồm dấu cách hay một ký tự lặp lại; hãy chọn mật khẩu khác."
        )
    return password
