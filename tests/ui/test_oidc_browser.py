"""Sign-in through OpenID Connect end to end: Streamlit's own st.login against a small provider the test
starts on 127.0.0.1 (tests/ui/oidc_provider.py), in a real browser; the role comes from the ID token's
claims."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser_app import CHROMIUM, app_command, free_port, streamlit_server
from tests.conftest import PROJECT
from tests.ui.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider, oidc_provider

playwright = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install .[dev])"
)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is missing (make test installs it)")
SHOTS = PROJECT / "test-output" / "browser" / "roles"


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with oidc_provider() as running:
        yield running


@pytest.fixture(scope="module")
def server(provider: Provider, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("oidc-browser")
    port = free_port()
    secrets_file = data / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "mot-chuoi-ngau-nhien-du-dai-cho-kiem-thu"\n'
        f'client_id = "{CLIENT_ID}"\n'
        f'client_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "{provider.url}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    env = {
        "KH32_AUTH": "oidc",
        "KH32_OIDC_ROLE_CLAIM": "groups",
        "KH32_OIDC_ROLE_VALUES": '{"kh32-quan-tri": "admin", "kh32-giang-vien": "trainer"}',
        "KH32_OIDC_EVALUATORS": '["danh.gia@co-quan.gov.vn"]',
    }
    command = app_command(port, "--secrets.files", str(secrets_file))
    with streamlit_server(command, port, data, env) as url:
        yield url


CASES = [
    (
        {"sub": "1", "email": "an@co-quan.gov.vn", "name": "Nguyễn Văn An", "groups": ["kh32-quan-tri"]},
        "Quản trị",
    ),
    (
        {"sub": "2", "email": "binh@co-quan.gov.vn", "name": "Trần Bình", "groups": ["kh32-giang-vien"]},
        "Giảng viên",
    ),
    ({"sub": "3", "email": "danh.gia@co-quan.gov.vn", "name": "Lê Đánh Giá", "groups": []}, "Người đánh giá"),
    ({"sub": "4", "email": "chi@co-quan.gov.vn", "name": "Phạm Chi", "groups": ["nhan-vien"]}, "Người đọc"),
]
MENUS = {
    "Quản trị": ["Trò chuyện", "Điều khoản", "Tài liệu", "Công cụ giảng viên", "Góp ý"],
    "Giảng viên": ["Trò chuyện", "Điều khoản", "Công cụ giảng viên"],
    "Người đánh giá": ["Trò chuyện", "Điều khoản", "Góp ý"],
    "Người đọc": ["Trò chuyện", "Điều khoản"],
}


@pytest.mark.parametrize(("claims", "role"), CASES, ids=[c[1] for c in CASES])
def test_oidc_sign_in_gives_the_role_the_claims_map_to(
    browser: playwright.Browser, server: str, provider: Provider, claims: dict, role: str
) -> None:
    provider.claims = claims
    logins = provider.logins
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(server)
        page.get_by_role("heading", name="Đăng nhập", exact=True).wait_for()
        assert page.get_by_test_id("stChatInputTextArea").count() == 0
        page.get_by_role("button", name="Đăng nhập bằng tài khoản cơ quan").click()
        page.get_by_text(f"Đăng nhập: {claims['name']} ({role})").wait_for()
        assert provider.logins == logins + 1  # through the provider, not around it
        links = page.get_by_test_id("stSidebarNav").get_by_role("link").all_inner_texts()
        assert [t.strip().splitlines()[-1] for t in links] == MENUS[role]
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.wait_for_timeout(300)
        page.screenshot(path=SHOTS / f"oidc-{claims['email'].split('@')[0]}.png")
        page.get_by_role("button", name="Đăng xuất").click()
        page.get_by_role("heading", name="Đăng nhập", exact=True).wait_for()
    finally:
        context.close()
