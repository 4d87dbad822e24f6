"""Conversations in SQLite by id (the UI keeps the id in the page address), so a reload restores them."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from assistant.sqlite_file import SqliteFile

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    messages TEXT NOT NULL,
    updated REAL NOT NULL
)
"""


def new_id() -> str:
    """A fresh, unguessable conversation id."""
    return uuid.uuid4().hex


class ConversationStore(SqliteFile):
    """Messages ({"role", "content", …} dicts, with their citations) by conversation id."""

    schema = _SCHEMA
    what = "tệp hội thoại"

    def load(self, conversation: str) -> list[dict[str, Any]]:
        """The saved messages, or [] for an unknown id."""
        with self._connect() as db:
            row = db.execute("SELECT messages FROM conversations WHERE id = ?", (conversation,)).fetchone()
        return json.loads(row[0]) if row else []

    def save(self, conversation: str, messages: list[dict[str, Any]]) -> None:
        """Replace the conversation's messages."""
        data = json.dumps(messages, ensure_ascii=False)
        with self._connect() as db:
            db.execute(
                "INSERT INTO conversations VALUES (?, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET messages = excluded.messages, updated = excluded.updated",
                (conversation, data, time.time()),
            )

    def delete(self, conversation: str) -> None:
        """Forget a conversation."""
        with self._connect() as db:
            db.execute("DELETE FROM conversations WHERE id = ?", (conversation,))
