"""The claim check against corrupted answers: the sabotage suite on a fixed sample of qa.jsonl answers
flags every fault type and leaves meaning-preserving rewrites alone; single sentences show each rule."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import pytest

from assistant import Assistant
from assistant.support import SupportScorer, Verdict
from evals.dataset import DEFAULT_DATASET, Corpus, load_dataset
from evals.sabotage import (
    CONTROLS,
    FAULTS,
    MAX_CONTROLS_FLAGGED,
    MIN_FLAGGED,
    answer_row,
    run_sabotage,
    shortfalls,
)
from evals.systems import Ours

CORPUS = Corpus()
# A fixed sample: every third item of the dataset.
SAMPLE = load_dataset(DEFAULT_DATASET)[::3]
HP = "hien-phap-2013"


@cache
def _scorer(assistant: Assistant) -> SupportScorer:
    return SupportScorer(assistant.store.embeddings, [CORPUS.body(d) for d in CORPUS.files])


@pytest.fixture
def scorer(corpus_assistant: Assistant) -> SupportScorer:
    return _scorer(corpus_assistant)


def _sentence(doc: str, opening: str) -> str:
    body = CORPUS.body(doc)
    start = body.index(opening)
    return body[start : body.index(".", start) + 1]


def test_the_sabotage_suite_on_a_fixed_sample(corpus_assistant: Assistant, scorer: SupportScorer) -> None:
    rows = [answer_row(Ours(corpus_assistant).run(item).answer) for item in SAMPLE]
    tallies = run_sabotage(rows, scorer)
    assert not shortfalls(tallies), shortfalls(tallies)
    for kind in FAULTS:
        if kind != "drop_negation":  # quoted sentences rarely deny: tested on its own below
            assert tallies[kind].cases >= 3, kind
        assert tallies[kind].share is None or tallies[kind].share >= MIN_FLAGGED
    for kind in CONTROLS:
        assert tallies[kind].cases >= 3, kind
        assert tallies[kind].share <= MAX_CONTROLS_FLAGGED


def test_a_suite_that_flags_nothing_falls_short(corpus_assistant: Assistant, scorer: SupportScorer) -> None:
    """The suite can fail: a checker that supports every sentence it is asked about misses every fault."""
    rows = [answer_row(Ours(corpus_assistant).run(item).answer) for item in SAMPLE[:10]]

    def lenient(sentence: str, sources: Sequence[str]) -> Verdict:
        return Verdict(True, 1.0, 1.0, 1.0, "luôn có căn cứ")

    tallies = run_sabotage(rows, lenient)
    assert any(line.startswith("CHƯA ĐẠT: body") for line in shortfalls(tallies))


@pytest.mark.parametrize(
    ("claim", "why"),
    [
        ("Việc kéo dài nhiệm kỳ của một khóa Quốc hội được quá mười hai tháng.", "bỏ phủ định 'không được' của nguồn"),
        ("Việc kéo dài nhiệm kỳ của một khóa Chính phủ không được quá mười hai tháng.", "nêu 'Chính phủ'"),
        ("Việc kéo dài nhiệm kỳ của một khóa Quốc hội không được quá mười ba tháng.", None),
    ],
)
def test_each_rule_names_its_reason(scorer: SupportScorer, claim: str, why: str | None) -> None:
    source = _sentence(HP, "Việc kéo dài nhiệm kỳ")
    assert scorer(source, [source]).supported
    verdict = scorer(claim, [source])
    assert not verdict.supported
    assert why is None or why in verdict.reason


def test_word_order_and_listed_synonyms_keep_support(scorer: SupportScorer) -> None:
    source = _sentence(HP, "Việc kéo dài nhiệm kỳ")
    assert scorer("Nhiệm kỳ của một khóa Quốc hội không được kéo dài quá mười hai tháng.", [source]).supported
