"""Verdicts that read the whole article (issue 21, item 5): "Có./Không./Đúng/Sai" and a choice's letter only
when the deciding sentence speaks to the asked case; another khoản or điểm of the same article that speaks
to it more specifically decides instead; when they conflict, no verdict. Over a law written for the test."""

from __future__ import annotations

import pytest

from assistant import Answer, Assistant
from assistant.answering.extractive.sentences import Sentence
from assistant.answering.extractive.verdicts import speaks_to
from assistant.core.passages import quotable
from evals.corpus_store import eval_assistant

LAW = """SOURCE: viết cho kiểm thử
TITLE: Luật Hội viên
---
LUẬT HỘI VIÊN

Điều 1. Phạm vi điều chỉnh

Luật này quy định quyền, nghĩa vụ của hội viên và hoạt động của Ban thường trực.

Điều 2. Nghỉ phép của hội viên

1. Hội viên được nghỉ phép hằng năm theo quy chế của hội.

2. Hội viên không được nghỉ phép hằng năm khi đang bị tạm đình chỉ sinh hoạt.

Điều 3. Kỳ họp toàn thể

1. Hội viên được tham dự kỳ họp toàn thể.

2. Hội viên không được biểu quyết tại kỳ họp toàn thể.

Điều 4. Sử dụng tài sản của hội

Hội viên được sử dụng tài sản của hội theo ý chí của mình nhưng không được trái với điều lệ của hội.

Điều 5. Vắng mặt tại kỳ họp

Khi được Ban thường trực đồng ý thì hội viên được vắng mặt tại kỳ họp toàn thể.

Điều 6. Tài liệu hội viên không được tiếp cận

1. Tài liệu về tài chính nội bộ của Ban thường trực.

2. Tài liệu mà nếu để tiếp cận sẽ gây thiệt hại cho hội viên khác.

Điều 7. Phí hội viên

Hội viên đóng phí hội viên mỗi năm một lần.

Điều 8. Mang tài liệu ra khỏi trụ sở

1. Hội viên được mang tài liệu của hội ra khỏi trụ sở để phục vụ công việc của hội.

2. Hội viên không được mang tài liệu mật của hội ra khỏi trụ sở.

Điều 9. Ứng cử vào Ban thường trực

1. Hội viên có quyền ứng cử vào Ban thường trực theo điều lệ của hội.

2. Hội viên chưa đủ hai năm sinh hoạt không được ứng cử vào Ban thường trực.

Điều 10. Nội dung sinh hoạt

1. Nội dung sinh hoạt của hội bao gồm:

a) Tổ chức hội thảo chuyên đề về nghề nghiệp;

b) Bồi dưỡng kỹ năng hòa giải cho hội viên;

c) Xây dựng thư viện điện tử của hội.
"""


@pytest.fixture(scope="module")
def law(corpus_assistant: Assistant, tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    folder = tmp_path_factory.mktemp("luat-hoi-vien")
    (folder / "luat-hoi-vien.txt").write_text(LAW, encoding="utf-8")
    settings, embeddings = corpus_assistant.settings, corpus_assistant.store.embeddings
    return eval_assistant(folder, settings, embeddings=embeddings)[0]


def _clauses(answer: Answer) -> list[str]:
    return [c.clause for c in answer.citations]


def _sentence(assistant: Assistant, clause: str) -> Sentence:
    """The first quotable sentence of a clause of the law, as the selector would hand it over."""
    chunk = next(c for c in assistant.retriever.index().chunks if c.clause_label == clause)
    start, end = quotable(chunk)[0]
    return Sentence(chunk, 0, start, end)


def test_the_khoan_that_speaks_to_the_asked_case_decides(law: Assistant) -> None:
    # Khoản 1 alone would say "Có."; khoản 2 says "không được …" for exactly the asked case.
    question = "Hội viên đang bị tạm đình chỉ sinh hoạt có được nghỉ phép hằng năm không?"
    query, _ = law.prepared(question)
    answerer = law.answerers["extractive"]
    index = law.retriever.index()
    general = _sentence(law, "Điều 2, khoản 1")
    assert answerer.verdict(query, general, index) == "Có."  # the khoản read alone
    decided = answerer.verdicts.yes_no(query, [general], index)
    assert decided.verdict == "Không."
    assert [s.chunk.clause_label for s in decided.sentences] == ["Điều 2, khoản 2"]
    answer = law.ask(question)
    assert answer.verdict == "Không" and _clauses(answer) == ["Điều 2, khoản 2"]


@pytest.mark.parametrize(
    ("question", "verdict", "clause"),
    [
        # The exception of khoản 2 is for a case the question does not put: khoản 1 answers it.
        ("Hội viên có được nghỉ phép hằng năm không?", "Có", "Điều 2, khoản 1"),
        ("Hội viên có quyền ứng cử vào Ban thường trực không?", "Có", "Điều 9, khoản 1"),
        # Both deny "đủ hai năm": a premise they share; only the sentence denies "ứng cử".
        (
            "Hội viên chưa đủ hai năm sinh hoạt có quyền ứng cử vào Ban thường trực theo điều lệ của hội "
            "không?",
            "Không",
            "Điều 9, khoản 2",
        ),
        # A khoản of an article titled "… không được tiếp cận" is read with its title.
        (
            "Hội viên có được tiếp cận tài liệu về tài chính nội bộ của Ban thường trực không?",
            "Không",
            "Điều 6, khoản 1",
        ),
    ],
)
def test_a_yes_no_verdict_reads_the_article(law: Assistant, question: str, verdict: str, clause: str) -> None:
    answer = law.ask(question)
    assert answer.verdict == verdict and answer.text.startswith(f"{verdict}.")
    assert _clauses(answer)[0] == clause


def test_khoans_that_decide_both_ways_give_no_verdict(law: Assistant) -> None:
    # Khoản 1 allows taking documents out to serve the association's work, khoản 2 forbids secret ones:
    # each speaks to words of the question the other does not. Both are quoted, for the reader.
    answer = law.ask("Hội viên có được mang tài liệu mật ra khỏi trụ sở để phục vụ công việc của hội không?")
    assert answer.verdict is None and not answer.refused
    assert sorted(_clauses(answer)) == ["Điều 8, khoản 1", "Điều 8, khoản 2"]
    assert answer.notice and "đối chiếu" in answer.notice
    assert not answer.text.startswith(("Có.", "Không."))


@pytest.mark.parametrize(
    ("statement", "verdict"),
    [
        # The law limits what it grants ("… nhưng không được trái với điều lệ"): a statement without the
        # limit is not backed by it; with it, it is.
        ("Hội viên được sử dụng tài sản của hội theo ý chí của mình", None),
        (
            "Hội viên được sử dụng tài sản của hội theo ý chí của mình nhưng không được trái với điều lệ "
            "của hội",
            "Đúng",
        ),
        # "Khi được Ban thường trực đồng ý thì …": the law speaks of that case only.
        ("Hội viên được vắng mặt tại kỳ họp toàn thể", None),
        ("Hội viên được nghỉ phép hằng năm theo quy chế của hội", "Đúng"),
        ("Hội viên đóng phí hội viên mỗi năm một lần", "Đúng"),
    ],
)
def test_a_true_false_verdict_needs_the_sentence_to_speak_to_the_asked_case(
    law: Assistant, statement: str, verdict: str | None
) -> None:
    answer = law.ask(f"{statement}, đúng hay sai?")
    assert answer.verdict == verdict and answer.citations
    if verdict is None:
        assert answer.notice and "đối chiếu" in answer.notice


def test_a_choice_listing_points_of_one_article_is_backed_by_them(law: Assistant) -> None:
    answer = law.ask(
        "Nội dung nào sau đây thuộc nội dung sinh hoạt của hội?\n"
        "A. Tổ chức hội thảo chuyên đề về nghề nghiệp; xây dựng thư viện điện tử của hội\n"
        "B. Tổ chức du lịch nước ngoài cho hội viên\n"
        "C. Cấp học bổng cho con của hội viên\n"
        "D. Kinh doanh bất động sản"
    )
    assert answer.verdict == "A"
    assert _clauses(answer) == ["Điều 10, khoản 1, điểm a", "Điều 10, khoản 1, điểm c"]


@pytest.mark.parametrize(
    ("statement", "sentence", "positive", "speaks"),
    [
        ("Công dân được tiếp cận thông tin thuộc bí mật nhà nước",
         "Khi thông tin thuộc bí mật nhà nước được giải mật thì công dân được tiếp cận.", False, False),
        ("Khi thông tin được giải mật thì công dân được tiếp cận thông tin thuộc bí mật nhà nước",
         "Khi thông tin thuộc bí mật nhà nước được giải mật thì công dân được tiếp cận.", False, True),
        ("Chủ sở hữu được thực hiện mọi hành vi đối với tài sản",
         "Chủ sở hữu được thực hiện mọi hành vi đối với tài sản nhưng không được trái với quy định của luật.",
         True, False),
        # … a limit does not stop a "no": the statement without it is still false.
        ("Chủ sở hữu được thực hiện mọi hành vi đối với tài sản",
         "Chủ sở hữu được thực hiện mọi hành vi đối với tài sản nhưng không được trái với quy định của luật.",
         False, True),
        # A "nhưng" of another part of the sentence (after a semicolon) limits that part only.
        ("Quan hệ có yếu tố nước ngoài là quan hệ mà ít nhất một bên là người nước ngoài",
         "Quan hệ có yếu tố nước ngoài là quan hệ mà ít nhất một bên là người nước ngoài; quan hệ giữa các "
         "công dân nhưng phát sinh tại nước ngoài.", True, True),
        # "sau khi" says from when, not in which case.
        ("Hội viên nộp báo cáo trong 05 ngày",
         "Hội viên nộp báo cáo trong 05 ngày sau khi kết thúc kỳ họp.", True, True),
    ],
)  # fmt: skip
def test_what_narrows_a_sentence_to_a_case_of_its_own(
    statement: str, sentence: str, positive: bool, speaks: bool
) -> None:
    assert speaks_to(statement, sentence, positive) is speaks
