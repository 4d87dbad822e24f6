"""Streamlit chat: a thin shell over the assistant API (run with `make chat`)."""

from __future__ import annotations

import streamlit as st

from assistant import Answer, Assistant, AssistantError, get_settings

st.set_page_config(page_title="Trợ lý Kế hoạch 32", page_icon="📘", layout="centered")

EXAMPLES = [
    "Nhiệm vụ thứ tư của kế hoạch là gì?",
    "Kế hoạch 32 có bao nhiêu nhiệm vụ?",
    "Mục đích của Kế hoạch 32-KH/BCSĐ là gì?",
    "Điều 2 Hiến pháp 2013 quy định gì?",
]


@st.cache_resource(show_spinner="Đang mở kho tài liệu…")
def load_assistant() -> Assistant:
    return Assistant(get_settings())


def ingest_bundled_corpus(assistant: Assistant) -> None:
    """First use on an empty store: ingest the bundled corpus, with a progress bar."""
    from ingest.pipeline import ensure_corpus

    bar = st.progress(0.0, text="Đang nạp bộ tài liệu mẫu lần đầu…")

    def update(done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=f"Đang nạp bộ tài liệu mẫu lần đầu… {done}/{total} đoạn")

    ensure_corpus(assistant.store, assistant.settings, update)
    bar.empty()


def show_sources(message: dict) -> None:
    for c in message.get("citations", []):
        with st.expander(f"[{c['n']}] {c['label']}"):
            st.caption(c["title"])
            st.text(c["text"])


def ask(assistant: Assistant, question: str) -> None:
    history = [{"role": m["role"], "content": m["content"]} for m in st.session_state.messages]
    st.session_state.messages.append({"role": "user", "content": question})
    with st.chat_message("user"):
        st.markdown(question)
    with st.chat_message("assistant"):
        try:
            with st.spinner("Đang tìm trong tài liệu…"):
                answer: Answer = assistant.ask(question, history)
        except AssistantError as exc:
            st.error(exc.message)
            st.session_state.messages.pop()
            return
        st.markdown(answer.text)
        if answer.notice:
            st.caption(answer.notice)
        message = {
            "role": "assistant",
            "content": answer.text,
            "citations": [c.to_json() for c in answer.citations],
        }
        show_sources(message)
    st.session_state.messages.append(message)


def main() -> None:
    st.title("Trợ lý Kế hoạch 32")
    st.caption("Hỏi đáp có trích dẫn về Kế hoạch 32-KH/BCSĐ, Nghị quyết 27-NQ/TW và Hiến pháp 2013.")
    try:
        assistant = load_assistant()
        if assistant.settings.auto_ingest and assistant.store.count() == 0:
            ingest_bundled_corpus(assistant)
    except AssistantError as exc:
        st.error(exc.message)
        return
    st.session_state.setdefault("messages", [])
    with st.sidebar:
        st.markdown("**Chế độ trả lời:** trích dẫn nguyên văn (ngoại tuyến)")
        if st.button("Cuộc trò chuyện mới"):
            st.session_state.messages = []
    for message in st.session_state.messages:
        with st.chat_message(message["role"]):
            st.markdown(message["content"])
            show_sources(message)
    question = st.chat_input("Nhập câu hỏi về Kế hoạch 32…") or st.session_state.pop("example", None)
    if question:
        ask(assistant, question)
    elif not st.session_state.messages:
        st.write("Ví dụ câu hỏi:")
        for text in EXAMPLES:
            st.button(text, on_click=st.session_state.update, kwargs={"example": text})


main()
