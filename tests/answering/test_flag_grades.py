"""Flags of fact and flags of wording (issue 22, round four): what the claim check decides by the words
themselves (a number, a negation, a name for another name, a reversing prefix) against what only a reader of
meaning can (`Verdict.reworded`, put to the model in LLM mode). Sentences of a document made up for the
test, none of the bundled or standard corpus."""

from __future__ import annotations

import pytest

from assistant import Assistant
from assistant.answering.support import IndexScorer, SupportScorer

UB = "Ủy ban nhân dân tỉnh"
TRAINING = "tổ chức tập huấn cho {} đơn vị trong quý III."
SOURCE = (
    "Ủy ban nhân dân tỉnh chủ trì, phối hợp với Sở Tài chính tổ chức tập huấn cho 07 đơn vị trong quý III; "
    "Hội đồng nhân dân tỉnh giám sát việc thực hiện. Các đơn vị phải tăng cường kiểm tra việc tiếp dân."
)


@pytest.fixture(scope="module")
def scorer(corpus_assistant: Assistant) -> SupportScorer:
    return IndexScorer(corpus_assistant.store.embeddings)(corpus_assistant.retriever.index())


@pytest.mark.parametrize(
    "claim",
    [
        f"UBND tỉnh chủ trì, phối hợp với Sở Tài chính {TRAINING.format('07')}",
        f"{UB} chủ trì, phối hợp với Sở Tài chính {TRAINING.format('7')}",
    ],
)
def test_an_acronym_or_a_number_without_its_zero_says_the_same(scorer: SupportScorer, claim: str) -> None:
    verdict = scorer(claim, [SOURCE])
    assert verdict.supported, verdict.reason


@pytest.mark.parametrize(
    "claim",
    [
        f"HĐND tỉnh chủ trì, phối hợp với Sở Tài chính {TRAINING.format('07')}",  # a body for another
        f"{UB} chủ trì, phối hợp với Sở Nội vụ {TRAINING.format('07')}",
        f"{UB} chủ trì, phối hợp với Sở Tài chính {TRAINING.format('09')}",  # a number
        f"{UB} không chủ trì việc {TRAINING.format('07')}",  # a negation
    ],
)
def test_a_flag_of_fact_is_no_matter_of_wording(scorer: SupportScorer, claim: str) -> None:
    verdict = scorer(claim, [SOURCE])
    assert not verdict.supported and not verdict.reworded and verdict.place == "", verdict.reason


@pytest.mark.parametrize(
    ("claim", "place"),
    [
        ("Các đơn vị phải nới lỏng kiểm tra việc tiếp dân.", "tăng cường"),  # a reversal no list holds
        ("Các đơn vị có trách nhiệm tăng cường kiểm tra việc tiếp dân.", "phải"),  # a faithful modal
    ],
)
def test_a_word_said_otherwise_is_a_flag_of_wording_with_its_place(
    scorer: SupportScorer, claim: str, place: str
) -> None:
    verdict = scorer(claim, [SOURCE])
    assert not verdict.supported and verdict.reworded and verdict.place == place, verdict.reason


def test_a_date_moved_with_its_sentence_is_bound_to_nothing(scorer: SupportScorer) -> None:
    """The day and month of a date count nothing: said in another order, the sentence keeps its date."""
    source = "Ngày 16/02, Sở Tài chính ban hành Kế hoạch số 45-KH/STC thực hiện Chỉ thị số 12-CT/UBND."
    faithful = "Kế hoạch số 45-KH/STC do Sở Tài chính ban hành ngày 16/02 để thực hiện Chỉ thị số 12-CT/UBND."
    assert scorer(faithful, [source]).supported, scorer(faithful, [source]).reason
    swapped = "Kế hoạch số 12-KH/STC do Sở Tài chính ban hành ngày 16/02 để thực hiện Chỉ thị số 45-CT/UBND."
    assert not scorer(swapped, [source]).supported


BAN_HEADINGS = ("Luật Cán sự — Điều 9. Những việc cán sự không được làm — khoản 2",)
ITEM = "2. Tự ý nghỉ việc; tổ chức hoặc tham gia đình công; sử dụng tài sản công trái pháp luật."


def test_a_ban_said_by_the_headings_above_the_item_stands(scorer: SupportScorer) -> None:
    """An item of "Những việc … không được làm" cited alone: the claim's ban is its heading's."""
    faithful = "Cán sự bị cấm tự ý nghỉ việc hoặc tham gia đình công."
    verdict = scorer(faithful, [ITEM], BAN_HEADINGS)
    assert verdict.supported, verdict.reason
    assert not scorer(faithful, [ITEM]).supported  # no heading: the ban is the claim's own
