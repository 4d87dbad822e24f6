"""Who may do what: roles, their permissions, the signed-in user, and the check every action makes.

The check lives here, in the `assistant` API, so that a page that forgot to hide a button, or a forged
call of the action behind it, is still refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from assistant.core.errors import AssistantError, InputError
from assistant.language.text import nfc


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
