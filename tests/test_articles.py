"""Benchmarks labelled with articles (ALQAC): the competition's scoring, shown able to fail, and a small
real run over one law of ../shared/external/alqac (evaluation data, never bundled; skipped without it)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant import Answer, Assistant, Citation
from evals.articles import (
    ArticleDatasetError,
    ArticleItem,
    aggregate,
    cited_articles,
    evaluate,
    f2,
    load_articles,
)
from evals.corpus_store import eval_assistant
from tests.conftest import PROJECT
from tests.test_evals_gate import answerer_replaced

ALQAC = PROJECT.parent / "shared" / "external" / "alqac"
LAW = "luat-tiep-can-thong-tin"


def _answer(*clauses: str, doc: str = LAW, refused: bool = False) -> Answer:
    citations = [Citation(n, doc, "", clause, clause, "", "", 0, 0) for n, clause in enumerate(clauses, 1)]
    return Answer("?", "…", refused, citations)


def test_f2_is_the_competitions() -> None:
    gold = frozenset({"12"})
    assert f2(["12"], gold) == 1.0
    assert f2([], gold) == 0.0 and f2(["13"], gold) == 0.0
    assert f2(["12", "13"], gold) == pytest.approx(5 * 0.5 * 1 / (4 * 0.5 + 1))
    assert f2(["12"], frozenset({"12", "13"})) == pytest.approx(5 * 1 * 0.5 / (4 * 1 + 0.5))


def test_cited_articles_are_read_from_clause_labels_of_the_right_law() -> None:
    answer = _answer("Điều 12, khoản 2", "Điều 12", "Điều 3, khoản 1, điểm a", "Lời nói đầu")
    assert cited_articles(answer, LAW) == ["12", "3"]
    assert cited_articles(_answer("Điều 12", doc="luat-khac"), LAW) == []


def test_a_refusal_and_a_wrong_article_score_nothing() -> None:
    item = ArticleItem("q", "?", LAW, frozenset({"12"}))
    from evals.articles import score

    rows = [
        score(item, _answer("Điều 12")),
        score(item, _answer(refused=True)),
        score(item, _answer("Điều 9")),
    ]
    totals = aggregate(rows)
    assert totals["macro_f2"] == pytest.approx(1 / 3)
    assert totals["hit@1"] == pytest.approx(1 / 3)
    assert totals["refused"] == pytest.approx(1 / 3) and totals["wrong_article"] == pytest.approx(1 / 3)


def test_a_bad_line_is_one_vietnamese_error(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text(
        '{"id": 1, "question": "?", "law": "x", "articles": ["1"]}\n{"id": 2}\n', encoding="utf-8"
    )
    with pytest.raises(ArticleDatasetError, match="dòng 2"):
        load_articles(path)


@pytest.mark.skipif(not ALQAC.is_dir(), reason="the ALQAC benchmark is not beside the project")
def test_one_real_law_end_to_end(corpus_assistant: Assistant, tmp_path: Path) -> None:
    folder = tmp_path / "laws"
    folder.mkdir()
    shutil.copy(ALQAC / "corpus" / f"{LAW}.txt", folder)
    questions = tmp_path / "questions.jsonl"
    lines = [
        line for line in (ALQAC / "questions.jsonl").read_text(encoding="utf-8").splitlines() if LAW in line
    ]
    questions.write_text("\n".join(lines), encoding="utf-8")
    items = [i for i in load_articles(questions) if i.law == LAW]
    assert len(items) >= 8
    assistant, _ = eval_assistant(
        folder, corpus_assistant.settings, embeddings=corpus_assistant.store.embeddings
    )
    result = evaluate(assistant, items, progress=False)
    assert result["metrics"]["macro_f2"] >= 0.6, json.dumps(result["metrics"])
    assert result["metrics"]["questions"] == len(items)

    class CitesArticleOne:  # every answer cites Điều 1 of the law: the scorer must see it
        def __init__(self, inner) -> None:
            self.inner = inner

        def __call__(self, query, retrieved, index) -> Answer:
            return _answer("Điều 1")

    with answerer_replaced(assistant, CitesArticleOne):
        broken = evaluate(assistant, items, progress=False)["metrics"]
    gold_one = sum("1" in i.articles for i in items) / len(items)
    assert broken["macro_f2"] <= gold_one < result["metrics"]["macro_f2"]
