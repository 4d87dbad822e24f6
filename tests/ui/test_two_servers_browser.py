"""Two chat servers on one PostgreSQL database and one Chroma server (issue 25, done-when): each started as
`make chat` starts it (`python -m ui.serve`), each with a data folder of its own (two machines share no
drive). In a real browser (Playwright on Debian's chromium) a different account signs in on each, asks a
question and rates the answer; afterwards the sign-ins, both conversations and both ratings are all in the
database, read by a third client that has neither server's data folder, and neither data folder holds a
record or a vector store of its own. Screenshots go to test-output/browser/two-servers/.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from assistant import Assistant, Settings
from assistant.access.accounts import Accounts
from assistant.access.roles import Role, User
from assistant.database.connection import Database, dispose_all
from assistant.records.audit import audit_log
from assistant.records.conversations import ConversationStore
from assistant.records.feedback import FeedbackStore
from evals.bench import chroma_server
from ingest.pipeline import ensure_corpus
from tests.browser_app import CHROMIUM, chromium, free_port, idle, screenshot, sign_in, streamlit_server
from tests.conftest import PROJECT
from tests.postgres import PostgresServer
from tests.roles import EVALUATOR

playwright = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install .[dev])"
)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is missing (make test installs it)")

SHOTS = PROJECT / "test-output" / "browser" / "two-servers"
PASSWORD = "mat-khau-du-dai"
COLLECTION = "hai-may"
# Per server: the account that signs in there, its question, the words its answer quotes, its rating.
VISITS = {
    "may-a": ("can-bo-a", "Nhiệm vụ thứ tư của kế hoạch là gì?", "Thứ tư, tiếp tục tham mưu", "Thumbs up"),
    "may-b": ("can-bo-b", "Cải cách hành chính có mấy trụ cột?", "trụ cột", "Thumbs down"),
}
RECORD_FILES = {"accounts.sqlite", "audit.sqlite", "conversations.sqlite", "feedback.sqlite", "signin.sqlite"}


@pytest.fixture(scope="module")
def shared(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, int, Path]]:
    """One PostgreSQL database with the two accounts and one Chroma server with the bundled corpus (ingested
    once, by an admin's process with a data folder of its own): (database URL, Chroma port, root folder)."""
    root = tmp_path_factory.mktemp("two-servers")
    name = postgres_server.new_database()
    url = postgres_server.url(name)
    with chroma_server(root / "chroma-server") as port:
        admin = Settings(
            data_dir=root / "quan-tri", database_url=url, chroma_host="127.0.0.1", chroma_port=port,
            collection=COLLECTION,
        )  # fmt: skip
        accounts = Accounts(Database.postgresql(url))
        for account, *_ in VISITS.values():
            accounts.add(account, PASSWORD, Role.READER)
        ensure_corpus(Assistant(admin).store, admin)
        yield url, port, root
    dispose_all()
    postgres_server.drop_database(name)


@pytest.fixture(scope="module")
def servers(shared: tuple[str, int, Path]) -> Iterator[dict[str, tuple[str, Path]]]:
    """The two chat servers, started as `make chat` does, each with a data folder of its own:
    machine → (URL, data folder)."""
    url, port, root = shared
    with ExitStack() as stack:
        started = {}
        for machine in VISITS:
            data = root / machine
            data.mkdir()
            env = {
                "KH32_ADDRESS": "127.0.0.1",
                "KH32_DATABASE_URL": url,
                "KH32_CHROMA_HOST": "127.0.0.1",
                "KH32_CHROMA_PORT": str(port),
                "KH32_COLLECTION": COLLECTION,
            }
            chat_port = free_port()
            command = [sys.executable, "-m", "ui.serve", str(chat_port)]
            started[machine] = (stack.enter_context(streamlit_server(command, chat_port, data, env)), data)
        yield started


def _sign_in_and_ask(
    browser: playwright.Browser, server: str, account: str, question: str
) -> playwright.Page:
    """Sign in on `server` and send `question` (not waiting for the answer)."""
    page = sign_in(browser, server, account, PASSWORD)
    page.set_default_timeout(90_000)  # the first answer of each server loads its model
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(question)
    box.press("Enter")
    return page


def _answer(page: playwright.Page, quoted: str) -> playwright.Locator:
    """The answer once it has finished, quoting `quoted` with a citation."""
    answer = page.get_by_test_id("stChatMessage").nth(1)
    answer.get_by_text("Đã tra cứu").wait_for()
    idle(page)
    assert quoted in answer.inner_text() and "[1]" in answer.inner_text()
    return answer


def test_sign_in_conversation_feedback_and_audit_of_two_servers_are_all_in_the_database(
    servers: dict[str, tuple[str, Path]], shared: tuple[str, int, Path]
) -> None:
    url, _, root = shared
    with chromium() as browser:
        pages = {
            machine: _sign_in_and_ask(browser, servers[machine][0], account, question)
            for machine, (account, question, _, _) in VISITS.items()
        }  # both asked before either answer is awaited: the two servers work at once
        conversations = {}
        for machine, page in pages.items():
            _, _, quoted, rating = VISITS[machine]
            answer = _answer(page, quoted)
            answer.get_by_role("radio", name=rating).click()
            answer.get_by_label("Góp ý thêm (không bắt buộc)").wait_for()  # the rating was saved
            idle(page)
            conversations[machine] = parse_qs(urlparse(page.url).query)["c"][0]
            screenshot(page, SHOTS, machine)

    # A third client, with a data folder of its own: everything comes from the one database.
    settings = Settings(data_dir=root / "kiem-tra", database_url=url)
    signed_in = [(r["actor"], r["action"]) for r in audit_log(settings).rows() if r["action"] == "sign_in"]
    assert sorted(signed_in) == [("can-bo-a", "sign_in"), ("can-bo-b", "sign_in")]
    store = ConversationStore.of(settings)
    feedback = {row["user"]: row for row in FeedbackStore.of(settings).rows(EVALUATOR)}
    assert sorted(feedback) == ["can-bo-a", "can-bo-b"]
    for machine, (account, question, quoted, rating) in VISITS.items():
        conversation = conversations[machine]
        assert store.owner(conversation) == account
        messages = store.load(User(account, Role.READER), conversation) or []
        assert [m["role"] for m in messages] == ["user", "assistant"]
        assert messages[0]["content"] == question and quoted in messages[1]["content"]
        row = feedback[account]
        assert (row["conversation"], row["question"]) == (conversation, question)
        assert row["rating"] == (1 if rating == "Thumbs up" else 0) and row["citations"]
    # Nothing of the records, and no vector store, on either machine's own disk.
    for machine in VISITS:
        kept = {p.name for p in servers[machine][1].iterdir()}
        assert not kept & RECORD_FILES and "chroma" not in kept, (machine, sorted(kept))
