"""Documents page: what the shared store holds, upload new files (with progress), remove a document."""

from __future__ import annotations

import math

import streamlit as st

from assistant import AssistantError
from assistant.uploads import ingest_uploads
from ui import common

STATUS = {
    "added": "Đã nạp",
    "updated": "Đã cập nhật",
    "unchanged": "Không đổi (đã có trong kho)",
    "duplicate": "Bỏ qua (trùng nội dung)",
}


def document_table() -> None:
    shared = common.assistant()
    documents = shared.store.documents()
    st.subheader(f"Trong kho: {len(documents)} tài liệu")
    st.dataframe(
        [
            {"Mã": d.doc_id, "Tên trích dẫn": d.short, "Tiêu đề": d.title, "Số đoạn": d.chunks}
            for d in documents
        ],
        hide_index=True,
        width="stretch",
    )


def upload_form() -> None:
    from assistant.text import duration
    from ingest.pipeline import embedding_seconds

    shared = common.assistant()
    limit_mb = max(1, math.ceil(shared.settings.max_file_bytes / (1024 * 1024)))
    st.subheader("Nạp tài liệu")
    with st.form("upload", clear_on_submit=True):
        files = st.file_uploader(
            f"Tệp .txt, .md, .html, .docx, .pdf (tối đa {limit_mb} MB mỗi tệp)",
            accept_multiple_files=True,
            key="uploads",
            max_upload_size=limit_mb,  # the browser refuses bigger files; the server checks the exact limit
        )
        submitted = st.form_submit_button("Nạp vào kho", icon=":material/upload_file:", type="primary")
    if submitted and not files:
        st.warning("Hãy chọn ít nhất một tệp.")
    if not (submitted and files):
        return
    bar = st.progress(0.0, text="Đang đọc tệp…")

    def update(done: int, total: int) -> None:
        # The first call comes before any embedding: a large upload shows how long it may take.
        left = f", còn tối đa khoảng {duration(embedding_seconds(total - done))}" if done < total else ""
        bar.progress(min(done / max(total, 1), 1.0), text=f"Đang nạp… {done}/{total} đoạn{left}")

    try:
        results = ingest_uploads(
            shared.store, shared.settings, [(f.name, f.getvalue()) for f in files], update
        )
    except AssistantError as exc:
        bar.empty()
        st.error(exc.message)
        return
    bar.progress(1.0, text="Xong.")
    for r in results:
        extra = f" (trùng với '{r.duplicate_of}')" if r.duplicate_of else ""
        st.success(f"{STATUS[r.status]}: {r.title} — mã '{r.doc_id}', {r.chunks} đoạn{extra}.")


def remove_document(doc_id: str) -> None:
    """Delete a document from the shared store (button callback); the outcome is shown on the next run."""
    from ingest.pipeline import remove

    try:
        removed = remove(common.assistant().store, doc_id)
    except AssistantError as exc:
        st.session_state["remove_result"] = ("error", exc.message)
        return
    st.session_state["remove_result"] = ("success", f"Đã xóa tài liệu '{doc_id}' ({removed} đoạn).")
    st.session_state["remove_ok"] = False


def remove_form() -> None:
    documents = {d.doc_id: d for d in common.assistant().store.documents()}
    if not documents:
        return
    st.subheader("Xóa tài liệu")
    doc_id = st.selectbox(
        "Tài liệu", list(documents), format_func=lambda d: f"{d} — {documents[d].title}", key="remove_doc"
    )
    confirm = st.checkbox("Tôi hiểu tài liệu sẽ bị xóa khỏi kho chung của mọi người dùng.", key="remove_ok")
    st.button(
        "Xóa tài liệu",
        icon=":material/delete:",
        disabled=not confirm,
        on_click=remove_document,
        args=(doc_id,),
    )


def main() -> None:
    st.title("Tài liệu")
    st.caption("Kho tài liệu dùng chung cho mọi người dùng; mỗi phiên trò chuyện là riêng.")
    if result := st.session_state.pop("remove_result", None):
        (st.error if result[0] == "error" else st.success)(result[1])
    upload_form()
    document_table()
    remove_form()


main()
