"""The audit trail: who uploaded, replaced, removed or restored which document, who changed a role, and
every sign-in with a local account (succeeded, failed, or refused while locked).

An append-only table (triggers refuse UPDATE and DELETE, and TRUNCATE on PostgreSQL), shown to admins and
exported as CSV. Removed and replaced documents are kept (chunks, metadata) in the same database for
KH32_RETAIN_DAYS, so an admin can restore them exactly. The data folder's audit.sqlite, or the database of
KH32_DATABASE_URL (assistant/database/).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Connection, Double, Integer, MetaData, Table, Text, and_, delete, select

from assistant.core.settings import Settings
from assistant.database.connection import Database
from assistant.database.schema import Schema
from assistant.records.csv_safe import to_csv

FILE_NAME = "audit.sqlite"
METADATA = MetaData()
AUDIT = Table(
    "audit",
    METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Double, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("doc_id", Text, nullable=False, server_default=""),
    Column("file_name", Text, nullable=False, server_default=""),
    Column("chunks", Integer),
    Column("content_hash", Text, nullable=False, server_default=""),
    Column("detail", Text, nullable=False, server_default=""),
    sqlite_autoincrement=True,
)
RETAINED = Table(
    "retained",
    METADATA,
    Column("audit_id", Integer, primary_key=True, autoincrement=False),
    Column("doc_id", Text, nullable=False),
    Column("kept", Double, nullable=False),
    Column("expires", Double, nullable=False),
    Column("manifest", Text, nullable=False),
    Column("ids", Text, nullable=False),
    Column("documents", Text, nullable=False),
    Column("metadatas", Text, nullable=False),
)
APPEND_ONLY = "audit trail is append-only"


def _append_only(db: Connection) -> None:
    """Rows of the audit table can be added, never changed or deleted, by anyone who can write it."""
    if db.dialect.name == "postgresql":
        db.exec_driver_sql(
            "CREATE OR REPLACE FUNCTION kh32_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}' USING ERRCODE = 'restrict_violation'; END $$"
        )
        for name, event, each in (
            ("audit_no_update", "UPDATE", "ROW"),
            ("audit_no_delete", "DELETE", "ROW"),
            ("audit_no_truncate", "TRUNCATE", "STATEMENT"),
        ):
            db.exec_driver_sql(
                f"CREATE TRIGGER {name} BEFORE {event} ON audit FOR EACH {each} "
                "EXECUTE FUNCTION kh32_audit_append_only()"
            )
        return
    for name, event in (("audit_no_update", "UPDATE"), ("audit_no_delete", "DELETE")):
        db.exec_driver_sql(
            f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {event} ON audit "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
        )


SCHEMA = Schema("audit", METADATA, version=1, created=_append_only)
ACTIONS = {
    "upload": "Nạp tài liệu",
    "replace": "Thay thế tài liệu",
    "remove": "Xóa tài liệu",
    "restore": "Khôi phục tài liệu",
    "rechunk": "Dựng lại các đoạn",
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


class AuditLog:
    """The audit trail of a database (a Path: that SQLite file)."""

    what = "nhật ký thao tác"

    def __init__(self, where: Path | Database) -> None:
        self.db = where if isinstance(where, Database) else Database.sqlite(where)
        self.db.prepare(SCHEMA, self.what)

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
        """Append one entry (with the retained copy of a removed/replaced document, in the same transaction:
        both or neither); returns its id."""
        assert action in ACTIONS, action
        now = time.time()
        with self.db.write(self.what) as db:
            entry = int(
                db.execute(
                    AUDIT.insert().values(
                        at=now,
                        actor=actor,
                        action=action,
                        doc_id=doc_id,
                        file_name=file_name,
                        chunks=chunks,
                        content_hash=content_hash,
                        detail=detail,
                    )
                ).inserted_primary_key[0]
            )
            if snapshot is not None:
                db.execute(
                    RETAINED.insert().values(
                        audit_id=entry,
                        doc_id=snapshot.doc_id,
                        kept=now,
                        expires=now + retain_days * 86400,
                        manifest=json.dumps(snapshot.manifest, ensure_ascii=False),
                        ids=json.dumps(snapshot.ids),
                        documents=json.dumps(snapshot.documents, ensure_ascii=False),
                        metadatas=json.dumps(snapshot.metadatas, ensure_ascii=False),
                    )
                )
            db.execute(delete(RETAINED).where(RETAINED.c.expires < now))  # the retention period is over
        return entry

    def rows(self) -> list[dict[str, Any]]:
        """Every entry, newest first, with whether a retained copy can still be restored."""
        kept = and_(RETAINED.c.audit_id == AUDIT.c.id, RETAINED.c.expires >= time.time())
        query = (
            select(AUDIT, RETAINED.c.expires.label("expires"))
            .select_from(AUDIT.outerjoin(RETAINED, kept))
            .order_by(AUDIT.c.id.desc())
        )
        with self.db.read(self.what) as db:
            return [dict(row._mapping) for row in db.execute(query)]

    def retained(self, entry: int) -> Snapshot | None:
        """The copy kept with entry `entry`, unless there is none or its retention period is over."""
        query = select(RETAINED).where(RETAINED.c.audit_id == entry, RETAINED.c.expires >= time.time())
        with self.db.read(self.what) as db:
            row = db.execute(query).mappings().first()
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
    """The audit trail: in KH32_DATABASE_URL's database when set, else the data folder's audit.sqlite."""
    return AuditLog(Database.of(settings, FILE_NAME))
