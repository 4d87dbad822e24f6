"""Signing in with a local account, throttled and audited: password guessing is slowed for every session and
process at once, not per browser session.

Failed sign-ins are counted in `DATA_DIR/signin.sqlite`, per account name (look-alike spellings are one
name, language/lookalike.py) and per client address when it is known. After KH32_SIGN_IN_FAILURES failures
of a name (KH32_SIGN_IN_ADDRESS_FAILURES of an address) it is locked for KH32_SIGN_IN_LOCK_SECONDS, and each
further failure locks it again for twice as long, up to KH32_SIGN_IN_MAX_LOCK_SECONDS. While locked, even the
right password is refused, whether the name exists or not. A success clears the name's count; failures are
forgotten after KH32_SIGN_IN_WINDOW seconds of quiet. Every attempt is written to the audit trail under the
name as typed (never the password).

An attempt is charged to its name *before* the password is checked, in one write transaction, so parallel
guesses cannot all pass the check at once: at most KH32_SIGN_IN_FAILURES of them reach the password.
"""

from __future__ import annotations

import math
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant.access.accounts import Accounts
from assistant.access.roles import User
from assistant.core.errors import StoreError
from assistant.core.settings import Settings
from assistant.language.lookalike import identity_key
from assistant.language.text import nfc
from assistant.records.audit import audit_log
from assistant.records.sqlite_file import SqliteFile

_SCHEMA = """
CREATE TABLE IF NOT EXISTS throttle (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last REAL NOT NULL,
    locks INTEGER NOT NULL,
    until REAL NOT NULL
);
"""
NAME_CHARS = 64  # a typed name is kept (audit, key) to this many characters; account names are at most 64
WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."


def typed_name(name: str) -> str:
    """The name as typed, fit to record: NFC, trimmed, shortened when absurdly long."""
    name = nfc(name).strip()
    return name if len(name) <= NAME_CHARS else name[:NAME_CHARS] + "…"


def wait_text(seconds: float) -> str:
    """'45 giây', '2 phút', '14 phút 5 giây' (rounded up to the second)."""
    seconds = max(1, math.ceil(seconds))
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return f"{rest} giây"
    return f"{minutes} phút" + (f" {rest} giây" if rest else "")


class SignInThrottle(SqliteFile):
    """The failure counts and locks of account names and client addresses, shared by every process."""

    schema = _SCHEMA
    what = "bộ đếm đăng nhập sai"

    def __init__(
        self,
        path: Path,
        failures: int = 5,
        address_failures: int = 20,
        window: float = 900.0,
        lock_seconds: float = 30.0,
        max_lock_seconds: float = 900.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(path)
        self.failures = failures
        self.address_failures = address_failures
        self.window = window
        self.lock_seconds = lock_seconds
        self.max_lock_seconds = max_lock_seconds
        self.clock = clock

    @classmethod
    def of(cls, settings: Settings, clock: Callable[[], float] = time.time) -> SignInThrottle:
        """The throttle of the data folder, with the configured limits."""
        return cls(
            Path(settings.data_dir) / "signin.sqlite",
            failures=settings.sign_in_failures,
            address_failures=settings.sign_in_address_failures,
            window=settings.sign_in_window,
            lock_seconds=settings.sign_in_lock_seconds,
            max_lock_seconds=settings.sign_in_max_lock_seconds,
            clock=clock,
        )

    def _connect(self) -> sqlite3.Connection:
        db = super()._connect()
        db.isolation_level = None  # transactions are begun by hand (BEGIN IMMEDIATE)
        return db

    def _write(self, step: Callable[[sqlite3.Connection, float], float]) -> float:
        """Run `step(db, now)` in one write transaction, taken before anything is read."""
        try:
            db = self._connect()
            try:
                db.execute("BEGIN IMMEDIATE")
                try:
                    now = self.clock()
                    db.execute("DELETE FROM throttle WHERE max(last, until) < ?", (now - self.window,))
                    result = step(db, now)
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT")
                return result
            finally:
                db.close()
        except sqlite3.Error as exc:
            raise StoreError(f"Không ghi được {self.what} '{self.path}': {exc}") from exc

    def begin(self, name: str, address: str | None = None) -> float:
        """Before checking a password: the seconds to wait when the name or the address is locked (nothing
        is charged), else 0, with the attempt charged to the name (`succeeded` gives it back)."""
        keys = [_name_key(name)] + ([_address_key(address)] if address else [])

        def step(db: sqlite3.Connection, now: float) -> float:
            marks = ",".join("?" * len(keys))
            until = db.execute(f"SELECT max(until) FROM throttle WHERE key IN ({marks})", keys).fetchone()[0]
            if until is not None and until > now:
                return float(until - now)
            self._charge(db, keys[0], self.failures, now)
            return 0.0

        return self._write(step)

    def failed(self, address: str | None) -> None:
        """After a wrong password: charge the client address (the name was charged by `begin`)."""
        if address:
            self._write(lambda db, now: self._charge(db, _address_key(address), self.address_failures, now))

    def succeeded(self, name: str) -> None:
        """After the right password: the name's failures and locks are cleared (not the address's)."""

        def step(db: sqlite3.Connection, now: float) -> float:
            db.execute("DELETE FROM throttle WHERE key = ?", (_name_key(name),))
            return 0.0

        self._write(step)

    def _charge(self, db: sqlite3.Connection, key: str, limit: int, now: float) -> float:
        """One more failure of `key`; at `limit` (and each failure after) a lock twice the previous one."""
        row = db.execute("SELECT failures, locks, until FROM throttle WHERE key = ?", (key,)).fetchone()
        failures, locks, until = row if row is not None else (0, 0, 0.0)  # stale rows were just deleted
        failures += 1
        if failures >= limit:
            locks += 1
            until = now + min(self.lock_seconds * 2.0 ** min(locks - 1, 60), self.max_lock_seconds)
        db.execute(
            "INSERT OR REPLACE INTO throttle (key, failures, last, locks, until) VALUES (?, ?, ?, ?, ?)",
            (key, failures, now, locks, until),
        )
        return until


def _name_key(name: str) -> str:
    return "name:" + identity_key(typed_name(name))


def _address_key(address: str) -> str:
    return "address:" + address.strip().casefold()


@dataclass(frozen=True)
class SignInAttempt:
    """What a sign-in gave: the user, or None with how long the name or address stays locked (0: the name
    or password was wrong)."""

    user: User | None
    locked_for: float = 0.0

    @property
    def message(self) -> str:
        """The Vietnamese line shown for a refusal (the same whether the name exists or not)."""
        if self.locked_for > 0:
            return (
                f"Đăng nhập sai quá nhiều lần nên tạm bị khóa; hãy thử lại sau {wait_text(self.locked_for)}."
            )
        return WRONG


def sign_in(
    settings: Settings,
    name: str,
    password: str,
    address: str | None = None,
    clock: Callable[[], float] = time.time,
) -> SignInAttempt:
    """Check a name and password against the local accounts, throttled and recorded in the audit trail.
    `address`: the client's address when known (None: the name alone is throttled)."""
    throttle = SignInThrottle.of(settings, clock)
    log = audit_log(settings)
    actor = typed_name(name)
    where = f"địa chỉ: {address}" if address else ""
    if wait := throttle.begin(name, address):
        log.record(actor, "sign_in_locked", detail="; ".join(filter(None, [where, f"còn {wait_text(wait)}"])))
        return SignInAttempt(None, wait)
    user = Accounts(settings.accounts_path).verify(name, password)
    if user is None:
        throttle.failed(address)
        log.record(actor, "sign_in_failed", detail=where)
        return SignInAttempt(None)
    throttle.succeeded(name)
    typed = f"gõ: {actor}" if actor != user.name else ""
    log.record(user.name, "sign_in", detail="; ".join(filter(None, [where, typed])))
    return SignInAttempt(user)
