"""`python -m assistant db migrate --to URL` moves a populated data folder into a new PostgreSQL database
(identical counts, the chat and the CLI go on there), refuses a target that holds records, and never prints
the password; a wrong URL, a refused password, a server that is down: one Vietnamese line, no traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from assistant import Settings
from assistant.access.accounts import Accounts
from assistant.access.roles import Role
from assistant.records.audit import Snapshot, audit_log
from assistant.records.conversations import ConversationStore
from assistant.records.feedback import FeedbackStore
from assistant.records.throttle import sign_in
from tests.cli.test_cli import run_cli
from tests.postgres import PASSWORD, PostgresServer, free_port
from tests.roles import EVALUATOR, READER

ACCOUNT_PASSWORD = "mat-khau-du-dai"
SNAPSHOT = Snapshot("quy-che", {"doc_id": "quy-che", "title": "Quy chế"}, ["c1"], ["Điều 1."], [{"n": 1}])


def _populate(data: Path) -> dict[str, int]:
    """A data folder in use: accounts, audit entries (one with a retained copy), conversations, feedback,
    failed sign-ins, and a feedback file of an older version (no user column). Its rows per table."""
    settings = Settings(data_dir=data)
    accounts = Accounts.of(settings)
    accounts.add("an", ACCOUNT_PASSWORD, Role.ADMIN)
    accounts.add("binh", ACCOUNT_PASSWORD, Role.READER)
    log = audit_log(settings)
    log.record("an", "upload", doc_id="quy-che", chunks=1)
    log.record("an", "remove", doc_id="quy-che", chunks=1, snapshot=SNAPSHOT)
    assert sign_in(settings, "an", "sai-mat-khau-1").user is None
    assert sign_in(settings, "binh", ACCOUNT_PASSWORD).user is not None
    conversations = ConversationStore(data / "conversations.sqlite")
    for _ in range(3):
        conversations.save(READER, conversations.create(READER), [{"role": "user", "content": "Hỏi?"}])
    with sqlite3.connect(data / "feedback.sqlite") as old:  # written by an older version
        old.execute(
            "CREATE TABLE feedback (conversation TEXT NOT NULL, message TEXT NOT NULL, rating INTEGER, "
            "comment TEXT NOT NULL DEFAULT '', question TEXT NOT NULL, answer TEXT NOT NULL, "
            "citations TEXT NOT NULL, updated REAL NOT NULL, PRIMARY KEY (conversation, message))"
        )
        old.execute("INSERT INTO feedback VALUES ('c', 'm', 1, 'tốt', 'q', 'a', '[]', 0)")
    return {
        "accounts": 2,
        "accounts_taken_over": 0,
        "audit": 4,  # two documents entries, a failed and a successful sign-in
        "retained": 1,
        "conversations": 3,
        "feedback": 1,
        "throttle": 1,  # the binh's name was cleared by the success; an's failure stays
    }


def _counts(output: str) -> dict[str, int]:
    found = {}
    for line in output.splitlines():
        if "dòng, khớp" in line:
            table = line.split("(")[1].split(")")[0]
            found[table] = int(line.split("): ")[1].split()[0])
    return found


def test_a_populated_data_folder_moves_with_identical_counts(
    tmp_path: Path, postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    expected = _populate(data)
    before = {p.name: p.read_bytes() for p in data.iterdir() if p.suffix in (".sqlite", ".json")}
    name = postgres_server.new_database()
    url = postgres_server.url(name)
    moved = run_cli("db", "migrate", "--to", url, data_dir=data)
    assert moved.returncode == 0, moved.stderr
    assert _counts(moved.stdout) == expected
    assert PASSWORD not in moved.stdout + moved.stderr and "***" in moved.stdout
    after = {p.name: p.read_bytes() for p in data.iterdir() if p.suffix in (".sqlite", ".json")}
    assert after == before  # the data folder is only read

    # The same records, now read from PostgreSQL (a fresh data folder: nothing comes from the files).
    monkeypatch.setenv("KH32_DATABASE_URL", url)
    elsewhere = tmp_path / "may-khac"
    settings = Settings(data_dir=elsewhere)
    assert Accounts.of(settings).entries() == [("an", Role.ADMIN), ("binh", Role.READER)]
    assert sign_in(settings, "an", ACCOUNT_PASSWORD).user is not None  # the hash came along
    rows = audit_log(settings).rows()
    assert [r["action"] for r in rows] == ["sign_in", "sign_in", "sign_in_failed", "remove", "upload"]
    assert rows[0]["id"] == 5  # a new entry goes on after the copied ids
    assert audit_log(settings).retained(2) == SNAPSHOT
    assert [(r["comment"], r["user"]) for r in FeedbackStore.of(settings).rows(EVALUATOR)] == [("tốt", "")]
    listed = run_cli("users", "list", data_dir=elsewhere)
    assert listed.stdout.splitlines()[0].startswith("an\tadmin")
    assert not list(elsewhere.glob("*.sqlite")) and not (elsewhere / "accounts.json").exists()


def test_a_target_that_holds_records_is_refused(tmp_path: Path, postgres_server: PostgresServer) -> None:
    data = tmp_path / "data"
    _populate(data)
    url = postgres_server.url(postgres_server.new_database())
    assert run_cli("db", "migrate", "--to", url, data_dir=data).returncode == 0
    again = run_cli("db", "migrate", "--to", url, data_dir=data)
    assert again.returncode == 2
    assert again.stderr.startswith("Lỗi: Cơ sở dữ liệu đích postgresql://kh32:***@127.0.0.1")
    assert "đã có hồ sơ (accounts: 2 dòng, audit: 4 dòng" in again.stderr
    assert PASSWORD not in again.stderr and again.stderr.count("\n") == 1
    settings = Settings(data_dir=tmp_path / "khac", database_url=url)
    assert len(audit_log(settings).rows()) == 4  # nothing was added twice


def _one_error_line(result, *needles: str) -> str:
    assert result.returncode == 3, (result.returncode, result.stdout, result.stderr)
    assert result.stderr.startswith("Lỗi: ") and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr
    return result.stderr


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("mysql://kh32:bi-mat-lo@127.0.0.1/kh32", "KH32_DATABASE_URL không hợp lệ ('mysql://kh32:***@"),
        ("kh32:bi-mat-lo@127.0.0.1/kh32", "cần địa chỉ của một cơ sở dữ liệu PostgreSQL"),
        ("postgresql://kh32:bi-mat-lo@127.0.0.1:cong/kh32", "cổng là một số"),
        ("postgresql://kh32:bi-mat-lo@127.0.0.1:5432/", "có tên cơ sở dữ liệu ở cuối"),
        ("postgresql://kh32:bi@mat-lo@127.0.0.1/kh32", "%40"),  # an unescaped @ in the password
    ],
)
def test_a_malformed_url_is_one_line_without_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, said: str
) -> None:
    monkeypatch.setenv("KH32_DATABASE_URL", url)
    for command in (("users", "list"), ("audit",), ("db", "migrate")):
        error = _one_error_line(run_cli(*command, data_dir=tmp_path / "data"), said)
        assert "bi-mat-lo" not in error and "mat-lo" not in error


def test_a_refused_password_a_missing_database_and_a_server_that_is_down(
    tmp_path: Path, postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = postgres_server.new_database()
    wrong = postgres_server.url(name, password="sai-mat-khau-may-chu")
    cases = [
        (wrong, ["từ chối đăng nhập của người dùng 'kh32'", "sai mật khẩu"]),
        (postgres_server.url("khong_co_csdl"), ["chưa có cơ sở dữ liệu 'khong_co_csdl'", "createdb"]),
        (postgres_server.url(name, port=free_port()), ["Không kết nối được", "không trả lời"]),
    ]
    for url, said in cases:
        monkeypatch.setenv("KH32_DATABASE_URL", url)
        for command in (("users", "list"), ("audit",)):
            error = _one_error_line(run_cli(*command, data_dir=tmp_path / "data"), *said)
            assert "sai-mat-khau-may-chu" not in error and PASSWORD not in error
            assert "postgresql://kh32:***@127.0.0.1" in error
        migrated = run_cli("db", "migrate", "--to", url, data_dir=tmp_path / "data")
        assert "sai-mat-khau-may-chu" not in migrated.stderr and PASSWORD not in migrated.stderr
        _one_error_line(migrated, *said)
    assert not (tmp_path / "data" / "audit.sqlite").exists()  # never fell back to files silently
