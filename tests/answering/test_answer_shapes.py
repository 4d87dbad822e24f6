"""What a question asks for, answered in kind: the examples of the issue on real documents and questions,
over the bundled corpus and over the standard-layout test documents (evals/corpora/standard)."""

from __future__ import annotations

import re

import pytest

from assistant import Answer, Assistant, InputError
from assistant.answering.answer_check import MATCH, MISMATCH, UNDECIDED
from assistant.answering.support import (
    Folded,
    SupportScorer,
    aligned_source,
    in_source_words,
    narrowed_list,
    restates,
    reversed_direction,
    unsupported_numbers,
)
from assistant.core.models import Turn
from assistant.language.shapes import Shape, defined_term, shape_of, unit_spellings
from assistant.retrieval.matching import content_terms
from evals.corpus_store import eval_assistant
from tests.conftest import PROJECT

STANDARD = PROJECT / "evals" / "corpora" / "standard"


@pytest.fixture(scope="module")
def standard(corpus_assistant: Assistant) -> Assistant:
    """An assistant over the three standard-layout documents only (their own store)."""
    settings, embeddings = corpus_assistant.settings, corpus_assistant.store.embeddings
    return eval_assistant(STANDARD, settings, embeddings=embeddings)[0]


def _labels(answer: Answer) -> list[str]:
    return [c.label for c in answer.citations]


@pytest.mark.parametrize(
    ("question", "shape"),
    [
        ("Nhiệm vụ thứ ba gồm những nội dung nào?", Shape.ENUMERATION),
        ("Kế hoạch nhắc đến những luật nào?", Shape.ENUMERATION),
        ("Mục 2.2 nói gì?", Shape.CLAUSE_CONTENT),
        ("Kế hoạch có áp dụng đối với viên chức không?", Shape.YES_NO),
        ("Kế hoạch có bao nhiêu nhiệm vụ?", Shape.COUNT),
        ("Nghị quyết 27 đánh giá bộ máy nhà nước đã thay đổi thế nào?", Shape.CLAUSE_CONTENT),  # máy ≠ mấy
        ("Nghị định 88 do cơ quan nào ban hành?", Shape.DOCUMENT_INFO),
        ("Quyền lực nhà nước thuộc về ai?", Shape.FACT),
        ("quoc hoi hop may ky", Shape.COUNT),
        ("Cán bộ là ai?", Shape.DEFINITION),
        ("theo luat can bo cong chuc thi cong chuc la ai", Shape.DEFINITION),
        # English patterns are read for English questions only: "Do …", "can …" are Vietnamese words too.
        ("Do Bộ Nội vụ chủ trì những nhiệm vụ nào?", Shape.ENUMERATION),
        ("can bo cong chuc co nghia vu gi", Shape.FACT),
        ("do ke hoach 32 ban hanh khi nao", Shape.FACT),
        ("Does the plan require training for civil servants?", Shape.YES_NO),
        ("How many tasks does the plan have?", Shape.COUNT),
    ],
)
def test_shapes(question: str, shape: Shape) -> None:
    assert shape_of(question) is shape


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("Cán bộ là ai?", "can bo"),
        ("theo luat can bo cong chuc thi cong chuc la ai", "cong chuc"),
        ("Thế còn công chức thì được định nghĩa ra sao?", "cong chuc"),
        ("Theo Luật Tiếp cận thông tin, thông tin được hiểu như thế nào?", "thong tin"),
        ("Quyền lực nhà nước thuộc về ai?", None),
    ],
)
def test_the_term_a_definition_question_asks_about(question: str, term: str | None) -> None:
    assert defined_term(question) == term


@pytest.mark.parametrize(
    "question",
    ["theo luat can bo cong chuc thi cong chuc la ai", "Theo Luật Cán bộ, công chức, công chức là ai?"],
)
def test_a_definition_question_is_answered_by_the_defining_clause(standard: Assistant, question: str) -> None:
    # The law's other clauses mention "công chức" everywhere; the one that says what a công chức is wins.
    answer = standard.ask(question)
    assert _labels(answer)[0] == "Luật Cán bộ, công chức 2008, Điều 2, khoản 2"
    assert answer.text.split(":", 1)[1].strip().startswith("Công chức là công dân Việt Nam")


def test_the_named_documents_title_words_do_not_pick_its_clause(standard: Assistant) -> None:
    # Every clause of NĐ 88 is about "bồi dưỡng kiến thức pháp luật": "công vụ" decides, not Điều 3's
    # general "Mục đích của việc bồi dưỡng kiến thức pháp luật …".
    answer = standard.ask(
        "Kiến thức pháp luật về công vụ mà Nghị định 88 yêu cầu bồi dưỡng gồm những nội dung nào?"
    )
    assert _labels(answer)[0].startswith("NĐ 88/2024/NĐ-CP, Điều 5, khoản 2")


def test_a_topic_word_does_not_restrict_the_answer_to_that_document(corpus_assistant: Assistant) -> None:
    answer = corpus_assistant.ask(
        "Kế hoạch yêu cầu gì để cán bộ, công chức có lối sống thượng tôn Hiến pháp?"
    )
    assert not answer.refused
    assert _labels(answer)[0] == "KH 32-KH/BCSĐ, Nhiệm vụ thứ hai"
    answer = corpus_assistant.ask(
        "Cần cụ thể hóa cơ chế gì để cán bộ thực hiện trách nhiệm bảo vệ Hiến pháp?"
    )
    assert "Điều 58" not in " ".join(_labels(answer))
    assert _labels(answer)[0] == "KH 32-KH/BCSĐ, Nhiệm vụ thứ hai"
    # A clause reference beside the kind word still goes to the Constitution.
    assert _labels(corpus_assistant.ask("Điều 2 Hiến pháp nói gì?"))[0].startswith("Hiến pháp 2013, Điều 2")


def test_a_clause_content_question_gets_the_clause_in_order(corpus_assistant: Assistant) -> None:
    answer = corpus_assistant.ask("Nhiệm vụ thứ ba gồm những nội dung nào?")
    assert set(_labels(answer)) == {"KH 32-KH/BCSĐ, Nhiệm vụ thứ ba"}
    quotes = [q for c in answer.citations for q in c.quotes]
    assert len(quotes) >= 3 and quotes[0].startswith("Thứ ba, tiếp tục hoàn thiện")
    starts = [answer.text.index(q) for q in quotes]
    assert starts == sorted(starts)  # in the order of the text
    assert "xem toàn văn KH 32-KH/BCSĐ, Nhiệm vụ thứ ba" in answer.text  # the task goes on past the budget


def test_an_enumeration_lists_every_sentence_that_names_an_item(corpus_assistant: Assistant) -> None:
    answer = corpus_assistant.ask("Kế hoạch nhắc đến những luật nào?")
    assert not answer.refused
    for law in ("Luật Thực hiện dân chủ ở cơ sở", "Luật Cán bộ, công chức", "Luật Viên chức"):
        assert law in answer.text


def test_the_refusal_hint_names_what_the_store_holds(
    corpus_assistant: Assistant, standard: Assistant
) -> None:
    refused = corpus_assistant.ask("Thời tiết Hà Nội hôm nay thế nào?")
    assert refused.refused and "KH 32-KH/BCSĐ" in refused.text and "Hiến pháp 2013" in refused.text
    refused = standard.ask("Thời tiết Hà Nội hôm nay thế nào?")
    assert refused.refused and "KH 45/KH-BNV" in refused.text and "NĐ 88/2024/NĐ-CP" in refused.text
    assert "KH 32" not in refused.text and "Hiến pháp 2013" not in refused.text


def test_a_standard_layout_document_is_cited_by_its_own_name_and_path(standard: Assistant) -> None:
    titles = {d.short: d.title for d in standard.store.documents()}
    assert set(titles) == {
        "KH 45/KH-BNV", "NĐ 88/2024/NĐ-CP", "Luật Cán bộ, công chức 2008", "QĐ 215/QĐ-UBND", "TB 18/TB-SNV"
    }  # fmt: skip
    assert titles["KH 45/KH-BNV"].startswith("Kế hoạch số 45/KH-BNV ngày 12/4/2024 của Bộ Nội vụ")
    answer = standard.ask("Mục 2.2 của Kế hoạch 45 nói gì?")
    assert _labels(answer)[0] == "KH 45/KH-BNV, Mục II, tiểu mục 2.2"
    assert all(label.startswith("KH 45/KH-BNV, Mục II, tiểu mục 2.2") for label in _labels(answer))
    # No heading quoted as a sentence of the answer ("2.2. [1]", "Tổ chức bồi dưỡng [2]").
    assert all(len(q.split()) >= 5 for c in answer.citations for q in c.quotes)
    assert not re.search(r"^\s*\d+(\.\d+)*\.?\s*\[\d\]", answer.text, re.MULTILINE)


def test_references_by_path_resolve(standard: Assistant) -> None:
    assert (
        _labels(standard.ask("Khoản 2 mục III của Kế hoạch 45 quy định gì?"))[0]
        == "KH 45/KH-BNV, Mục III, khoản 2"
    )
    answer = standard.ask("Điểm b khoản 2 Mục I của Kế hoạch 45 yêu cầu gì?")
    assert _labels(answer) == ["KH 45/KH-BNV, Mục I, khoản 2, điểm b"]
    answer = standard.ask("Mục đích của Kế hoạch 45 gồm những nội dung nào?")
    assert _labels(answer) and all(
        label.startswith("KH 45/KH-BNV, Mục I, khoản 1") for label in _labels(answer)
    )


def test_yes_no_questions_get_a_verdict_from_the_cited_sentence(standard: Assistant) -> None:
    no = standard.ask("Nghị định 88 có áp dụng đối với người làm việc trong tổ chức cơ yếu không?")
    assert (
        no.text.startswith("Không.")
        and no.verdict == "Không"
        and _labels(no) == ["NĐ 88/2024/NĐ-CP, Điều 2, khoản 2"]
    )
    yes = standard.ask(
        "Viên chức làm việc ở bệnh viện công lập có thuộc đối tượng áp dụng của Nghị định 88 không?"
    )
    assert yes.text.startswith("Có.") and _labels(yes)[0].startswith("NĐ 88/2024/NĐ-CP, Điều 2, khoản 1")


def test_a_yes_no_question_with_premises_is_decided_by_the_sentence_about_what_it_asks(
    standard: Assistant,
) -> None:
    # Điểm a speaks of the premise (reporting in writing) and would say "Có."; điểm b says what follows.
    answer = standard.ask(
        "Công chức đã báo cáo bằng văn bản mà cấp trên vẫn bắt thi hành quyết định trái pháp luật thì công "
        "chức có phải chịu trách nhiệm về hậu quả không?"
    )
    assert answer.verdict == "Không" and _labels(answer) == [
        "Luật Cán bộ, công chức 2008, Điều 7, khoản 3, điểm b"
    ]


def test_a_documents_particulars_come_from_its_header_block(standard: Assistant) -> None:
    answer = standard.ask("Nghị định 88/2024/NĐ-CP do cơ quan nào ban hành và ký ngày nào?")
    assert _labels(answer) == ["NĐ 88/2024/NĐ-CP, Thông tin văn bản"]
    assert "Số: 88/2024/NĐ-CP" in answer.text and "ngày 15 tháng 3 năm 2024" in answer.text
    assert "Độc lập - Tự do - Hạnh phúc" not in answer.text and "----" not in answer.text


def test_tasks_of_a_body_are_listed_wherever_they_stand(standard: Assistant) -> None:
    answer = standard.ask("Kế hoạch 45 giao những việc gì cho Học viện Hành chính Quốc gia?")
    labels = set(_labels(answer))
    for expected in ("Mục II, tiểu mục 2.1, điểm b", "Mục II, tiểu mục 2.2.1", "Mục III, khoản 2"):
        assert f"KH 45/KH-BNV, {expected}" in labels
    assert all("Học viện" in c.text for c in answer.citations)


def test_the_lead_names_the_clauses_own_heading(standard: Assistant) -> None:
    answer = standard.ask("Khoản 2 mục III của Kế hoạch 45 quy định gì?")
    assert answer.text.startswith("Theo KH 45/KH-BNV (Mục III, khoản 2 — Học viện Hành chính Quốc gia):")


@pytest.mark.parametrize(
    ("statement", "verdict"),
    [
        ("Nghị định này không áp dụng đối với người làm việc trong tổ chức cơ yếu", "Đúng."),
        ("Nghị định 88 áp dụng đối với người làm việc trong tổ chức cơ yếu", "Sai."),  # a negation dropped
        ("Học viện Hành chính Quốc gia tổ chức 06 lớp bồi dưỡng tập trung", "Đúng."),
        ("Học viện Hành chính Quốc gia tổ chức 08 lớp bồi dưỡng tập trung", "Sai."),  # a number changed
    ],
)
def test_a_statement_to_judge_gets_a_verdict_only_from_the_cited_sentence(
    standard: Assistant, statement: str, verdict: str
) -> None:
    answer = standard.ask(f"{statement}, đúng hay sai?")
    assert answer.text.startswith(verdict) and answer.citations
    assert answer.verdict == verdict.rstrip(".") and answer.to_json()["verdict"] == answer.verdict


def test_a_statement_the_sentence_does_not_decide_is_left_to_the_reader(standard: Assistant) -> None:
    answer = standard.ask(
        "Công chức có quyền từ chối thi hành quyết định trái pháp luật của cấp trên, đúng hay sai?"
    )
    assert not answer.text.startswith(("Đúng.", "Sai.")) and answer.citations
    assert answer.verdict is None
    assert answer.notice and "đối chiếu" in answer.notice


def test_a_follow_up_stays_with_the_document_the_conversation_is_about(standard: Assistant) -> None:
    # NĐ 88 also speaks of "bồi dưỡng trực tuyến"; the conversation is about Kế hoạch 45.
    history = [
        Turn("user", "Kế hoạch 45 tổ chức bồi dưỡng tập trung như thế nào?"),
        Turn("assistant", "Học viện Hành chính Quốc gia tổ chức 06 lớp bồi dưỡng tập trung [1]."),
    ]
    answer = standard.ask("Còn hình thức bồi dưỡng trực tuyến thì sao?", history=history)
    assert _labels(answer) and all(label.startswith("KH 45/KH-BNV") for label in _labels(answer))
    # … and asks for what is said of "trực tuyến", not for 2.2's "… tập trung và bồi dưỡng trực tuyến".
    assert _labels(answer)[0] == "KH 45/KH-BNV, Mục II, tiểu mục 2.2.2"
    alone = standard.ask("Còn hình thức bồi dưỡng trực tuyến thì sao?")
    assert any(label.startswith("NĐ 88/2024/NĐ-CP") for label in _labels(alone))  # the test can fail


CLASSES = "Mỗi lớp bồi dưỡng tập trung có không quá bao nhiêu học viên?"


@pytest.mark.parametrize(
    "question",
    [
        f"{CLASSES}\nA. 40 học viên\nB. 50 học viên\nC. 60 học viên\nD. 70 học viên",
        f"{CLASSES} A) 40 học viên B) 50 học viên C) 60 học viên D) 70 học viên",
        "moi lop boi duong tap trung co khong qua bao nhieu hoc vien?\na. 40 hoc vien\nb. 60 hoc vien\nc. 80",
    ],
)
def test_a_multiple_choice_question_gets_the_letter_the_cited_sentence_decides(
    standard: Assistant, question: str
) -> None:
    answer = standard.ask(question)
    letter = "B" if "b. 60" in question else "C"
    assert answer.verdict == letter and answer.text.startswith(f"Đáp án: {letter}.\n\n")
    assert "không quá 60 học viên" in answer.text and answer.citations
    assert _labels(answer) == ["KH 45/KH-BNV, Mục II, tiểu mục 2.2.1"] and answer.notice is None


def test_the_exception_is_the_choice_the_document_does_not_back(standard: Assistant) -> None:
    answer = standard.ask(
        "Điều nào sau đây KHÔNG đúng về lớp bồi dưỡng tập trung?\nA. Mỗi lớp không quá 60 học viên"
        "\nB. Thời gian mỗi lớp 05 ngày\nC. Mỗi lớp do Bộ Tư pháp tổ chức"
    )
    assert answer.verdict == "C"
    assert answer.text.startswith("Đáp án: C. Các phương án còn lại đều có trong văn bản được trích.")


def test_choices_the_sentences_do_not_decide_are_left_to_the_reader(standard: Assistant) -> None:
    answer = standard.ask(
        "Đối tượng nào KHÔNG thuộc phạm vi áp dụng của Nghị định 88?\nA. Người làm việc trong tổ chức cơ yếu"
        "\nB. Lực lượng vũ trang nhân dân\nC. Cả A và B đều đúng\nD. Công chức"
    )
    assert answer.verdict is None and not answer.text.startswith("Đáp án")
    assert answer.citations and answer.notice and "đối chiếu" in answer.notice


@pytest.mark.parametrize(
    ("question", "given", "outcome", "verdict"),
    [
        (f"{CLASSES}\nA. 40 học viên\nB. 60 học viên\nC. 80 học viên", "B", MATCH, "B"),
        (f"{CLASSES}\nA. 40 học viên\nB. 60 học viên\nC. 80 học viên", "đáp án a.", MISMATCH, "B"),
        ("Học viện Hành chính Quốc gia tổ chức 06 lớp bồi dưỡng tập trung", "Đúng", MATCH, "Đúng"),
        (
            "Học viện Hành chính Quốc gia tổ chức 08 lớp bồi dưỡng tập trung, đúng hay sai?",
            "đúng",
            MISMATCH,
            "Sai",
        ),
        (
            "Công chức có quyền từ chối thi hành quyết định trái pháp luật của cấp trên, đúng hay sai?",
            "Sai",
            UNDECIDED,
            None,
        ),
    ],
)
def test_a_trainees_answer_is_checked_against_the_documents(
    standard: Assistant, question: str, given: str, outcome: str, verdict: str | None
) -> None:
    check = standard.check_answer(question, given)
    assert (check.outcome, check.verdict) == (outcome, verdict)
    assert check.answer.citations
    expected = {
        MATCH: "Đúng với văn bản",
        MISMATCH: "Sai so với văn bản",
        UNDECIDED: "Văn bản không tự quyết định",
    }
    assert check.message.startswith(expected[outcome])


@pytest.mark.parametrize(
    ("question", "given", "problem"),
    [
        (f"{CLASSES}\nA. 40\nB. 60", "E", "chữ cái của một phương án (A, B)"),
        (f"{CLASSES}\nA. 40\nB. 60", "Đúng", "chữ cái"),
        ("Học viện tổ chức 06 lớp, đúng hay sai?", "B", "Đúng/Sai"),
        ("Học viện tổ chức 06 lớp, đúng hay sai?", "  ", "Chưa có câu trả lời"),
    ],
)
def test_an_answer_that_does_not_fit_the_question_is_a_vietnamese_error(
    standard: Assistant, question: str, given: str, problem: str
) -> None:
    with pytest.raises(InputError, match=re.escape(problem)):
        standard.check_answer(question, given)


def test_undecided_choices_quote_what_answers_the_stem(standard: Assistant) -> None:
    # Every choice is contradicted (the plan says 60): no letter, and the distractors' words do not pull
    # in other clauses.
    answer = standard.ask(
        "Mỗi lớp bồi dưỡng tập trung có không quá bao nhiêu học viên?\n"
        "A. 30 học viên\nB. 40 học viên\nC. 50 học viên\nD. 70 học viên"
    )
    assert answer.verdict is None and answer.notice and not answer.refused
    assert _labels(answer) == ["KH 45/KH-BNV, Mục II, tiểu mục 2.2.1"]


def test_a_clause_a_choice_names_is_part_of_the_choice_not_what_is_asked(standard: Assistant) -> None:
    choices = "\nA. Người quy định tại Điều 2 của Luật này\nB. Công chức cấp xã\nC. Viên chức\nD. Cán bộ"
    stem_only = standard.retriever.prepare("Ai phải tham gia bồi dưỡng kiến thức pháp luật?" + choices)
    assert stem_only.references == []
    named = standard.retriever.prepare("Điều 2 của Nghị định 88 áp dụng cho ai?" + choices)
    assert [r.label for r in named.references] and named.documents == ["NĐ 88/2024/NĐ-CP"]


LAW = """SOURCE: viết cho kiểm thử
TITLE: Luật Thử nghiệm
---
LUẬT THỬ NGHIỆM

Điều 1. Giải thích từ ngữ

1. Ly hôn giả tạo là việc lợi dụng ly hôn để trốn tránh nghĩa vụ tài sản.

2. Hành vi vi phạm là việc cha mẹ không chăm sóc con chưa thành niên.

3. Hội đồng tư vấn là tổ chức có quyền kiến nghị về hòa giải.

Điều 2. Cai nghiện bắt buộc

1. Người nghiện ma túy từ đủ 18 tuổi trở lên bị đưa vào cơ sở cai nghiện bắt buộc khi thuộc một trong các \
trường hợp sau:

a) Không đăng ký, không thực hiện hoặc tự ý chấm dứt cai nghiện ma túy tự nguyện;

b) Trong thời gian cai nghiện ma túy tự nguyện bị phát hiện sử dụng trái phép chất ma túy.

Điều 3. Tiếp nhận kiến nghị

Tiếp nhận kiến nghị bao gồm việc cơ quan nhà nước lắng nghe ý kiến và trả lời kiến nghị theo đề nghị của \
người dân.

Điều 4. Mục đích của Quỹ hỗ trợ phát triển

Quỹ hỗ trợ phát triển hỗ trợ dự án thử nghiệm của tác giả trẻ.

Điều 5. Chuyển giao quyền yêu cầu

Bên có quyền yêu cầu được chuyển giao quyền yêu cầu cho người thế quyền.

Điều 6. Kháng cáo quá hạn

Kháng cáo quá thời hạn được xem xét tại phiên họp của Tòa án cấp phúc thẩm.

Điều 7. Thẩm quyền của Hội đồng hòa giải

Hội đồng hòa giải giải quyết các tranh chấp sau đây:

1. Tranh chấp giữa các hội viên phát sinh từ hoạt động nghề nghiệp.

2. Tranh chấp phát sinh giữa các bên trong đó ít nhất một bên là hội viên.

3. Tranh chấp khác mà pháp luật quy định được giải quyết bằng hòa giải.

Điều 8.

Ban thường trực có những nhiệm vụ và quyền hạn sau đây:

1. Tổ chức việc chuẩn bị kỳ họp toàn thể;

2. Giám sát việc thi hành nghị quyết về hòa giải.

Điều 9. Hội đồng tư vấn

Hội đồng tư vấn có quyền giám sát việc thi hành nghị quyết về hòa giải của Ban chấp hành.

Điều 10. Nguyên tắc hoạt động của Hội đồng tư vấn

Hội đồng tư vấn hoạt động độc lập; thành viên Hội đồng tư vấn có quyền bảo lưu ý kiến.

Điều 11. Quyền của Hội đồng tư vấn

Hội đồng tư vấn có các quyền sau đây:

1. Yêu cầu Ban thường trực cung cấp tài liệu;

2. Kiến nghị sửa đổi quy chế hòa giải.

Điều 12. Thời hiệu hòa giải

Sự kiện bất ngờ là sự kiện xảy ra một cách khách quan không thể lường trước được.

Điều 14. Hợp đồng hòa giải

Hợp đồng hòa giải phải được lập thành văn bản.

Điều 15. Khai báo vắng mặt

Hội viên có trách nhiệm khai báo vắng mặt với Ban thường trực trong các trường hợp sau đây:

1. Vắng mặt tại kỳ họp toàn thể;

2. Đi khỏi nơi cư trú từ 30 ngày trở lên.

Điều 13. Tạm ngừng hòa giải

Sự kiện bất ngờ là sự kiện xảy ra một cách khách quan không thể lường trước được.

Điều 16. Kinh phí hòa giải

Hội đồng hòa giải dành tối thiểu 30% kinh phí được giao cho hòa giải tại cơ sở.

Điều 17. Thời hạn hòa giải

Thời hạn hòa giải không quá 45 ngày kể từ ngày nhận đơn.

Điều 18. Gửi quyết định

Quyết định hủy của Chủ tịch Hội đồng hòa giải phải được gửi cho các bên có quyền lợi liên quan.

Quyết định công nhận hòa giải viên do Chủ tịch Hội đồng hòa giải ký phải được công bố công khai.

Điều 19. Quyền hủy quyết định

Chủ tịch Hội đồng hòa giải có quyền hủy quyết định công nhận hòa giải viên và quyết định hòa giải thành trái \
pháp luật.
"""


@pytest.fixture(scope="module")
def small_law(corpus_assistant: Assistant, tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    folder = tmp_path_factory.mktemp("luat")
    (folder / "luat-thu-nghiem.txt").write_text(LAW, encoding="utf-8")
    settings, embeddings = corpus_assistant.settings, corpus_assistant.store.embeddings
    return eval_assistant(folder, settings, embeddings=embeddings)[0]


@pytest.mark.parametrize(
    ("statement", "verdict"),
    [
        ("Ly hôn giả tạo là việc lợi dụng ly hôn để trốn tránh nghĩa vụ tài sản", "Đúng"),
        # The sentence says what "ly hôn giả tạo" is, not what "ly hôn" is.
        ("Ly hôn là việc lợi dụng ly hôn để trốn tránh nghĩa vụ tài sản", None),
        # The law speaks of "từ đủ 18 tuổi": about 12 to 18 it says nothing, which is not "Sai".
        (
            "Người nghiện ma túy từ đủ 12 tuổi đến dưới 18 tuổi bị đưa vào cơ sở cai nghiện bắt buộc khi "
            "không đăng ký, không thực hiện hoặc tự ý chấm dứt cai nghiện ma túy tự nguyện",
            None,
        ),
        ("Người nghiện ma túy từ đủ 20 tuổi trở lên bị đưa vào cơ sở cai nghiện bắt buộc", "Sai"),
    ],
)
def test_a_verdict_needs_the_statements_own_sentence(
    small_law: Assistant, statement: str, verdict: str
) -> None:
    assert small_law.ask(f"{statement}, đúng hay sai?").verdict == verdict


def test_true_needs_the_sentences_own_words_where_it_puts_them() -> None:
    # "cơ quan nhà nước" is elsewhere in the sentence; where the sentence says "người dân", it is not.
    sentence = (
        "Tiếp nhận kiến nghị bao gồm việc cơ quan nhà nước lắng nghe ý kiến và trả lời kiến nghị "
        "theo đề nghị của người dân."
    )
    swapped = sentence.replace("người dân", "cơ quan nhà nước")
    assert SupportScorer.reworded(swapped, [sentence]) == "cơ quan nhà nước"
    assert SupportScorer.reworded(sentence.replace("việc ", ""), [sentence]) is None  # a word left out
    assert SupportScorer.reworded("Kháng cáo quá hạn được xét thế nào?", [sentence]) is None  # not its own


def test_a_statement_with_words_of_its_own_gets_no_true(small_law: Assistant) -> None:
    answer = small_law.ask(
        "Tiếp nhận kiến nghị bao gồm việc cơ quan nhà nước lắng nghe ý kiến và trả lời kiến nghị "
        "theo đề nghị của cơ quan nhà nước, đúng hay sai?"
    )
    assert answer.verdict is None and [c.clause for c in answer.citations] == ["Điều 3"]


@pytest.mark.parametrize(
    ("second", "letter"),
    [
        ("B. Tranh chấp phát sinh giữa các bên trong đó có ít nhất 1 bên là hội viên", "D"),  # "một bên"
        ("B. Tranh chấp phát sinh giữa các bên trong đó có ít nhất 2 bên là hội viên", None),
    ],
)
def test_a_choice_in_the_laws_own_words_is_backed(small_law: Assistant, second: str, letter: str) -> None:
    answer = small_law.ask(
        "Hội đồng hòa giải giải quyết tranh chấp trong những trường hợp nào?\n"
        "A. Tranh chấp giữa các hội viên phát sinh từ hoạt động nghề nghiệp\n"
        f"{second}\n"
        "C. Tranh chấp khác mà pháp luật quy định được giải quyết bằng hòa giải\n"
        "D. Cả 3 phương án A, B, C đều đúng"
    )
    assert answer.verdict == letter
    assert {c.clause for c in answer.citations} <= {
        "Điều 7",
        "Điều 7, khoản 1",
        "Điều 7, khoản 2",
        "Điều 7, khoản 3",
    }


def test_a_clause_is_read_with_the_sentence_that_announces_it(small_law: Assistant) -> None:
    # "Ban thường trực" is only in the article's opening sentence; Điều 9 has every other word.
    answer = small_law.ask("Ban thường trực có nhiệm vụ giám sát việc thi hành nghị quyết về hòa giải không?")
    assert [c.clause for c in answer.citations][:1] == ["Điều 8, khoản 2"]


@pytest.mark.parametrize("question", ["Luật Thử nghiệm có bao nhiêu điều?", "luat thu nghiem co may dieu"])
def test_the_articles_of_a_law_are_counted_from_its_structure(small_law: Assistant, question: str) -> None:
    articles = re.findall(r"^Điều (\d+)\.", LAW, flags=re.MULTILINE)
    answer = small_law.ask(question)
    assert answer.text.splitlines()[0] == (
        f"Luật Thử nghiệm có {len(set(articles))} điều (từ Điều {articles[0]} đến Điều {articles[-1]}), "
        "theo cấu trúc của văn bản trong kho."
    )
    # The first and the last, quoted and cited (the first one's opening sentence is in its khoản 1).
    assert [c.clause.split(",")[0] for c in answer.citations] == [
        f"Điều {articles[0]}",
        f"Điều {articles[-1]}",
    ]


@pytest.mark.parametrize(
    "question",
    [
        "Luật Thử nghiệm quy định bao nhiêu điều kiện hòa giải?",  # "điều kiện" is no article
        "Luật Thử nghiệm có bao nhiêu khoản?",  # every article starts again from "Khoản 1"
    ],
)
def test_only_units_numbered_across_the_document_are_counted(small_law: Assistant, question: str) -> None:
    assert "theo cấu trúc" not in small_law.ask(question).text


def test_what_is_not_a_numbered_unit_is_counted_from_the_text(corpus_assistant: Assistant) -> None:
    # The plan's "Nhiệm vụ và giải pháp" part is no numbered unit: the sentence that states the number says.
    answer = corpus_assistant.ask("Kế hoạch 32 có bao nhiêu nhiệm vụ?")
    assert "theo cấu trúc" not in answer.text and not answer.refused


def test_a_kind_of_document_at_the_start_of_a_sentence_names_none(small_law: Assistant) -> None:
    # "Quyết định hủy của Chủ tịch … phải được gửi …" has a capital because it starts the sentence: it names
    # no decision to list. The clause that says which ones the chairman may annul answers.
    answer = small_law.ask("Chủ tịch Hội đồng hòa giải có quyền hủy những quyết định nào?")
    assert [c.clause for c in answer.citations] == ["Điều 19"], answer.text


@pytest.mark.parametrize(
    "question",
    [
        "Hội đồng hòa giải dành tối thiểu bao nhiêu phần trăm kinh phí cho hòa giải tại cơ sở?",
        "hoi dong hoa giai danh bao nhieu phan tram kinh phi cho hoa giai tai co so",
        "Hội đồng hòa giải dành bao nhiêu % kinh phí cho hòa giải tại cơ sở?",
    ],
)
def test_a_percentage_asked_in_words_is_the_number_with_its_sign(small_law: Assistant, question: str) -> None:
    # "bao nhiêu phần trăm" counts in a unit the text writes "%": "30%" answers it.
    answer = small_law.ask(question)
    assert [c.clause for c in answer.citations][:1] == ["Điều 16"], answer.text


@pytest.mark.parametrize(
    ("words", "unit"),
    [
        ("phần trăm số xã", "%"),
        ("phan tram", "%"),
        ("% tiết kiệm chi", "%"),
        ("héc ta đất rừng", "ha"),
        ("ha", "ha"),
        ("phần lớn", None),  # not "phần trăm"
        ("hạng", None),  # not "ha"
        ("", None),
    ],
)
def test_the_units_a_count_may_be_in(words: str, unit: str | None) -> None:
    spellings = unit_spellings(words)
    assert (unit in spellings) if unit else spellings == ()


def test_what_no_document_in_particular_lists_is_one_clause(small_law: Assistant) -> None:
    # Not every sentence that says "quyền" and "Hội đồng tư vấn", in reading order (Điều 1 first): the
    # article that lists them.
    answer = small_law.ask("Hội đồng tư vấn có những quyền nào?")
    assert [c.clause for c in answer.citations][:1] == ["Điều 11"]


@pytest.mark.parametrize(
    ("statement", "verdict"),
    [
        ("Hợp đồng hòa giải không cần phải được lập thành văn bản", "Sai"),  # "không cần phải" denies
        ("Hợp đồng hòa giải không bắt buộc được lập thành văn bản", "Sai"),
        # The sentence announces a list: what follows it decides, and it says nothing of studying abroad.
        ("Hội viên đi học ở nước ngoài không có trách nhiệm khai báo vắng mặt với Ban thường trực", None),
    ],
)
def test_a_verdict_reads_the_ways_of_saying_no(small_law: Assistant, statement: str, verdict: str) -> None:
    assert small_law.ask(f"{statement}, đúng hay sai?").verdict == verdict


@pytest.mark.parametrize(
    ("statement", "verdict"),
    [
        # "tối đa" says what "không quá" says: the number alone decides.
        ("Thời hạn hòa giải tối đa là 45 ngày kể từ ngày nhận đơn", "Đúng"),
        ("thoi han hoa giai toi da 45 ngay ke tu ngay nhan don", "Đúng"),
        ("Thời hạn hòa giải tối đa là 60 ngày kể từ ngày nhận đơn", "Sai"),
        # A lower bound where the law sets an upper one reverses it, whatever the number.
        ("Thời hạn hòa giải ít nhất là 45 ngày kể từ ngày nhận đơn", "Sai"),
        ("Hội đồng hòa giải dành không dưới 30% kinh phí được giao cho hòa giải tại cơ sở", "Đúng"),
        ("Hội đồng hòa giải dành tối đa 30% kinh phí được giao cho hòa giải tại cơ sở", "Sai"),
    ],
)
def test_a_bound_is_read_in_the_laws_words(small_law: Assistant, statement: str, verdict: str) -> None:
    assert small_law.ask(f"{statement}, đúng hay sai?").verdict == verdict


def test_a_choice_is_read_in_the_laws_words(small_law: Assistant) -> None:
    question = (
        "Thời hạn hòa giải kể từ ngày nhận đơn là:\n"
        "A. Tối đa 30 ngày\nB. Tối đa 45 ngày\nC. Tối đa 60 ngày\nD. Tối đa 90 ngày"
    )
    assert small_law.ask(question).verdict == "B"


def test_words_that_say_the_same_are_put_in_the_sources_words() -> None:
    law = "Thời hạn hòa giải không quá 45 ngày kể từ ngày nhận đơn."
    assert in_source_words("Thời hạn tối đa là 45 ngày", law) == "Thời hạn không quá là 45 ngày"
    assert in_source_words("Thời hạn không vượt quá 45 ngày", law) == "Thời hạn không quá 45 ngày"
    # Only words of the same group, and only when the source says one of them.
    assert in_source_words("Thời hạn ít nhất 45 ngày", law) == "Thời hạn ít nhất 45 ngày"
    assert in_source_words("Thời hạn tối đa 45 ngày", "Thời hạn là 45 ngày.") == "Thời hạn tối đa 45 ngày"


def test_including_what_the_law_excepts_reverses_it() -> None:
    law = "Tài sản có được sau khi kết hôn là tài sản chung, trừ trường hợp được tặng cho riêng."
    claim = "Tài sản có được sau khi kết hôn là tài sản chung, kể cả trong trường hợp được tặng cho riêng"
    assert reversed_direction(Folded(claim), Folded(law)) == (
        "đảo nghĩa: nêu 'kể cả trong trường hợp' nhưng nguồn nói 'trừ trường hợp'"
    )
    assert reversed_direction(Folded(law), Folded(law)) is None


@pytest.mark.parametrize(
    ("law", "claim", "why"),
    [
        (
            "Quỹ tiền thưởng nằm ngoài quỹ khen thưởng.",
            "Quỹ tiền thưởng nằm trong quỹ khen thưởng",
            "đảo nghĩa: nêu 'nằm trong' nhưng nguồn nói 'nằm ngoài'",
        ),
        (
            "Người từ đủ 18 tuổi trở lên được đăng ký.",
            "Người tối đa 18 tuổi được đăng ký",
            "đảo nghĩa: nêu 'tối đa' nhưng nguồn nói 'trở lên'",
        ),
    ],
)
def test_opposite_places_and_bounds_reverse_the_law(law: str, claim: str, why: str) -> None:
    assert reversed_direction(Folded(claim), Folded(law)) == why
    assert reversed_direction(Folded(law), Folded(law)) is None


def test_a_digit_stands_for_the_word_of_a_small_number() -> None:
    law = "Tranh chấp phát sinh giữa các bên trong đó ít nhất một bên là hội viên."
    assert unsupported_numbers("có ít nhất 1 bên là hội viên", [law]) == set()
    assert unsupported_numbers("có ít nhất 2 bên là hội viên", [law]) == {"2"}
    assert unsupported_numbers("có 1 hội viên", [law]) == {"1"}  # "một" stands before "bên", not "hội"
    assert restates("Tranh chấp phát sinh giữa các bên trong đó có ít nhất 1 bên là hội viên", law)
    assert not restates("Tranh chấp phát sinh giữa các doanh nghiệp", law)
    # Folded, "thị" and "mọi" are stopwords ("thì", "mọi"): read with their marks, they are not.
    assert not restates("Dự báo thách thức về thị trường.", "Dự báo thách thức về môi trường;")
    # The claim may stop before the sentence does, but not say more, nor leave out what it is about.
    assert restates("Tranh chấp phát sinh giữa các bên", law)
    assert not restates(f"{law.rstrip('.')} và doanh nghiệp", law)
    assert not restates("Là sự phòng ngừa, phát hiện", "Bảo vệ an ninh mạng là sự phòng ngừa, phát hiện.")


def test_only_where_the_law_lists_more_is_false() -> None:
    law = "Thông tin là tin, dữ liệu được chứa đựng trong văn bản, hồ sơ, tài liệu có sẵn."
    narrowed = Folded("Thông tin là tin, dữ liệu chỉ được chứa đựng trong văn bản")

    def said(claim: Folded, source: str) -> str | None:
        aligned = aligned_source(claim, [source])
        assert aligned is not None
        return narrowed_list(claim, aligned)

    assert said(narrowed, law) == "nêu 'chỉ' nhưng nguồn còn nêu thêm 'hồ…'"
    only_there = "Thông tin là tin, dữ liệu được chứa đựng trong văn bản."
    assert said(narrowed, only_there) is None  # the law lists nothing more
    assert (
        said(Folded("Trọng tài viên do Tòa án chỉ định"), "Trọng tài viên do Tòa án chỉ định, thay thế.")
        is None
    )


@pytest.mark.parametrize(
    "question",
    [
        "Mục đích của phần nội dung trong bản án là gì?",  # "Điều 4. Mục đích của Quỹ…" is no part "Mục đích"
        "Cung cấp thông tin theo các yêu cầu của cơ quan nào?",  # nor "Điều 5. Chuyển giao quyền yêu cầu"
        "Người kháng cáo rút một phần kháng cáo thì sao?",  # nor "Điều 6. Kháng cáo quá hạn"
        "Phần kháng cáo đã rút được xử lý thế nào?",
    ],
)
def test_words_of_an_articles_title_do_not_name_a_part(small_law: Assistant, question: str) -> None:
    assert all("structure" not in s.ranks for s in small_law.retrieve(question))


def test_words_that_look_like_stopwords_without_their_marks_still_count() -> None:
    # "vi" (of "vi phạm"), "con" and "ba" are not "vì", "còn" and "bà" in a question typed with marks.
    terms = content_terms("Cha mẹ vi phạm nghĩa vụ với con thì bị xử lý ba lần?")
    assert {"vi", "con", "ba", "vi phạm"} <= set(terms)
    assert "vi" not in content_terms("cha me vi pham nghia vu voi con")  # without marks: ambiguous, dropped


def test_what_the_law_does_not_define_is_said_so(small_law: Assistant) -> None:
    defined = small_law.ask("Ly hôn giả tạo là gì?")
    assert [c.clause for c in defined.citations][:1] == ["Điều 1, khoản 1"] and defined.notice is None
    # "Hội viên" is spoken of (Điều 7), never defined: the answer quotes what the law says and says so.
    undefined = small_law.ask("Hội viên là ai?")
    assert undefined.refused or (undefined.notice and "không định nghĩa" in undefined.notice)


def test_the_same_words_in_two_clauses_are_quoted_once_and_cited_twice(small_law: Assistant) -> None:
    sentence = "Sự kiện bất ngờ là sự kiện xảy ra một cách khách quan không thể lường trước được."
    answer = small_law.ask(f"{sentence.rstrip('.')}, đúng hay sai?")
    assert answer.verdict == "Đúng"
    assert sorted(c.clause for c in answer.citations) == ["Điều 12", "Điều 13"]
    assert answer.text.count(sentence) == 1 and answer.text.endswith(f"{sentence} [1] [2]")
