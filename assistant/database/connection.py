"""Where the records live: a SQLite file of the data folder (the default: `make chat` needs no server), or
the PostgreSQL database that KH32_DATABASE_URL names (several chat processes on several machines share it).

Every use is one short transaction: a record is written whole or not at all, even when the server goes
away in the middle. Whatever goes wrong becomes a DatabaseError whose message says what to do (start the
server, check the address, the user, the password, create the database), never with a traceback and never
with the password: a URL is only ever shown as `postgresql://user:***@host:port/name`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from assistant.core.errors import DatabaseError
from assistant.core.files import private_file
from assistant.core.settings import Settings
from assistant.database.schema import Schema

POSTGRESQL_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
DRIVER = "postgresql+psycopg"
EXAMPLE = "postgresql://người_dùng:mật_khẩu@máy_chủ:5432/tên_cơ_sở_dữ_liệu"
CONNECT_TIMEOUT = 10  # seconds to reach the server, unless the URL says (connect_timeout=…)
SQLITE_BUSY_TIMEOUT = 10  # seconds a SQLite write waits for another process's

# SQLSTATE classes of PostgreSQL: the credentials were refused; the database does not exist; the server
# shut down or the connection broke.
_REFUSED = ("28P01", "28000")
_NO_DATABASE = ("3D000",)
_GONE = ("57P01", "57P02", "57P03", "08000", "08003", "08006", "08001", "08004")
_GONE_TEXT = (
    "server closed the connection",
    "terminating connection",
    "connection is lost",
    "connection is closed",
    "consuming input failed",
    "could not receive data",
    "the connection is bad",
    "ssl syscall",
    "eof detected",
)
_UNREACHABLE_TEXT = (
    "connection refused",
    "could not connect",
    "connection failed",
    "timeout expired",
    "could not translate host name",
    "name or service not known",
    "no route to host",
    "network is unreachable",
    "is the server running",
)


def mask(text: str) -> str:
    """`text` with the password of any URL in it (user:PASSWORD@, password=…) replaced by ***."""
    text = re.sub(r"(://[^:/@\s]*:)[^\s]*@", r"\1***@", text)
    return re.sub(r"(?i)(password\s*=\s*)('[^']*'|[^\s&'\"]+)", r"\1***", text)


def masked_url(given: str) -> str:
    """A URL as typed, fit to print however malformed: what stands between the user's name and the last '@'
    (the password) becomes ***, and so does a password=… parameter."""
    scheme, separator, rest = given.partition("://")
    if not separator:
        scheme, rest = "", given
    if "@" in rest:
        credentials, _, place = rest.rpartition("@")
        if ":" in credentials:
            rest = f"{credentials.split(':', 1)[0]}:***@{place}"
    return mask(f"{scheme}{separator}{rest}")


def postgresql_url(given: str) -> URL:
    """The SQLAlchemy URL (driver psycopg) of a PostgreSQL database given as postgresql://…, postgres://…
    or postgresql+psycopg://…; a DatabaseError (showing the URL without its password) when it is not one."""
    given = given.strip()
    scheme = given.split("://", 1)[0].lower() if "://" in given else ""
    shown = masked_url(given)
    if scheme not in POSTGRESQL_SCHEMES:
        raise DatabaseError(
            f"KH32_DATABASE_URL không hợp lệ ('{shown}'): cần địa chỉ của một cơ sở dữ liệu PostgreSQL, dạng "
            f"{EXAMPLE}. Để trống biến này thì dùng các tệp SQLite trong thư mục dữ liệu."
        )
    try:
        url = make_url(given)
        url.port  # noqa: B018  (a port that is not a number fails here)
    except (ArgumentError, ValueError) as exc:
        raise DatabaseError(
            f"KH32_DATABASE_URL không đọc được ('{shown}'): cần dạng {EXAMPLE} (cổng là một số; ký tự đặc "
            "biệt trong mật khẩu như @ : / # viết dạng %40 %3A %2F %23)."
        ) from exc
    if "@" in (url.host or "") or "/" in (url.database or "") or not url.database:
        raise DatabaseError(
            f"KH32_DATABASE_URL không đọc được ('{shown}'): cần dạng {EXAMPLE}, có tên cơ sở dữ liệu ở cuối "
            "(ký tự đặc biệt trong mật khẩu như @ : / # viết dạng %40 %3A %2F %23)."
        )
    return url.set(drivername=DRIVER)


def shown_url(url: URL) -> str:
    """A PostgreSQL URL as it may be printed: postgresql://user:***@host:port/name."""
    return url.set(drivername="postgresql").render_as_string(hide_password=True)


class Database:
    """One engine and how to name it in a message. Use `of(settings, file)`, `sqlite(path)` or
    `postgresql(url)`; then `read()` and `write()` give a connection inside one transaction."""

    def __init__(self, engine: Engine, where: str, secret: str | None = None) -> None:
        self.engine = engine
        self.where = where  # the file, or the URL without its password
        self._secret = secret
        self._prepared: set[str] = set()
        self._lock = threading.Lock()

    # --- opening -----------------------------------------------------------------------------------

    @classmethod
    def of(cls, settings: Settings, file_name: str) -> Database:
        """The database of a record: KH32_DATABASE_URL's when set, else `file_name` in the data folder."""
        if settings.database:
            return cls.postgresql(settings.database)
        return cls.sqlite(Path(settings.data_dir) / file_name)

    @classmethod
    def sqlite(cls, path: Path) -> Database:
        """A SQLite file (created 0600 in a 0700 folder; an older, looser one is tightened)."""
        path = Path(path)
        try:
            private_file(path)
        except OSError as exc:
            raise DatabaseError(f"Không tạo được tệp '{path}' ({exc.strerror or exc}).") from exc
        engine = create_engine(
            URL.create("sqlite", database=str(path)),
            poolclass=NullPool,  # a connection per use, as SQLite expects of several processes
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT},
            hide_parameters=True,
        )

        @event.listens_for(engine, "connect")
        def _no_implicit_transactions(connection: Any, _record: Any) -> None:
            connection.isolation_level = None  # transactions are begun here, below

        @event.listens_for(engine, "begin")
        def _begin(connection: Connection) -> None:
            immediate = connection.get_execution_options().get("kh32_write")
            connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return cls(engine, f"'{path}'")

    @classmethod
    def postgresql(cls, given: str) -> Database:
        """The PostgreSQL database of a URL; one engine (and connection pool) per URL and process."""
        url = postgresql_url(given)
        key = url.render_as_string(hide_password=False)
        with _ENGINES_LOCK:
            found = _ENGINES.get(key)
            if found is None:
                query = dict(url.query)
                connect_args: dict[str, Any] = {"application_name": "kh32"}
                if "connect_timeout" not in query:
                    connect_args["connect_timeout"] = CONNECT_TIMEOUT
                engine = create_engine(
                    url,
                    pool_pre_ping=True,  # a connection broken since its last use is replaced, not used
                    pool_size=5,
                    max_overflow=10,
                    connect_args=connect_args,
                    hide_parameters=True,
                )
                found = _ENGINES[key] = cls(engine, shown_url(url), secret=url.password)
        return found

    @property
    def kind(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self.engine.dialect.name

    # --- using -------------------------------------------------------------------------------------

    @contextmanager
    def read(self, what: str) -> Iterator[Connection]:
        """A connection in a read transaction; `what` names the record in an error message."""
        with self._transaction(what, "đọc", write=False) as db:
            yield db

    @contextmanager
    def write(self, what: str, lock: str | None = None) -> Iterator[Connection]:
        """A connection in one write transaction: committed whole when the block ends, rolled back on any
        error. `lock`: a table whose writers queue behind this one from the start (SQLite takes the file's
        write lock; PostgreSQL locks the table against other writers, readers still read)."""
        with self._transaction(what, "ghi", write=True) as db:
            if lock is not None and self.kind == "postgresql":
                quoted = db.dialect.identifier_preparer.quote(lock)
                db.exec_driver_sql(f"LOCK TABLE {quoted} IN SHARE ROW EXCLUSIVE MODE")
            yield db

    @contextmanager
    def _transaction(self, what: str, doing: str, write: bool) -> Iterator[Connection]:
        try:
            with self.engine.connect() as db:
                if write:
                    db.execution_options(kh32_write=True)
                with db.begin():
                    yield db
        except SQLAlchemyError as exc:
            raise self.error(exc, doing, what) from exc
        except OSError as exc:
            raise self.error(exc, doing, what) from exc

    def prepare(self, schema: Schema, what: str) -> None:
        """Make or upgrade a record's tables (once per process for a server; a cheap check for a file)."""
        if schema.name in self._prepared:
            return
        with self._lock:
            if schema.name in self._prepared:
                return
            try:
                with self.engine.connect() as db, db.begin():
                    ready = schema.current(db) == schema.version
                if not ready:
                    with self._transaction(what, "mở", write=True) as db:
                        if self.kind == "postgresql":  # two processes starting at once make it once
                            db.execute(text("SELECT pg_advisory_xact_lock(3203202532)"))
                        schema.bring_up_to_date(db)
            except SQLAlchemyError as exc:
                raise self.error(exc, "mở", what) from exc
            if self.kind == "postgresql":
                self._prepared.add(schema.name)

    # --- errors --------------------------------------------------------------------------------------

    def error(self, exc: BaseException, doing: str, what: str) -> DatabaseError:
        """The DatabaseError of a failure: what to do about it, never the password."""
        if isinstance(exc, DatabaseError):
            return exc
        original = getattr(exc, "orig", None) or exc
        state = getattr(original, "sqlstate", None) or ""
        detail = self._scrub(" ".join(str(original).split()))
        low = detail.lower()
        where = self.where
        if self.kind == "postgresql":
            user = self.engine.url.username or "(mặc định)"
            name = self.engine.url.database
            if state in _REFUSED or "password authentication failed" in low or "no password supplied" in low:
                return DatabaseError(
                    f"Máy chủ PostgreSQL từ chối đăng nhập của người dùng '{user}' ({where}): sai mật khẩu "
                    "hoặc tên người dùng, hoặc người dùng chưa được phép vào cơ sở dữ liệu này. Hãy kiểm tra "
                    "KH32_DATABASE_URL."
                )
            if state in _NO_DATABASE or (name and f'database "{name}" does not exist' in low):
                return DatabaseError(
                    f"Máy chủ PostgreSQL chưa có cơ sở dữ liệu '{name}' ({where}); hãy tạo nó trước "
                    f"(createdb -O {user} {name}) hoặc sửa tên trong KH32_DATABASE_URL."
                )
            if state in _GONE or any(t in low for t in _GONE_TEXT):
                return DatabaseError(
                    f"Mất kết nối tới cơ sở dữ liệu {where} giữa chừng: thao tác vừa rồi không được ghi "
                    "(không có bản ghi nào bị ghi dở). Hãy kiểm tra máy chủ PostgreSQL rồi thử lại."
                )
            if any(t in low for t in _UNREACHABLE_TEXT):
                return DatabaseError(
                    f"Không kết nối được tới cơ sở dữ liệu {where}: máy chủ PostgreSQL không trả lời (chưa "
                    "chạy, sai địa chỉ hoặc cổng, hoặc bị tường lửa chặn). Hãy khởi động máy chủ hoặc sửa "
                    "KH32_DATABASE_URL."
                )
        elif isinstance(exc, OSError):
            detail = exc.strerror or detail
        elif "database is locked" in low:
            detail = "tệp đang bị một tiến trình khác giữ quá lâu; hãy thử lại"
        elif "readonly database" in low or "unable to open" in low:
            detail = "không có quyền ghi tệp hoặc thư mục; hãy cấp quyền ghi cho tài khoản chạy dịch vụ"
        elif "disk is full" in low or "database or disk is full" in low:
            detail = "ổ đĩa đã đầy; hãy giải phóng dung lượng rồi thử lại"
        elif "not a database" in low or "malformed" in low:
            detail = "tệp bị hỏng (không phải tệp SQLite hợp lệ)"
        return DatabaseError(f"Không {doing} được {what} ({where}): {detail}.")

    def _scrub(self, text: str) -> str:
        """A driver's message without the password (never in it so far, but it is never to be printed)."""
        text = mask(text)
        if self._secret:
            text = text.replace(self._secret, "***")
        return text

    def dispose(self) -> None:
        """Close the pool's connections (tests, and the migration command when it is done)."""
        self.engine.dispose()


_ENGINES: dict[str, Database] = {}
_ENGINES_LOCK = threading.Lock()


def dispose_all() -> None:
    """Close and forget every server engine of this process (tests that drop their databases)."""
    with _ENGINES_LOCK:
        for database in _ENGINES.values():
            database.dispose()
        _ENGINES.clear()
