"""Streamlit entry (`make chat`): the answer settings in the sidebar, then the chosen page."""

from __future__ import annotations

import streamlit as st

from ui.common import MODE_LABELS, mode_label, open_assistant

st.set_page_config(page_title="Trợ lý Kế hoạch 32", page_icon="📘", layout="centered")

PAGES = [
    st.Page("views/chat.py", title="Trò chuyện", icon=":material/chat:", url_path="tro-chuyen", default=True),
    st.Page("views/clauses.py", title="Điều khoản", icon=":material/menu_book:", url_path="dieu-khoan"),
    st.Page("views/documents.py", title="Tài liệu", icon=":material/folder_open:", url_path="tai-lieu"),
    st.Page("views/trainer.py", title="Công cụ giảng viên", icon=":material/school:", url_path="giang-vien"),
    st.Page("views/feedback.py", title="Góp ý", icon=":material/rate_review:", url_path="gop-y"),
]


def settings_sidebar(modes: list[str], default_k: int) -> None:
    """Answer mode and number of sources; the current mode is always shown."""
    with st.sidebar:
        st.subheader("Cài đặt trả lời")
        if st.session_state.get("mode") not in modes:
            st.session_state["mode"] = modes[0]
        st.selectbox(
            "Chế độ trả lời",
            modes,
            key="mode",
            format_func=mode_label,
            help="Chế độ LLM xuất hiện khi đã cấu hình một mô hình ngôn ngữ (KH32_LLM_BASE_URL).",
        )
        st.session_state.setdefault("k", max(1, min(default_k, 10)))
        st.slider("Số nguồn trích", 1, 10, key="k", help="Số đoạn văn bản tìm được đưa vào câu trả lời.")
        st.caption(f"Đang dùng: **{mode_label(st.session_state['mode'])}**")
        if len(modes) == 1:
            st.caption(f"Chế độ khác: {MODE_LABELS['llm']} (chưa cấu hình).")


def main() -> None:
    page = st.navigation(PAGES)
    shared = open_assistant()
    if shared is None:
        return
    settings_sidebar(shared.modes, shared.settings.top_k)
    page.run()


main()
