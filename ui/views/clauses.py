"""Clause browser: a document's structure (part, then clause), any clause's full text, ask about it."""

from __future__ import annotations

from itertools import groupby

import streamlit as st

from assistant import Chunk
from assistant.access.roles import Permission
from ui import common


def clauses_of(chunks: list[Chunk], doc_id: str) -> dict[str, list[Chunk]]:
    """clause_key → its chunks, in reading order, for one document."""
    mine = [c for c in chunks if c.doc_id == doc_id]
    return {key: list(group) for key, group in groupby(mine, key=lambda c: c.clause_key)}


def part_of(chunk: Chunk) -> str:
    """The top level of a clause's path (e.g. 'Chương I', 'Nhiệm vụ và giải pháp')."""
    return chunk.clause_path.split(" > ")[0]


def follow_link(chunks: list[Chunk]) -> list[str]:
    """Select the clause a source card asked to open; its quotes are returned for highlighting."""
    browse = st.session_state.pop("browse", None)
    if not browse:
        return st.session_state.get("browse_quotes", [])
    target = next((c for c in chunks if c.id == browse["chunk_id"]), None)
    if target is None:
        st.warning("Đoạn được trích không còn trong kho (tài liệu có thể đã được nạp lại hoặc xóa).")
        return []
    st.session_state["browse_doc"] = target.doc_id
    st.session_state["browse_part"] = part_of(target)
    st.session_state["browse_clause"] = target.clause_key
    st.session_state["browse_quotes"] = browse["quotes"]
    return browse["quotes"]


def main() -> None:
    common.require_page(Permission.ASK)
    st.title("Điều khoản")
    st.caption("Duyệt cấu trúc từng văn bản, đọc toàn văn một điều khoản và hỏi về nó.")
    shared = common.assistant()
    chunks = shared.store.chunks()
    documents = {d.doc_id: d for d in shared.store.documents()}
    if not documents:
        st.info("Kho chưa có tài liệu nào. Hãy nạp tài liệu ở mục Tài liệu.")
        return
    quotes = follow_link(chunks)
    if st.session_state.get("browse_doc") not in documents:
        st.session_state["browse_doc"] = next(
            (d for d in documents if d.startswith("ke-hoach-32")), next(iter(documents))
        )
    doc_id = st.selectbox(
        "Văn bản",
        list(documents),
        key="browse_doc",
        format_func=lambda d: f"{documents[d].short} — {documents[d].title}",
        on_change=lambda: st.session_state.pop("browse_quotes", None),
    )
    clauses = clauses_of(chunks, doc_id)
    parts = list(dict.fromkeys(part_of(group[0]) for group in clauses.values()))
    if st.session_state.get("browse_part") not in parts:
        st.session_state["browse_part"] = parts[0]
    part = st.selectbox("Phần", parts, key="browse_part")
    keys = [k for k, group in clauses.items() if part_of(group[0]) == part]
    if st.session_state.get("browse_clause") not in keys:
        st.session_state["browse_clause"] = keys[0]
    if len(keys) <= 12:  # a radio's options are Markdown (a selectbox's are plain text)
        key = st.radio(
            "Điều khoản",
            keys,
            key="browse_clause",
            format_func=lambda k: common.text_md(clauses[k][0].clause_path),
        )
    else:
        key = st.selectbox(
            "Điều khoản", keys, key="browse_clause", format_func=lambda k: clauses[k][0].clause_path
        )
    show_clause(clauses[key], quotes)


def show_clause(group: list[Chunk], quotes: list[str]) -> None:
    """The clause's full text (literal, quotes highlighted), with one-click actions."""
    first = group[0]
    with st.container(border=True, key="clause-text"):
        st.subheader(common.text_md(first.clause_label))
        st.caption(common.text_md(f"{first.citation} · {first.doc_title}"))
        st.markdown(common.highlighted_md("\n\n".join(c.text for c in group), quotes))
    left, right = st.columns(2)
    if left.button("Hỏi về điều khoản này", icon=":material/forum:", type="primary"):
        common.ask_in_chat(common.clause_question(first))
    if common.user().can(Permission.TRAINER_TOOLS) and right.button(
        "Thêm vào đề kiểm tra", icon=":material/playlist_add:"
    ):
        chosen = st.session_state.setdefault("quiz_clauses", [])
        choice = f"{first.doc_id}::{first.clause_key}"
        if choice not in chosen:
            chosen.append(choice)
        st.toast(common.text_md(f"Đã thêm {first.citation} vào đề kiểm tra."))


main()
