"""Loose follow-ups typed without diacritics resolve like their accented form; English open questions are
answered from a Vietnamese sentence that says every one of their concepts, with an English lead, and
refused otherwise (issue 21, item 6). Over the bundled corpus and the standard-layout documents."""

from __future__ import annotations

import pytest

from assistant import Answer, Assistant
from assistant.core.models import Turn
from assistant.language.text import fold, has_diacritics
from evals.corpus_store import eval_assistant
from tests.conftest import PROJECT

STANDARD = PROJECT / "evals" / "corpora" / "standard"
TASK_4 = "Nhiệm vụ thứ tư của kế hoạch là gì?"
ARTICLE_2 = "Điều 2 Hiến pháp 2013 quy định gì?"


@pytest.fixture(scope="module")
def standard(corpus_assistant: Assistant) -> Assistant:
    settings, embeddings = corpus_assistant.settings, corpus_assistant.store.embeddings
    return eval_assistant(STANDARD, settings, embeddings=embeddings)[0]


def _clauses(answer: Answer) -> list[str]:
    return [c.clause for c in answer.citations]


@pytest.mark.parametrize(
    ("earlier", "follow_up", "clause"),
    [
        (TASK_4, "còn nhiệm vụ thứ năm thì sao", "Nhiệm vụ thứ năm"),
        (TASK_4, "Còn nhiệm vụ thứ năm thì sao?", "Nhiệm vụ thứ năm"),
        (TASK_4, "thế còn nhiệm vụ thứ sáu", "Nhiệm vụ thứ sáu"),
        (TASK_4, "vậy nhiệm vụ thứ ba thì sao", "Nhiệm vụ thứ ba"),
        (TASK_4, "và nhiệm vụ thứ bảy", "Nhiệm vụ thứ bảy"),
        (TASK_4, "nhiệm vụ đó gồm những gì", "Nhiệm vụ thứ tư"),
        (ARTICLE_2, "còn điều 3 thì sao", "Điều 3"),
        (ARTICLE_2, "vậy còn điều 4", "Điều 4, khoản 1"),
        (TASK_4, "còn nhiệm vụ thứ tám thì sao", None),  # the plan has seven: refused either way
    ],
)
def test_a_follow_up_without_diacritics_resolves_like_its_accented_form(
    corpus_assistant: Assistant, earlier: str, follow_up: str, clause: str | None
) -> None:
    history = [Turn("user", earlier), Turn("assistant", corpus_assistant.ask(earlier).text)]
    accented = corpus_assistant.ask(follow_up, history)
    plain = corpus_assistant.ask(fold(follow_up), history)
    assert not has_diacritics(fold(follow_up))
    if clause is None:
        assert accented.refused and plain.refused
        return
    assert not accented.refused and _clauses(accented)[0] == clause
    assert not plain.refused and _clauses(plain) == _clauses(accented)


@pytest.mark.parametrize(
    ("question", "document", "clause"),
    [
        ("What does the plan say about fighting corruption?", "KH 32-KH/BCSĐ", "Nhiệm vụ thứ năm"),
        ("What does the plan say about administrative procedures?", "KH 32-KH/BCSĐ", "Nhiệm vụ thứ tư"),
        ("At what age can citizens vote?", "Hiến pháp 2013", "Điều 27"),
        ("What is the capital of Vietnam?", "Hiến pháp 2013", "Điều 13, khoản 5"),
        ("What does the Constitution say about freedom of the press?", "Hiến pháp 2013", "Điều 25"),
    ],
)
def test_an_english_question_is_answered_from_the_vietnamese_sentence_that_says_it(
    corpus_assistant: Assistant, question: str, document: str, clause: str
) -> None:
    _answered_in_vietnamese_with_an_english_lead(corpus_assistant.ask(question), document, clause)


@pytest.mark.parametrize(
    ("question", "document", "clause"),
    [
        ("What does the plan require ministries to do about legal education?", "KH 45/KH-BNV", "Mục II"),
        ("Do civil servants have to pay tuition fees for legal training?", "NĐ 88/2024/NĐ-CP", "Điều 12"),
        ("When does the decree take effect?", "NĐ 88/2024/NĐ-CP", "Điều 13"),
        (
            "What does the decree say about the responsibility of the Ministry of Justice?",
            "NĐ 88/2024/NĐ-CP",
            "Điều 10",
        ),
    ],
)
def test_english_questions_about_documents_in_the_standard_layout(
    standard: Assistant, question: str, document: str, clause: str
) -> None:
    _answered_in_vietnamese_with_an_english_lead(standard.ask(question), document, clause)


def _answered_in_vietnamese_with_an_english_lead(answer: Answer, document: str, clause: str) -> None:
    assert not answer.refused, answer.text
    first = answer.citations[0]
    assert first.label.startswith(document) and first.clause.startswith(clause), first.label
    lead, _, quoted = answer.text.partition(":")
    # "According to <document> (<its clause, as labelled>), in the documents' own Vietnamese words:"
    english = lead.replace(document, "").split("(")[0] + lead.rpartition(")")[2]
    assert lead.startswith("According to ") and document in lead and not has_diacritics(english)
    assert has_diacritics(quoted) and all(q in answer.text for c in answer.citations for q in c.quotes)
    assert answer.notice  # says the quote is the documents' Vietnamese, untranslated


@pytest.mark.parametrize(
    "question",
    [
        "What does the plan say about space exploration?",  # no word of it in the glossary
        "Who won the football world cup?",
        "What does the plan say about tourism?",  # every word known, none in the documents
        "How much funding does the plan allocate to the Ministry of Health?",
        "What does the Constitution say about same-sex marriage?",  # marriage is there; same-sex is not
        "Who is the president of France?",
    ],
)
def test_an_english_question_the_documents_do_not_answer_is_refused(
    corpus_assistant: Assistant, question: str
) -> None:
    answer = corpus_assistant.ask(question)
    assert answer.refused and answer.citations == []


@pytest.mark.parametrize(
    "question",
    [
        "What does the decree say about the salaries of judges?",  # both known, never together
        "What penalties does the decree impose on officials who skip training?",
    ],
)
def test_english_questions_the_standard_documents_do_not_answer_are_refused(
    standard: Assistant, question: str
) -> None:
    answer = standard.ask(question)
    assert answer.refused and answer.citations == []
