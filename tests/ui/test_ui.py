"""The Streamlit app (ui/app.py and its pages) driven by AppTest, on the real assistant and bundled corpus."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit import config
from streamlit.testing.v1 import AppTest

from assistant import Answer, Assistant, get_settings
from assistant.language.markup import WORD_JOINER
from assistant.records.conversations import ConversationStore
from assistant.records.feedback import FeedbackStore
from tests.conftest import PROJECT
from tests.language.test_markup import gfm_links
from tests.roles import ADMIN
from ui.common import streamed_md

APP = str(PROJECT / "ui" / "app.py")  # absolute: AppTest.from_file resolves a relative one from this file
QUESTION = "Nhiệm vụ thứ tư của kế hoạch là gì?"
FOLLOW_UP = "Trong nhiệm vụ đó, cải cách hành chính có mấy trụ cột?"
LABEL = "KH 32-KH/BCSĐ, Nhiệm vụ thứ tư"
EXAMPLES = [
    "Nhiệm vụ thứ tư của kế hoạch là gì?",
    "Kế hoạch 32 có bao nhiêu nhiệm vụ?",
    "Mục đích của Kế hoạch 32-KH/BCSĐ là gì?",
    "Điều 2 Hiến pháp 2013 quy định gì?",
]
HOSTILE = (
    "TITLE: Quy chế thử <b>đậm</b>\n---\n\n"
    "Tổ kiểm thử Beta họp vào chiều thứ Sáu; biên bản ghi <script>alert(1)</script> và **không đậm** [x](http://a).\n"
)


def unescape(markdown: str) -> str:
    """What an escaped Markdown string shows (backslash escapes removed)."""
    return markdown.replace("\\", "")


@pytest.fixture(scope="module")
def ui_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One store for the module: the app caches its Assistant with st.cache_resource across runs.

    The app is "served" on 127.0.0.1 with no accounts, as `make chat` does: the one local user has
    every role (tests/access/test_roles.py covers the other cases)."""
    st.cache_resource.clear()
    address = config.get_option("server.address")
    config.set_option("server.address", "127.0.0.1")
    yield tmp_path_factory.mktemp("ui-store")
    config.set_option("server.address", address)
    st.cache_resource.clear()


@pytest.fixture
def data_dir(ui_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KH32_DATA_DIR", str(ui_data_dir))
    get_settings.cache_clear()
    return ui_data_dir


@pytest.fixture
def app(data_dir: Path) -> AppTest:
    """A first run of the app on the module's store (the bundled corpus is ingested on first load)."""
    at = AppTest.from_file(APP, default_timeout=120).run()
    _ok(at)
    return at


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _replies(at: AppTest) -> list:
    return [m for m in at.chat_message if m.name == "assistant"]


def _text(block) -> str:
    return unescape("\n".join(md.value for md in block.markdown))


def _upload(at: AppTest, name: str, data: bytes, mime: str = "text/plain") -> AppTest:
    """Send one file through the documents page's upload form (the page must be open)."""
    at.file_uploader[0].set_value((name, data, mime))
    at.button(key="FormSubmitter:upload-Nạp vào kho").click().run()
    return at


def _ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question).run()
    _ok(at)
    return at


def test_app_starts_with_title_examples_and_settings(app: AppTest) -> None:
    assert [t.value for t in app.title] == ["Trợ lý Kế hoạch 32"]
    labels = [b.label for b in app.button]
    for example in EXAMPLES:
        assert example in labels
    assert len(app.chat_input) == 1
    assert not app.chat_message  # nothing asked yet
    mode = app.sidebar.selectbox(key="mode")
    assert mode.options == ["Trích dẫn nguyên văn (ngoại tuyến)"]  # one label per Assistant.modes entry
    assert app.sidebar.slider(key="k").value == 5
    assert any("Đang dùng: **Trích dẫn nguyên văn" in c.value for c in app.sidebar.caption)


def test_answer_has_source_card_with_highlighted_clause(app: AppTest) -> None:
    _ask(app, QUESTION)
    (reply,) = _replies(app)
    text = _text(reply)
    assert "[1]" in text and "Thứ tư, tiếp tục tham mưu" in text
    assert reply.status[0].label.startswith("Đã tra cứu 1 nguồn")
    (card,) = reply.expander
    assert unescape(card.label) == f"[1] {LABEL}"
    assert "Kế hoạch số 32-KH/BCSĐ" in unescape(card.caption[0].value)
    highlighted = card.markdown[0].value
    assert ":orange-background[Thứ tư, tiếp tục tham mưu" in highlighted
    message = app.session_state["messages"][1]
    assert message["citations"][0]["label"] == LABEL
    assert message["citations"][0]["quotes"]


def test_settings_are_passed_to_the_assistant(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[dict] = []
    stream = Assistant.stream

    def spy(self, question, history=(), k=None, mode=None):
        calls.append({"k": k, "mode": mode, "history": list(history)})
        return stream(self, question, history, k=k, mode=mode)

    monkeypatch.setattr(Assistant, "stream", spy)
    app.sidebar.slider(key="k").set_value(2).run()
    _ask(app, QUESTION)
    assert calls == [{"k": 2, "mode": "extractive", "history": []}]


def test_flagged_sentences_and_notices_are_shown(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    stream = Assistant.stream

    def flagged(self, question, history=(), k=None, mode=None):
        for part in stream(self, question, history, k=k, mode=mode):
            if isinstance(part, Answer):
                part.notice = "Có câu chưa kiểm chứng."
                part.flags = [
                    {"sentence": "Ngân sách là 12 tỷ đồng.", "reason": "uncited"},
                    {"sentence": "Bộ Tư pháp chủ trì.", "reason": "unsupported",
                     "detail": "nêu 'Bộ Tư pháp' nhưng nguồn không có"},
                ]  # fmt: skip
            yield part

    monkeypatch.setattr(Assistant, "stream", flagged)
    _ask(app, QUESTION)
    captions = [unescape(c.value) for c in _replies(app)[0].caption]
    assert "Có câu chưa kiểm chứng." in captions
    assert any("Ngân sách là 12 tỷ đồng." in c for c in captions)
    # The reason a sentence is flagged is shown with it.
    assert any("Bộ Tư pháp chủ trì." in c and "nêu 'Bộ Tư pháp' nhưng nguồn không có" in c for c in captions)
    assert app.session_state["messages"][1]["flags"][0]["reason"] == "uncited"


def test_follow_up_uses_the_conversation_and_reload_restores_it(app: AppTest, data_dir: Path) -> None:
    _ask(app, QUESTION)
    _ask(app, FOLLOW_UP)
    first, second = _replies(app)
    assert "03 trụ cột chính" in _text(second)
    assert unescape(second.expander[0].label) == f"[1] {LABEL}"
    conversation = app.query_params["c"]
    assert conversation == app.session_state["conversation"]
    saved = ConversationStore(data_dir / "conversations.sqlite").load(ADMIN, conversation)
    assert [m["role"] for m in saved] == ["user", "assistant", "user", "assistant"]

    reloaded = AppTest.from_file(APP, default_timeout=120)
    reloaded.query_params["c"] = conversation
    reloaded.run()
    _ok(reloaded)
    assert [_text(m) for m in _replies(reloaded)] == [_text(first), _text(second)]
    assert [unescape(e.label) for e in reloaded.expander] == [f"[1] {LABEL}", f"[1] {LABEL}"]


def test_new_conversation_clears_history(app: AppTest) -> None:
    _ask(app, QUESTION)
    app.sidebar.button[0].click().run()  # "Cuộc trò chuyện mới"
    assert not app.chat_message
    assert app.session_state["messages"] == []
    assert "c" not in app.query_params
    assert EXAMPLES[0] in [b.label for b in app.button]


def test_example_button_asks_its_question(app: AppTest) -> None:
    next(b for b in app.button if b.label == EXAMPLES[0]).click().run()
    _ok(app)
    users = [m for m in app.chat_message if m.name == "user"]
    assert [_text(u) for u in users] == [EXAMPLES[0]]
    assert unescape(_replies(app)[0].expander[0].label) == f"[1] {LABEL}"


def test_feedback_is_stored_with_question_answer_and_citations(app: AppTest, data_dir: Path) -> None:
    _ask(app, QUESTION)
    message = app.session_state["messages"][1]
    app.feedback[0].set_value(0).run()  # 👎
    _ok(app)
    app.text_input[0].input("Thiếu ý về chuyển đổi số")
    app.button(key="FormSubmitter:comment-" + message["id"] + "-Gửi góp ý").click().run()
    _ok(app)
    rows = [
        r for r in FeedbackStore(data_dir / "feedback.sqlite").rows(ADMIN) if r["message"] == message["id"]
    ]
    assert len(rows) == 1
    row = rows[0]
    assert (row["rating"], row["comment"], row["question"]) == (0, "Thiếu ý về chuyển đổi số", QUESTION)
    assert row["answer"] == message["content"]
    assert row["citations"][0]["label"] == LABEL
    assert any("Góp ý của bạn" in c.value for c in app.caption)

    app.switch_page("views/feedback.py").run()
    _ok(app)
    assert [b.label for b in app.get("download_button")] == ["Tải góp ý (.csv)"]


def test_conversation_export_buttons(app: AppTest) -> None:
    assert not app.get("download_button")
    _ask(app, QUESTION)
    labels = [b.label for b in app.sidebar.get("download_button")]
    assert labels == ["Tải cuộc trò chuyện (.md)", "Tải cuộc trò chuyện (.docx)"]


def test_upload_then_ask_shows_document_text_literally(app: AppTest) -> None:
    app.switch_page("views/documents.py").run()
    _ok(app)
    _upload(app, "quy-che-beta.md", HOSTILE.encode(), "text/markdown")
    _ok(app)
    assert any("Đã nạp" in unescape(s.value) and "quy-che-beta" in unescape(s.value) for s in app.success)
    table = app.dataframe[0].value
    assert "quy-che-beta" in list(table["Mã"])

    app.switch_page("views/chat.py").run()
    _ask(app, "Tổ kiểm thử Beta họp vào lúc nào?")
    (reply,) = _replies(app)
    assert "chiều thứ Sáu" in _text(reply)
    card = reply.expander[0]
    shown = card.markdown[0].value
    assert "\\<script\\>alert\\(1\\)\\</script\\>" in shown  # escaped: shown as text, never run as HTML
    assert "\\*\\*không đậm\\*\\*" in shown
    assert "\\<b\\>đậm\\</b\\>" in card.caption[0].value
    assert not app.get("html")


def test_web_addresses_in_a_document_are_shown_as_text(app: AppTest) -> None:
    """In the answer, its source card and the clause browser, a document's web and e-mail addresses read
    as written and are no links (GFM would link them even escaped: issue 23, item 11)."""
    address = "https://so-do.example.org/tang-4.png"
    document = (
        "TITLE: Quy chế phòng họp Delta\n---\n\nPhòng họp Delta mở cửa từ 8 giờ sáng; sơ đồ ở "
        f"{address}, lịch ở www.lich.example.org, hỏi thu.ky@example.org.\n"
    )
    app.switch_page("views/documents.py").run()
    _upload(app, "quy-che-delta.txt", document.encode())
    _ok(app)
    app.switch_page("views/chat.py").run()
    _ask(app, "Phòng họp Delta mở cửa từ mấy giờ?")
    (reply,) = _replies(app)
    card = reply.expander[0]
    shown = [md.value for md in reply.markdown] + [md.value for md in card.markdown]
    assert address in "".join(unescape(v).replace(WORD_JOINER, "") for v in shown)
    assert [link for value in shown for link in gfm_links(unescape(value))] == []
    next(b for b in card.button if b.label == "Mở trong mục Điều khoản").click().run()
    _ok(app)
    clause = [md.value for md in app.main.markdown]
    assert address in "".join(unescape(v).replace(WORD_JOINER, "") for v in clause)
    assert [link for value in clause for link in gfm_links(unescape(value))] == []


def test_a_streamed_answer_never_shows_an_address_as_a_link() -> None:
    """A model streams a few letters at a time: an address cut between pieces is not a link meanwhile."""
    pieces = ["Xem htt", "ps://so-do.exa", "mple.org/a.png và w", "ww.lich.example.org", " hoặc a@", "b.vn."]
    shown = ""
    for chunk in streamed_md(pieces):
        shown += chunk
        assert gfm_links(unescape(shown)) == [], shown
    assert unescape(shown).replace(WORD_JOINER, "") == "".join(pieces)


def test_an_uploaded_standard_layout_plan_is_cited_by_its_own_name(app: AppTest) -> None:
    source = PROJECT / "evals" / "corpora" / "standard" / "ke-hoach-45-KH-BNV.txt"
    body = source.read_text(encoding="utf-8").split("---\n", 1)[1]  # only its header block names it
    app.switch_page("views/documents.py").run()
    _upload(app, "tai-lieu-tap-huan.txt", body.encode())
    _ok(app)
    app.switch_page("views/chat.py").run()
    _ask(app, "Học viện Hành chính Quốc gia tổ chức bao nhiêu lớp bồi dưỡng tập trung?")
    (reply,) = _replies(app)
    assert unescape(reply.expander[0].label) == "[1] KH 45/KH-BNV, Mục II, tiểu mục 2.2.1"


def test_bad_uploads_get_clear_errors(app: AppTest) -> None:
    app.switch_page("views/documents.py").run()
    _upload(app, "virus.exe", b"MZ...", "application/octet-stream")
    assert not app.exception
    assert [unescape(e.value) for e in app.error] == [
        "Tệp 'virus.exe': định dạng '.exe' chưa được hỗ trợ. Hỗ trợ: .docx, .htm, .html, .md, .pdf, .txt."
    ]
    _upload(app, "rong.txt", b"")
    assert not app.exception
    assert len(app.error) == 1 and "rong.txt" in unescape(app.error[0].value)


def test_remove_document(app: AppTest, data_dir: Path) -> None:
    app.switch_page("views/documents.py").run()
    _upload(app, "tam-thoi.txt", "Tài liệu tạm thời để xóa thử nghiệm.".encode())
    _ok(app)
    app.selectbox(key="remove_doc").set_value("tam-thoi").run()
    app.checkbox(key="remove_ok").check().run()
    next(b for b in app.button if b.label == "Xóa tài liệu").click().run()
    _ok(app)
    assert [unescape(s.value) for s in app.success] == [
        "Đã xóa tài liệu 'tam-thoi' (1 đoạn). Bản lưu giữ có thể khôi phục ở Nhật ký thao tác."
    ]
    assert "tam-thoi" not in list(app.dataframe[0].value["Mã"])
    audit = app.dataframe[1].value
    assert list(audit["Thao tác"][:2]) == ["Xóa tài liệu", "Nạp tài liệu"]
    assert list(audit["Tài liệu"][:2]) == ["tam-thoi", "tam-thoi"]
    assert list(audit["Người thực hiện"][:2]) == ["local", "local"]

    # a wrong click loses nothing: the admin restores it from the retained copy
    next(b for b in app.button if b.label == "Khôi phục tài liệu").click().run()
    _ok(app)
    assert [unescape(s.value) for s in app.success] == ["Đã khôi phục tài liệu 'tam-thoi' (1 đoạn)."]
    assert "tam-thoi" in list(app.dataframe[0].value["Mã"])
    assert app.dataframe[1].value["Thao tác"][0] == "Khôi phục tài liệu"


def test_clause_browser_reads_a_clause_and_asks_about_it(app: AppTest) -> None:
    app.switch_page("views/clauses.py").run()
    _ok(app)
    assert app.selectbox(key="browse_doc").value == "ke-hoach-32-KH-BCSD"
    assert app.selectbox(key="browse_part").options == [
        "Phần mở đầu",
        "Mục đích",
        "Nhiệm vụ và giải pháp",
        "Yêu cầu",
    ]
    app.selectbox(key="browse_part").set_value("Nhiệm vụ và giải pháp").run()
    radio = app.radio(key="browse_clause")
    assert len(radio.options) == 8  # the heading and the 7 tasks
    radio.set_value("nhiem-vu-va-giai-phap/thu-4").run()
    assert [unescape(s.value) for s in app.main.subheader] == ["Nhiệm vụ thứ tư"]
    assert "03 trụ cột chính" in unescape(app.markdown[-1].value)
    next(b for b in app.button if b.label == "Hỏi về điều khoản này").click().run()
    _ok(app)
    (reply,) = _replies(app)
    assert unescape(reply.expander[0].label).endswith(LABEL)


def test_law_structure_is_browsable(app: AppTest) -> None:
    app.switch_page("views/clauses.py").run()
    app.selectbox(key="browse_doc").set_value("hien-phap-2013").run()
    _ok(app)
    assert "Chương I" in app.selectbox(key="browse_part").options
    app.selectbox(key="browse_part").set_value("Chương I").run()
    clause = app.selectbox(key="browse_clause")
    assert "Chương I > Điều 2 > Khoản 1" in clause.options  # shown as the clause's path
    clause.set_value("chuong-i/dieu-2/khoan-1").run()
    assert [unescape(s.value) for s in app.main.subheader] == ["Điều 2, khoản 1"]


def test_quiz_from_the_second_task(app: AppTest) -> None:
    app.switch_page("views/trainer.py").run()
    _ok(app)
    app.multiselect(key="quiz_pick").select("ke-hoach-32-KH-BCSD::nhiem-vu-va-giai-phap/thu-2").run()
    assert app.multiselect(key="quiz_kinds").value == ["blank", "true_false", "choice"]
    next(b for b in app.button if b.label == "Tạo đề").click().run()
    _ok(app)
    title, questions = app.session_state["quiz"]
    assert title == "Đề kiểm tra: KH 32-KH/BCSĐ, Nhiệm vụ thứ hai"
    assert 3 <= len(questions) <= 5 and {q.kind for q in questions} == {"blank", "true_false", "choice"}
    assert {q.citation for q in questions} == {"KH 32-KH/BCSĐ, Nhiệm vụ thứ hai"}
    assert [e.label for e in app.expander] == ["Đáp án"] * len(questions)
    assert [b.label for b in app.get("download_button")] == [
        "Tải đề (.md)",
        "Tải đề (.docx)",
        "Tải đáp án (.md)",
        "Tải đáp án (.docx)",
    ]
    choice = next(q for q in questions if q.kind == "choice")
    shown = _text(app.main)
    assert all(f"{letter}. {option}" in shown for letter, option in zip("ABCD", choice.choices, strict=True))
    # Only multiple choice: the same API, offline, in the chosen kind.
    app.multiselect(key="quiz_kinds").set_value(["choice"]).run()
    next(b for b in app.button if b.label == "Tạo đề").click().run()
    _ok(app)
    assert {q.kind for q in app.session_state["quiz"][1]} == {"choice"}


def test_a_trainees_answer_is_checked_on_the_trainer_page(app: AppTest) -> None:
    app.switch_page("views/trainer.py").run()
    question = "Theo Hiến pháp 2013, quyền lực nhà nước thuộc về ai?\nA. Quốc hội\nB. Nhân dân\nC. Chính phủ"
    app.text_area(key="check_question").set_value(question)
    app.text_input(key="check_given").set_value("a").run()
    next(b for b in app.button if b.label == "Kiểm tra").click().run()
    print(
        "DBG",
        [(b.label, b.disabled) for b in app.button],
        [i.value for i in app.info],
        [s.value for s in app.success],
        app.text_area(key="check_question").value,
    )
    assert [unescape(e.value) for e in app.error] == [
        "Sai so với văn bản: văn bản cho đáp án B, học viên trả lời A."
    ]
    assert "Đáp án: B." in _text(app.main) and "thuộc về Nhân dân" in _text(app.main)
    assert "[1] Hiến pháp 2013, Điều 2, khoản 2" in [unescape(c.value) for c in app.caption]
    app.text_input(key="check_given").set_value("B").run()
    next(b for b in app.button if b.label == "Kiểm tra").click().run()
    _ok(app)
    assert [unescape(s.value) for s in app.success] == [
        "Đúng với văn bản: văn bản cho đáp án B, học viên trả lời B."
    ]
    app.text_input(key="check_given").set_value("E").run()
    next(b for b in app.button if b.label == "Kiểm tra").click().run()
    assert [unescape(e.value) for e in app.error] == [
        "Câu trắc nghiệm: câu trả lời của học viên phải là chữ cái của một phương án (A, B, C)."
    ]
    assert not app.success


def test_upload_names_are_sanitised_and_limits_checked(fake_store) -> None:
    from assistant import DocumentError, Settings
    from ingest.uploads import ingest_uploads, safe_name

    assert safe_name("../../etc/quy-che.md") == "quy-che.md"
    assert safe_name("C:\\Users\\a\\ke hoach.docx") == "ke hoach.docx"
    assert safe_name("..\\..\\.bashrc.txt") == "bashrc.txt"
    with pytest.raises(DocumentError, match="không hợp lệ"):
        safe_name("../..")
    settings = Settings(data_dir=fake_store.settings.data_dir, max_file_bytes=40)
    with pytest.raises(DocumentError, match=r"^Tệp 'lon\.txt' quá lớn \(41 byte, tối đa 40 byte\)\.$"):
        ingest_uploads(ADMIN, fake_store, settings, [("lon.txt", b"x" * 41)])
    progress: list[tuple[int, int]] = []
    (result,) = ingest_uploads(
        ADMIN,
        fake_store,
        settings,
        [("../bi-mat/nho.txt", "Văn bản nhỏ về họp tổ.".encode())],
        lambda done, total: progress.append((done, total)),
    )
    assert (result.doc_id, result.status) == ("nho", "added")
    assert progress[-1][0] == progress[-1][1] > 0


def test_conversation_survives_visiting_other_pages(app: AppTest) -> None:
    _ask(app, QUESTION)
    conversation = app.query_params["c"]
    app.switch_page("views/clauses.py").run()
    app.query_params.pop("c", None)  # page changes drop the address's query
    app.switch_page("views/chat.py").run()
    _ok(app)
    assert app.query_params["c"] == conversation
    assert len(_replies(app)) == 1


def test_too_long_question_is_a_vietnamese_error_not_a_traceback(app: AppTest) -> None:
    app.chat_input[0].set_value("Nhiệm vụ " * 400).run()
    assert not app.exception
    assert [e.value for e in app.error] == [
        "Câu hỏi quá dài (3.599 ký tự; tối đa 2.000). Hãy hỏi ngắn gọn hơn."
    ]
    assert app.session_state["messages"] == []


def test_sessions_are_isolated_but_share_the_store(app: AppTest) -> None:
    _ask(app, QUESTION)
    other = AppTest.from_file(APP, default_timeout=120).run()
    _ok(other)
    assert not other.chat_message  # another browser session starts empty
    other.switch_page("views/documents.py").run()
    _upload(other, "chung.txt", "Tài liệu chung cho mọi phiên làm việc.".encode())
    _ok(other)
    app.switch_page("views/documents.py").run()
    assert "chung" in list(app.dataframe[0].value["Mã"])
