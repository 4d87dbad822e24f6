"""Sign in as each role in a real browser (Playwright on Debian's chromium) with a local accounts file:
what each role sees, what it cannot do, and an admin's replace preview, removal and restore.

The server is started the way `make chat` starts it (`python -m ui.serve`), here bound to 127.0.0.1 by
KH32_ADDRESS. Screenshots per role go to test-output/browser/roles/.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.access.accounts import Accounts
from assistant.access.roles import Role
from tests.browser_app import CHROMIUM, free_port, screenshot, sign_in, streamlit_server
from tests.browser_app import idle as _idle
from tests.conftest import PROJECT

playwright = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install .[dev])"
)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is missing (make test installs it)")

SHOTS = PROJECT / "test-output" / "browser" / "roles"
PASSWORD = "mat-khau-du-dai"
ACCOUNTS = {
    "nguoi-doc": Role.READER,
    "giang-vien": Role.TRAINER,
    "danh-gia": Role.EVALUATOR,
    "quan-tri": Role.ADMIN,
}
MENUS = {
    "nguoi-doc": ["Trò chuyện", "Điều khoản"],
    "giang-vien": ["Trò chuyện", "Điều khoản", "Công cụ giảng viên"],
    "danh-gia": ["Trò chuyện", "Điều khoản", "Góp ý"],
    "quan-tri": ["Trò chuyện", "Điều khoản", "Tài liệu", "Công cụ giảng viên", "Góp ý"],
}
HOSTILE = "TITLE: Kế hoạch số 32-KH/BCSĐ\n---\n\n1. Kế hoạch này đã bị hủy bỏ toàn bộ.\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("roles-browser")
    accounts = Accounts(data / "accounts.sqlite")
    for name, role in ACCOUNTS.items():
        accounts.add(name, PASSWORD, role)
    port = free_port()
    command = [sys.executable, "-m", "ui.serve", str(port)]
    with streamlit_server(command, port, data, {"KH32_ADDRESS": "127.0.0.1"}) as url:
        yield url


def _shot(page: playwright.Page, name: str) -> None:
    screenshot(page, SHOTS, name)


def _sign_in(browser: playwright.Browser, server: str, name: str, path: str = "") -> playwright.Page:
    return sign_in(browser, server, name, PASSWORD, path)


def _menu(page: playwright.Page) -> list[str]:
    links = page.get_by_test_id("stSidebarNav").get_by_role("link").all_inner_texts()
    return [t.strip().splitlines()[-1] for t in links]  # the icon's name comes first


def test_a_wrong_password_is_refused(browser: playwright.Browser, server: str) -> None:
    page = browser.new_page()
    page.goto(server)
    page.get_by_label("Tên đăng nhập").fill("quan-tri")
    page.get_by_label("Mật khẩu").fill("doan-bua-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_text("Tên đăng nhập hoặc mật khẩu không đúng.").wait_for()
    assert not page.get_by_test_id("stSidebarNav").count()
    _shot(page, "00-sai-mat-khau")
    page.close()


@pytest.mark.parametrize("name", list(ACCOUNTS))
def test_each_role_sees_its_menu_and_cannot_reach_the_rest(
    browser: playwright.Browser, server: str, name: str
) -> None:
    page = _sign_in(browser, server, name)
    assert _menu(page) == MENUS[name]
    assert page.get_by_test_id("stAppDeployButton").count() == 0  # client.toolbarMode=minimal
    _shot(page, f"{name}-1-menu")
    page.context.close()
    # the documents page named in the address: only an admin gets it
    page = _sign_in(browser, server, name, "tai-lieu")
    if name == "quan-tri":
        page.get_by_role("heading", name="Tài liệu", exact=True).wait_for()
        assert page.get_by_text("Nạp tài liệu").first.is_visible()
    else:  # the address is routed to a refusal in Vietnamese, not to the page
        page.get_by_text("không có quyền nạp, thay thế, xóa hoặc khôi phục tài liệu").wait_for()
        assert page.get_by_role("heading", name="Tài liệu", exact=True).count() == 0
        assert page.get_by_test_id("stFileUploader").count() == 0
        assert page.get_by_role("button", name="Xóa tài liệu").count() == 0
    _shot(page, f"{name}-2-dia-chi-tai-lieu")
    page.context.close()


@pytest.mark.parametrize(
    ("path", "heading"), [("tro-chuyen", "Trợ lý Kế hoạch 32"), ("khong-co", "Không tìm thấy trang")]
)
def test_an_address_typed_in_opens_its_page_after_sign_in(
    browser: playwright.Browser, server: str, path: str, heading: str
) -> None:
    """The sign-in form, then the page the address names (a Vietnamese one when no page has it), never
    Streamlit's English "Page not found" dialog; no Deploy button."""
    page = _sign_in(browser, server, "nguoi-doc", path)
    page.get_by_role("heading", name=heading, exact=True).wait_for()
    assert page.url == f"{server}/{path}"
    page.wait_for_timeout(500)
    assert page.get_by_role("dialog").count() == 0 and page.get_by_text("Page not found").count() == 0
    assert page.get_by_test_id("stAppDeployButton").count() == 0
    assert page.get_by_test_id("stMainMenu").count() == 0
    _shot(page, f"nguoi-doc-3-dia-chi-{path}")
    page.context.close()


def test_admin_sees_a_replace_preview_removes_and_restores(
    browser: playwright.Browser, server: str, tmp_path: Path
) -> None:
    page = _sign_in(browser, server, "quan-tri", "tai-lieu")
    page.get_by_role("heading", name="Tài liệu", exact=True).wait_for()
    # the attack: a file named like the plan; it waits for an explicit choice, with what would change
    attack = tmp_path / "ke-hoach-32-KH-BCSD.md"
    attack.write_text(HOSTILE, encoding="utf-8")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(attack)
    page.get_by_role("button", name="Nạp vào kho").click()
    preview = page.locator(".st-key-replace-preview")
    preview.get_by_text("Đoạn: thêm 1, bỏ 27, giữ nguyên 0").wait_for()
    _shot(page, "quan-tri-3-xem-truoc-thay-the")
    preview.get_by_role("button", name="Hủy").click()
    _idle(page)
    playwright.expect(page.locator(".st-key-replace-preview")).to_have_count(0)

    # remove a document, then restore it from the audit trail
    page.get_by_text("Tôi hiểu tài liệu sẽ bị xóa khỏi kho chung của mọi người dùng.").click()
    _idle(page)
    page.get_by_role("button", name="Xóa tài liệu").click()
    page.get_by_text("Đã xóa tài liệu 'hien-phap-2013' (315 đoạn).").wait_for()
    _idle(page)
    page.get_by_role("button", name="Khôi phục tài liệu").click()
    page.get_by_text("Đã khôi phục tài liệu 'hien-phap-2013' (315 đoạn).").wait_for()
    _idle(page)
    page.get_by_role("heading", name="Nhật ký thao tác").scroll_into_view_if_needed()
    _shot(page, "quan-tri-4-nhat-ky")
    page.context.close()
