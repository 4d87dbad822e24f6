"""Roles and permissions, the OIDC role mapping from `st.user` claims, local accounts, the binding rule."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from assistant import Settings
from assistant.access.accounts import Accounts
from assistant.access.roles import PERMISSIONS, Permission, PermissionDenied, Role, User, parse_role, require
from assistant.access.signin import (
    anonymous_user,
    is_loopback,
    oidc_role,
    oidc_user,
    serve_address,
    sign_in_mode,
)
from assistant.core.errors import AssistantError, InputError, StoreError
from tests.cli.test_cli import run_cli
from tests.roles import ADMIN, EVALUATOR, READER, TRAINER

PASSWORD = "mat-khau-du-dai"


def test_each_role_has_what_the_issue_lists() -> None:
    assert PERMISSIONS[Role.READER] == {Permission.ASK, Permission.GIVE_FEEDBACK}
    assert PERMISSIONS[Role.TRAINER] == PERMISSIONS[Role.READER] | {Permission.TRAINER_TOOLS}
    assert PERMISSIONS[Role.EVALUATOR] == PERMISSIONS[Role.READER] | {Permission.READ_FEEDBACK}
    assert PERMISSIONS[Role.ADMIN] == set(Permission)
    for user in (READER, TRAINER, EVALUATOR):
        assert not user.can(Permission.MANAGE_DOCUMENTS)
    assert ADMIN.can(Permission.MANAGE_DOCUMENTS)


def test_refusals_are_one_vietnamese_line() -> None:
    with pytest.raises(PermissionDenied) as info:
        require(READER, Permission.MANAGE_DOCUMENTS)
    assert info.value.message == (
        "Tài khoản 'Người đọc thử' (vai trò Người đọc) không có quyền nạp, thay thế, xóa hoặc khôi phục "
        "tài liệu."
    )
    assert info.value.exit_code != 0
    with pytest.raises(PermissionDenied, match=r"^Hãy đăng nhập"):
        require(None, Permission.ASK)
    guest = anonymous_user("0.0.0.0")
    with pytest.raises(PermissionDenied, match="chế độ chỉ đọc"):
        require(guest, Permission.READ_FEEDBACK)
    assert require(TRAINER, Permission.TRAINER_TOOLS) is TRAINER


def test_roles_parse_from_names_and_labels() -> None:
    assert parse_role("admin") is Role.ADMIN
    assert parse_role(" Giảng viên ") is Role.TRAINER
    with pytest.raises(AssistantError, match="Vai trò 'sếp' không có"):
        parse_role("sếp")


# --- binding: no accounts → 127.0.0.1 and every role; another address → read-only -------------------


def test_no_accounts_binds_loopback_and_the_local_user_has_every_role(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert sign_in_mode(settings) == "none"
    assert serve_address(settings) == "127.0.0.1"
    local = anonymous_user("127.0.0.1")
    assert local.role is Role.ADMIN and not local.read_only
    assert anonymous_user("localhost").role is Role.ADMIN
    assert anonymous_user("::1").role is Role.ADMIN


@pytest.mark.parametrize("address", [None, "", "0.0.0.0", "::", "192.168.1.20", "may-chu.bo-noi-vu.vn"])
def test_served_elsewhere_without_accounts_is_read_only(address: str | None) -> None:
    guest = anonymous_user(address)
    assert guest.read_only and guest.role is Role.READER
    assert not guest.can(Permission.MANAGE_DOCUMENTS) and not guest.can(Permission.READ_FEEDBACK)
    assert guest.name != anonymous_user(address).name  # each session its own conversations
    assert not is_loopback(address)


def test_with_accounts_the_server_binds_every_interface_unless_told(
    tmp_path: Path, database: str | None
) -> None:
    settings = Settings(data_dir=tmp_path)
    Accounts.of(settings).add("an", PASSWORD, Role.ADMIN)
    assert sign_in_mode(settings) == "accounts"
    assert serve_address(settings) == "0.0.0.0"
    assert serve_address(Settings(data_dir=tmp_path, address="10.0.0.5")) == "10.0.0.5"
    assert sign_in_mode(Settings(data_dir=tmp_path, auth="oidc")) == "oidc"


def test_make_chat_command_binds_loopback_without_accounts(tmp_path: Path, monkeypatch) -> None:
    from assistant import get_settings
    from ui.serve import streamlit_command

    monkeypatch.setenv("KH32_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    command = streamlit_command("8501")
    assert command[command.index("--server.address") + 1] == "127.0.0.1"
    # no Deploy button, developer options or English ⋮ menu, accounts or none (issue 23, item 6)
    assert command[command.index("--client.toolbarMode") + 1] == "minimal"
    Accounts(tmp_path / "accounts.sqlite").add("an", PASSWORD, Role.ADMIN)
    command = streamlit_command("8501")
    assert command[command.index("--server.address") + 1] == "0.0.0.0"
    assert command[command.index("--client.toolbarMode") + 1] == "minimal"


def test_served_chat_watches_no_source_files(tmp_path: Path, monkeypatch) -> None:
    """Streamlit's file watcher re-resolved every module's path, and a full garbage collection ran, after
    each run of each session: both off."""
    from assistant import get_settings
    from ui.serve import streamlit_command

    monkeypatch.setenv("KH32_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    command = streamlit_command("8501")
    assert command[command.index("--server.fileWatcherType") + 1] == "none"
    assert command[command.index("--server.runOnSave") + 1] == "false"
    assert command[command.index("--runner.postScriptGC") + 1] == "false"


# --- OIDC: roles from the ID token's claims (st.user) ------------------------------------------------


def _oidc(**extra) -> Settings:
    return Settings(auth="oidc", **extra)


def test_oidc_roles_from_email_lists() -> None:
    settings = _oidc(
        oidc_admins=["Quan.Tri@moha.gov.vn"],
        oidc_trainers=["gv@hcma.vn"],
        oidc_evaluators=["dg@moha.gov.vn", "gv@hcma.vn"],
    )
    assert oidc_role({"email": "quan.tri@moha.gov.vn"}, settings) is Role.ADMIN  # case does not matter
    assert oidc_role({"email": "gv@hcma.vn"}, settings) is Role.EVALUATOR  # the highest listed role
    assert oidc_role({"email": "dg@moha.gov.vn"}, settings) is Role.EVALUATOR
    assert oidc_role({"email": "ai-do@moha.gov.vn"}, settings) is Role.READER
    assert oidc_role({}, settings) is Role.READER


def test_oidc_roles_from_a_claim() -> None:
    settings = _oidc(
        oidc_role_claim="groups", oidc_role_values={"KH32-Quan-Tri": "admin", "kh32-gv": "trainer"}
    )
    assert oidc_role({"groups": ["nhan-vien", "kh32-quan-tri"]}, settings) is Role.ADMIN
    assert oidc_role({"groups": "kh32-gv"}, settings) is Role.TRAINER
    assert oidc_role({"groups": ["evaluator"]}, settings) is Role.EVALUATOR  # a role's own name
    assert oidc_role({"groups": ["nhan-vien"]}, settings) is Role.READER
    assert oidc_role({"groups": 42}, settings) is Role.READER  # a claim of an odd type grants nothing
    assert oidc_role({"roles": ["admin"]}, settings) is Role.READER  # another claim than the configured one


def test_oidc_user_from_st_user_claims() -> None:
    settings = _oidc(oidc_admins=["an@moha.gov.vn"])
    claims = {"is_logged_in": True, "email": "An@moha.gov.vn", "name": "Nguyễn Văn An", "sub": "123"}
    user = oidc_user(claims, settings)
    assert user == User("oidc:an@moha.gov.vn", Role.ADMIN, display="Nguyễn Văn An")
    assert oidc_user({"sub": "abc"}, settings).name == "oidc:abc"
    with pytest.raises(PermissionDenied):
        oidc_user({"is_logged_in": True}, settings)


def test_oidc_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KH32_AUTH", "oidc")
    monkeypatch.setenv("KH32_OIDC_ROLE_CLAIM", "groups")
    monkeypatch.setenv("KH32_OIDC_ROLE_VALUES", '{"kh32-admins": "admin"}')
    monkeypatch.setenv("KH32_OIDC_ADMINS", '["a@b.vn"]')
    settings = Settings()
    assert settings.auth == "oidc"
    assert oidc_role({"groups": ["kh32-admins"]}, settings) is Role.ADMIN
    assert oidc_role({"email": "a@b.vn"}, settings) is Role.ADMIN


# --- local accounts ---------------------------------------------------------------------------------


def test_accounts_hash_passwords_with_argon2(tmp_path: Path) -> None:
    accounts = Accounts(tmp_path / "accounts.sqlite")
    accounts.add("Bình", PASSWORD, Role.TRAINER)
    raw = (tmp_path / "accounts.sqlite").read_bytes()
    assert PASSWORD.encode() not in raw
    with sqlite3.connect(tmp_path / "accounts.sqlite") as db:
        assert (
            db.execute("SELECT hash FROM accounts WHERE name = 'Bình'").fetchone()[0].startswith("$argon2id$")
        )
    assert stat.S_IMODE(os.stat(tmp_path / "accounts.sqlite").st_mode) == 0o600
    assert accounts.verify("bình", PASSWORD) == User("Bình", Role.TRAINER, display="Bình")
    assert accounts.verify("Bình", PASSWORD + "x") is None
    assert accounts.verify("khong-co", PASSWORD) is None
    with pytest.raises(InputError, match="đã có"):
        accounts.add("BÌNH", PASSWORD, Role.READER)
    with pytest.raises(InputError, match="quá ngắn"):
        accounts.add("an", "ngan", Role.READER)
    with pytest.raises(InputError, match="không hợp lệ"):
        accounts.add("có dấu cách", PASSWORD, Role.READER)
    assert accounts.set_role("BÌNH", Role.ADMIN) == ("Bình", Role.TRAINER)
    assert accounts.entries() == [("Bình", Role.ADMIN)]
    assert accounts.remove("bình") is Role.ADMIN
    assert accounts.entries() == []


def test_accounts_in_the_configured_place(tmp_path: Path, database: str | None) -> None:
    """The same accounts, with the same rules, in the accounts file or in PostgreSQL's table."""
    accounts = Accounts.of(Settings(data_dir=tmp_path))
    accounts.add("Bình", PASSWORD, Role.TRAINER)
    assert (tmp_path / "accounts.sqlite").exists() is (database is None)
    assert not (tmp_path / "accounts.json").exists()
    again = Accounts.of(Settings(data_dir=tmp_path))
    assert again.verify("bình", PASSWORD) == User("Bình", Role.TRAINER, display="Bình")
    assert again.verify("Bình", PASSWORD + "x") is None
    with pytest.raises(InputError, match="trông giống hệt tài khoản đã có 'Bình'"):
        again.add("BÌNH".replace("Ì", "Ì"), PASSWORD, Role.READER)
    with pytest.raises(InputError, match="đã có"):
        again.add("Bình", PASSWORD, Role.READER)
    assert again.set_role("BÌNH", Role.ADMIN) == ("Bình", Role.TRAINER)
    again.set_password("bình", PASSWORD + "-moi")
    assert accounts.verify("Bình", PASSWORD + "-moi") is not None
    assert accounts.entries() == [("Bình", Role.ADMIN)]
    assert again.remove("bình") is Role.ADMIN
    assert accounts.names() == []


def test_a_broken_accounts_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    path.write_text('{"users": {"an": {"role": "vua"}}}', encoding="utf-8")
    with pytest.raises(StoreError, match=r"bị hỏng.*chưa được chuyển vào cơ sở dữ liệu"):
        Accounts.of(Settings(data_dir=tmp_path)).entries()
    assert path.read_text(encoding="utf-8") == '{"users": {"an": {"role": "vua"}}}'  # left as it was
    assert sorted(p.name for p in tmp_path.glob("accounts.json*")) == ["accounts.json"]


def test_admin_cli(tmp_path: Path, database: str | None) -> None:
    data = tmp_path / "data"
    added = run_cli(
        "users", "add", "an", "--role", "admin", "--password-stdin", data_dir=data, stdin=PASSWORD + "\n"
    )
    assert added.returncode == 0, added.stderr
    assert added.stdout == "Đã thêm tài khoản 'an' (vai trò Quản trị).\n"
    short = run_cli("users", "add", "binh", "--password-stdin", data_dir=data, stdin="123\n")
    assert short.returncode == 2 and short.stderr == "Lỗi: Mật khẩu quá ngắn (tối thiểu 8 ký tự).\n"
    run_cli("users", "add", "binh", "--password-stdin", data_dir=data, stdin=PASSWORD + "\n")
    changed = run_cli("users", "set-role", "binh", "evaluator", data_dir=data)
    assert changed.stdout == "Tài khoản 'binh': Người đọc → Người đánh giá.\n"
    bad = run_cli("users", "set-role", "binh", "sep", data_dir=data)
    assert (
        bad.returncode == 2
        and bad.stderr.startswith("Lỗi: Vai trò 'sep' không có")
        and bad.stderr.count("\n") == 1
    )
    assert (
        run_cli("users", "list", data_dir=data).stdout
        == "an\tadmin\tQuản trị\nbinh\tevaluator\tNgười đánh giá\n"
    )
    missing = run_cli("users", "remove", "chi", data_dir=data)
    assert missing.returncode == 2 and "Các tài khoản hiện có: an, binh" in missing.stderr
    assert run_cli("users", "remove", "binh", data_dir=data).returncode == 0
    audit = run_cli("audit", data_dir=data).stdout
    assert [line.split("\t")[3] for line in audit.splitlines()] == [
        "Xóa tài khoản",
        "Đổi vai trò",
        "Thêm tài khoản",
        "Thêm tài khoản",
    ]
    assert "binh: reader → evaluator" in audit


def test_users_add_asks_the_password_twice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.cli.admin as admin_cli

    typed = iter([PASSWORD, PASSWORD + "-khac", PASSWORD, PASSWORD])
    monkeypatch.setattr(admin_cli.click, "prompt", lambda *args, **kwargs: next(typed))
    data = tmp_path / "data"
    mismatch = run_cli("users", "add", "an", data_dir=data)
    assert (mismatch.returncode, mismatch.stderr) == (
        2,
        "Lỗi: Hai lần nhập mật khẩu không khớp; tài khoản không thay đổi.\n",
    )
    assert run_cli("users", "add", "an", data_dir=data).returncode == 0
    assert Accounts(data / "accounts.sqlite").verify("an", PASSWORD) is not None


@pytest.mark.parametrize("weak", [" " * 8, " " * 20, "a" * 12, "\u00a0" * 8 + "x", "  xxxxxxxx  "])
def test_a_password_of_spaces_or_one_repeated_character_is_refused(tmp_path: Path, weak: str) -> None:
    accounts = Accounts(tmp_path / "accounts.sqlite")
    with pytest.raises(InputError, match="dấu cách hay một ký tự lặp lại"):
        accounts.add("an", weak, Role.READER)
    assert accounts.names() == []
    accounts.add("an", PASSWORD, Role.READER)
    with pytest.raises(InputError, match="dấu cách hay một ký tự lặp lại"):
        accounts.set_password("an", " " * 10)
    assert accounts.verify("an", PASSWORD)


def test_the_cli_actor_is_the_real_user_not_logname(tmp_path: Path, database: str | None) -> None:
    """LOGNAME and USER are anyone's to set: the audit names the login of the process's real user id."""
    import pwd

    real = pwd.getpwuid(os.getuid()).pw_name
    forged = "admin" if real != "admin" else "quan-tri"
    data = tmp_path / "data"
    env = {"LOGNAME": forged, "USER": forged}
    run_cli("users", "add", "an", "--password-stdin", data_dir=data, stdin=PASSWORD + "\n", env=env)
    changed = run_cli(
        "users", "password", "an", "--password-stdin", data_dir=data, stdin=PASSWORD + "-moi\n", env=env
    )
    assert changed.returncode == 0, changed.stderr
    rows = [line.split("\t") for line in run_cli("audit", data_dir=data).stdout.splitlines()]
    assert [(r[2], r[3]) for r in rows] == [
        (f"cli:{real}", "Đổi mật khẩu"),
        (f"cli:{real}", "Thêm tài khoản"),
    ]
    assert Accounts.of(Settings(data_dir=data)).verify("an", PASSWORD + "-moi")
