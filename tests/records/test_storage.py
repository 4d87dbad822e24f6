"""The records' storage: files private to the service whatever the umask; a record written whole or not at
all, also when PostgreSQL goes away in the middle; a server that stops and comes back; two processes writing
accounts, sign-ins, conversations, feedback and the audit trail into one database at once."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from assistant import Settings, Store
from assistant.access.accounts import Accounts
from assistant.access.roles import Role
from assistant.core.errors import DatabaseError
from assistant.database.connection import Database
from assistant.records import audit as audit_module
from assistant.records.audit import AuditLog, Snapshot, audit_log
from assistant.records.conversations import CONVERSATIONS, ConversationStore
from assistant.records.feedback import FeedbackStore
from assistant.records.throttle import THROTTLE, SignInThrottle, sign_in
from tests.conftest import PROJECT, FakeEmbeddings
from tests.postgres import PASSWORD, PostgresServer
from tests.roles import ADMIN, READER

MESSAGES = [{"role": "user", "content": "Nhiệm vụ thứ tư?"}]
SNAPSHOT = Snapshot("quy-che", {"doc_id": "quy-che"}, ["c1"], ["Điều 1."], [{"n": 1}])


def _modes(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): stat.S_IMODE(p.stat().st_mode) for p in [folder, *folder.rglob("*")]}


def _use_everything(data: Path, name: str = "an") -> None:
    settings = Settings(data_dir=data)
    Accounts.of(settings).add(name, "mat-khau-du-dai", Role.ADMIN)
    sign_in(settings, "an", "sai-mat-khau")
    audit_log(settings).record("an", "remove", doc_id="quy-che", snapshot=SNAPSHOT)
    conversations = ConversationStore.of(settings)
    conversations.save(READER, conversations.create(READER), MESSAGES)
    FeedbackStore.of(settings).record(READER, "c", "m", "q", "a", [], rating=1)
    Store(settings, FakeEmbeddings(data / "embeddings.sqlite"))


@pytest.mark.parametrize("umask", [0o022, 0o000])
def test_data_files_are_0600_and_folders_0700_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    data = tmp_path / "nested" / "data"
    before = os.umask(umask)
    try:
        _use_everything(data)
    finally:
        os.umask(before)
    names = {p.name for p in data.iterdir()}
    assert {
        "accounts.sqlite",
        "audit.sqlite",
        "signin.sqlite",
        "conversations.sqlite",
        "feedback.sqlite",
    } <= names
    assert "embeddings.sqlite" in names
    for name, mode in _modes(data).items():
        path = data / name
        if path.is_dir():
            assert mode == 0o700, (name, oct(mode))
        elif path.parent == data:  # the records and the store's cache (Chroma's own files: in a 0700 folder)
            assert mode == 0o600, (name, oct(mode))
    assert stat.S_IMODE((tmp_path / "nested").stat().st_mode) == 0o700  # made for the data folder too


def test_older_looser_files_are_tightened_when_opened(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _use_everything(data)
    loose = [data, *(p for p in data.iterdir() if p.suffix in (".sqlite", ".json"))]
    for path in loose:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    _use_everything(data, "binh")  # an upgraded service opens the folder again
    modes = _modes(data)
    assert modes["."] == 0o700
    assert {modes[p.name] for p in loose[1:]} == {0o600}


def test_a_record_is_written_whole_or_not_at_all(database: str | None) -> None:
    """An audit entry and its retained copy are one transaction: when the copy cannot be written, the
    entry is not there either."""
    log = audit_log(Settings())
    broken = Snapshot(None, {}, [], [], [])  # type: ignore[arg-type]  # NOT NULL refuses the copy
    with pytest.raises(DatabaseError, match=r"^Không ghi được nhật ký thao tác"):
        log.record("an", "remove", doc_id="quy-che", snapshot=broken)
    assert log.rows() == []
    log.record("an", "remove", doc_id="quy-che", snapshot=SNAPSHOT)
    assert [r["action"] for r in log.rows()] == ["remove"]


def test_postgresql_going_away_mid_transaction_leaves_no_half_record(
    postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = postgres_server.new_database()
    database = Database.postgresql(postgres_server.url(name))
    log = AuditLog(database)
    dumps = json.dumps

    def cut_then_dump(value: object, **kwargs: object) -> str:  # between the entry and its copy
        with postgres_server.admin() as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
            )
        return dumps(value, **kwargs)

    monkeypatch.setattr(audit_module.json, "dumps", cut_then_dump)
    with pytest.raises(DatabaseError) as info:
        log.record("an", "remove", doc_id="quy-che", snapshot=SNAPSHOT)
    monkeypatch.undo()
    assert info.value.message.startswith("Mất kết nối tới cơ sở dữ liệu postgresql://kh32:***@")
    assert "không có bản ghi nào bị ghi dở" in info.value.message and PASSWORD not in info.value.message
    assert AuditLog(database).rows() == []  # a new connection: nothing of the entry


def test_a_server_down_then_back_mid_session(postgres_server: PostgresServer) -> None:
    name = postgres_server.new_database()
    store = ConversationStore(Database.postgresql(postgres_server.url(name)))
    conversation = store.create(READER)
    postgres_server.halt()
    try:
        with pytest.raises(DatabaseError) as info:
            store.save(READER, conversation, MESSAGES)
        assert "Không kết nối được tới cơ sở dữ liệu postgresql://kh32:***@127.0.0.1" in info.value.message
        assert PASSWORD not in info.value.message
    finally:
        postgres_server.resume()
    store.save(READER, conversation, MESSAGES)  # the same store object goes on once the server is back
    assert store.load(READER, conversation) == MESSAGES
    assert store.load(ADMIN, conversation) == MESSAGES


WORKER = """
import sys
from assistant import Settings
from assistant.access.accounts import Accounts
from assistant.access.roles import Role, User
from assistant.records.audit import audit_log
from assistant.records.conversations import ConversationStore
from assistant.records.feedback import FeedbackStore
from assistant.records.throttle import sign_in

tag, count = sys.argv[1], int(sys.argv[2])
settings = Settings()
for n in range(count):
    name = f"{tag}-{n}"
    Accounts.of(settings).add(name, "mat-khau-du-dai", Role.READER)
    assert sign_in(settings, name, "sai-mat-khau").user is None
    user = sign_in(settings, name, "mat-khau-du-dai").user
    assert user is not None
    assert sign_in(settings, name, "sai-mat-khau-nua").user is None
    conversations = ConversationStore.of(settings)
    conversation = conversations.create(user)
    conversations.save(user, conversation, [{"role": "user", "content": name}])
    FeedbackStore.of(settings).record(user, conversation, "m", name, "a", [], rating=n % 2)
    audit_log(settings).record(name, "upload", doc_id=name)
print("xong")
"""


def test_two_processes_write_everything_into_one_database(database: str | None) -> None:
    """Two chat processes (as on two machines) at once: every account, sign-in, conversation, feedback and
    audit entry of both is there afterwards."""
    count = 4
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, tag, str(count)],
            cwd=PROJECT,
            env={**os.environ, "PYTHONPATH": str(PROJECT)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in ("may-a", "may-b")
    ]
    for worker in workers:
        out, err = worker.communicate(timeout=600)
        assert worker.returncode == 0 and out.split() == ["xong"], err
    settings = Settings()
    names = {f"{tag}-{n}" for tag in ("may-a", "may-b") for n in range(count)}
    assert set(Accounts.of(settings).names()) == names
    rows = audit_log(settings).rows()
    assert sorted((r["actor"], r["action"]) for r in rows) == sorted(
        (name, action)
        for name in names
        for action in ("sign_in_failed", "sign_in", "sign_in_failed", "upload")
    )
    assert len({r["id"] for r in rows}) == len(rows)
    feedback = FeedbackStore.of(settings).rows(ADMIN)
    assert sorted(r["question"] for r in feedback) == sorted(names)
    assert {r["user"] for r in feedback} == names
    conversations = ConversationStore.of(settings)
    with conversations.db.read("hội thoại") as db:
        owners = db.execute(select(CONVERSATIONS.c.owner)).scalars().all()
    assert sorted(owners) == sorted(names)
    throttle = SignInThrottle.of(settings)
    with throttle.db.read("bộ đếm") as db:
        assert db.execute(select(func.count()).select_from(THROTTLE)).scalar() == len(names)


def test_a_broken_file_is_a_clear_error_and_is_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "data" / "feedback.sqlite"
    path.parent.mkdir()
    path.write_bytes(b"khong phai sqlite " * 100)
    with pytest.raises(DatabaseError) as info:
        FeedbackStore.of(Settings(data_dir=tmp_path / "data"))
    assert info.value.message == (
        f"Không mở được tệp góp ý ('{path}'): tệp bị hỏng (không phải tệp SQLite hợp lệ)."
    )
    assert path.read_bytes() == b"khong phai sqlite " * 100


def test_the_settings_never_show_the_database_password() -> None:
    url = f"postgresql://kh32:{PASSWORD}@127.0.0.1:5432/kh32"
    settings = Settings(database_url=url)
    assert settings.database == url
    assert PASSWORD not in repr(settings) + str(settings) + settings.model_dump_json()
