"""The app by role (AppTest): sign-in with a local accounts file, what each role's menu holds, pages a role
may not use refuse even when named, conversations that open only for their owner, the read-only mode."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit import config
from streamlit.testing.v1 import AppTest

from assistant import get_settings
from assistant.access.accounts import Accounts
from assistant.access.roles import Role, User
from assistant.records.audit import audit_log
from assistant.records.conversations import ConversationStore
from tests.conftest import PROJECT
from tests.postgres import free_port

APP = str(PROJECT / "ui" / "app.py")
PASSWORD = "mat-khau-du-dai"
QUESTION = "Nhiệm vụ thứ tư của kế hoạch là gì?"
ACCOUNTS = {"doc": Role.READER, "giang": Role.TRAINER, "danh": Role.EVALUATOR, "quan": Role.ADMIN}
VISIBLE = {  # the pages each role's menu holds (titles)
    "doc": ["Trò chuyện", "Điều khoản"],
    "giang": ["Trò chuyện", "Điều khoản", "Công cụ giảng viên"],
    "danh": ["Trò chuyện", "Điều khoản", "Góp ý"],
    "quan": ["Trò chuyện", "Điều khoản", "Tài liệu", "Công cụ giảng viên", "Góp ý"],
}
PAGES = {
    "Tài liệu": "views/documents.py",
    "Công cụ giảng viên": "views/trainer.py",
    "Góp ý": "views/feedback.py",
}


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    st.cache_resource.clear()
    yield tmp_path_factory.mktemp("ui-roles")
    st.cache_resource.clear()


def _serve(monkeypatch: pytest.MonkeyPatch, data: Path, address: str | None) -> None:
    monkeypatch.setenv("KH32_DATA_DIR", str(data))
    get_settings.cache_clear()
    config.set_option("server.address", address)


@pytest.fixture
def accounts_dir(store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The module's store with one account per role, served on every interface."""
    accounts = Accounts(store_dir / "accounts.sqlite")
    for name, role in ACCOUNTS.items():
        if name not in accounts.names():
            accounts.add(name, PASSWORD, role)
    previous = config.get_option("server.address")
    _serve(monkeypatch, store_dir, "0.0.0.0")
    yield store_dir
    config.set_option("server.address", previous)


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]


def sign_in(name: str, password: str = PASSWORD) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    _ok(at)
    assert [t.value for t in at.title] == ["Đăng nhập"]
    at.text_input(key="sign_in_name").input(name)
    at.text_input(key="sign_in_password").input(password)
    at.button(key="FormSubmitter:sign-in-Đăng nhập").click().run()
    _ok(at)
    return at


def test_a_wrong_password_does_not_sign_in(accounts_dir: Path) -> None:
    at = sign_in("doc", "sai-mat-khau")
    assert [e.value for e in at.error] == ["Tên đăng nhập hoặc mật khẩu không đúng."]
    assert "user" not in at.session_state
    assert not at.chat_input  # nothing but the form
    at = sign_in("khong-co-ai")
    assert [e.value for e in at.error] == ["Tên đăng nhập hoặc mật khẩu không đúng."]


@pytest.mark.parametrize("name", list(ACCOUNTS))
def test_each_role_sees_its_pages_and_is_refused_the_others(accounts_dir: Path, name: str) -> None:
    at = sign_in(name)
    assert [t.value for t in at.title] == ["Trợ lý Kế hoạch 32"]
    assert any(f"Đăng nhập: **{name}" in c.value for c in at.sidebar.caption)
    for title, page in PAGES.items():
        if title in VISIBLE[name]:
            at.switch_page(page).run()
            _ok(at)
            assert [t.value for t in at.title] == [title]
        else:  # hidden from the role's menu; its address opens a refusal, not the page
            at.switch_page(page).run()
            _ok(at)
            assert not at.title
            (refusal,) = at.error
            assert (
                refusal.value.startswith(f"Tài khoản '{name}' (vai trò ")
                and "không có quyền" in refusal.value
            )
            assert not at.get("file_uploader") and not at.get("download_button")


@pytest.mark.parametrize(("name", "page"), [("doc", "documents"), ("giang", "feedback"), ("danh", "trainer")])
def test_a_page_run_by_a_role_it_is_not_for_refuses(accounts_dir: Path, name: str, page: str) -> None:
    """Defence in depth: the page itself checks the role, should it ever be reached."""
    at = AppTest.from_file(str(PROJECT / "ui" / "views" / f"{page}.py"), default_timeout=120)
    at.session_state["user"] = User(name, ACCOUNTS[name], display=name)
    at.run()
    _ok(at)
    (refusal,) = at.error
    assert refusal.value.startswith(f"Tài khoản '{name}' (vai trò ") and "không có quyền" in refusal.value
    assert not at.title and not at.get("file_uploader") and not at.get("download_button")


def test_the_add_to_quiz_button_is_for_trainers(accounts_dir: Path) -> None:
    for name, shown in (("doc", False), ("giang", True)):
        at = sign_in(name)
        at.switch_page("views/clauses.py").run()
        _ok(at)
        assert ("Thêm vào đề kiểm tra" in [b.label for b in at.button]) is shown


def test_a_conversation_opens_only_for_its_owner(accounts_dir: Path) -> None:
    owner = sign_in("doc")
    owner.chat_input[0].set_value(QUESTION).run()
    _ok(owner)
    conversation = owner.query_params["c"]
    store = ConversationStore(accounts_dir / "conversations.sqlite")
    assert store.owner(conversation) == "doc"

    other = AppTest.from_file(APP, default_timeout=120)
    other.query_params["c"] = conversation  # a link to somebody else's conversation
    other.run()
    other.text_input(key="sign_in_name").input("giang")
    other.text_input(key="sign_in_password").input(PASSWORD)
    other.button(key="FormSubmitter:sign-in-Đăng nhập").click().run()
    _ok(other)
    assert not other.chat_message
    assert any("Không mở được cuộc trò chuyện" in w.value for w in other.warning)

    admin = AppTest.from_file(APP, default_timeout=120)
    admin.query_params["c"] = conversation
    admin.run()
    admin.text_input(key="sign_in_name").input("quan")
    admin.text_input(key="sign_in_password").input(PASSWORD)
    admin.button(key="FormSubmitter:sign-in-Đăng nhập").click().run()
    _ok(admin)
    assert len(admin.chat_message) == 2  # an admin reads it
    admin.chat_input[0].set_value("Kế hoạch 32 có bao nhiêu nhiệm vụ?").run()
    _ok(admin)
    assert admin.query_params["c"] != conversation  # and continues in a conversation of their own
    assert len(store.load(User("doc", Role.READER), conversation)) == 2


def test_conversation_fixation_a_planted_id_is_not_adopted(accounts_dir: Path) -> None:
    """The attack: the victim opens /?c=<an id the attacker picked>, then chats."""
    planted = "ke-tan-cong-chon-san"
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["c"] = planted
    at.run()
    at.text_input(key="sign_in_name").input("doc")
    at.text_input(key="sign_in_password").input(PASSWORD)
    at.button(key="FormSubmitter:sign-in-Đăng nhập").click().run()
    at.chat_input[0].set_value(QUESTION).run()
    _ok(at)
    assert at.query_params["c"] != planted
    store = ConversationStore(accounts_dir / "conversations.sqlite")
    assert store.owner(planted) is None  # nothing was saved under the planted id
    assert store.owner(at.query_params["c"]) == "doc"


def test_sign_out_forgets_the_session(accounts_dir: Path) -> None:
    at = sign_in("quan")
    at.sidebar.button(key="sign_out").click().run()
    _ok(at)
    assert [t.value for t in at.title] == ["Đăng nhập"]
    assert "user" not in at.session_state


def test_no_accounts_on_a_network_address_is_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    st.cache_resource.clear()
    previous = config.get_option("server.address")
    _serve(monkeypatch, tmp_path / "kho", "0.0.0.0")
    try:
        at = AppTest.from_file(APP, default_timeout=120).run()
        _ok(at)
        assert [t.value for t in at.title] == ["Trợ lý Kế hoạch 32"]  # no sign-in: anyone may read and ask
        (notice,) = at.sidebar.warning
        assert notice.value.startswith("**Chế độ chỉ đọc.**")
        for page in PAGES.values():
            at.switch_page(page).run()
            assert [e.value.split(":")[0] for e in at.error] == [
                "Máy chủ đang ở chế độ chỉ đọc (chưa cấu hình tài khoản)"
            ]
            assert not at.get("file_uploader") and not at.get("download_button")
        at.switch_page("views/chat.py").run()
        at.chat_input[0].set_value(QUESTION).run()
        _ok(at)
        assert "\\[1\\]" in at.chat_message[1].markdown[0].value  # escaped Markdown
    finally:
        config.set_option("server.address", previous)
        st.cache_resource.clear()


def test_oidc_sign_in_without_a_configured_provider_says_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KH32_AUTH", "oidc")
    _serve(monkeypatch, tmp_path / "kho", "0.0.0.0")
    try:
        at = AppTest.from_file(APP, default_timeout=120).run()
        _ok(at)
        assert [t.value for t in at.title] == ["Đăng nhập"]
        assert not at.chat_input  # nobody is signed in: nothing but the sign-in button
        next(b for b in at.button if b.label == "Đăng nhập bằng tài khoản cơ quan").click().run()
        _ok(at)
        assert [e.value for e in at.error] == [
            "Chưa cấu hình đủ nhà cung cấp định danh (mục [auth] trong .streamlit/secrets.toml: "
            "redirect_uri, cookie_secret, client_id, client_secret, server_metadata_url)."
        ]
    finally:
        config.set_option("server.address", None)


class _SignedIn(dict):
    """What st.user holds once the identity provider has signed someone in (its ID token's claims)."""

    def to_dict(self) -> dict:
        return dict(self)


@pytest.mark.parametrize(
    ("claims", "documents_page"),
    [
        ({"email": "an@co-quan.gov.vn", "name": "Nguyễn Văn An", "groups": ["kh32-quan-tri"]}, True),
        ({"email": "binh@co-quan.gov.vn", "name": "Trần Bình", "groups": ["nhan-vien"]}, False),
    ],
)
def test_an_oidc_identity_gets_the_role_its_claims_map_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, claims: dict, documents_page: bool
) -> None:
    monkeypatch.setenv("KH32_AUTH", "oidc")
    monkeypatch.setenv("KH32_OIDC_ROLE_CLAIM", "groups")
    monkeypatch.setenv("KH32_OIDC_ROLE_VALUES", '{"kh32-quan-tri": "admin"}')
    monkeypatch.setattr(st, "user", _SignedIn(is_logged_in=True, **claims))
    st.cache_resource.clear()
    _serve(monkeypatch, tmp_path / "kho", "0.0.0.0")
    try:
        at = AppTest.from_file(APP, default_timeout=120).run()
        _ok(at)
        role = "Quản trị" if documents_page else "Người đọc"
        assert any(f"Đăng nhập: **{claims['name']} ({role})**" in c.value for c in at.sidebar.caption)
        at.switch_page("views/documents.py").run()
        _ok(at)
        assert ([t.value for t in at.title] == ["Tài liệu"]) is documents_page
        assert bool(at.get("file_uploader")) is documents_page
    finally:
        config.set_option("server.address", None)
        st.cache_resource.clear()


def test_a_role_change_takes_effect_at_once(accounts_dir: Path) -> None:
    """Demoted from the CLI while signed in: the next run asks to sign in again, then gives the new role."""
    accounts = Accounts(accounts_dir / "accounts.sqlite")
    at = sign_in("giang")
    accounts.set_role("giang", Role.READER)
    try:
        at.run()
        _ok(at)
        assert [t.value for t in at.title] == ["Đăng nhập"]
        at.text_input(key="sign_in_name").input("giang")
        at.text_input(key="sign_in_password").input(PASSWORD)
        at.button(key="FormSubmitter:sign-in-Đăng nhập").click().run()
        assert any("Đăng nhập: **giang (Người đọc)**" in c.value for c in at.sidebar.caption)
    finally:
        accounts.set_role("giang", Role.TRAINER)


def test_wrong_passwords_lock_the_account_for_every_session(
    accounts_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each guess in a new session (a new AppTest): after KH32_SIGN_IN_FAILURES of them, even the right
    password is refused, with how long to wait; the attempts are in the audit trail."""
    monkeypatch.setenv("KH32_SIGN_IN_FAILURES", "2")
    get_settings.cache_clear()
    accounts = Accounts(accounts_dir / "accounts.sqlite")
    if "khoa" not in accounts.names():
        accounts.add("khoa", PASSWORD, Role.READER)
    for guess in ("sai-mat-khau-1", "sai-mat-khau-2"):
        assert [e.value for e in sign_in("KHOA", guess).error] == ["Tên đăng nhập hoặc mật khẩu không đúng."]
    at = sign_in("khoa")
    (refusal,) = at.error  # the real clock: the 30-second lock has begun to run down
    assert re.fullmatch(
        r"Đăng nhập sai quá nhiều lần nên tạm bị khóa; hãy thử lại sau [23]\d giây\.", refusal.value
    )
    assert "user" not in at.session_state and [t.value for t in at.title] == ["Đăng nhập"]
    rows = [r for r in audit_log(get_settings()).rows() if r["actor"] in {"khoa", "KHOA"}]
    assert [r["action"] for r in rows] == ["sign_in_locked", "sign_in_failed", "sign_in_failed"]


def test_sign_in_conversation_and_audit_live_in_the_configured_database(
    database: str | None, accounts_dir: Path
) -> None:
    """The chat on either backend: an account made there signs in, its conversation and the sign-in are
    kept there (with PostgreSQL: nothing new in the data folder's files)."""
    settings = get_settings()
    Accounts.of(settings).add("hai", PASSWORD, Role.READER)
    files = {p.name: p.stat().st_size for p in accounts_dir.glob("*.sqlite")}
    at = sign_in("hai")
    at.chat_input[0].set_value(QUESTION).run()
    _ok(at)
    conversation = at.query_params["c"]
    assert ConversationStore.of(settings).owner(conversation) == "hai"
    assert [r["action"] for r in audit_log(settings).rows() if r["actor"] == "hai"] == ["sign_in"]
    if database is not None:
        assert {p.name: p.stat().st_size for p in accounts_dir.glob("*.sqlite")} == files
    Accounts.of(settings).remove("hai")


def test_a_database_that_is_down_is_a_message_on_the_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KH32_DATA_DIR", str(tmp_path / "kho"))
    monkeypatch.setenv("KH32_DATABASE_URL", f"postgresql://kh32:bi-mat-lo@127.0.0.1:{free_port()}/kh32")
    get_settings.cache_clear()
    at = AppTest.from_file(APP, default_timeout=120).run()
    _ok(at)  # no traceback
    (error,) = at.error
    assert error.value.startswith("Không kết nối được tới cơ sở dữ liệu postgresql://kh32:***@127.0.0.1:")
    assert "bi-mat-lo" not in error.value
    assert not at.chat_input and not at.text_input
