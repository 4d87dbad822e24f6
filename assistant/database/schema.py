"""The schema of each record and its version: one small versioned step per change.

Each record (the audit trail, conversations, feedback, the sign-in throttle, the accounts) names its tables
(SQLAlchemy Core) and the version of its schema; the database keeps the version each record is at in the
table `kh32_schema`. On opening: a record without a row there is created, or, when its tables are already
there (a SQLite file written before schema versions), brought up by the steps 1…version, each of which
checks before it changes anything; a record at an older version runs the steps after it; a newer one than
this program knows is refused rather than written wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Connection, Integer, MetaData, Table, Text, inspect, select
from sqlalchemy.dialects import postgresql, sqlite

from assistant.core.errors import DatabaseError

Step = Callable[[Connection], None]

VERSIONS = Table(
    "kh32_schema",
    MetaData(),
    Column("record", Text, primary_key=True),
    Column("version", Integer, nullable=False),
)


@dataclass(frozen=True)
class Schema:
    """A record's tables, their version, and how to get there.

    `steps[v]` brings version v-1 to v (and must find out for itself whether it is needed: it also runs on
    files made before versions were kept); `created` runs once when the tables are first made or adopted
    (the audit trail's append-only triggers)."""

    name: str
    metadata: MetaData
    version: int = 1
    steps: Mapping[int, Step] = field(default_factory=dict)
    created: Step | None = None

    @property
    def tables(self) -> list[Table]:
        return list(self.metadata.sorted_tables)

    def current(self, db: Connection) -> int | None:
        """The version the database holds (None: not made, or made before versions were kept)."""
        if not inspect(db).has_table(VERSIONS.name):
            return None
        return db.execute(select(VERSIONS.c.version).where(VERSIONS.c.record == self.name)).scalar()

    def bring_up_to_date(self, db: Connection) -> None:
        """Create or upgrade the record's tables, in the caller's transaction (all of it or none)."""
        VERSIONS.create(db, checkfirst=True)
        found = self.current(db)
        if found is not None and found > self.version:
            raise DatabaseError(
                f"Dữ liệu '{self.name}' do một phiên bản mới hơn của chương trình tạo (lược đồ phiên bản "
                f"{found}, chương trình này biết đến {self.version}); hãy cập nhật chương trình."
            )
        if found == self.version:
            return
        adopted = found is None and any(inspect(db).has_table(t.name) for t in self.tables)
        self.metadata.create_all(db, checkfirst=True)
        start = 1 if found is None else found + 1
        if found is not None or adopted:
            for version in range(start, self.version + 1):
                if step := self.steps.get(version):
                    step(db)
        if found is None:
            if self.created is not None:
                self.created(db)
            db.execute(VERSIONS.insert().values(record=self.name, version=self.version))
        else:
            db.execute(VERSIONS.update().where(VERSIONS.c.record == self.name).values(version=self.version))


def add_column(db: Connection, table: str, column: str, definition: str) -> None:
    """`ALTER TABLE … ADD COLUMN` unless the column is there (a step of an older file)."""
    if column in {c["name"] for c in inspect(db).get_columns(table)}:
        return
    quote = db.dialect.identifier_preparer.quote
    db.exec_driver_sql(f"ALTER TABLE {quote(table)} ADD COLUMN {quote(column)} {definition}")


def upsert(
    db: Connection,
    table: Table,
    values: Mapping[str, Any],
    keys: Iterable[str],
    update: Callable[[Any], Mapping[str, Any]] | None = None,
    where: Callable[[Any], Any] | None = None,
) -> None:
    """INSERT … ON CONFLICT (keys) DO UPDATE, in the dialect of the database (SQLite and PostgreSQL say it
    alike). `update(excluded)` gives the columns to set (default: every column given but the keys);
    `where(excluded)` when the existing row may be changed at all."""
    dialect = postgresql if db.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(**values)
    keys = list(keys)
    changes = (
        update(statement.excluded) if update else {c: statement.excluded[c] for c in values if c not in keys}
    )
    db.execute(
        statement.on_conflict_do_update(
            index_elements=keys,
            set_=dict(changes),
            where=where(statement.excluded) if where else None,
        )
    )
