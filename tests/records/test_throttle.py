"""The sign-in throttle: failures of one account name (any look-alike spelling) or one client address lock it
for every session and process, for a time that doubles; the right password is refused while locked; parallel
guesses cannot outrun the lock; every attempt is in the audit trail, never a password. On the data folder's
SQLite files and on PostgreSQL (the `database` fixture)."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from assistant import Settings
from assistant.access.accounts import Accounts
from assistant.access.roles import Role, User
from assistant.records.audit import ACTIONS, audit_log
from assistant.records.throttle import WRONG, SignInThrottle, sign_in, wait_text
from tests.conftest import PROJECT

PASSWORD = "mat-khau-du-dai"
WRONG_PASSWORDS = [f"doan-sai-{n:03}" for n in range(60)]


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def settings(isolated_data: Path, database: str | None) -> Settings:
    settings = Settings()
    Accounts.of(settings).add("admin", PASSWORD, Role.ADMIN)
    return settings


@pytest.fixture
def clock() -> Clock:
    return Clock()


def fail(
    settings: Settings, clock: Clock, times: int, name: str = "admin", address: str | None = None
) -> None:
    for n in range(times):
        attempt = sign_in(settings, name, WRONG_PASSWORDS[n], address, clock)
        assert attempt.user is None and attempt.locked_for == 0 and attempt.message == WRONG


def test_failures_lock_the_account_even_for_the_right_password_until_the_lock_ends(
    settings: Settings, clock: Clock
) -> None:
    fail(settings, clock, 5)
    locked = sign_in(settings, "admin", PASSWORD, clock=clock)
    assert locked.user is None and locked.locked_for == 30
    assert locked.message == "Đăng nhập sai quá nhiều lần nên tạm bị khóa; hãy thử lại sau 30 giây."
    clock.now += 29
    assert sign_in(settings, "admin", PASSWORD, clock=clock).locked_for == 1
    clock.now += 1
    user = sign_in(settings, "admin", PASSWORD, clock=clock).user
    assert user is not None and user.name == "admin" and user.role is Role.ADMIN


def test_a_success_clears_the_count(settings: Settings, clock: Clock) -> None:
    fail(settings, clock, 4)
    assert sign_in(settings, "admin", PASSWORD, clock=clock).user is not None
    fail(settings, clock, 4)  # 8 failures, but only 4 since the success
    assert sign_in(settings, "admin", PASSWORD, clock=clock).user is not None


def test_failures_are_forgotten_after_a_quiet_window(settings: Settings, clock: Clock) -> None:
    fail(settings, clock, 4)
    clock.now += settings.sign_in_window + 1
    fail(settings, clock, 4)
    assert sign_in(settings, "admin", PASSWORD, clock=clock).user is not None


def test_each_failure_after_a_lock_locks_again_twice_as_long_up_to_the_maximum(
    settings: Settings, clock: Clock
) -> None:
    fail(settings, clock, 5)
    locks = []
    for _ in range(8):
        wait = sign_in(settings, "admin", PASSWORD, clock=clock).locked_for
        locks.append(wait)
        clock.now += wait
        fail(settings, clock, 1)  # the one guess allowed after a lock
    assert locks == [30, 60, 120, 240, 480, 900, 900, 900]


def test_the_limits_are_settings(database: str | None, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KH32_SIGN_IN_FAILURES", "2")
    monkeypatch.setenv("KH32_SIGN_IN_LOCK_SECONDS", "100")
    monkeypatch.setenv("KH32_SIGN_IN_MAX_LOCK_SECONDS", "150")
    settings = Settings()
    Accounts.of(settings).add("admin", PASSWORD, Role.ADMIN)
    fail(settings, clock, 2)
    assert sign_in(settings, "admin", PASSWORD, clock=clock).locked_for == 100
    clock.now += 100
    fail(settings, clock, 1)
    assert sign_in(settings, "admin", PASSWORD, clock=clock).locked_for == 150


def test_look_alike_spellings_of_a_name_are_one_account(settings: Settings, clock: Clock) -> None:
    for spelling in ("ADMIN", "аdmin", "ａｄｍｉｎ", " Admin ", "admin"):  # Cyrillic а; full-width
        fail(settings, clock, 1, spelling)
    assert sign_in(settings, "admin", PASSWORD, clock=clock).locked_for == 30
    assert sign_in(settings, "АDMIN", PASSWORD, clock=clock).locked_for == 30  # Cyrillic А


def test_an_unknown_name_locks_the_same_way(settings: Settings, clock: Clock) -> None:
    """No hint whether a name exists: the same refusals, the same lock."""
    fail(settings, clock, 5, "khong-co-ai")
    unknown = sign_in(settings, "khong-co-ai", PASSWORD, clock=clock)
    fail(settings, clock, 5)
    known = sign_in(settings, "admin", PASSWORD, clock=clock)
    assert unknown == known and unknown.locked_for == 30


def test_the_lock_survives_a_new_session_and_another_process(settings: Settings) -> None:
    """Real clock: a lock taken here holds in a new throttle object and in another Python. The lock is 300
    seconds, so that a slow start of the other Python (a busy machine) cannot outlast it."""
    settings = settings.model_copy(update={"sign_in_lock_seconds": 300.0})
    fail_real = [sign_in(settings, "admin", p) for p in WRONG_PASSWORDS[:5]]
    assert all(a.user is None for a in fail_real)
    throttle = SignInThrottle.of(Settings())  # a new object on the same data folder
    assert 200 < throttle.begin("admin") <= 300
    code = (
        "from assistant import Settings; from assistant.records.throttle import sign_in; "
        f"a = sign_in(Settings(), 'admin', {PASSWORD!r}); print(a.user, a.locked_for > 100)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["None", "True"]


def test_parallel_guesses_get_at_most_the_limit_through(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    verify = Accounts.verify

    def counting(self: Accounts, name: str, password: str) -> User | None:
        checked.append(password)
        return verify(self, name, password)

    monkeypatch.setattr(Accounts, "verify", counting)
    start = threading.Barrier(50)
    results = []

    def guess(n: int) -> None:
        start.wait()
        results.append(sign_in(settings, "admin", f"doan-song-song-{n}"))

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 50 and all(r.user is None for r in results)
    assert len(checked) == 5  # the limit; the other 45 were refused before the password check
    assert sum(r.locked_for > 0 for r in results) == 45
    rows = audit_log(settings).rows()
    assert len(rows) == 50
    assert sorted(r["action"] for r in rows) == ["sign_in_failed"] * 5 + ["sign_in_locked"] * 45
    assert {r["actor"] for r in rows} == {"admin"}


def test_a_client_address_is_locked_across_names(
    database: str | None, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KH32_SIGN_IN_ADDRESS_FAILURES", "3")
    settings = Settings()
    accounts = Accounts.of(settings)
    accounts.add("admin", PASSWORD, Role.ADMIN)
    accounts.add("an", PASSWORD, Role.READER)
    assert sign_in(settings, "an", PASSWORD, "10.0.0.9", clock).user is not None
    for name in ("admin", "binh", "chi"):  # spraying: one guess per name
        fail(settings, clock, 1, name, "10.0.0.9")
    assert sign_in(settings, "an", PASSWORD, "10.0.0.9", clock).locked_for == 30
    # the account itself is not locked: from another address, or this machine, it signs in
    assert sign_in(settings, "an", PASSWORD, "10.0.0.7", clock).user is not None
    assert sign_in(settings, "an", PASSWORD, None, clock).user is not None
    assert sign_in(settings, "an", PASSWORD, "10.0.0.9", clock).locked_for == 30  # a success elsewhere
    clock.now += 30
    assert sign_in(settings, "an", PASSWORD, "10.0.0.9", clock).user is not None


def test_every_attempt_is_audited_without_its_password(settings: Settings, clock: Clock) -> None:
    assert sign_in(settings, "ADMIN", PASSWORD, "10.0.0.9", clock).user is not None
    fail(settings, clock, 5, address="10.0.0.9")
    assert sign_in(settings, "admin", PASSWORD, "10.0.0.9", clock).locked_for == 30
    long_name = "x" * 5000
    sign_in(settings, long_name, "mat-khau-cua-ten-dai", clock=clock)
    log = audit_log(settings)
    rows = log.rows()
    actions = [r["action"] for r in reversed(rows)]
    assert actions == ["sign_in"] + ["sign_in_failed"] * 5 + ["sign_in_locked", "sign_in_failed"]
    success, *_ = reversed(rows)
    assert success["actor"] == "admin" and success["detail"] == "địa chỉ: 10.0.0.9; gõ: ADMIN"
    assert rows[1]["actor"] == "admin" and rows[1]["detail"] == "địa chỉ: 10.0.0.9; còn 30 giây"
    assert rows[0]["actor"] == "x" * 64 + "…"
    everything = repr(rows) + log.to_csv()
    for password in [PASSWORD, "mat-khau-cua-ten-dai", *WRONG_PASSWORDS[:5]]:
        assert password not in everything
    for action in ("sign_in", "sign_in_failed", "sign_in_locked"):
        assert ACTIONS[action] in log.to_csv()


def test_wait_text() -> None:
    assert [wait_text(s) for s in (0.2, 30, 59.5, 60, 61, 900)] == [
        "1 giây",
        "30 giây",
        "1 phút",
        "1 phút",
        "1 phút 1 giây",
        "15 phút",
    ]
