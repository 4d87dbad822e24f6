"""Handouts (Markdown and .docx) of a conversation or a quiz, and the Markdown escaping they rely on."""

from __future__ import annotations

import io

import docx

from assistant.classroom.handout import conversation_blocks, quiz_blocks, to_docx, to_markdown, to_text
from assistant.classroom.items import QuizQuestion
from assistant.language.markup import escape_markdown, split_quotes

CITATION = {
    "n": 1,
    "doc": "ke-hoach-32-KH-BCSD",
    "title": "Kế hoạch số 32-KH/BCSĐ",
    "clause": "Nhiệm vụ thứ tư",
    "label": "KH 32-KH/BCSĐ, Nhiệm vụ thứ tư",
    "text": "Câu mở đầu. Tiếp tục đẩy mạnh cải cách hành chính với 03 trụ cột chính. Câu cuối <script>.",
    "chunk_id": "abc",
    "span": [0, 10],
    "quotes": ["Tiếp tục đẩy mạnh cải cách hành chính với 03 trụ cột chính."],
}
MESSAGES = [
    {"role": "user", "content": "Cải cách hành chính có mấy trụ cột?"},
    {
        "role": "assistant",
        "content": "Theo KH 32-KH/BCSĐ:\n\nCó 03 trụ cột chính. [1]",
        "citations": [CITATION],
    },
]
QUESTIONS = [
    QuizQuestion(
        "blank", "Có _____ trụ cột.", "03", "Có 03 trụ cột.", "KH 32-KH/BCSĐ, Nhiệm vụ thứ tư", "abc"
    ),
    QuizQuestion(
        "true_false", "Có 04 trụ cột.", "Sai", "Có 03 trụ cột.", "KH 32-KH/BCSĐ, Nhiệm vụ thứ tư", "abc"
    ),
]


def test_escape_makes_markdown_and_html_literal() -> None:
    assert escape_markdown("<script>alert(1)</script>") == "\\<script\\>alert\\(1\\)\\</script\\>"
    assert escape_markdown("**đậm** [a](b) :red[x] $x$ 1. - #") == (
        "\\*\\*đậm\\*\\* \\[a\\]\\(b\\) \\:red\\[x\\] \\$x\\$ 1\\. \\- \\#"
    )
    assert escape_markdown("Thứ tư, hiệu quả; 20%") == "Thứ tư, hiệu quả; 20%"  # plain text untouched


def test_file_escape_keeps_plain_text_readable() -> None:
    plain = "KH 32-KH/BCSĐ (Nhiệm vụ thứ tư): 20% và 1.000 người."
    assert escape_markdown(plain, streamlit=False) == plain
    assert (
        escape_markdown("1. mục\n- gạch\n# đầu\n<b>", streamlit=False)
        == "1\\. mục\n\\- gạch\n\\# đầu\n\\<b\\>"
    )


def test_split_quotes_finds_quotes_across_line_breaks() -> None:
    text = "Một. Hai ba\nbốn. Năm."
    assert split_quotes(text, ["Hai ba bốn."]) == [("Một. ", False), ("Hai ba\nbốn.", True), (" Năm.", False)]
    assert split_quotes(text, ["không có"]) == [(text, False)]


def test_conversation_markdown_has_questions_answers_and_cited_quotes() -> None:
    markdown = to_markdown(conversation_blocks(MESSAGES))
    assert markdown.startswith("# Trợ lý Kế hoạch 32 — Cuộc trò chuyện")
    assert "## Câu hỏi 1: Cải cách hành chính có mấy trụ cột?" in markdown
    assert "Có 03 trụ cột chính. \\[1\\]" in markdown
    assert "- **\\[1\\] KH 32-KH/BCSĐ, Nhiệm vụ thứ tư** — Kế hoạch số 32-KH/BCSĐ" in markdown
    assert (
        "> Câu mở đầu. **Tiếp tục đẩy mạnh cải cách hành chính với 03 trụ cột chính.** Câu cuối" in markdown
    )
    assert "\\<script\\>" in markdown and "<script>" not in markdown


def test_quiz_markdown_has_questions_then_key_with_citations() -> None:
    markdown = to_markdown(quiz_blocks(QUESTIONS, "Đề kiểm tra: Nhiệm vụ thứ tư"))
    questions, key = markdown.split("## Đáp án")
    assert (
        "- **Câu 1 (Điền vào chỗ trống) — KH 32-KH/BCSĐ, Nhiệm vụ thứ tư:** Có \\_\\_\\_\\_\\_ trụ cột."
        in questions
    )
    assert "- **Câu 2 (Đúng hay sai?) — KH 32-KH/BCSĐ, Nhiệm vụ thứ tư:** Có 04 trụ cột." in questions
    assert "- **Câu 1: 03** — KH 32-KH/BCSĐ, Nhiệm vụ thứ tư" in key
    assert "- **Câu 2: Sai** — KH 32-KH/BCSĐ, Nhiệm vụ thứ tư" in key


def test_the_question_sheet_and_the_answer_key_are_apart() -> None:
    choice = QuizQuestion(
        "choice",
        "Có _____ trụ cột.\nA. 02\nB. 03\nC. 04\nD. 05",
        "B. 03",
        "Có 03 trụ cột.",
        "KH 32-KH/BCSĐ, Nhiệm vụ thứ tư",
        "abc",
        choices=("02", "03", "04", "05"),
    )
    sheet = to_text(quiz_blocks([*QUESTIONS, choice], "Đề", "questions"))
    key = to_text(quiz_blocks([*QUESTIONS, choice], "Đề", "key"))
    assert "Câu 3 (Chọn một phương án đúng) — KH 32-KH/BCSĐ, Nhiệm vụ thứ tư: Có _____ trụ cột." in sheet
    assert "B. 03" in sheet and "D. 05" in sheet
    assert "Đáp án" not in sheet and "Câu 2: Sai" not in sheet and "Câu 3: B. 03" not in sheet
    assert key.startswith("Đáp án — Đề") and "Câu 2: Sai — KH 32-KH/BCSĐ, Nhiệm vụ thứ tư" in key
    assert "Câu 3: B. 03" in key and "Có 04 trụ cột." not in key


def test_docx_handouts_open_in_word_with_the_same_content() -> None:
    document = docx.Document(io.BytesIO(to_docx(conversation_blocks(MESSAGES))))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Câu hỏi 1: Cải cách hành chính có mấy trụ cột?" in text
    assert "[1] KH 32-KH/BCSĐ, Nhiệm vụ thứ tư — Kế hoạch số 32-KH/BCSĐ" in text
    assert "Câu cuối <script>." in text  # Word shows text as text: no escaping there
    bold = [r.text for p in document.paragraphs for r in p.runs if r.bold]
    assert "Tiếp tục đẩy mạnh cải cách hành chính với 03 trụ cột chính." in bold

    quiz = docx.Document(io.BytesIO(to_docx(quiz_blocks(QUESTIONS))))
    quiz_text = "\n".join(p.text for p in quiz.paragraphs)
    assert "Câu 2 (Đúng hay sai?) — KH 32-KH/BCSĐ, Nhiệm vụ thứ tư: Có 04 trụ cột." in quiz_text
    assert "Câu 2: Sai — KH 32-KH/BCSĐ, Nhiệm vụ thứ tư" in quiz_text


FLAGGED_MESSAGES = [
    {"role": "user", "content": "Cải cách hành chính có mấy trụ cột?"},
    {
        "role": "assistant",
        "content": "Có 03 trụ cột chính. [1] ⚠ Bộ Tư pháp chủ trì cải cách hành chính.",
        "citations": [CITATION],
        "flags": [{"sentence": "Bộ Tư pháp chủ trì cải cách hành chính.", "reason": "unsupported"}],
    },
]


def test_a_flagged_sentence_is_marked_where_it_stands_in_both_exports() -> None:
    markdown = to_markdown(conversation_blocks(FLAGGED_MESSAGES))
    assert (
        "Có 03 trụ cột chính. \\[1\\] **⚠ Bộ Tư pháp chủ trì cải cách hành chính.**_ (chưa kiểm chứng"
        in markdown
    )
    document = docx.Document(io.BytesIO(to_docx(conversation_blocks(FLAGGED_MESSAGES))))
    runs = [r for p in document.paragraphs for r in p.runs]
    flagged = next(r for r in runs if r.text.startswith("⚠ Bộ Tư pháp"))
    assert flagged.font.highlight_color is not None and flagged.italic
    plain = next(r for r in runs if r.text.startswith("Có 03 trụ cột"))
    assert plain.font.highlight_color is None
