"""Who may do what: roles, their permissions, the signed-in user, and the check every action makes.

The check lives here, in the `assistant` API, so that a page that forgot to hide a button, or a forged
call of the action behind it, is still refused.
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from assistant.errors import AssistantError, InputError
from assistant.settings import Settings
from assistant.text import nfc


class Role(StrEnum):
    """Roles from least to most; each role's permissions are listed in PERMISSIONS."""

    READER = "reader"
    TRAINER = "trainer"
    EVALUATOR = "evaluator"
    ADMIN = "admin"


class Permission(StrEnum):
    ASK = "ask"  # ask, browse clauses, keep one's own conversations
    GIVE_FEEDBACK = "give_feedback"
    TRAINER_TOOLS = "trainer_tools"
    READ_FEEDBACK = "read_feedback"  # the feedback table and its CSV
    MANAGE_DOCUMENTS = "manage_documents"  # upload, replace, remove, restore; the audit trail
    READ_ALL_CONVERSATIONS = "read_all_conversations"


_READER = frozenset({Permission.ASK, Permission.GIVE_FEEDBACK})
PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.READER: _READER,
    Role.TRAINER: _READER | {Permission.TRAINER_TOOLS},
    Role.EVALUATOR: _READER | {Permission.READ_FEEDBACK},
    Role.ADMIN: frozenset(Permission),
}
ROLE_LABELS = {
    Role.READER: "Người đọc",
    Role.TRAINER: "Giảng viên",
    Role.EVALUATOR: "Người đánh giá",
    Role.ADMIN: "Quản trị",
}
_RANK = {role: i for i, role in enumerate(Role)}
_WHAT = {
    Permission.ASK: "hỏi đáp",
    Permission.GIVE_FEEDBACK: "gửi góp ý",
    Permission.TRAINER_TOOLS: "dùng công cụ giảng viên",
    Permission.READ_FEEDBACK: "xem và tải góp ý",
    Permission.MANAGE_DOCUMENTS: "nạp, thay thế, xóa hoặc khôi phục tài liệu",
    Permission.READ_ALL_CONVERSATIONS: "mở cuộc trò chuyện của người khác",
}
LOCAL_NAME = "local"


class PermissionDenied(AssistantError):
    """The signed-in user's role does not allow the action."""

    exit_code = 5


@dataclass(frozen=True)
class User:
    """Who is acting: `name` is the identity conversations and feedback are kept under."""

    name: str
    role: Role
    display: str = ""
    read_only: bool = False  # served on a network address with no accounts configured

    def can(self, permission: Permission) -> bool:
        return permission in PERMISSIONS[self.role]

    @property
    def label(self) -> str:
        return f"{self.display or self.name} ({ROLE_LABELS[self.role]})"


def require(user: User | None, permission: Permission) -> User:
    """The user, when their role allows `permission`; else a PermissionDenied naming what was refused."""
    if user is None:
        raise PermissionDenied(f"Hãy đăng nhập để {_WHAT[permission]}.")
    if not user.can(permission):
        if user.read_only:
            raise PermissionDenied(
                f"Máy chủ đang ở chế độ chỉ đọc (chưa cấu hình tài khoản): không thể {_WHAT[permission]}."
            )
        raise PermissionDenied(
            f"Tài khoản '{user.display or user.name}' (vai trò {ROLE_LABELS[user.role]}) "
            f"không có quyền {_WHAT[permission]}."
        )
    return user


def parse_role(text: str) -> Role:
    """A role from its name ('admin') or its Vietnamese label; an AssistantError lists the choices."""
    wanted = nfc(text).strip().casefold()
    for role in Role:
        if wanted in (role.value, ROLE_LABELS[role].casefold()):
            return role
    choices = ", ".join(f"{r.value} ({ROLE_LABELS[r]})" for r in Role)
    raise InputError(f"Vai trò '{text}' không có. Các vai trò: {choices}.")


def highest(roles: Iterable[Role]) -> Role | None:
    found = sorted(roles, key=_RANK.__getitem__)
    return found[-1] if found else None


SignIn = Literal["oidc", "accounts", "none"]


def sign_in_mode(settings: Settings) -> SignIn:
    """How people sign in: an identity provider (OIDC), the local accounts file, or nobody (no accounts)."""
    if settings.auth == "oidc":
        return "oidc"
    from assistant.accounts import Accounts

    return "accounts" if Accounts(settings.accounts_path).names() else "none"


def is_loopback(address: str | None) -> bool:
    """Whether a server bound to `address` is reachable from this machine only (None/'' = every interface)."""
    if not address:
        return False
    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def serve_address(settings: Settings) -> str:
    """Where `make chat` binds: KH32_ADDRESS when set; 127.0.0.1 with no accounts; else every interface."""
    if settings.address:
        return settings.address
    return "127.0.0.1" if sign_in_mode(settings) == "none" else "0.0.0.0"


def anonymous_user(bound_address: str | None) -> User:
    """The user when no accounts are configured: on 127.0.0.1 the one local user has every role; served
    on any other address, everyone is a read-only reader with a session of their own."""
    if is_loopback(bound_address):
        return User(LOCAL_NAME, Role.ADMIN, display="Người dùng máy này")
    return User(f"khach-{uuid.uuid4().hex[:12]}", Role.READER, display="Khách", read_only=True)


def oidc_role(claims: Mapping[str, Any], settings: Settings) -> Role:
    """The role of a user signed in through OpenID Connect, from their ID-token claims.

    The highest role wins among: the e-mail address listed in KH32_OIDC_ADMINS / _TRAINERS / _EVALUATORS,
    and each value of the claim KH32_OIDC_ROLE_CLAIM (a string or a list) mapped by KH32_OIDC_ROLE_VALUES
    (or naming a role itself). Anyone else signed in is a reader.
    """
    roles: list[Role] = []
    email = str(claims.get("email") or "").strip().casefold()
    if email:
        for role, listed in (
            (Role.ADMIN, settings.oidc_admins),
            (Role.TRAINER, settings.oidc_trainers),
            (Role.EVALUATOR, settings.oidc_evaluators),
        ):
            if email in {e.strip().casefold() for e in listed}:
                roles.append(role)
    values = claims.get(settings.oidc_role_claim)
    if isinstance(values, str):
        values = values.replace(",", " ").split()
    mapping = {k.casefold(): v for k, v in settings.oidc_role_values.items()}
    for value in values if isinstance(values, list | tuple) else []:
        key = str(value).strip().casefold()
        if key in mapping:
            roles.append(Role(mapping[key]))
        elif key in {r.value for r in Role}:
            roles.append(Role(key))
    return highest(roles) or Role.READER


def oidc_user(claims: Mapping[str, Any], settings: Settings) -> User:
    """The User of a signed-in OIDC identity: named by e-mail (else the subject), role from the claims."""
    name = nfc(str(claims.get("email") or claims.get("sub") or "")).strip()
    if not name:
        raise PermissionDenied(
            "Nhà cung cấp định danh không trả về e-mail hay mã người dùng; không đăng nhập được."
        )
    display = nfc(str(claims.get("name") or name))
    return User(f"oidc:{name.casefold()}", oidc_role(claims, settings), display=display)
