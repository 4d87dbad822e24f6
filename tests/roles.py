"""One user per role, for tests that call the role-checked assistant API."""

from __future__ import annotations

from assistant.access.roles import Role, User

ADMIN = User("quan-tri", Role.ADMIN, display="Quản trị thử")
READER = User("nguoi-doc", Role.READER, display="Người đọc thử")
TRAINER = User("giang-vien", Role.TRAINER, display="Giảng viên thử")
EVALUATOR = User("danh-gia", Role.EVALUATOR, display="Người đánh giá thử")
