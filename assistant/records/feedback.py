"""Feedback on answers (👍/👎 and a comment), kept in SQLite with what was asked and cited; CSV export."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from typing import Any

from assistant.access.roles import Permission, User, require
from assistant.records.csv_safe import to_csv
from assistant.records.sqlite_file import SqliteFile

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
_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    conversation TEXT NOT NULL,
    message TEXT NOT NULL,
    rating INTEGER,
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    updated REAL NOT NULL,
    user TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (conversation, message)
)
"""


class FeedbackStore(SqliteFile):
    """One row per rated answer; rating 1 is 👍, 0 is 👎, None when only a comment was left."""

    schema = _SCHEMA
    what = "tệp góp ý"

    def migrate(self, db: sqlite3.Connection) -> None:
        columns = {row[1] for row in db.execute("PRAGMA table_info(feedback)")}
        if "user" not in columns:
            db.execute("ALTER TABLE feedback ADD COLUMN user TEXT NOT NULL DEFAULT ''")

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
        with self._connect() as db:
            db.execute(
                """INSERT INTO feedback
                    (conversation, message, rating, comment, question, answer, citations, updated, user)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (conversation, message) DO UPDATE SET
                    rating = COALESCE(excluded.rating, rating),
                    comment = CASE WHEN ? THEN excluded.comment ELSE comment END,
                    question = excluded.question, answer = excluded.answer,
                    citations = excluded.citations, updated = excluded.updated
                WHERE feedback.user = excluded.user""",
                (
                    conversation,
                    message,
                    rating,
                    (comment or "").strip(),
                    question,
                    answer,
                    cited,
                    time.time(),
                    user.name,
                    comment is not None,
                ),
            )

    def rows(self, user: User) -> list[dict[str, Any]]:
        """Every feedback row, oldest first, citations decoded (for evaluators and admins)."""
        require(user, Permission.READ_FEEDBACK)
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            found = db.execute("SELECT * FROM feedback ORDER BY updated").fetchall()
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
