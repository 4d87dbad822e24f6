"""A flagged sentence in the chat, in a real browser: the LLM mode against a scripted server, a sentence the
check flags is marked where it stands (⚠, a red background, a note) and carries no [n]; the supported one
keeps its [1]; one said in other words, which the model's second reading confirms, keeps its [2] and is
noted (✓) with the passage words the model quoted. Screenshot: test-output/browser/flagged-sentences.png."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser_app import CHROMIUM, app_command, chromium, free_port, streamlit_server
from tests.conftest import PROJECT
from tests.fake_openai import FakeOpenAI, Reply, passage_with, second_reader

playwright = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install .[dev])"
)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is missing (make test installs it)")

SHOT = PROJECT / "test-output" / "browser" / "flagged-sentences.png"
QUESTION = "Kế hoạch 32 nói gì về cải cách hành chính và việc sửa đổi Luật Cán bộ, công chức?"
SUPPORTED = "Cải cách hành chính có 03 trụ cột chính"
WRONG_BODY = "Bộ Tư pháp chủ trì việc nghiên cứu sửa đổi, bổ sung Luật Cán bộ, công chức và Luật Viên chức"
NEGATED = (
    "Kế hoạch không yêu cầu nâng cao ý thức trách nhiệm của cán bộ, công chức, viên chức trong thực thi "
    "Hiến pháp"
)


# Said in other words at one place ("hướng tới" for "để"): put to the model again, which confirms it.
REWORDED = (
    "Việc nghiên cứu sửa đổi, bổ sung Luật Cán bộ, công chức và Luật Viên chức hướng tới nâng cao ý thức "
    "trách nhiệm, năng lực của cán bộ, công chức, viên chức trong thực thi Hiến pháp, pháp luật"
)
READER = second_reader(True)


def _reply(body: dict) -> str:
    if "<cau so=" in body["messages"][-1]["content"]:  # the second reading of the sentence in other words
        assert callable(READER.content)
        return READER.content(body)
    pillars = passage_with(body, "03 trụ cột")
    laws = passage_with(body, "Nghiên cứu sửa đổi, bổ sung Luật Cán bộ")
    return f"{SUPPORTED} [{pillars}]. {WRONG_BODY} [{laws}]. {NEGATED} [{laws}]. {REWORDED} [{laws}]."


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(default=Reply(_reply)) as server:
        yield server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, fake: FakeOpenAI) -> Iterator[str]:
    data: Path = tmp_path_factory.mktemp("flags-store")
    port = free_port()
    env = {"KH32_LLM_BASE_URL": fake.url, "KH32_LLM_MAX_RETRIES": "0", "KH32_LLM_API_KEY": "k"}
    with streamlit_server(app_command(port), port, data, env) as url:
        yield url


def test_flagged_sentences_are_marked_where_they_stand(server: str, fake: FakeOpenAI) -> None:
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 1000})
        page.set_default_timeout(120_000)
        page.goto(server)
        box = page.get_by_test_id("stChatInputTextArea")
        box.fill(QUESTION)
        box.press("Enter")
        answer = page.get_by_test_id("stChatMessage").nth(1)
        answer.get_by_text("Đã tra cứu").wait_for()
        page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')")
        SHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SHOT, full_page=True)
        body = answer.get_by_test_id("stMarkdownContainer").filter(has_text=SUPPORTED).first
        text = body.inner_text()
        assert fake.requests, "the scripted model was not asked"
        assert f"{SUPPORTED}. [1]" in text  # the supported sentence keeps its citation
        for sentence in (WRONG_BODY, NEGATED):
            assert f"⚠ {sentence}." in text
            assert f"{sentence}. [" not in text  # no [n] after a flagged sentence
            marked = body.locator("span", has_text=f"⚠ {sentence[:40]}").last
            background = marked.evaluate("e => getComputedStyle(e).backgroundColor")
            assert background not in ("rgba(0, 0, 0, 0)", "transparent"), background
        assert text.count("chưa kiểm chứng được với tài liệu") >= 2
        assert f"{REWORDED}. [2]" in text  # confirmed by the model's second reading: it keeps its citation
        note = answer.get_by_text("✓ Diễn đạt khác tài liệu").first.inner_text()
        assert REWORDED[:60] in note and "«" in note  # with the passage words the model quoted
