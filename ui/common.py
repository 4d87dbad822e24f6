"""What every page shares: the cached assistant and stores, the answer settings, and safe text rendering."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from functools import partial
from typing import Any

import streamlit as st
from streamlit.errors import StreamlitAPIException

from assistant import Assistant, AssistantError, Chunk, get_settings
from assistant.access.accounts import Accounts
from assistant.access.roles import Permission, PermissionDenied, User, require
from assistant.access.signin import anonymous_user, oidc_user, sign_in_mode
from assistant.classroom.handout import to_docx, to_markdown
from assistant.language.markup import escape_markdown, split_flagged, split_quotes
from assistant.records.conversations import ConversationStore
from assistant.records.feedback import FeedbackStore
from assistant.records.throttle import sign_in
from ingest.pipeline import progress_note, start_up_needed
from ingest.rechunk import rebuildable, start_up

MODE_LABELS = {
    "extractive": "Trích dẫn nguyên văn (ngoại tuyến)",
    "llm": "Mô hình ngôn ngữ (LLM) có trích dẫn",
}
CHAT_PAGE = "views/chat.py"
FAILED_SIGN_IN_DELAY = 1.0  # seconds
CLAUSES_PAGE = "views/clauses.py"


@st.cache_resource(show_spinner="Đang mở kho tài liệu…")
def _assistant(data_dir: str) -> Assistant:
    shared = Assistant(get_settings())
    shared.store.on_wait = st.info  # a write waiting for another process's says so on the page
    return shared


@st.cache_resource
def _feedback(where: str) -> FeedbackStore:
    return FeedbackStore.of(get_settings())


@st.cache_resource
def _conversations(where: str) -> ConversationStore:
    return ConversationStore.of(get_settings())


def assistant() -> Assistant:
    """The shared assistant over the shared store (one per data folder, for every browser session)."""
    return _assistant(str(get_settings().data_dir))


def _records() -> str:
    """What the records' stores are cached by: the data folder, and the database when one is configured."""
    settings = get_settings()
    return f"{settings.data_dir}|{settings.database or ''}"


def feedback_store() -> FeedbackStore:
    return _feedback(_records())


def conversation_store() -> ConversationStore:
    return _conversations(_records())


def bound_address() -> str | None:
    """The address this Streamlit server listens on (None: every interface)."""
    return st.get_option("server.address") or None


def current_user() -> User | None:
    """Who uses this browser session: the signed-in account or OIDC identity; with no accounts configured,
    the one local user (every role) on 127.0.0.1, else a read-only reader. None: sign-in needed."""
    settings = get_settings()
    mode = sign_in_mode(settings)
    if mode == "oidc":
        if not st.user.get("is_logged_in"):
            return None
        return oidc_user(st.user.to_dict(), settings)
    if mode == "accounts":
        user = st.session_state.get("user")
        # signed in with this page's sign-in form, and the account still exists with that role
        if user is not None and (user.name, user.role) not in Accounts.of(settings).entries():
            st.session_state.pop("user", None)
            return None
        return user
    if "anonymous_user" not in st.session_state:  # one identity per browser session
        st.session_state["anonymous_user"] = anonymous_user(bound_address())
    return st.session_state["anonymous_user"]


def user() -> User:
    """The session's user (pages run only once someone is signed in)."""
    found = current_user()
    if found is None:
        st.stop()
    return found


def require_page(permission: Permission) -> User:
    """The session's user when their role allows this page; else a message and the page stops (the page
    is not in their menu, but an address may still name it)."""
    found = user()
    try:
        require(found, permission)
    except PermissionDenied as exc:
        st.error(exc.message)
        st.stop()
    return found


def sign_in_page() -> None:
    """The sign-in form (local accounts) or button (OIDC)."""
    settings = get_settings()
    st.title("Đăng nhập")
    if sign_in_mode(settings) == "oidc":
        st.write("Trợ lý dùng tài khoản của cơ quan. Bấm nút dưới đây để đăng nhập.")
        if st.button("Đăng nhập bằng tài khoản cơ quan", type="primary", icon=":material/login:"):
            try:
                st.login(settings.oidc_provider) if settings.oidc_provider else st.login()
            except StreamlitAPIException:  # no or an incomplete [auth] section in .streamlit/secrets.toml
                st.error(
                    "Chưa cấu hình đủ nhà cung cấp định danh (mục [auth] trong .streamlit/secrets.toml: "
                    "redirect_uri, cookie_secret, client_id, client_secret, server_metadata_url)."
                )
        return
    st.caption("Đăng nhập bằng tài khoản do quản trị viên cấp.")
    with st.form("sign-in"):
        name = st.text_input("Tên đăng nhập", key="sign_in_name")
        password = st.text_input("Mật khẩu", type="password", key="sign_in_password")
        submitted = st.form_submit_button("Đăng nhập", type="primary", icon=":material/login:")
    if submitted:
        try:  # throttled per account name and client address across every session and process
            attempt = sign_in(settings, name, password, address=client_address())
        except AssistantError as exc:
            st.error(exc.message)
            return
        if attempt.user is None:
            time.sleep(FAILED_SIGN_IN_DELAY)  # and a refused attempt is never quick, in any session
            st.error(attempt.message)
            return
        st.session_state["user"] = attempt.user
        st.rerun()


def client_address() -> str | None:
    """The address of the browser's connection (None when it is this machine, or unknown). Behind a proxy
    it is the proxy's: its own limit (KH32_SIGN_IN_ADDRESS_FAILURES) is higher than an account's."""
    try:
        address = st.context.ip_address
    except (AttributeError, RuntimeError, StreamlitAPIException):
        return None
    return address if isinstance(address, str) and address else None  # (AppTest gives a mock)


def sign_out() -> None:
    """Forget the session's user and everything of theirs kept in the session."""
    for key in list(st.session_state):
        del st.session_state[key]
    st.query_params.clear()
    if sign_in_mode(get_settings()) == "oidc":
        st.logout()


@st.cache_resource
def _settled_generations(data_dir: str) -> set[str]:
    """The store generations at which this process found no start-up work (the bundled corpus complete,
    nothing to collect): the check reads every document, so each run of each page need not repeat it.
    Any write, in any process, makes a new generation, which is checked again."""
    return set()


def open_assistant() -> Assistant | None:
    """The assistant, with the bundled corpus ingested into an empty store; None (error shown) on failure."""
    try:
        shared = assistant()
        settled = _settled_generations(str(shared.settings.data_dir))
        generation = shared.store.generation()
        if generation not in settled:
            if start_up_needed(shared.store, shared.settings) or rebuildable(shared.store, shared.settings):
                _ingest_bundled_corpus(shared)
            else:
                settled.add(generation)
        return shared
    except AssistantError as exc:
        st.error(exc.message)
        return None


def _ingest_bundled_corpus(shared: Assistant) -> None:
    bar = st.progress(0.0, text="Đang nạp bộ tài liệu mẫu lần đầu…")
    started = time.monotonic()

    def update(done: int, total: int) -> None:
        note = progress_note(done, total, time.monotonic() - started)
        bar.progress(min(done / max(total, 1), 1.0), text=f"Đang nạp bộ tài liệu mẫu lần đầu… {note}")

    rebuilt = start_up(shared.store, shared.settings, update)
    bar.empty()
    for notice in rebuilt.notices():  # documents an older chunking cut, with no source left to cut again
        st.warning(notice)


def mode_label(mode: str) -> str:
    return MODE_LABELS.get(mode, mode)


def answer_mode() -> str | None:
    """The answer mode chosen in the sidebar (None: the assistant's default)."""
    return st.session_state.get("mode")


def source_count() -> int | None:
    """The number of sources chosen in the sidebar (None: the configured default)."""
    return st.session_state.get("k")


def text_md(text: str) -> str:
    """Markdown that shows text literally (web and e-mail addresses as text, not links)."""
    return escape_markdown(text)


def answer_md(text: str, flags: Sequence[dict[str, str]]) -> str:
    """Markdown of an answer, literal, with each sentence a check flagged (⚠) marked where it stands: on a
    red background, with what it lacks after it."""
    parts = []
    for piece, flagged in split_flagged(text, [f["sentence"] for f in flags]):
        safe = escape_markdown(piece)
        parts.append(
            f":red-background[{safe}] :red[_(chưa kiểm chứng được với tài liệu)_]" if flagged else safe
        )
    return "".join(parts)


def streamed_md(parts: Iterable[str]) -> Iterator[str]:
    """Markdown that shows streamed text literally, a whole word at a time: an address cut between two
    pieces (a model streams a few letters at a time) would be a link until the answer is complete."""
    held = ""
    for part in parts:
        held += part
        cut = max(held.rfind(" "), held.rfind("\n")) + 1
        if cut:
            yield text_md(held[:cut])
            held = held[cut:]
    if held:
        yield text_md(held)


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
    """Two download buttons for a handout: Markdown and Word (.docx), citations included. Each file is made
    when its button is clicked, not on every run of the page (a .docx of a long conversation took more of
    the server's time than the answer it follows)."""
    left, right = st.columns(2) if columns else (st, st)
    for place, label, data, suffix, mime in (
        (left, f"Tải {what} (.md)", partial(to_markdown, blocks), "md", "text/markdown"),
        (right, f"Tải {what} (.docx)", partial(to_docx, blocks), "docx", DOCX),
    ):
        name = f"{stem}.{suffix}"
        place.download_button(
            label, data, file_name=name, mime=mime, on_click="ignore", icon=":material/download:"
        )
