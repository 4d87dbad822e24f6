"""A throwaway PostgreSQL server for the tests: Debian's binaries (package `postgresql`), a temporary folder,
a free port on 127.0.0.1, password sign-in (scram-sha-256) for the application's user.

PostgreSQL refuses to run as root: when the tests run as root, the server is run as the `postgres` user
that Debian's package creates (`runuser -u postgres --`). Without binaries (or that user) the PostgreSQL
variants of the tests skip and say why.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
from pathlib import Path

import psycopg
from sqlalchemy.engine import URL

USER = "kh32"
PASSWORD = "Mk-thu@kh32:/#bi-mat"  # characters a URL must escape, to test that too
ADMIN_PASSWORD = "quan-tri-may-chu-thu"


def bin_dir() -> Path | None:
    """The folder of initdb and pg_ctl: KH32_TEST_PG_BIN, else Debian's newest, else the PATH."""
    if given := os.environ.get("KH32_TEST_PG_BIN"):
        return Path(given)
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3].split(".")[0])
    )
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def unavailable() -> str | None:
    """Why no test server can be started here, or None."""
    folder = bin_dir()
    if folder is None or not (folder / "initdb").exists() or not (folder / "pg_ctl").exists():
        return (
            "PostgreSQL is not installed (no initdb/pg_ctl in /usr/lib/postgresql/*/bin or on the PATH): "
            "`apt-get install postgresql` (make test does it) to run the PostgreSQL variants"
        )
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run PostgreSQL as"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """One server in a temporary folder; `new_database()` gives each test an empty database of its own."""

    def __init__(self) -> None:
        self.bin = bin_dir()
        self.folder = Path(tempfile.mkdtemp(prefix="kh32-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self._count = 0
        self._lock = threading.Lock()

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run(
            [*prefix, *command], capture_output=True, text=True, check=check, timeout=120, cwd=self.folder
        )

    def start(self) -> PostgresServer:
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.folder, account.pw_uid, account.pw_gid)
        password_file = self.folder / "admin-password"
        password_file.write_text(ADMIN_PASSWORD + "\n", encoding="utf-8")
        if os.geteuid() == 0:
            os.chown(password_file, pwd.getpwnam("postgres").pw_uid, -1)
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            f"--pwfile={password_file}",
            "--auth-host=scram-sha-256",
            "--auth-local=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        self.resume()
        with self.admin() as db:
            db.execute(f"CREATE ROLE {USER} LOGIN PASSWORD '{PASSWORD}'")
        return self

    def resume(self) -> None:
        """Start (or start again) the server; returns once it accepts connections."""
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        log = str(self.folder / "log")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def halt(self) -> None:
        """Stop the server as an administrator would (its sessions are cut), keeping its data."""
        pg_ctl = str(self.bin / "pg_ctl")
        self._run(pg_ctl, "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def stop(self) -> None:
        self.halt()
        shutil.rmtree(self.folder, ignore_errors=True)

    def admin(self) -> psycopg.Connection:
        """A connection of the server's superuser (autocommit), to make and drop databases."""
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user="postgres",
            password=ADMIN_PASSWORD,
            dbname="postgres",
            autocommit=True,
        )

    def url(self, database: str, user: str = USER, password: str | None = PASSWORD, port: int = 0) -> str:
        """postgresql://kh32:…@127.0.0.1:PORT/DATABASE, the password escaped as a URL needs."""
        url = URL.create(
            "postgresql",
            username=user,
            password=password,
            host="127.0.0.1",
            port=port or self.port,
            database=database,
        )
        return url.render_as_string(hide_password=False)

    def new_database(self) -> str:
        """An empty database owned by the application's user; its name."""
        with self._lock:
            self._count += 1
            name = f"kh32_test_{os.getpid()}_{self._count}"
        with self.admin() as db:
            db.execute(f"CREATE DATABASE {name} OWNER {USER}")
        return name

    def drop_database(self, name: str) -> None:
        with self.admin() as db:
            db.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
