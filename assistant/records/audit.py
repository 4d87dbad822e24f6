"""The audit trail: who uploaded, replaced, removed or restored which document, who changed a role, and
every sign-in with a local account (succeeded, failed, or refused while locked).

An append-only SQLite table (triggers refuse UPDATE and DELETE), shown to admins and exported as CSV.
Removed and replaced documents are kept (chunks, metadata) in the same file for
KH32_RETAIN_DAYS, so an admin can restore them exactly.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.core.settings import Settings
from assistant.records.csv_safe import to_csv
from assistant.records.sqlite_file import SqliteFile

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    doc_id TEXT NOT NULL DEFAULT '',
    file_name TEXT NOT NULL DEFAULT '',
    chunks INTEGER,
    content_hash TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;
CREATE TABLE IF NOT EXISTS retained (
    audit_id INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL,
    kept REAL NOT NULL,
    expires REAL NOT NULL,
    manifest TEXT NOT NULL,
    ids TEXT NOT NULL,
    documents TEXT NOT NULL,
    metadatas TEXT NOT NULL
);
"""
ACTIONS = {
    "upload": "Nạp tài liệu",
    "replace": "Thay thế tài liệu",
    "remove": "Xóa tài liệu",
    "restore": "Khôi phục tài liệu",
    "user_add": "Thêm tài khoản",
    "user_remove": "Xóa tài khoản",
    "role_change": "Đổi vai trò",
    "password_change": "Đổi mật khẩu",
    "sign_in": "Đăng nhập",
    "sign_in_failed": "Đăng nhập sai",
    "sign_in_locked": "Đăng nhập bị chặn (đang tạm khóa)",
}
CSV_COLUMNS = [
    "ma",
    "thoi_gian",
    "nguoi_thuc_hien",
    "hanh_dong",
    "tai_lieu",
    "ten_tep",
    "so_doan",
    "bam_noi_dung",
    "chi_tiet",
]


@dataclass(frozen=True)
class Snapshot:
    """A document as stored: its manifest record and every chunk (id, text, metadata). Vectors are not
    kept: restoring embeds the passages again through the embedding cache, which gives back exactly the
    vectors first written (Chroma normalises what it is given, so a stored vector written again differs
    in its last bits)."""

    doc_id: str
    manifest: dict[str, Any]
    ids: list[str]
    documents: list[str]
    metadatas: list[dict[str, Any]]


class AuditLog(SqliteFile):
    schema = _SCHEMA
    what = "nhật ký thao tác"

    def _connect(self) -> sqlite3.Connection:
        db = super()._connect()
        db.row_factory = sqlite3.Row
        return db

    def record(
        self,
        actor: str,
        action: str,
        doc_id: str = "",
        file_name: str = "",
        chunks: int | None = None,
        content_hash: str = "",
        detail: str = "",
        snapshot: Snapshot | None = None,
        retain_days: int = 30,
    ) -> int:
        """Append one entry (with the retained copy of a removed/replaced document); returns its id."""
        assert action in ACTIONS, action
        now = time.time()
        with self._connect() as db:
            cursor = db.execute(
                "INSERT INTO audit (at, actor, action, doc_id, file_name, chunks, content_hash, detail) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (now, actor, action, doc_id, file_name, chunks, content_hash, detail),
            )
            entry = int(cursor.lastrowid or 0)
            if snapshot is not None:
                db.execute(
                    "INSERT INTO retained VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        entry,
                        snapshot.doc_id,
                        now,
                        now + retain_days * 86400,
                        json.dumps(snapshot.manifest, ensure_ascii=False),
                        json.dumps(snapshot.ids),
                        json.dumps(snapshot.documents, ensure_ascii=False),
                        json.dumps(snapshot.metadatas, ensure_ascii=False),
                    ),
                )
            db.execute("DELETE FROM retained WHERE expires < ?", (now,))  # the retention period is over
        return entry

    def rows(self) -> list[dict[str, Any]]:
        """Every entry, newest first, with whether a retained copy can still be restored."""
        with self._connect() as db:
            found = db.execute(
                "SELECT audit.*, retained.expires AS expires FROM audit "
                "LEFT JOIN retained ON retained.audit_id = audit.id AND retained.expires >= ? "
                "ORDER BY audit.id DESC",
                (time.time(),),
            ).fetchall()
        return [dict(r) for r in found]

    def retained(self, entry: int) -> Snapshot | None:
        """The copy kept with entry `entry`, unless there is none or its retention period is over."""
        with self._connect() as db:
            row = db.execute(
                "SELECT * FROM retained WHERE audit_id = ? AND expires >= ?", (entry, time.time())
            ).fetchone()
        if row is None:
            return None
        return Snapshot(
            row["doc_id"],
            json.loads(row["manifest"]),
            json.loads(row["ids"]),
            json.loads(row["documents"]),
            json.loads(row["metadatas"]),
        )

    def to_csv(self) -> str:
        return to_csv(
            CSV_COLUMNS,
            (
                [
                    r["id"],
                    time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(r["at"])),
                    r["actor"],
                    ACTIONS.get(r["action"], r["action"]),
                    r["doc_id"],
                    r["file_name"],
                    "" if r["chunks"] is None else r["chunks"],
                    r["content_hash"],
                    r["detail"],
                ]
                for r in reversed(self.rows())
            ),
        )


def audit_log(settings: Settings) -> AuditLog:
    """The audit trail of the data folder."""
    return AuditLog(Path(settings.data_dir) / "audit.sqlite")
