"""Streamlit entry (`make chat`): sign-in when accounts are configured, the answer settings and the signed-in
user in the sidebar, then the pages the user's role allows."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit.runtime.scriptrunner import get_script_run_ctx

from assistant.access.roles import Permission, User
from assistant.core.errors import AssistantError
from ui.common import (
    CHAT_PAGE,
    MODE_LABELS,
    current_user,
    mode_label,
    open_assistant,
    sign_in_page,
    sign_out,
    text_md,
)

st.set_page_config(page_title="Trợ lý Kế hoạch 32", page_icon="📘", layout="centered")

# (permission needed, page): a page a role may not use is not in its menu (hidden), and refuses when its
# address is opened anyway (each page checks the role; the actions behind it check again in `assistant`).
PAGES: list[tuple[Permission, dict[str, Any]]] = [
    (
        Permission.ASK,
        dict(page="views/chat.py", title="Trò chuyện", icon=":material/chat:", url_path="tro-chuyen"),
    ),
    (
        Permission.ASK,
        dict(page="views/clauses.py", title="Điều khoản", icon=":material/menu_book:", url_path="dieu-khoan"),
    ),
    (
        Permission.MANAGE_DOCUMENTS,
        dict(page="views/documents.py", title="Tài liệu", icon=":material/folder_open:", url_path="tai-lieu"),
    ),
    (
        Permission.TRAINER_TOOLS,
        dict(
            page="views/trainer.py",
            title="Công cụ giảng viên",
            icon=":material/school:",
            url_path="giang-vien",
        ),
    ),
    (
        Permission.READ_FEEDBACK,
        dict(page="views/feedback.py", title="Góp ý", icon=":material/rate_review:", url_path="gop-y"),
    ),
]


NOT_FOUND_TITLE = "Không tìm thấy trang"


def navigation(user: User | None) -> Any:
    """Every page is routed at its own address (`/tro-chuyen`, `/dieu-khoan`, …); those the user may not
    use are hidden from the menu (before sign-in, all are). The app's root address is a hidden page that
    opens the chat at its own address, and any other address gets a hidden page of its own that says, in
    Vietnamese, that no page has it: Streamlit would otherwise open its English "Page not found" dialog."""
    pages = [
        st.Page(**spec, visibility="visible" if user is not None and user.can(permission) else "hidden")
        for permission, spec in PAGES
    ]
    pages.append(st.Page(open_chat, title="Trò chuyện", url_path="", default=True, visibility="hidden"))
    asked = requested_path()
    if asked and asked not in {spec["url_path"] for _, spec in PAGES}:
        with suppress(StreamlitAPIException):  # a name no page can have ("a/b"): Streamlit's dialog it is
            pages.append(st.Page(not_found, title=NOT_FOUND_TITLE, url_path=asked, visibility="hidden"))
    return st.navigation(pages, position="sidebar" if user is not None else "hidden")


def requested_path() -> str:
    """The page name the browser's address asks for (its path after the app's own), as Streamlit matches
    it against the pages' url paths; "" at the root. (Streamlit keeps it in the script run's page manager
    only: no public API gives it before st.navigation has resolved the page.) The session's later runs (a
    widget's, the sign-in's) name their page by its hash alone: for them, the name first asked is kept."""
    manager = getattr(get_script_run_ctx(), "pages_manager", None)
    asked = str(getattr(manager, "intended_page_name", None) or "")
    if asked:
        st.session_state["asked_path"] = asked
    elif getattr(manager, "intended_page_script_hash", None):
        asked = st.session_state.get("asked_path", "")
    return asked


def open_chat() -> None:
    """The root address: the chat at its own address (a conversation named in the address goes along)."""
    st.switch_page(CHAT_PAGE, query_params=st.query_params.to_dict())


def not_found() -> None:
    """An address no page has."""
    st.title(NOT_FOUND_TITLE)
    st.write(f"Không có trang nào ở địa chỉ /{text_md(requested_path())}.")
    st.page_link(CHAT_PAGE, label="Về trang Trò chuyện", icon=":material/chat:")


READ_ONLY_NOTICE = (
    "**Chế độ chỉ đọc.** Máy chủ đang phục vụ trên mạng mà chưa cấu hình tài khoản, nên không nạp, xóa "
    "tài liệu hay tải góp ý được. Quản trị viên: tạo tài khoản (`python -m assistant users add`) hoặc "
    "cấu hình đăng nhập của cơ quan — xem README, mục Triển khai cho cơ quan."
)


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


def account_sidebar(user: User) -> None:
    """Who is signed in, with what role; sign-out; the read-only notice."""
    with st.sidebar:
        if user.read_only:
            st.warning(READ_ONLY_NOTICE, icon=":material/lock:")
        elif user.name != "local":
            st.caption(f"Đăng nhập: **{user.label}**")
            st.button("Đăng xuất", on_click=sign_out, icon=":material/logout:", key="sign_out")


def main() -> None:
    """The app; a failure a person can act on (the records' database is down, say) is a message on the
    page, never a traceback."""
    try:
        _main()
    except AssistantError as exc:
        st.error(exc.message)


def _main() -> None:
    user = current_user()
    page = navigation(user)
    if user is None:
        sign_in_page()  # then, signed in, the page the address names
        return
    shared = open_assistant()
    if shared is None:
        return
    account_sidebar(user)
    settings_sidebar(shared.modes, shared.settings.top_k)
    page.run()


main()
