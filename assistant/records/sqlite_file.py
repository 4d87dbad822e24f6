"""A small SQLite file with one schema: the home of the UI's conversation and feedback stores."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from assistant.core.errors import StoreError


class SqliteFile:
    """Creates its folder and schema on open; each use opens a short-lived connection."""

    schema = ""
    what = "tệp dữ liệu"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as db:
                db.executescript(self.schema)
                self.migrate(db)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"Không mở được {self.what} '{self.path}': {exc}") from exc

    def migrate(self, db: sqlite3.Connection) -> None:
        """Bring a file made by an older version up to the schema (e.g. add a column)."""

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)
