"""Feedback on answers (👍/👎 and a comment), kept with what was asked and cited (the data folder's
feedback.sqlite, or the database of KH32_DATABASE_URL); CSV export."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Connection, Double, Integer, MetaData, Table, Text, func, select

from assistant.access.roles import Permission, User, require
from assistant.core.settings import Settings
from assistant.database.connection import Database
from assistant.database.schema import Schema, add_column, upsert
from assistant.records.csv_safe import to_csv

CSV_COLUMNS = [
    "thoi_gian",
    "nguoi_dung",
    "hoi_thoai",
    "tin_nhan",
    "danh_gia",
    "gop_y",
    "cau_hoi",
    "tra_loi",
    "trich_dan",
]
FILE_NAME = "feedback.sqlite"
METADATA = MetaData()
FEEDBACK = Table(
    "feedback",
    METADATA,
    Column("conversation", Text, primary_key=True),
    Column("message", Text, primary_key=True),
    Column("rating", Integer),
    Column("comment", Text, nullable=False, server_default=""),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("citations", Text, nullable=False),
    Column("updated", Double, nullable=False),
    Column("user", Text, nullable=False, server_default=""),
)


def _users(db: Connection) -> None:
    """Version 1: a file made before feedback named its user gets the column."""
    add_column(db, "feedback", "user", "TEXT NOT NULL DEFAULT ''")


SCHEMA = Schema("feedback", METADATA, version=1, steps={1: _users})


class FeedbackStore:
    """One row per rated answer; rating 1 is 👍, 0 is 👎, None when only a comment was left. In a database
    (a Path: that SQLite file)."""

    what = "tệp góp ý"

    def __init__(self, where: Path | Database) -> None:
        self.db = where if isinstance(where, Database) else Database.sqlite(where)
        self.db.prepare(SCHEMA, self.what)

    @classmethod
    def of(cls, settings: Settings) -> FeedbackStore:
        """The feedback: in KH32_DATABASE_URL's database when set, else the data folder's file."""
        return cls(Database.of(settings, FILE_NAME))

    def record(
        self,
        user: User,
        conversation: str,
        message: str,
        question: str,
        answer: str,
        citations: Sequence[dict[str, Any]],
        rating: int | None = None,
        comment: str | None = None,
    ) -> None:
        """Save or update `user`'s feedback on one answer (a None rating or comment keeps what was saved);
        a row is only ever updated by the user who wrote it."""
        require(user, Permission.GIVE_FEEDBACK)
        cited = json.dumps([_citation_row(c) for c in citations], ensure_ascii=False)
        values = {
            "conversation": conversation,
            "message": message,
            "rating": rating,
            "comment": (comment or "").strip(),
            "question": question,
            "answer": answer,
            "citations": cited,
            "updated": time.time(),
            "user": user.name,
        }

        def changes(new: Any) -> dict[str, Any]:
            kept = {"rating": func.coalesce(new["rating"], FEEDBACK.c.rating)}
            if comment is not None:
                kept["comment"] = new["comment"]
            return kept | {c: new[c] for c in ("question", "answer", "citations", "updated")}

        with self.db.write(self.what) as db:
            upsert(
                db,
                FEEDBACK,
                values,
                keys=("conversation", "message"),
                update=changes,
                where=lambda new: FEEDBACK.c.user == new["user"],
            )

    def rows(self, user: User) -> list[dict[str, Any]]:
        """Every feedback row, oldest first, citations decoded (for evaluators and admins)."""
        require(user, Permission.READ_FEEDBACK)
        with self.db.read(self.what) as db:
            found = db.execute(select(FEEDBACK).order_by(FEEDBACK.c.updated)).mappings().all()
        return [{**dict(r), "citations": json.loads(r["citations"])} for r in found]

    def to_csv(self, user: User) -> str:
        """All feedback as CSV (UTF-8 text; citations as 'label: quote' lines) for evaluators; a cell that a
        spreadsheet would run as a formula is written as text."""
        return to_csv(
            CSV_COLUMNS,
            (
                [
                    time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(row["updated"])),
                    row["user"],
                    row["conversation"],
                    row["message"],
                    {1: "👍", 0: "👎"}.get(row["rating"], ""),
                    row["comment"],
                    row["question"],
                    row["answer"],
                    "\n".join(
                        f"[{c['n']}] {c['label']}: {' '.join(c['quotes']) or c['text']}"
                        for c in row["citations"]
                    ),
                ]
                for row in self.rows(user)
            ),
        )


def _citation_row(citation: dict[str, Any]) -> dict[str, Any]:
    keys = ("n", "doc", "label", "text", "quotes")
    return {k: citation.get(k, [] if k == "quotes" else "") for k in keys}
