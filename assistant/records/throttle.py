"""Signing in with a local account, throttled and audited: password guessing is slowed for every session and
process at once, not per browser session.

Failed sign-ins are counted in `DATA_DIR/signin.sqlite` (or the database of KH32_DATABASE_URL), per account
name (look-alike spellings are one name, language/lookalike.py) and per client address when it is known.
After KH32_SIGN_IN_FAILURES failures of a name (KH32_SIGN_IN_ADDRESS_FAILURES of an address) it is locked
for KH32_SIGN_IN_LOCK_SECONDS, and each further failure locks it again for twice as long, up to
KH32_SIGN_IN_MAX_LOCK_SECONDS. While locked, even the right password is refused, whether the name exists or
not. A success clears the name's count; failures are forgotten after KH32_SIGN_IN_WINDOW seconds of quiet.
Every attempt is written to the audit trail under the name as typed (never the password).

An attempt is charged to its name *before* the password is checked, in one write transaction, so parallel
guesses cannot all pass the check at once: at most KH32_SIGN_IN_FAILURES of them reach the password.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Column, Connection, Double, Integer, MetaData, Table, Text, delete, func, select

from assistant.access.accounts import Accounts
from assistant.access.roles import User
from assistant.core.settings import Settings
from assistant.database.connection import Database
from assistant.database.schema import Schema, upsert
from assistant.language.lookalike import identity_key
from assistant.language.text import nfc
from assistant.records.audit import audit_log

FILE_NAME = "signin.sqlite"
METADATA = MetaData()
THROTTLE = Table(
    "throttle",
    METADATA,
    Column("key", Text, primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last", Double, nullable=False),
    Column("locks", Integer, nullable=False),
    Column("until", Double, nullable=False),
)
SCHEMA = Schema("throttle", METADATA, version=1)
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


class SignInThrottle:
    """The failure counts and locks of account names and client addresses, shared by every process."""

    what = "bộ đếm đăng nhập sai"

    def __init__(
        self,
        where: Path | Database,
        failures: int = 5,
        address_failures: int = 20,
        window: float = 900.0,
        lock_seconds: float = 30.0,
        max_lock_seconds: float = 900.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = where if isinstance(where, Database) else Database.sqlite(where)
        self.db.prepare(SCHEMA, self.what)
        self.failures = failures
        self.address_failures = address_failures
        self.window = window
        self.lock_seconds = lock_seconds
        self.max_lock_seconds = max_lock_seconds
        self.clock = clock

    @classmethod
    def of(cls, settings: Settings, clock: Callable[[], float] = time.time) -> SignInThrottle:
        """The throttle of the data folder (or KH32_DATABASE_URL's database), with the configured limits."""
        return cls(
            Database.of(settings, FILE_NAME),
            failures=settings.sign_in_failures,
            address_failures=settings.sign_in_address_failures,
            window=settings.sign_in_window,
            lock_seconds=settings.sign_in_lock_seconds,
            max_lock_seconds=settings.sign_in_max_lock_seconds,
            clock=clock,
        )

    def _write(self, step: Callable[[Connection, float], float]) -> float:
        """Run `step(db, now)` in one write transaction that holds the throttle against every other writer
        from before anything is read (SQLite: BEGIN IMMEDIATE; PostgreSQL: a table lock)."""
        with self.db.write(self.what, lock=THROTTLE.name) as db:
            now = self.clock()
            cutoff = now - self.window
            db.execute(delete(THROTTLE).where(THROTTLE.c.last < cutoff, THROTTLE.c.until < cutoff))
            return step(db, now)

    def begin(self, name: str, address: str | None = None) -> float:
        """Before checking a password: the seconds to wait when the name or the address is locked (nothing
        is charged), else 0, with the attempt charged to the name (`succeeded` gives it back)."""
        keys = [_name_key(name)] + ([_address_key(address)] if address else [])

        def step(db: Connection, now: float) -> float:
            until = db.execute(select(func.max(THROTTLE.c.until)).where(THROTTLE.c.key.in_(keys))).scalar()
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

        def step(db: Connection, now: float) -> float:
            db.execute(delete(THROTTLE).where(THROTTLE.c.key == _name_key(name)))
            return 0.0

        self._write(step)

    def _charge(self, db: Connection, key: str, limit: int, now: float) -> float:
        """One more failure of `key`; at `limit` (and each failure after) a lock twice the previous one."""
        row = db.execute(
            select(THROTTLE.c.failures, THROTTLE.c.locks, THROTTLE.c.until).where(THROTTLE.c.key == key)
        ).first()
        failures, locks, until = row if row is not None else (0, 0, 0.0)  # stale rows were just deleted
        failures += 1
        if failures >= limit:
            locks += 1
            until = now + min(self.lock_seconds * 2.0 ** min(locks - 1, 60), self.max_lock_seconds)
        values = {"key": key, "failures": failures, "last": now, "locks": locks, "until": until}
        upsert(db, THROTTLE, values, keys=("key",))
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
    user = Accounts.of(settings).verify(name, password)
    if user is None:
        throttle.failed(address)
        log.record(actor, "sign_in_failed", detail=where)
        return SignInAttempt(None)
    throttle.succeeded(name)
    typed = f"gõ: {actor}" if actor != user.name else ""
    log.record(user.name, "sign_in", detail="; ".join(filter(None, [where, typed])))
    return SignInAttempt(user)
