"""Feedback page: every rating and comment with its question, answer and citations; CSV for evaluators."""

from __future__ import annotations

import streamlit as st

from assistant.access.roles import Permission
from ui import common


def main() -> None:
    user = common.require_page(Permission.READ_FEEDBACK)
    st.title("Góp ý")
    st.caption(
        "Đánh giá :material/thumb_up:/:material/thumb_down: và góp ý của người dùng cho từng câu trả lời, "
        "kèm câu hỏi và trích dẫn."
    )
    store = common.feedback_store()
    rows = store.rows(user)
    if not rows:
        st.info("Chưa có góp ý nào. Hãy đánh giá câu trả lời ở trang Trò chuyện.")
        return
    up = sum(1 for r in rows if r["rating"] == 1)
    down = sum(1 for r in rows if r["rating"] == 0)
    st.markdown(
        f"**{len(rows)}** câu trả lời được đánh giá: :material/thumb_up: {up} hữu ích · "
        f":material/thumb_down: {down} chưa đạt"
    )
    st.dataframe(
        [
            {
                "Đánh giá": {1: "👍 Hữu ích", 0: "👎 Chưa đạt"}.get(r["rating"], ""),
                "Người dùng": r["user"],
                "Câu hỏi": r["question"],
                "Góp ý": r["comment"],
                "Nguồn": "; ".join(c["label"] for c in r["citations"]),
            }
            for r in rows
        ],
        hide_index=True,
        width="stretch",
    )
    st.download_button(
        "Tải góp ý (.csv)",
        store.to_csv(user).encode("utf-8-sig"),  # with BOM, so Excel reads Vietnamese correctly
        file_name="gop-y.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
    )


main()
