"""End to end in a real browser: Streamlit served on 127.0.0.1, driven by Playwright on Debian's chromium.

The journey of the issue: ask, watch the answer stream in, open the highlighted clause, rate it, follow up,
export the conversation, reload it, build a 5-question quiz from nhiệm vụ thứ tư, upload a file and ask
about it. Screenshots go to test-output/browser/ (printed at the end).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.records.feedback import FeedbackStore
from tests.browser_app import CHROMIUM, CHROMIUM_ARGS, app_command, free_port, screenshot, streamlit_server
from tests.conftest import PROJECT
from tests.roles import ADMIN

playwright = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install .[dev])"
)

SHOTS = PROJECT / "test-output" / "browser"
QUESTION = "Nhiệm vụ thứ tư của kế hoạch là gì?"
FOLLOW_UP = "Trong nhiệm vụ đó, cải cách hành chính có mấy trụ cột?"
UPLOAD = (
    "TITLE: Quy chế họp Tổ công tác Alpha\n---\n\n"
    "Tổ công tác Alpha họp định kỳ vào sáng thứ Năm hằng tuần tại phòng 305 nhà B. "
    "Biên bản ghi rõ thẻ <script>alert(1)</script> không được chèn vào văn bản.\n"
)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is missing (make test installs it)")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-store")


@pytest.fixture(scope="module")
def server(data_dir: Path) -> Iterator[str]:
    """`streamlit run ui/app.py` on a free port of 127.0.0.1, with its own data folder."""
    port = free_port()
    with streamlit_server(app_command(port), port, data_dir, {}) as url:
        yield url


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[playwright.Page]:
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.goto(server)
            yield page
            _shot(page, "99-last")  # where the journey ended, for a failing run
        finally:
            browser.close()


def _shot(page: playwright.Page, name: str) -> None:
    screenshot(page, SHOTS, name)


def _ask(page: playwright.Page, question: str, answers_before: int) -> float:
    """Type a question and press Enter; wait for the answer to finish; seconds to its first streamed text."""
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(question)
    started = time.perf_counter()
    box.press("Enter")
    answer = page.get_by_test_id("stChatMessage").nth(2 * answers_before + 1)
    answer.get_by_test_id("stMarkdownContainer").get_by_text("[1]").first.wait_for()
    first_text = time.perf_counter() - started
    answer.get_by_text("Đã tra cứu").wait_for()
    page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')")  # the run has ended
    return first_text


def _download(page: playwright.Page, label: str) -> str:
    with page.expect_download() as info:
        page.get_by_role("button", name=label).click()
    return Path(info.value.path()).read_text(encoding="utf-8")


def _open_page(page: playwright.Page, title: str, heading: str | None = None) -> None:
    page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
    page.get_by_role("heading", name=heading or title, exact=True).wait_for()


def test_browser_journey(page: playwright.Page, data_dir: Path) -> None:
    page.get_by_test_id("stChatInputTextArea").wait_for()
    assert page.get_by_role("button", name=QUESTION).is_visible()  # example questions on the empty screen
    _shot(page, "01-empty")

    # 1. Ask; the answer streams in, cites the fourth task, and its card shows the clause highlighted.
    first_token = _ask(page, QUESTION, 0)
    print(f"\ntime to first streamed text: {first_token:.2f} s")
    answer = page.get_by_test_id("stChatMessage").nth(1)
    assert "Thứ tư, tiếp tục tham mưu đổi mới tổ chức" in answer.inner_text()
    card = answer.get_by_test_id("stExpander").filter(has_text="[1] KH 32-KH/BCSĐ, Nhiệm vụ thứ tư")
    card.get_by_text("[1] KH 32-KH/BCSĐ, Nhiệm vụ thứ tư").click()
    highlighted = card.locator("span", has_text="Thứ tư, tiếp tục tham mưu").last
    highlighted.wait_for()
    background = highlighted.evaluate("e => getComputedStyle(e).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent"), background
    assert card.get_by_text("Kế hoạch số 32-KH/BCSĐ của Ban Cán sự đảng Bộ Nội vụ").is_visible()
    card.scroll_into_view_if_needed()
    _shot(page, "02-answer-and-source")

    # 2. Rate it 👍 with a comment; the feedback file has the question, answer and citation.
    answer.get_by_role("radio", name="Thumbs up").click()
    answer.get_by_label("Góp ý thêm (không bắt buộc)").fill("Trích dẫn chính xác")
    answer.get_by_role("button", name="Gửi góp ý").click()
    answer.get_by_text("Góp ý của bạn: Trích dẫn chính xác").wait_for()
    rows = FeedbackStore(data_dir / "feedback.sqlite").rows(ADMIN)
    assert [(r["rating"], r["comment"], r["question"]) for r in rows] == [
        (1, "Trích dẫn chính xác", QUESTION)
    ]
    assert rows[0]["citations"][0]["label"] == "KH 32-KH/BCSĐ, Nhiệm vụ thứ tư"

    # 3. Follow up: the task is understood from the conversation.
    _ask(page, FOLLOW_UP, 1)
    second = page.get_by_test_id("stChatMessage").nth(3)
    assert "03 trụ cột chính" in second.inner_text()
    second.get_by_text("[1] KH 32-KH/BCSĐ, Nhiệm vụ thứ tư").wait_for()  # its card, once the run has drawn it
    _shot(page, "03-follow-up")

    # 4. Export the conversation, citations included.
    handout = _download(page, "Tải cuộc trò chuyện (.md)")
    assert f"## Câu hỏi 1: {QUESTION.replace('?', '')}" in handout.replace("\\", "").replace("?", "")
    for expected in ("03 trụ cột chính", "[1] KH 32-KH/BCSĐ, Nhiệm vụ thứ tư", FOLLOW_UP):
        assert expected in handout.replace("\\", "")

    # 5. A reload restores the conversation with its sources (the id is in the address).
    assert "c=" in page.url
    page.reload()
    page.get_by_test_id("stChatMessage").nth(3).wait_for()
    playwright.expect(page.get_by_test_id("stChatMessage")).to_have_count(4)
    playwright.expect(page.get_by_text("[1] KH 32-KH/BCSĐ, Nhiệm vụ thứ tư")).to_have_count(2)

    # 6. Click through from the source card to the clause browser, the cited sentence highlighted.
    first_card = page.get_by_test_id("stChatMessage").nth(1).get_by_test_id("stExpander").first
    page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')")  # the reload's run
    first_card.get_by_text("[1] KH 32-KH/BCSĐ").click()
    # Right after a reload, Streamlit sometimes drops a button click that lands while the page's
    # first run is still going (2 runs in 8 under load; a person would click again). So does the test.
    for attempt in range(3):
        first_card.get_by_role("button", name="Mở trong mục Điều khoản").click()
        try:
            page.get_by_role("heading", name="Điều khoản").wait_for(timeout=15_000)
            break
        except playwright.TimeoutError:
            if attempt == 2:
                raise
    clause = page.locator(".st-key-clause-text")
    clause.get_by_role("heading", name="Nhiệm vụ thứ tư").wait_for()
    clause.get_by_text(
        "03 trụ cột chính", exact=False
    ).wait_for()  # the whole clause, not just the cited chunk
    mark = clause.locator("span", has_text="Thứ tư, tiếp tục tham mưu").last
    assert mark.evaluate("e => getComputedStyle(e).backgroundColor") not in (
        "rgba(0, 0, 0, 0)",
        "transparent",
    )
    _shot(page, "04-clause-browser")

    # 7. A 5-question quiz from nhiệm vụ thứ tư, with its answer key, as two handouts (sheet and key apart).
    _open_page(page, "Công cụ giảng viên")
    page.get_by_test_id("stMultiSelect").first.click()
    page.keyboard.type("Nhiệm vụ thứ tư")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Tạo đề").click()
    page.get_by_text("Câu 5", exact=False).first.wait_for()
    playwright.expect(page.get_by_text("Đáp án", exact=True)).to_have_count(5)
    playwright.expect(page.get_by_text("Câu 6")).to_have_count(0)
    page.get_by_text("Đáp án", exact=True).first.click()
    key = page.get_by_test_id("stExpander").filter(has_text="Đáp án").first
    key.get_by_text("KH 32-KH/BCSĐ, Nhiệm vụ thứ tư").first.wait_for()
    _shot(page, "05-quiz")
    quiz = _download(page, "Tải đề (.md)").replace("\\", "")
    assert "Câu 5 (" in quiz and "Câu 6" not in quiz and "## Đáp án" not in quiz
    assert quiz.count("— KH 32-KH/BCSĐ, Nhiệm vụ thứ tư") == 5
    answers = _download(page, "Tải đáp án (.md)").replace("\\", "")
    assert "Câu 5: " in answers and "## Câu hỏi" not in answers

    # 8. Evaluators download the feedback as CSV.
    _open_page(page, "Góp ý")
    feedback_csv = _download(page, "Tải góp ý (.csv)")
    assert "Trích dẫn chính xác" in feedback_csv and QUESTION in feedback_csv
    _shot(page, "06-feedback")

    # 9. Upload a small file, then ask about it; its text shows literally (no HTML).
    _open_page(page, "Tài liệu")
    path = data_dir / "quy-che-alpha.md"
    path.write_text(UPLOAD, encoding="utf-8")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(path)
    page.get_by_text("quy-che-alpha.md").wait_for()
    page.get_by_role("button", name="Nạp vào kho").click()
    page.get_by_text("Đã nạp: Quy chế họp Tổ công tác Alpha").wait_for()
    _shot(page, "07-upload")
    _open_page(page, "Trò chuyện", "Trợ lý Kế hoạch 32")
    page.get_by_role("button", name="Cuộc trò chuyện mới").click()
    page.get_by_role("button", name=QUESTION).wait_for()
    _ask(page, "Tổ công tác Alpha họp vào ngày nào?", 0)
    reply = page.get_by_test_id("stChatMessage").nth(1)
    assert "sáng thứ Năm hằng tuần" in reply.inner_text()
    card = reply.get_by_test_id("stExpander").filter(has_text="Quy chế họp Tổ công tác Alpha").first
    card.locator("summary").click()
    card.get_by_text("<script>alert(1)</script>", exact=False).wait_for()
    assert card.locator("script").count() == 0
    _shot(page, "08-ask-uploaded")
    print(f"screenshots: {SHOTS}")
