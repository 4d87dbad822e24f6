"""Conversations, each owned by the user who started it: the data folder's conversations.sqlite, or the
database of KH32_DATABASE_URL.

Ids are issued here (never taken from a page address), and a conversation opens only for its owner or an
admin: an id that an attacker picks and plants in a link opens nothing (conversation fixation).
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Connection, Double, MetaData, Table, Text, delete, select, update

from assistant.access.roles import Permission, PermissionDenied, User, require
from assistant.core.settings import Settings
from assistant.database.connection import Database
from assistant.database.schema import Schema, add_column

FILE_NAME = "conversations.sqlite"
METADATA = MetaData()
CONVERSATIONS = Table(
    "conversations",
    METADATA,
    Column("id", Text, primary_key=True),
    Column("messages", Text, nullable=False),
    Column("updated", Double, nullable=False),
    Column("owner", Text, nullable=False, server_default=""),
)


def _owners(db: Connection) -> None:
    """Version 1: a file made before conversations had owners gets the column; only an admin opens those."""
    add_column(db, "conversations", "owner", "TEXT NOT NULL DEFAULT ''")


SCHEMA = Schema("conversations", METADATA, version=1, steps={1: _owners})


def new_id() -> str:
    """A fresh, unguessable conversation id."""
    return uuid.uuid4().hex


class ConversationStore:
    """Messages ({"role", "content", …} dicts, with their citations) by conversation id and owner, in a
    database (a Path: that SQLite file)."""

    what = "tệp hội thoại"

    def __init__(self, where: Path | Database) -> None:
        self.db = where if isinstance(where, Database) else Database.sqlite(where)
        self.db.prepare(SCHEMA, self.what)

    @classmethod
    def of(cls, settings: Settings) -> ConversationStore:
        """The conversations: in KH32_DATABASE_URL's database when set, else the data folder's file."""
        return cls(Database.of(settings, FILE_NAME))

    def create(self, user: User) -> str:
        """A new, empty conversation of `user`; its server-issued id."""
        require(user, Permission.ASK)
        conversation = new_id()
        with self.db.write(self.what) as db:
            db.execute(
                CONVERSATIONS.insert().values(
                    id=conversation, messages="[]", updated=time.time(), owner=user.name
                )
            )
        return conversation

    def owner(self, conversation: str) -> str | None:
        with self.db.read(self.what) as db:
            return db.execute(
                select(CONVERSATIONS.c.owner).where(CONVERSATIONS.c.id == conversation)
            ).scalar()

    def load(self, user: User, conversation: str) -> list[dict[str, Any]] | None:
        """The saved messages when `user` may open the conversation (owner or admin); None for an unknown
        id or somebody else's (the same answer, so that a guess learns nothing)."""
        query = select(CONVERSATIONS.c.messages, CONVERSATIONS.c.owner).where(
            CONVERSATIONS.c.id == conversation
        )
        with self.db.read(self.what) as db:
            row = db.execute(query).first()
        if row is None or not (row[1] == user.name or user.can(Permission.READ_ALL_CONVERSATIONS)):
            return None
        return json.loads(row[0])

    def save(self, user: User, conversation: str, messages: list[dict[str, Any]]) -> None:
        """Replace the messages of a conversation `user` owns (created with `create`)."""
        data = json.dumps(messages, ensure_ascii=False)
        with self.db.write(self.what) as db:
            changed = db.execute(
                update(CONVERSATIONS)
                .where(CONVERSATIONS.c.id == conversation, CONVERSATIONS.c.owner == user.name)
                .values(messages=data, updated=time.time())
            ).rowcount
        if not changed:
            raise PermissionDenied("Cuộc trò chuyện này không phải của bạn; hãy bắt đầu cuộc trò chuyện mới.")

    def delete(self, user: User, conversation: str) -> None:
        """Forget a conversation (its owner or an admin)."""
        query = delete(CONVERSATIONS).where(CONVERSATIONS.c.id == conversation)
        if not user.can(Permission.READ_ALL_CONVERSATIONS):
            query = query.where(CONVERSATIONS.c.owner == user.name)
        with self.db.write(self.what) as db:
            db.execute(query)
