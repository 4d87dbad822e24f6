"""The local accounts: names, roles and argon2 password hashes.

Kept in the accounts file (JSON, DATA_DIR/accounts.json or KH32_ACCOUNTS_FILE) of an offline deployment, or
in the table `accounts` of the database that KH32_DATABASE_URL names (several machines, one set of
accounts). Managed with `python -m assistant users add|remove|list|set-role|password`; read by the sign-in
form. A change is one transaction: the file is written whole to a temporary file and renamed under a lock
(a crash never leaves half of it, two changes at once never lose one), the table is changed under a table
lock. Names are one when
they look alike (language/lookalike.py): "Admin", "ａdmin" and "аdmin" with a Cyrillic "а" are "admin",
both to find an account and to refuse a new one.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from filelock import FileLock, Timeout
from sqlalchemy import Column, MetaData, Table, Text, delete, select

from assistant.access.roles import Role, User
from assistant.core.errors import InputError, StoreError
from assistant.core.files import FILE_MODE, private_file, private_folder, tighten
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


METADATA = MetaData()
ACCOUNTS = Table(
    "accounts",
    METADATA,
    Column("name", Text, primary_key=True),
    Column("role", Text, nullable=False),
    Column("hash", Text, nullable=False),
)
SCHEMA = Schema("accounts", METADATA, version=1)
Users = dict[str, dict[str, Any]]  # name → {"role": …, "hash": …}


class _Kept(Protocol):
    def read(self) -> Users: ...

    def edit(self) -> Any: ...  # a context manager giving the users to change in place


class Accounts:
    """The accounts; every method reads them afresh (the CLI may change them while the app runs).
    `Accounts(path)`: the accounts file at `path`; `Accounts(database)`: its table; `Accounts.of(settings)`:
    the configured ones."""

    def __init__(self, where: Path | Database) -> None:
        self._kept: _Kept = _Table(where) if isinstance(where, Database) else _File(Path(where))

    @classmethod
    def of(cls, settings: Settings) -> Accounts:
        """The accounts of KH32_DATABASE_URL's database when set, else the accounts file."""
        if settings.database:
            return cls(Database.postgresql(settings.database))
        return cls(settings.accounts_path)

    def _read(self) -> Users:
        return self._kept.read()

    def names(self) -> list[str]:
        return sorted(self._read())

    def entries(self) -> list[tuple[str, Role]]:
        return [(name, Role(entry["role"])) for name, entry in sorted(self._read().items())]

    def add(self, name: str, password: str, role: Role) -> str:
        name = check_name(name)
        _refuse_taken(self._read(), name)  # told before the password is asked about
        hashed = _HASHER.hash(check_password(password))  # slow: done before the accounts are held
        with self._kept.edit() as users:
            _refuse_taken(users, name)
            users[name] = {"role": role.value, "hash": hashed}
        return name

    def remove(self, name: str) -> Role:
        with self._kept.edit() as users:
            key = self._existing(users, name)
            return Role(users.pop(key)["role"])

    def set_role(self, name: str, role: Role) -> tuple[str, Role]:
        """Change a role; returns (the account's name, its previous role)."""
        with self._kept.edit() as users:
            key = self._existing(users, name)
            before = Role(users[key]["role"])
            users[key]["role"] = role.value
        return key, before

    def set_password(self, name: str, password: str) -> None:
        hashed = _HASHER.hash(check_password(password))
        with self._kept.edit() as users:
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


class _File:
    """The accounts file (JSON), 0600 in a 0700 folder; a change holds a lock file beside it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> Users:
        tighten(self.path)
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise StoreError(f"Không đọc được tệp tài khoản '{self.path}' ({exc.strerror or exc}).") from exc
        try:
            data = json.loads(raw) if raw.strip() else {}
            users = data.get("users", {}) if isinstance(data, dict) else None
            if not isinstance(users, dict) or not all(
                isinstance(v, dict) and v.get("role") in set(Role) and isinstance(v.get("hash"), str)
                for v in users.values()
            ):
                raise ValueError("sai cấu trúc")
        except ValueError as exc:
            raise StoreError(
                f"Tệp tài khoản '{self.path}' bị hỏng ({exc}); hãy sửa hoặc xóa tệp rồi tạo lại tài khoản."
            ) from exc
        return users

    @contextmanager
    def edit(self) -> Iterator[Users]:
        lock_path = self.path.with_name(f".{self.path.name}.lock")
        try:
            private_folder(self.path.parent)
            private_file(lock_path)
            if self.path.exists():
                private_file(self.path)  # an older, looser file is tightened
            lock = FileLock(lock_path, timeout=30, mode=FILE_MODE)
            lock.acquire()
        except (OSError, Timeout) as exc:
            raise StoreError(f"Không ghi được tệp tài khoản '{self.path}' ({exc}).") from exc
        try:
            users = self.read()
            yield users
            self._write(users)
        finally:
            lock.release()

    def _write(self, users: Users) -> None:
        data = json.dumps({"users": users}, ensure_ascii=False, indent=2, sort_keys=True)
        try:
            fd, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".accounts-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    out.write(data + "\n")
                os.chmod(temp, FILE_MODE)  # password hashes: readable by the service account only
                os.replace(temp, self.path)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise StoreError(f"Không ghi được tệp tài khoản '{self.path}' ({exc.strerror or exc}).") from exc


class _Table:
    """The table `accounts` of a database; a change holds the table against other writers."""

    what = "danh sách tài khoản"

    def __init__(self, database: Database) -> None:
        self.db = database
        self.db.prepare(SCHEMA, self.what)

    def read(self) -> Users:
        with self.db.read(self.what) as db:
            return _users(db.execute(select(ACCOUNTS)))

    @contextmanager
    def edit(self) -> Iterator[Users]:
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
