"""Documents page (admins): what the shared store holds, upload new files (with progress), replace a
document by a new version after a preview, remove a document, and the audit trail with restore."""

from __future__ import annotations

import math
import time

import streamlit as st

from assistant import AssistantError
from assistant.access.roles import Permission, User
from assistant.records.audit import ACTIONS
from ingest.documents import audit_csv, audit_rows, remove_document, restore_document
from ingest.identity import ReplaceNeeded
from ingest.pipeline import progress_note
from ingest.uploads import ingest_uploads
from ui import common

STATUS = {
    "added": "Đã nạp",
    "updated": "Đã thay thế",
    "unchanged": "Không đổi (đã có trong kho)",
    "duplicate": "Bỏ qua (trùng nội dung)",
}
RECHUNKED = "Đã dựng lại các đoạn (cùng văn bản, theo phiên bản mới của bộ cắt đoạn)"


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


def _ingest(user: User, files: list[tuple[str, bytes]], replace: set[str]) -> None:
    """Ingest the files (with a progress bar); a file that would replace a document waits for confirmation."""
    shared = common.assistant()
    bar = st.progress(0.0, text="Đang đọc tệp…")
    started = time.monotonic()

    def update(done: int, total: int) -> None:
        # The first call comes before any embedding: a large upload shows how long it may take.
        note = progress_note(done, total, time.monotonic() - started)
        bar.progress(min(done / max(total, 1), 1.0), text=f"Đang nạp… {note}")

    try:
        results = ingest_uploads(user, shared.store, shared.settings, files, update, replace=replace)
    except ReplaceNeeded as needed:
        bar.empty()
        st.session_state["pending_replace"] = (files, needed.previews)
        return
    except AssistantError as exc:
        bar.empty()
        st.error(common.text_md(exc.message))  # it may name a file or a document's title
        return
    bar.progress(1.0, text="Xong.")
    for r in results:
        extra = f" (trùng với '{r.duplicate_of}')" if r.duplicate_of else ""
        shown = RECHUNKED if r.rechunked else STATUS[r.status]
        st.success(common.text_md(f"{shown}: {r.title} — mã '{r.doc_id}', {r.chunks} đoạn{extra}."))


# Streamlit's file uploader (1.67) has no option for its own texts: its English ones are replaced here, by
# CSS: the button ("Upload"), the limit under it ("20MB per file", said in the label instead), the drop
# hint while a file is dragged over ("Drag and drop files here") and a refused file's tooltip ("File must be
# 20.0MB or smaller.": the browser refuses files over the limit, max_upload_size below).
UPLOADER_CSS = """<style>
.st-key-uploads [data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"] { display: none; }
.st-key-uploads [data-testid="stBaseButton-secondary"] [data-has-shortcut]::after { content: "Chọn tệp"; }
.st-key-uploads [data-testid="stFileUploaderDropzoneInstructions"] span { display: none; }
.st-key-uploads [data-testid="stFileUploaderDropzoneInstructions"] > div::after {
  content: "hoặc kéo thả tệp vào đây";
}
.st-key-uploads [data-testid="stFileUploaderDropzone"] > input + div > span { font-size: 0; }
.st-key-uploads [data-testid="stFileUploaderDropzone"] > input + div > span::after {
  content: "Thả tệp vào đây"; font-size: 1rem;
}
[data-testid="stTooltipErrorContent"] { font-size: 0; }
[data-testid="stTooltipErrorContent"]::after {
  content: "Không tải lên được tệp này (tối đa %d MB mỗi tệp)."; font-size: 0.875rem;
}
</style>"""


def upload_form(user: User) -> None:
    shared = common.assistant()
    limit_mb = max(1, math.ceil(shared.settings.max_file_bytes / (1024 * 1024)))
    st.subheader("Nạp tài liệu")
    st.html(UPLOADER_CSS % limit_mb)
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
    if submitted and files:
        st.session_state.pop("pending_replace", None)
        _ingest(user, [(f.name, f.getvalue()) for f in files], set())
    replace_confirmation(user)


def replace_confirmation(user: User) -> None:
    """Files that would replace stored documents: what changes, then an explicit choice."""
    pending = st.session_state.get("pending_replace")
    if not pending:
        return
    files, previews = pending
    with st.container(border=True, key="replace-preview"):
        st.warning(
            "Tệp mới không tự thay thế tài liệu đã có. Các tệp sau trùng mã với tài liệu trong kho nhưng nội "
            "dung khác; xem thay đổi rồi chọn thay thế (bản cũ được lưu giữ để khôi phục) hoặc hủy."
        )
        for p in previews:
            st.markdown(common.text_md(f"Thay thế '{p.doc_id}' bằng tệp '{p.file_name}':"))
            st.markdown("\n".join(f"- {common.text_md(line)}" for line in p.summary()))
        left, right = st.columns(2)
        if left.button(
            "Thay thế bằng phiên bản mới", type="primary", icon=":material/published_with_changes:"
        ):
            st.session_state.pop("pending_replace", None)
            _ingest(user, files, {p.doc_id for p in previews})
            return
        if right.button("Hủy", icon=":material/close:"):
            st.session_state.pop("pending_replace", None)
            st.rerun()


def remove_one(user: User, doc_id: str) -> None:
    """Delete a document from the shared store (button callback); the outcome is shown on the next run."""
    shared = common.assistant()
    try:
        removed = remove_document(user, shared.store, shared.settings, doc_id)
    except AssistantError as exc:
        st.session_state["remove_result"] = ("error", exc.message)
        return
    st.session_state["remove_result"] = (
        "success",
        f"Đã xóa tài liệu '{doc_id}' ({removed} đoạn). Bản lưu giữ có thể khôi phục ở Nhật ký thao tác.",
    )
    st.session_state["remove_ok"] = False


def remove_form(user: User) -> None:
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
        on_click=remove_one,
        args=(user, doc_id),
    )


def restore_one(user: User, entry: int) -> None:
    shared = common.assistant()
    try:
        doc_id, chunks = restore_document(user, shared.store, shared.settings, entry)
    except AssistantError as exc:
        st.session_state["remove_result"] = ("error", exc.message)
        return
    st.session_state["remove_result"] = ("success", f"Đã khôi phục tài liệu '{doc_id}' ({chunks} đoạn).")


def audit_section(user: User) -> None:
    """The append-only audit trail, its CSV, and restoring a removed or replaced document."""
    settings = common.assistant().settings
    rows = audit_rows(user, settings)
    st.subheader("Nhật ký thao tác")
    if not rows:
        st.caption("Chưa có thao tác nào được ghi.")
        return
    st.dataframe(
        [
            {
                "Mục": r["id"],
                "Thời gian": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(r["at"])),
                "Người thực hiện": r["actor"],
                "Thao tác": ACTIONS.get(r["action"], r["action"]),
                "Tài liệu": r["doc_id"],
                "Tệp": r["file_name"],
                "Số đoạn": r["chunks"],
                "Băm nội dung": r["content_hash"][:16],
                "Chi tiết": r["detail"],
            }
            for r in rows
        ],
        hide_index=True,
        width="stretch",
        key="audit_table",
    )
    st.download_button(
        "Tải nhật ký (.csv)",
        audit_csv(user, settings).encode("utf-8-sig"),
        file_name="nhat-ky-thao-tac.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
    )
    stored = {d.doc_id: d.doc_hash for d in common.assistant().store.documents()}
    restorable = {  # a removal whose document is back, as it was, has nothing left to restore
        r["id"]: r
        for r in rows
        if r["expires"] and not (r["action"] == "remove" and stored.get(r["doc_id"]) == r["content_hash"])
    }
    if restorable:
        entry = st.selectbox(
            f"Khôi phục bản lưu giữ (trong {settings.retain_days} ngày)",
            list(restorable),
            format_func=lambda i: (
                f"Mục {i}: {ACTIONS[restorable[i]['action']]} '{restorable[i]['doc_id']}' "
                f"({restorable[i]['chunks']} đoạn)"
            ),
            key="restore_entry",
        )
        st.button(
            "Khôi phục tài liệu", icon=":material/restore_page:", on_click=restore_one, args=(user, entry)
        )


def main() -> None:
    user = common.require_page(Permission.MANAGE_DOCUMENTS)
    st.title("Tài liệu")
    st.caption("Kho tài liệu dùng chung cho mọi người dùng; mỗi phiên trò chuyện là riêng.")
    if result := st.session_state.pop("remove_result", None):
        (st.error if result[0] == "error" else st.success)(common.text_md(result[1]))
    upload_form(user)
    document_table()
    remove_form(user)
    audit_section(user)


main()
