"""The accounts file of an earlier version (accounts.json, or KH32_ACCOUNTS_FILE) is taken over into the
accounts table of the data folder's database once: the same names, roles and hashes, counted and compared;
the file kept under a backup name; never taken twice, never merged into a table that holds other accounts;
an admin who still sets KH32_ACCOUNTS_FILE is told what happened. No password is ever printed."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import sys
import threading
from pathlib import Path

import pytest
from argon2 import PasswordHasher

import assistant.access.accounts as accounts_module
from assistant import Settings, get_settings
from assistant.access.accounts import Accounts
from assistant.access.roles import Role, User
from assistant.core.errors import StoreError
from tests.cli.test_cli import run_cli
from tests.postgres import PostgresServer
from ui import serve

PASSWORDS = {"an": "mat-khau-cua-an", "Bình": "mat-khau-cua-binh", "chi@moha.gov.vn": "mat-khau-cua-chi"}
ROLES = {"an": "admin", "Bình": "trainer", "chi@moha.gov.vn": "reader"}


def _old_file(path: Path) -> dict[str, dict[str, str]]:
    """An accounts file as an earlier version wrote it (0644, as some did); its users."""
    hasher = PasswordHasher()
    users = {name: {"hash": hasher.hash(PASSWORDS[name]), "role": ROLES[name]} for name in PASSWORDS}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"users": users}, ensure_ascii=False, indent=2), encoding="utf-8")
    os.chmod(path, 0o644)
    return users


def _stored(data: Path) -> dict[str, dict[str, str]]:
    with sqlite3.connect(data / "accounts.sqlite") as db:
        return {n: {"hash": h, "role": r} for n, r, h in db.execute("SELECT name, role, hash FROM accounts")}


def _backups(folder: Path) -> list[Path]:
    return sorted(folder.glob("accounts.json.da-chuyen-vao-csdl-*.bak"))


def test_an_accounts_file_is_taken_over_once_with_the_same_hashes_and_kept_as_a_backup(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    users = _old_file(data / "accounts.json")
    raw = (data / "accounts.json").read_bytes()
    accounts = Accounts.of(Settings(data_dir=data))
    assert accounts.notice is not None
    assert "(3 tài khoản) đã được chuyển vào" in accounts.notice and "bản sao lưu" in accounts.notice
    assert _stored(data) == users  # the same names, roles and argon2 hashes
    for name, password in PASSWORDS.items():
        assert accounts.verify(name, password) == User(name, Role(ROLES[name]), display=name)
    assert not (data / "accounts.json").exists()
    [backup] = _backups(data)
    assert backup.read_bytes() == raw and str(backup) in accounts.notice  # kept, byte for byte
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600  # tightened before it was moved
    assert stat.S_IMODE((data / "accounts.sqlite").stat().st_mode) == 0o600

    again = Accounts.of(Settings(data_dir=data))
    assert again.notice is None  # nothing more to say, nothing taken twice
    again.remove("an")
    assert [name for name, _ in Accounts.of(Settings(data_dir=data)).entries()] == ["Bình", "chi@moha.gov.vn"]


def test_a_file_left_in_place_by_a_failed_rename_is_not_taken_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The take-over committed but the file could not be renamed (a read-only folder, a crash): it is not
    read again, so an account removed since does not come back; the rename is tried again later."""
    data = tmp_path / "data"
    _old_file(data / "accounts.json")
    monkeypatch.setattr(accounts_module, "move_aside", lambda path, backup: "Permission denied")
    accounts = Accounts.of(Settings(data_dir=data))
    assert "giữ nguyên tại chỗ (không đổi tên được: Permission denied) và không còn được đọc" in (
        accounts.notice or ""
    )
    accounts.remove("an")
    assert (data / "accounts.json").exists()
    monkeypatch.undo()
    later = Accounts.of(Settings(data_dir=data))
    assert "an" not in later.names() and len(later.names()) == 2
    assert not (data / "accounts.json").exists() and len(_backups(data)) == 1


def test_a_file_not_taken_over_is_not_merged_into_other_accounts(tmp_path: Path) -> None:
    data = tmp_path / "data"
    Accounts(data / "accounts.sqlite").add("khac", "mat-khau-khac-1", Role.ADMIN)
    _old_file(data / "accounts.json")
    raw = (data / "accounts.json").read_bytes()
    with pytest.raises(StoreError, match="không tự trộn hai nơi"):
        Accounts.of(Settings(data_dir=data))
    assert (data / "accounts.json").read_bytes() == raw and not _backups(data)
    assert list(_stored(data)) == ["khac"]


def test_two_processes_starting_at_once_take_the_file_over_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    users = _old_file(data / "accounts.json")
    errors: list[BaseException] = []

    def start() -> None:
        try:
            Accounts.of(Settings(data_dir=data)).names()
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _stored(data) == users and len(_backups(data)) == 1
    with sqlite3.connect(data / "accounts.sqlite") as db:
        assert db.execute("SELECT accounts FROM accounts_taken_over").fetchall() == [(3,)]


def test_an_admin_who_still_sets_kh32_accounts_file_is_told(tmp_path: Path) -> None:
    data, elsewhere = tmp_path / "data", tmp_path / "etc" / "kh32-accounts.json"
    _old_file(elsewhere)
    env = {"KH32_ACCOUNTS_FILE": str(elsewhere)}
    listed = run_cli("users", "list", data_dir=data, env=env)
    assert listed.returncode == 0, listed.stderr
    assert (
        listed.stdout
        == "Bình\ttrainer\tGiảng viên\nan\tadmin\tQuản trị\nchi@moha.gov.vn\treader\tNgười đọc\n"
    )
    assert listed.stderr.startswith(
        f"Lưu ý: Các tài khoản của tệp '{elsewhere}' (3 tài khoản) đã được chuyển"
    )
    assert "Hãy bỏ biến KH32_ACCOUNTS_FILE" in listed.stderr and listed.stderr.count("\n") == 1
    [backup] = sorted(elsewhere.parent.glob("kh32-accounts.json.da-chuyen-vao-csdl-*.bak"))
    again = run_cli("users", "list", data_dir=data, env=env)
    assert again.stdout == listed.stdout
    when = again.stderr.split(" lúc ")[1].split(" (")[0]
    assert again.stderr == (
        f"Lưu ý: Tệp tài khoản KH32_ACCOUNTS_FILE ('{elsewhere}') đã được chuyển vào "
        f"'{data / 'accounts.sqlite'}' lúc {when} (3 tài khoản); bản cũ giữ ở '{backup}'. Từ nay tài khoản "
        "chỉ nằm ở đó; hãy bỏ biến KH32_ACCOUNTS_FILE.\n"
    )
    never = run_cli(
        "users", "list", data_dir=tmp_path / "khac", env={"KH32_ACCOUNTS_FILE": str(tmp_path / "x")}
    )
    assert never.returncode == 0 and "trỏ tới" in never.stderr and "không có tệp đó" in never.stderr
    for result in (listed, again, never):
        assert not any(p in result.stdout + result.stderr for p in PASSWORDS.values())


def test_a_broken_accounts_file_stops_the_cli_with_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "accounts.json").write_text('{"users": {"an": ', encoding="utf-8")
    result = run_cli("users", "list", data_dir=data)
    assert result.returncode == 3 and result.stdout == ""
    assert result.stderr.startswith(f"Lỗi: Tệp tài khoản '{data / 'accounts.json'}' bị hỏng")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert (data / "accounts.json").read_text(encoding="utf-8") == '{"users": {"an": '


def test_the_migration_moves_the_accounts_of_a_file_not_taken_over_yet(
    tmp_path: Path, postgres_server: PostgresServer
) -> None:
    """A data folder of an earlier version (accounts.json, no accounts.sqlite) moves to PostgreSQL with its
    accounts; the folder is only read."""
    data = tmp_path / "data"
    users = _old_file(data / "accounts.json")
    before = sorted(p.name for p in data.iterdir())
    url = postgres_server.url(postgres_server.new_database())
    moved = run_cli("db", "migrate", "--to", url, data_dir=data)
    assert moved.returncode == 0, moved.stderr
    assert "tài khoản (accounts): 3 dòng, khớp với nguồn" in moved.stdout
    assert sorted(p.name for p in data.iterdir()) == before
    there = Accounts.of(Settings(data_dir=tmp_path / "khac", database_url=url))
    assert {name: {"hash": h, "role": r} for name, r, h in _rows(there)} == users


def _rows(accounts: Accounts) -> list[tuple[str, str, str]]:
    return [(row["name"], row["role"], row["hash"]) for row in accounts.export()]


def test_make_chat_says_the_file_was_taken_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`make chat` (python -m ui.serve) takes the file over before it starts Streamlit, and says so."""
    data = tmp_path / "data"
    _old_file(data / "accounts.json")
    monkeypatch.setenv("KH32_DATA_DIR", str(data))
    get_settings.cache_clear()
    started: list[list[str]] = []
    monkeypatch.setattr(sys, "argv", ["serve", "8599"])
    monkeypatch.setattr(serve.os, "execv", lambda program, command: started.append(command))
    serve.main()
    said = capsys.readouterr().err
    assert said.startswith(f"Lưu ý: Các tài khoản của tệp '{data / 'accounts.json'}' (3 tài khoản)")
    assert said.endswith("Giao diện phục vụ tại http://0.0.0.0:8599\n")  # accounts: every interface
    assert started and len(Accounts.of(Settings(data_dir=data)).names()) == 3


def test_a_copy_of_a_file_taken_over_is_set_aside_where_it_is(tmp_path: Path) -> None:
    """The backup copied back under KH32_ACCOUNTS_FILE somewhere else: not taken again, renamed in its own
    folder (never moved over the first backup)."""
    data = tmp_path / "data"
    _old_file(data / "accounts.json")
    Accounts.of(Settings(data_dir=data)).remove("an")
    [first] = _backups(data)
    copy = tmp_path / "khac" / "accounts.json"
    copy.parent.mkdir()
    copy.write_bytes(first.read_bytes())
    accounts = Accounts.of(Settings(data_dir=data, accounts_file=copy))
    assert "an" not in accounts.names() and first.exists()
    [beside] = _backups(copy.parent)
    assert beside.read_bytes() == first.read_bytes() and str(beside) in (accounts.notice or "")
