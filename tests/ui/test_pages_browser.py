"""Page addresses, Streamlit's own texts, and web addresses in documents, in a real browser (Playwright on
Debian's chromium), on `streamlit run ui/app.py` with no accounts (issue 23, items 6 and 11):

- every page of the menu opens at its own address, typed in, and the root opens the chat at its address;
  an address no page has shows a Vietnamese page; never Streamlit's English "Page not found" dialog;
- no "Deploy" button, no English ⋮ menu, and the file uploader's texts are Vietnamese;
- a document's web and e-mail addresses are shown as text in the answer, its source card and the clause
  browser: no `<a>` leads to them.

Screenshots go to test-output/browser/pages/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import Settings, Store
from ingest.pipeline import ensure_corpus
from tests.browser_app import CHROMIUM, app_command, free_port, screenshot, streamlit_server
from tests.browser_app import idle as _idle
from tests.conftest import PROJECT

playwright = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install .[dev])"
)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is missing (make test installs it)")

SHOTS = PROJECT / "test-output" / "browser" / "pages"
CHAT_HEADING = "Trợ lý Kế hoạch 32"
ENGLISH = ("Page not found", "Deploy", "Upload", "per file", "Drag and drop", "File must be")
SITE = "so-do.example.org"
DOCUMENT = (
    "TITLE: Quy chế phòng họp Gamma\n---\n\n"
    f"Phòng họp Gamma mở cửa từ 7 giờ 30 sáng các ngày làm việc; sơ đồ ở https://{SITE}/tang-3.png "
    "và lịch đặt phòng ở www.dat-phong.example.org, hỏi thêm qua thu.ky@example.org.\n"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("pages-browser")
    settings = Settings(data_dir=data)
    ensure_corpus(Store(settings), settings)  # as the first visit would: its progress bar is not under test
    port = free_port()
    with streamlit_server(app_command(port), port, data, {}) as url:
        yield url


def _shot(page: playwright.Page, name: str) -> None:
    screenshot(page, SHOTS, name)


def _visit(browser: playwright.Browser, server: str, path: str, heading: str) -> playwright.Page:
    """A fresh session at server/path, once `heading` shows and the run has ended."""
    page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{server}/{path}")
    page.get_by_role("heading", name=heading, exact=True).wait_for()
    _idle(page)
    return page


def _no_streamlit_english(page: playwright.Page) -> None:
    """No "Page not found" dialog (nor any dialog), no Deploy button, no ⋮ menu, none of Streamlit's
    English texts on the page."""
    page.wait_for_timeout(500)  # a dialog would come with the run's first messages: long shown by now
    assert page.get_by_role("dialog").count() == 0
    assert page.get_by_test_id("stAppDeployButton").count() == 0
    assert page.get_by_test_id("stMainMenu").count() == 0
    shown = page.locator("body").inner_text()
    assert not [text for text in ENGLISH if text in shown], shown


def _menu(page: playwright.Page) -> dict[str, str]:
    """The sidebar menu (st.navigation's pages): title → address."""
    links = page.get_by_test_id("stSidebarNav").get_by_role("link")
    return {
        link.inner_text().strip().splitlines()[-1]: link.get_attribute("href") or "" for link in links.all()
    }


def test_every_page_opens_at_its_own_address(browser: playwright.Browser, server: str) -> None:
    home = _visit(browser, server, "", CHAT_HEADING)
    assert home.url == f"{server}/tro-chuyen"  # the root opens the chat at the chat's address
    _no_streamlit_english(home)
    menu = _menu(home)
    assert list(menu) == ["Trò chuyện", "Điều khoản", "Tài liệu", "Công cụ giảng viên", "Góp ý"]
    home.context.close()
    for title, href in menu.items():
        path = href.removeprefix(server).strip("/")
        assert path and "/" not in path, href
        page = _visit(browser, server, path, CHAT_HEADING if title == "Trò chuyện" else title)
        assert page.url == f"{server}/{path}"
        _no_streamlit_english(page)
        _shot(page, f"1-{path}")
        page.context.close()


@pytest.mark.parametrize("path", ["khong-co", "trang%20cu", "tro-chuyen-cu"])
def test_an_address_no_page_has_gets_a_vietnamese_page(
    browser: playwright.Browser, server: str, path: str
) -> None:
    page = _visit(browser, server, path, "Không tìm thấy trang")
    _no_streamlit_english(page)
    assert page.url == f"{server}/{path}"
    _shot(page, f"2-{path}")
    page.get_by_role("link", name="Về trang Trò chuyện").click()
    page.get_by_role("heading", name=CHAT_HEADING, exact=True).wait_for()
    page.context.close()


def test_a_trailing_slash_opens_the_page(browser: playwright.Browser, server: str) -> None:
    page = _visit(browser, server, "tro-chuyen/", CHAT_HEADING)
    assert page.url == f"{server}/tro-chuyen"
    _no_streamlit_english(page)
    page.context.close()


def _pseudo_texts(page: playwright.Page, selector: str) -> list[str]:
    """The texts CSS puts after the elements under selector (::after content)."""
    return page.evaluate(
        """selector => Array.from(document.querySelectorAll(selector + ' *'))
            .map(e => getComputedStyle(e, '::after').content)
            .filter(c => c && c !== 'none' && c !== 'normal')
            .map(c => JSON.parse(c))""",
        selector,
    )


def test_the_file_uploader_speaks_vietnamese(
    browser: playwright.Browser, server: str, tmp_path: Path
) -> None:
    page = _visit(browser, server, "tai-lieu", "Tài liệu")
    uploader = page.get_by_test_id("stFileUploader")
    page.wait_for_function(  # the uploader and the page's style sheet may come a moment after the title
        "(e => e && getComputedStyle(e).display === 'none')"
        "(document.querySelector('[data-testid=stFileUploaderDropzoneInstructions] span'))"
    )
    label = "Tệp .txt, .md, .html, .docx, .pdf (tối đa 20 MB mỗi tệp)"
    assert " ".join(uploader.inner_text().split()) == f"{label} upload"  # (the icon: a ligature, an arrow)
    assert _pseudo_texts(page, "[data-testid=stFileUploader]") == ["Chọn tệp", "hoặc kéo thả tệp vào đây"]
    _no_streamlit_english(page)
    _shot(page, "3-uploader")
    # while a file is dragged over it
    zone = page.get_by_test_id("stFileUploaderDropzone")
    dragged = page.evaluate_handle(
        "() => { const d = new DataTransfer(); d.items.add(new File(['x'], 'a.txt')); return d; }"
    )
    zone.dispatch_event("dragenter", {"dataTransfer": dragged})
    zone.get_by_text("Drag and drop files here").wait_for(state="attached")  # there, at size 0: not shown
    assert "Thả tệp vào đây" in _pseudo_texts(page, "[data-testid=stFileUploaderDropzone]")
    assert zone.get_by_text("Drag and drop files here").evaluate("e => getComputedStyle(e).fontSize") == "0px"
    _shot(page, "4-uploader-drag")
    zone.dispatch_event("dragleave", {"dataTransfer": dragged})
    page.context.close()


def _no_links_out(page: playwright.Page) -> None:
    """No link on the page leads out of the app (the headings' own #anchors are all there is)."""
    hrefs = page.locator("a").evaluate_all("links => links.map(a => a.href)")
    assert [h for h in hrefs if "example" in h or h.startswith("mailto:")] == []
    for address in (SITE, "dat-phong.example.org", "thu.ky@example.org"):
        assert page.locator("a", has_text=address).count() == 0


def test_a_documents_web_addresses_are_text_not_links(
    browser: playwright.Browser, server: str, tmp_path: Path
) -> None:
    page = _visit(browser, server, "tai-lieu", "Tài liệu")
    path = tmp_path / "quy-che-gamma.txt"
    path.write_text(DOCUMENT, encoding="utf-8")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(path)
    page.get_by_text("quy-che-gamma.txt").wait_for()
    page.get_by_role("button", name="Nạp vào kho").click()
    page.get_by_text("Đã nạp: Quy chế phòng họp Gamma").wait_for()
    page.get_by_test_id("stSidebarNav").get_by_text("Trò chuyện", exact=True).click()
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill("Phòng họp Gamma mở cửa từ mấy giờ?")
    box.press("Enter")
    reply = page.get_by_test_id("stChatMessage").nth(1)
    reply.get_by_text("Đã tra cứu").wait_for()
    _idle(page)
    assert f"https://{SITE}/tang-3.png" in reply.inner_text().replace("\u2060", "")
    card = reply.get_by_test_id("stExpander").filter(has_text="Quy chế phòng họp Gamma").first
    card.locator("summary").click()
    card.get_by_text("7 giờ 30 sáng", exact=False).first.wait_for()
    _shot(page, "5-answer-addresses")
    _no_links_out(page)

    # the clause browser, opened from the card
    card.get_by_role("button", name="Mở trong mục Điều khoản").click()
    clause = page.locator(".st-key-clause-text")
    clause.get_by_text("7 giờ 30 sáng", exact=False).first.wait_for()
    _idle(page)
    assert f"https://{SITE}/tang-3.png" in clause.inner_text().replace("\u2060", "")
    _no_links_out(page)
    _shot(page, "6-clause-addresses")
    page.context.close()
