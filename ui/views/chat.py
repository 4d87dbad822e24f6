"""Chat page: streamed answers with source cards, feedback, follow-ups; kept across reloads."""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Iterator
from typing import Any

import streamlit as st

from assistant import Answer, AssistantError
from assistant.access.roles import Permission
from assistant.classroom.handout import conversation_blocks
from ui import common

EXAMPLES = [
    "Nhiệm vụ thứ tư của kế hoạch là gì?",
    "Kế hoạch 32 có bao nhiêu nhiệm vụ?",
    "Mục đích của Kế hoạch 32-KH/BCSĐ là gì?",
    "Điều 2 Hiến pháp 2013 quy định gì?",
]


def messages() -> list[dict[str, Any]]:
    """This session's conversation; restored from the store when the address names one the user may open
    (their own, or anyone's for an admin). An id the server did not issue to this user opens nothing."""
    if "messages" not in st.session_state:
        st.session_state.messages = []
        st.session_state.conversation = None
        if conversation := st.query_params.get("c"):
            user = common.user()
            store = common.conversation_store()
            loaded = store.load(user, conversation)
            if loaded is None:
                st.query_params.pop("c", None)
                st.warning(
                    "Không mở được cuộc trò chuyện trong địa chỉ (không có, hoặc không phải của bạn); "
                    "đây là một cuộc trò chuyện mới."
                )
            else:
                st.session_state.messages = loaded
                st.session_state.conversation = conversation
                # an admin reading someone else's conversation continues in a new one of their own
                st.session_state.conversation_owned = store.owner(conversation) == user.name
    elif st.session_state.get("conversation") and st.query_params.get("c") != st.session_state.conversation:
        st.query_params["c"] = st.session_state.conversation  # back from another page: keep it reloadable
    return st.session_state.messages


def save() -> None:
    """Persist the conversation and put its id in the address, so a reload brings it back."""
    store = common.conversation_store()
    user = common.user()
    if not st.session_state.get("conversation") or not st.session_state.get("conversation_owned", True):
        st.session_state.conversation = store.create(user)  # the server issues the id
        st.session_state.conversation_owned = True
    store.save(user, st.session_state.conversation, st.session_state.messages)
    st.query_params["c"] = st.session_state.conversation


def new_conversation() -> None:
    st.session_state.messages = []
    st.session_state.conversation = None
    st.session_state.conversation_owned = True
    st.query_params.pop("c", None)


def show_sources(message: dict[str, Any]) -> None:
    """A card per [n]: document title, clause label, cited text with the quoted sentences highlighted."""
    for c in message.get("citations", []):
        with st.expander(common.text_md(f"[{c['n']}] {c['label']}")):
            st.caption(common.text_md(c["title"]))
            st.markdown(common.highlighted_md(c["text"], c.get("quotes") or []))
            for sentence in c.get("set_aside") or []:  # planted instructions: shown, never used
                why = "lời yêu cầu gửi trợ lý, không dùng làm căn cứ"
                st.caption(f"⛔ Câu bị gạt ra ({why}): {common.text_md(sentence)}")
            if st.button(
                "Mở trong mục Điều khoản", key=f"open-{message['id']}-{c['n']}", icon=":material/open_in_new:"
            ):
                common.browse_clause(c)


def save_feedback(message: dict[str, Any], comment: str | None = None) -> None:
    """Store the rating (and comment) of an answer with its question and citations."""
    rating = st.session_state.get(f"rate-{message['id']}")
    message["rating"] = rating
    if comment is not None:
        message["comment"] = comment
    try:  # a callback: its errors would not reach the page's handler
        common.feedback_store().record(
            common.user(),
            st.session_state.conversation,
            message["id"],
            message.get("question", ""),
            message["content"],
            message.get("citations", []),
            rating=rating,
            comment=comment,
        )
        save()
    except AssistantError as exc:
        st.error(exc.message)


def show_feedback(message: dict[str, Any]) -> None:
    """👍/👎 on an answer, then an optional comment."""
    st.feedback(
        "thumbs",
        key=f"rate-{message['id']}",
        default=message.get("rating"),
        on_change=save_feedback,
        args=(message,),
    )
    if message.get("rating") is None:
        return
    if message.get("comment"):
        st.caption(f"Góp ý của bạn: {common.text_md(message['comment'])}")
        return
    with st.form(key=f"comment-{message['id']}", border=False):
        comment = st.text_input("Góp ý thêm (không bắt buộc)", placeholder="Câu trả lời đúng/sai ở đâu?")
        if st.form_submit_button("Gửi góp ý") and comment.strip():
            save_feedback(message, comment.strip())
            st.rerun()


def show_message(message: dict[str, Any]) -> None:
    with st.chat_message(message["role"]):
        st.markdown(common.answer_md(message["content"], message.get("flags") or []))
        if message["role"] != "assistant":
            return
        show_notices(message)
        show_sources(message)
        show_feedback(message)


def show_notices(message: dict[str, Any]) -> None:
    """The answer's notice (e.g. an LLM fallback) and each sentence a citation check flagged."""
    if message.get("notice"):
        st.caption(common.text_md(message["notice"]))
    for flag in message.get("flags", []):
        why = f" ({common.text_md(flag['detail'])})" if flag.get("detail") else ""
        st.caption(f"⚠ Chưa kiểm chứng được với tài liệu: {common.text_md(flag['sentence'])}{why}")
    for reading in message.get("readings", []):
        st.caption(
            f"✓ Diễn đạt khác tài liệu, mô hình đối chiếu lại và dẫn đúng nguyên văn "
            f"«{common.text_md(reading['quote'])}»: {common.text_md(reading['sentence'])}"
        )


def ask(question: str) -> None:
    """Show the question, stream the answer under a status line, then its sources and rating."""
    shared = common.assistant()
    history = [{"role": m["role"], "content": m["content"]} for m in messages()]
    show_message({"role": "user", "content": question})
    box = st.chat_message("assistant")
    with box:
        status = st.status("Đang tìm trong tài liệu…", expanded=False)
        started = time.perf_counter()
        final: list[Answer] = []

        def pieces(parts: Iterator[str | Answer]) -> Iterator[str]:
            for part in parts:
                if isinstance(part, Answer):
                    final.append(part)
                else:
                    yield part

        try:
            parts = shared.stream(question, history, k=common.source_count(), mode=common.answer_mode())
            first = next(parts)  # retrieval happens before the first piece
            status.update(label="Đang trả lời…")
            slot = st.empty()
            with slot:
                st.write_stream(common.streamed_md(pieces(itertools.chain((first,), parts))))
        except AssistantError as exc:
            status.update(label="Không trả lời được", state="error")
            st.error(exc.message)
            return
        answer = final[-1]
        slot.markdown(common.answer_md(answer.text, answer.flags))  # the final text is the one to keep
        seconds = f"{time.perf_counter() - started:.1f}".replace(".", ",")
        status.update(label=f"Đã tra cứu {len(answer.citations)} nguồn · {seconds} giây", state="complete")
    message = {
        "id": uuid.uuid4().hex[:12],
        "role": "assistant",
        "content": answer.text,
        "question": question,
        "mode": answer.mode,
        "refused": answer.refused,
        "notice": answer.notice,
        "flags": answer.flags,
        "readings": answer.readings,
        "citations": [c.to_json() for c in answer.citations],
    }
    messages().extend([{"role": "user", "content": question}, message])
    save()
    with box:
        show_notices(message)
        show_sources(message)
        show_feedback(message)


def export_buttons() -> None:
    """Download the conversation as a Markdown or Word handout, citations included."""
    common.handout_downloads(conversation_blocks(messages()), "cuoc-tro-chuyen", "cuộc trò chuyện")


def main() -> None:
    common.require_page(Permission.ASK)
    st.title("Trợ lý Kế hoạch 32")
    st.caption(
        "Hỏi đáp có trích dẫn về Kế hoạch 32-KH/BCSĐ, Nghị quyết 27-NQ/TW và Hiến pháp 2013. "
        f"Chế độ: {common.mode_label(common.answer_mode() or '')}."
    )
    history = messages()
    st.sidebar.button("Cuộc trò chuyện mới", on_click=new_conversation, icon=":material/add_comment:")
    for message in history:
        show_message(message)
    question = st.chat_input("Nhập câu hỏi về Kế hoạch 32…") or st.session_state.pop("pending_question", None)
    if question:
        ask(question)
    elif not history:
        st.write("Ví dụ câu hỏi:")
        for text in EXAMPLES:
            st.button(text, on_click=st.session_state.update, kwargs={"pending_question": text})
    if history:
        with st.sidebar:
            export_buttons()


main()
