"""Conversations in SQLite, each owned by the user who started it.

Ids are issued here (never taken from a page address), and a conversation opens only for its owner or an
admin: an id that an attacker picks and plants in a link opens nothing (conversation fixation).
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from typing import Any

from assistant.access.roles import Permission, PermissionDenied, User, require
from assistant.records.sqlite_file import SqliteFile

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    messages TEXT NOT NULL,
    updated REAL NOT NULL,
    owner TEXT NOT NULL DEFAULT ''
)
"""


def new_id() -> str:
    """A fresh, unguessable conversation id."""
    return uuid.uuid4().hex


class ConversationStore(SqliteFile):
    """Messages ({"role", "content", …} dicts, with their citations) by conversation id and owner."""

    schema = _SCHEMA
    what = "tệp hội thoại"

    def migrate(self, db: sqlite3.Connection) -> None:
        columns = {row[1] for row in db.execute("PRAGMA table_info(conversations)")}
        if "owner" not in columns:  # made before conversations had owners: only an admin opens those
            db.execute("ALTER TABLE conversations ADD COLUMN owner TEXT NOT NULL DEFAULT ''")

    def create(self, user: User) -> str:
        """A new, empty conversation of `user`; its server-issued id."""
        require(user, Permission.ASK)
        conversation = new_id()
        with self._connect() as db:
            db.execute(
                "INSERT INTO conversations (id, messages, updated, owner) VALUES (?, '[]', ?, ?)",
                (conversation, time.time(), user.name),
            )
        return conversation

    def owner(self, conversation: str) -> str | None:
        with self._connect() as db:
            row = db.execute("SELECT owner FROM conversations WHERE id = ?", (conversation,)).fetchone()
        return row[0] if row else None

    def load(self, user: User, conversation: str) -> list[dict[str, Any]] | None:
        """The saved messages when `user` may open the conversation (owner or admin); None for an unknown
        id or somebody else's (the same answer, so that a guess learns nothing)."""
        with self._connect() as db:
            row = db.execute(
                "SELECT messages, owner FROM conversations WHERE id = ?", (conversation,)
            ).fetchone()
        if row is None or not (row[1] == user.name or user.can(Permission.READ_ALL_CONVERSATIONS)):
            return None
        return json.loads(row[0])

    def save(self, user: User, conversation: str, messages: list[dict[str, Any]]) -> None:
        """Replace the messages of a conversation `user` owns (created with `create`)."""
        data = json.dumps(messages, ensure_ascii=False)
        with self._connect() as db:
            changed = db.execute(
                "UPDATE conversations SET messages = ?, updated = ? WHERE id = ? AND owner = ?",
                (data, time.time(), conversation, user.name),
            ).rowcount
        if not changed:
            raise PermissionDenied("Cuộc trò chuyện này không phải của bạn; hãy bắt đầu cuộc trò chuyện mới.")

    def delete(self, user: User, conversation: str) -> None:
        """Forget a conversation (its owner or an admin)."""
        with self._connect() as db:
            if user.can(Permission.READ_ALL_CONVERSATIONS):
                db.execute("DELETE FROM conversations WHERE id = ?", (conversation,))
            else:
                db.execute("DELETE FROM conversations WHERE id = ? AND owner = ?", (conversation, user.name))
