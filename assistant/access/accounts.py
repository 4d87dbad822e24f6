"""The local accounts file of an offline deployment: names, roles and argon2 password hashes (JSON).

Managed with `python -m assistant users add|remove|list|set-role`; read by the sign-in form. The file
is written whole to a temporary file and renamed, so a crash never leaves half of it. Names are one when
they look alike (language/lookalike.py): "Admin", "ａdmin" and "аdmin" with a Cyrillic "а" are "admin",
both to find an account and to refuse a new one.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from assistant.access.roles import Role, User
from assistant.core.errors import InputError, StoreError
from assistant.language.lookalike import identity_key
from assistant.language.text import nfc

_HASHER = PasswordHasher()
_NAME = re.compile(r"^[\w.@-]{1,64}$")
MIN_PASSWORD = 8
# Verified when the name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("kh32-no-such-user")


class Accounts:
    """The accounts file; every method reads it afresh (the CLI may change it while the app runs)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def _read(self) -> dict[str, dict[str, Any]]:
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

    def _write(self, users: dict[str, dict[str, Any]]) -> None:
        data = json.dumps({"users": users}, ensure_ascii=False, indent=2, sort_keys=True)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".accounts-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    out.write(data + "\n")
                os.chmod(temp, 0o600)  # password hashes: readable by the service account only
                os.replace(temp, self.path)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise StoreError(f"Không ghi được tệp tài khoản '{self.path}' ({exc.strerror or exc}).") from exc

    def names(self) -> list[str]:
        return sorted(self._read())

    def entries(self) -> list[tuple[str, Role]]:
        return [(name, Role(entry["role"])) for name, entry in sorted(self._read().items())]

    def add(self, name: str, password: str, role: Role) -> str:
        name = check_name(name)
        users = self._read()
        if name in users:
            raise InputError(f"Tài khoản '{name}' đã có; dùng set-role để đổi vai trò.")
        if taken := _matches(users, name):
            raise InputError(
                f"Tên tài khoản '{name}' trông giống hệt tài khoản đã có '{taken[0]}' (chỉ khác chữ "
                "hoa/thường, độ rộng ký tự hoặc chữ cái trông giống nhau của bảng chữ khác); hãy chọn tên "
                f"khác. Nếu muốn đổi vai trò của '{taken[0]}', dùng set-role."
            )
        users[name] = {"role": role.value, "hash": _HASHER.hash(check_password(password))}
        self._write(users)
        return name

    def remove(self, name: str) -> Role:
        users = self._read()
        key = self._existing(users, name)
        role = Role(users.pop(key)["role"])
        self._write(users)
        return role

    def set_role(self, name: str, role: Role) -> tuple[str, Role]:
        """Change a role; returns (the account's name, its previous role)."""
        users = self._read()
        key = self._existing(users, name)
        before = Role(users[key]["role"])
        users[key]["role"] = role.value
        self._write(users)
        return key, before

    def set_password(self, name: str, password: str) -> None:
        users = self._read()
        key = self._existing(users, name)
        users[key]["hash"] = _HASHER.hash(check_password(password))
        self._write(users)

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
