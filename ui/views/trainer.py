"""Trainer tools: a quiz built from chosen clauses, handouts (Markdown, Word) of the quiz, and a trainee's
answer checked against the documents."""

from __future__ import annotations

import streamlit as st

from assistant import AnswerCheck, AssistantError, Chunk, LLMError
from assistant.access.roles import Permission
from assistant.classroom.generated import multiple_choice
from assistant.classroom.handout import quiz_blocks
from assistant.classroom.items import INSTRUCTIONS, KINDS, QuizQuestion
from assistant.classroom.quiz import store_quiz
from ui import common


def clause_options(chunks: list[Chunk]) -> dict[str, Chunk]:
    """'doc_id::clause_key' → the clause's first chunk, in reading order."""
    options: dict[str, Chunk] = {}
    for c in chunks:
        options.setdefault(f"{c.doc_id}::{c.clause_key}", c)
    return options


def show_quiz(questions: list[QuizQuestion], title: str) -> None:
    st.subheader(common.text_md(title))
    for i, q in enumerate(questions, 1):
        with st.container(border=True):
            st.markdown(f"**Câu {i}** · _{q.instruction}_ · {common.text_md(q.citation)}")
            st.markdown(common.text_md(q.stem))
            for letter, option in zip("ABCD", q.choices, strict=False):
                st.markdown(common.text_md(f"{letter}. {option}"))
            with st.expander("Đáp án"):
                st.markdown(f"**{common.text_md(q.answer)}** — {common.text_md(q.citation)}")
                st.caption(common.text_md(q.explanation or q.source))
    st.caption("Phiếu câu hỏi và đáp án tải riêng, để giảng viên giữ đáp án.")
    common.handout_downloads(quiz_blocks(questions, title, "questions"), "de-kiem-tra", "đề", columns=True)
    common.handout_downloads(quiz_blocks(questions, title, "key"), "dap-an", "đáp án", columns=True)


def show_check(check: AnswerCheck) -> None:
    """The outcome, then the assistant's answer (the deciding quote) and its citations."""
    {"match": st.success, "mismatch": st.error}.get(check.outcome, st.info)(common.text_md(check.message))
    with st.container(border=True):
        st.markdown(common.text_md(check.answer.text))
        for c in check.answer.citations:
            st.caption(common.text_md(f"[{c.n}] {c.label}"))


def answer_check() -> None:
    """A question and a trainee's answer in, whether the answer matches the documents' verdict out."""
    st.subheader("Kiểm tra câu trả lời của học viên")
    st.caption(
        "Dán một khẳng định đúng/sai, hoặc một câu trắc nghiệm kèm các phương án (mỗi phương án một dòng "
        '"A. …"), và câu trả lời của học viên (Đúng/Sai hoặc chữ cái). Trợ lý đối chiếu với văn bản và trích '
        "câu quyết định."
    )
    question = st.text_area("Câu hỏi", key="check_question", height=160)
    given = st.text_input("Câu trả lời của học viên", key="check_given", placeholder="Đúng, Sai, A, B…")
    if st.button("Kiểm tra", icon=":material/fact_check:", disabled=not (question.strip() and given.strip())):
        try:
            st.session_state["answer_check"] = (
                question,
                given,
                common.assistant().check_answer(question, given),
            )
        except AssistantError as exc:
            st.session_state.pop("answer_check", None)
            st.error(exc.message)
    checked = st.session_state.get("answer_check")
    if checked and checked[:2] == (question, given):  # a result is shown only beside what it checked
        show_check(checked[2])


def quiz() -> None:
    """A quiz from the chosen clauses, with its answers and handouts."""
    chunks = common.assistant().store.chunks()
    options = clause_options(chunks)
    added = [k for k in st.session_state.pop("quiz_clauses", []) if k in options]
    if added:
        st.session_state["quiz_pick"] = list(dict.fromkeys([*st.session_state.get("quiz_pick", []), *added]))
    picked = st.multiselect(
        "Điều khoản",
        list(options),
        key="quiz_pick",
        format_func=lambda k: options[k].citation,
        placeholder="Chọn một hoặc nhiều điều khoản",
    )
    count = st.number_input("Số câu hỏi", min_value=1, max_value=50, value=5, key="quiz_count")
    seed = st.number_input(
        "Mã đề (cùng mã cho cùng đề)", min_value=0, max_value=9999, value=1, key="quiz_seed"
    )
    kinds = st.multiselect(
        "Loại câu hỏi (chia đều)",
        list(KINDS),
        default=list(KINDS),
        key="quiz_kinds",
        format_func=INSTRUCTIONS.get,
    )
    generative = common.assistant().answerers.get("llm")
    choice = generative is not None and st.toggle(
        "Trắc nghiệm 4 phương án do mô hình ngôn ngữ viết", key="quiz_llm"
    )
    if st.button("Tạo đề", icon=":material/quiz:", type="primary", disabled=not (picked and kinds)):
        chosen = [c for c in chunks if f"{c.doc_id}::{c.clause_key}" in set(picked)]
        store = common.assistant().store
        try:
            if choice:
                try:
                    questions = multiple_choice(chosen, generative.model, int(count))
                except LLMError as exc:
                    st.warning(exc.message)
                    questions = store_quiz(store, chosen, int(count), int(seed), kinds)
            else:
                questions = store_quiz(store, chosen, int(count), int(seed), kinds)
        except AssistantError as exc:
            st.error(exc.message)
            return
        title = "Đề kiểm tra: " + "; ".join(options[k].citation for k in picked)
        st.session_state["quiz"] = (title, questions)
        if len(questions) < count:
            st.warning(f"Các điều khoản đã chọn chỉ đủ cho {len(questions)} câu hỏi.")
    if "quiz" in st.session_state:
        title, questions = st.session_state["quiz"]
        show_quiz(questions, title)


def main() -> None:
    common.require_page(Permission.TRAINER_TOOLS)
    st.title("Công cụ giảng viên")
    st.caption(
        "Ra đề kiểm tra ngoại tuyến từ các điều khoản đã chọn: điền chỗ trống, đúng/sai (câu sai được đối "
        "chiếu với văn bản), trắc nghiệm 4 phương án, kèm đáp án và trích dẫn; kiểm tra câu trả lời của học "
        "viên. Cuộc trò chuyện được xuất ở trang Trò chuyện."
    )
    quiz()
    st.divider()
    answer_check()


main()
