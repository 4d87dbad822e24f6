"""The Streamlit chat (ui/app.py) driven by streamlit's AppTest, on the real assistant and bundled corpus."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from assistant import get_settings

APP = "../ui/app.py"  # relative to this file, as AppTest.from_file resolves it
QUESTION = "Nhiệm vụ thứ tư của kế hoạch là gì?"
LABEL = "KH 32-KH/BCSĐ, Nhiệm vụ thứ tư"
EXAMPLES = [
    "Nhiệm vụ thứ tư của kế hoạch là gì?",
    "Kế hoạch 32 có bao nhiêu nhiệm vụ?",
    "Mục đích của Kế hoạch 32-KH/BCSĐ là gì?",
    "Điều 2 Hiến pháp 2013 quy định gì?",
]


@pytest.fixture(scope="module")
def ui_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One store for the module: the app caches its Assistant with st.cache_resource across runs."""
    st.cache_resource.clear()
    yield tmp_path_factory.mktemp("ui-store")
    st.cache_resource.clear()


@pytest.fixture
def app(ui_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """A first run of the app on the module's store (the bundled corpus is ingested on first load)."""
    monkeypatch.setenv("KH32_DATA_DIR", str(ui_data_dir))
    get_settings.cache_clear()
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _assistant_messages(at: AppTest) -> list:
    return [m for m in at.chat_message if m.name == "assistant"]


def _assert_cited_answer(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    replies = _assistant_messages(at)
    assert len(replies) == 1
    text = "\n".join(md.value for md in replies[0].markdown)
    assert "[1]" in text
    assert "Thứ tư" in text
    labels = [e.label for e in at.expander]
    assert any(LABEL in label and label.startswith("[1]") for label in labels), labels


def test_app_starts_with_title_and_examples(app: AppTest) -> None:
    assert [t.value for t in app.title] == ["Trợ lý Kế hoạch 32"]
    labels = [b.label for b in app.button]
    for example in EXAMPLES:
        assert example in labels
    assert len(app.chat_input) == 1
    assert not app.chat_message  # nothing asked yet


def test_chat_turn_answers_with_citation(app: AppTest) -> None:
    app.chat_input[0].set_value(QUESTION).run()
    _assert_cited_answer(app)
    users = [m for m in app.chat_message if m.name == "user"]
    assert [md.value for md in users[0].markdown] == [QUESTION]
    assert app.session_state["messages"][0] == {"role": "user", "content": QUESTION}
    assert app.session_state["messages"][1]["citations"][0]["label"] == LABEL


def test_example_button_asks_its_question(app: AppTest) -> None:
    button = next(b for b in app.button if b.label == EXAMPLES[0])
    button.click().run()
    _assert_cited_answer(app)
    users = [m for m in app.chat_message if m.name == "user"]
    assert [md.value for md in users[0].markdown] == [EXAMPLES[0]]
