"""Many processes on one embedded store: one writer at a time (an inter-process file lock), and a
generation number the writer bumps after each write, so that readers in other processes know their view
of the store is out of date and open it afresh."""

from __future__ import annotations

import logging
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from filelock import FileLock, Timeout

from assistant.core.errors import StoreError

LOCK_FILE = "store.lock"
HOLDER_FILE = "store.lock.holder"
GENERATION_FILE = "store.generation"
# How often a waiting writer says it is still waiting, in seconds.
WAIT_REPORT_EVERY = 30.0
_PROCESS = uuid.uuid4().hex
log = logging.getLogger(__name__)


def process_token() -> str:
    """This process, as a generation file names its writer (pid and a per-interpreter random part)."""
    return f"{os.getpid()}-{_PROCESS}"


@dataclass(frozen=True)
class Generation:
    """How many writes the store has seen, and which process made the last one."""

    number: int = 0
    writer: str = ""

    def mine(self) -> bool:
        return self.writer == process_token()


def read_generation(folder: Path) -> Generation:
    """The folder's generation; a missing or unreadable file counts as generation 0."""
    try:
        number, writer = (folder / GENERATION_FILE).read_text(encoding="utf-8").split()
        return Generation(int(number), writer)
    except (OSError, ValueError):
        return Generation()


def bump_generation(folder: Path) -> Generation:
    """Record a write (called by the lock holder): the number goes up and names this process.

    The file is replaced atomically, so a reader sees the old or the new number, never half of one.
    """
    new = Generation(read_generation(folder).number + 1, process_token())
    with tempfile.NamedTemporaryFile("w", dir=folder, prefix=".generation-", delete=False) as file:
        file.write(f"{new.number} {new.writer}\n")
    os.replace(file.name, folder / GENERATION_FILE)
    return new


@cache
def _lock(path: str) -> FileLock:
    # One object per lock file: re-entrant in the thread that holds it (ensure_corpus → ingest);
    # another thread of this process opens its own descriptor and waits like another process.
    return FileLock(path, thread_local=True)


@contextmanager
def write_lock(
    folder: Path, timeout: float, wait: Callable[[str], None] | None = None, blocking: bool = True
) -> Iterator[bool]:
    """Hold the folder's write lock for the block; yields False (without waiting) when another writer
    holds it and `blocking` is off. A writer that has to wait says so through `wait`, and gives up
    with a StoreError after `timeout` seconds. The lock goes with the process that holds it (flock),
    so a writer killed mid-write never leaves the store locked."""
    lock = _lock(str(folder / LOCK_FILE))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if not blocking:
            yield False
            return
        _wait(lock, folder, timeout, wait)
    try:
        with suppress(OSError):  # who holds it, for the message of a writer that waits
            (folder / HOLDER_FILE).write_text(f"{os.getpid()}\n", encoding="utf-8")
        yield True
    finally:
        lock.release()


def _wait(lock: FileLock, folder: Path, timeout: float, wait: Callable[[str], None] | None) -> None:
    started = time.monotonic()
    wait = wait or log.warning  # a caller that did not say where: the log
    while True:
        waited = time.monotonic() - started
        holder = _holder(folder)
        who = "Một lần ghi khác của tiến trình này" if holder == os.getpid() else "Một tiến trình khác"
        who += f" (PID {holder})" if holder else ""
        so_far = f", đã chờ {waited:.0f} giây" if waited >= 1 else ""
        wait(f"{who} đang ghi vào kho dữ liệu; đang chờ ghi xong{so_far}…")
        left = timeout - waited
        if left <= 0:
            break
        try:
            lock.acquire(timeout=min(WAIT_REPORT_EVERY, left))
            return
        except Timeout:
            continue
    raise StoreError(
        f"Kho dữ liệu đang bị một tiến trình khác ghi quá lâu (đã chờ {timeout:.0f} giây, "
        "KH32_WRITE_LOCK_TIMEOUT); hãy thử lại sau khi tiến trình đó xong."
    )


def _holder(folder: Path) -> int | None:
    try:
        return int((folder / HOLDER_FILE).read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None
