"""What every page shares: the cached assistant and stores, the answer settings, and safe text rendering."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import streamlit as st

from assistant import Assistant, AssistantError, Chunk, get_settings
from assistant.conversations import ConversationStore
from assistant.feedback import FeedbackStore
from assistant.markup import escape_markdown, split_quotes

MODE_LABELS = {
    "extractive": "Trích dẫn nguyên văn (ngoại tuyến)",
    "llm": "Mô hình ngôn ngữ (LLM) có trích dẫn",
}
CHAT_PAGE = "views/chat.py"
CLAUSES_PAGE = "views/clauses.py"


@st.cache_resource(show_spinner="Đang mở kho tài liệu…")
def _assistant(data_dir: str) -> Assistant:
    shared = Assistant(get_settings())
    shared.store.on_wait = st.info  # a write waiting for another process's says so on the page
    return shared


@st.cache_resource
def _feedback(path: str) -> FeedbackStore:
    return FeedbackStore(Path(path))


@st.cache_resource
def _conversations(path: str) -> ConversationStore:
    return ConversationStore(Path(path))


def assistant() -> Assistant:
    """The shared assistant over the shared store (one per data folder, for every browser session)."""
    return _assistant(str(get_settings().data_dir))


def feedback_store() -> FeedbackStore:
    return _feedback(str(get_settings().data_dir / "feedback.sqlite"))


def conversation_store() -> ConversationStore:
    return _conversations(str(get_settings().data_dir / "conversations.sqlite"))


def open_assistant() -> Assistant | None:
    """The assistant, with the bundled corpus ingested into an empty store; None (error shown) on failure."""
    try:
        from ingest.pipeline import start_up_needed

        shared = assistant()
        if start_up_needed(shared.store, shared.settings):
            _ingest_bundled_corpus(shared)
        return shared
    except AssistantError as exc:
        st.error(exc.message)
        return None


def _ingest_bundled_corpus(shared: Assistant) -> None:
    from ingest.pipeline import ensure_corpus

    bar = st.progress(0.0, text="Đang nạp bộ tài liệu mẫu lần đầu…")

    def update(done: int, total: int) -> None:
        bar.progress(
            min(done / max(total, 1), 1.0), text=f"Đang nạp bộ tài liệu mẫu lần đầu… {done}/{total} đoạn"
        )

    ensure_corpus(shared.store, shared.settings, update)
    bar.empty()


def mode_label(mode: str) -> str:
    return MODE_LABELS.get(mode, mode)


def answer_mode() -> str | None:
    """The answer mode chosen in the sidebar (None: the assistant's default)."""
    return st.session_state.get("mode")


def source_count() -> int | None:
    """The number of sources chosen in the sidebar (None: the configured default)."""
    return st.session_state.get("k")


def text_md(text: str) -> str:
    """Markdown that shows text literally."""
    return escape_markdown(text)


def highlighted_md(text: str, quotes: Sequence[str]) -> str:
    """Markdown of text, literal, with the quoted sentences on a highlight background."""
    parts = []
    for piece, quoted in split_quotes(text, quotes):
        safe = escape_markdown(piece)
        if quoted:
            # a highlight cannot span paragraphs: highlight each paragraph of the quote
            safe = "\n\n".join(f":orange-background[{p}]" for p in safe.split("\n\n"))
        parts.append(safe)
    return "".join(parts)


def clause_chunks(chunks: Sequence[Chunk], doc_id: str, clause_key: str) -> list[Chunk]:
    """The chunks of one clause, in reading order."""
    return [c for c in chunks if c.doc_id == doc_id and c.clause_key == clause_key]


def clause_question(chunk: Chunk) -> str:
    """A question that asks what a clause says."""
    return f"{chunk.clause_label} của {chunk.doc_short} quy định gì?"


def ask_in_chat(question: str) -> None:
    """Send a question to the chat page, which asks it on arrival."""
    st.session_state["pending_question"] = question
    st.switch_page(CHAT_PAGE)


def browse_clause(citation: dict[str, Any]) -> None:
    """Open the clause browser on a cited chunk, with its quotes highlighted."""
    st.session_state["browse"] = {
        "doc": citation["doc"],
        "chunk_id": citation["chunk_id"],
        "quotes": list(citation.get("quotes") or []),
    }
    st.switch_page(CLAUSES_PAGE)


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def handout_downloads(blocks: Any, stem: str, what: str, columns: bool = False) -> None:
    """Two download buttons for a handout: Markdown and Word (.docx), citations included."""
    from assistant.handout import to_docx, to_markdown

    left, right = st.columns(2) if columns else (st, st)
    for place, label, data, suffix, mime in (
        (left, f"Tải {what} (.md)", to_markdown(blocks), "md", "text/markdown"),
        (right, f"Tải {what} (.docx)", to_docx(blocks), "docx", DOCX),
    ):
        name = f"{stem}.{suffix}"
        place.download_button(
            label, data, file_name=name, mime=mime, on_click="ignore", icon=":material/download:"
        )
