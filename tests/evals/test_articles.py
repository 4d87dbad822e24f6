"""Benchmarks labelled with articles (ALQAC): the competition's scoring, shown able to fail, and a small
real run over one law of ../shared/external/alqac (evaluation data, never bundled; skipped without it)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistant import Answer, Assistant, Citation
from evals.articles import (
    LOWER_IS_BETTER,
    TOLERANCES,
    ArticleDatasetError,
    ArticleItem,
    aggregate,
    cited_articles,
    evaluate,
    f2,
    load_articles,
    score,
)
from evals.articles_report import write_articles_html
from evals.corpus_store import eval_assistant
from evals.gate import baseline_record, compare, regressions
from tests.conftest import PROJECT
from tests.evals.test_evals_gate import answerer_replaced

ALQAC = PROJECT.parent / "shared" / "external" / "alqac"
LAW = "luat-tiep-can-thong-tin"
LAWS = (
    LAW,
    "luat-vien-chuc",
)  # the second has true/false and multiple-choice questions the assistant decides


def _answer(*clauses: str, doc: str = LAW, refused: bool = False, verdict: str | None = None) -> Answer:
    citations = [Citation(n, doc, "", clause, clause, "", "", 0, 0) for n, clause in enumerate(clauses, 1)]
    return Answer("?", "…", refused, citations, verdict=verdict)


CHOICES = (("A", "Cơ quan nhà nước."), ("B", "Doanh nghiệp."), ("C", "Công dân."))
MC = ArticleItem(
    "mc", "Luật áp dụng cho ai?", LAW, frozenset({"2"}), "Trắc nghiệm", "", "C. Công dân.", CHOICES
)
TF = ArticleItem(
    "tf", "Công dân có quyền tiếp cận thông tin, đúng hay sai?", LAW, frozenset({"2"}), "Đúng/Sai"
)


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
    rows = [
        score(item, _answer("Điều 12")),
        score(item, _answer(refused=True)),
        score(item, _answer("Điều 9")),
    ]
    totals = aggregate(rows)
    assert totals["macro_f2"] == pytest.approx(1 / 3)
    assert totals["hit@1"] == pytest.approx(1 / 3)
    assert totals["refused"] == pytest.approx(1 / 3) and totals["wrong_article"] == pytest.approx(1 / 3)


def test_the_question_is_sent_with_its_choices_and_the_gold_verdict_read() -> None:
    assert MC.prompt == "Luật áp dụng cho ai?\nA. Cơ quan nhà nước.\nB. Doanh nghiệp.\nC. Công dân."
    assert MC.gold_verdict == "C"
    tf = ArticleItem("tf", "…, đúng hay sai?", LAW, frozenset({"2"}), "Đúng/Sai", "", "Sai")
    assert tf.prompt == tf.question and tf.gold_verdict == "Sai"
    assert ArticleItem("o", "Vì sao?", LAW, frozenset({"2"}), "Tự luận", "", "Vì …").gold_verdict is None


def _tf(gold: str) -> ArticleItem:
    return ArticleItem(f"tf-{gold}", "…, đúng hay sai?", LAW, frozenset({"2"}), "Đúng/Sai", "", gold)


def test_verdicts_are_counted_and_a_wrong_one_lowers_accuracy() -> None:
    right = [score(MC, _answer("Điều 2", verdict="C")), score(_tf("Đúng"), _answer("Điều 2", verdict="Đúng"))]
    undecided = [score(_tf("Sai"), _answer("Điều 2")), score(_tf("Đúng"), _answer(refused=True))]
    wrong = [score(MC, _answer("Điều 2", verdict="A")), score(_tf("Sai"), _answer("Điều 2", verdict="Đúng"))]
    good = aggregate(right + undecided)
    assert good["verdicts"] == 2 and good["verdict_coverage"] == 0.5 and good["verdict_accuracy"] == 1.0
    bad = aggregate(wrong + undecided)
    assert bad["verdict_coverage"] == 0.5 and bad["verdict_accuracy"] == 0.0
    assert (
        aggregate([score(ArticleItem("o", "?", LAW, frozenset({"2"})), _answer("Điều 2"))])[
            "verdict_accuracy"
        ]
        is None
    )


def test_the_gate_fails_on_a_worse_run() -> None:
    rows = [score(MC, _answer("Điều 2", verdict="C")), score(_tf("Đúng"), _answer("Điều 2", verdict="Đúng"))]
    baseline = baseline_record(aggregate(rows), "q.jsonl", "extractive", TOLERANCES, LOWER_IS_BETTER)
    assert not regressions(compare(aggregate(rows), baseline))
    worse = [score(MC, _answer("Điều 2", verdict="A")), score(_tf("Đúng"), _answer(refused=True))]
    failed = {c.metric: c.describe() for c in regressions(compare(aggregate(worse), baseline))}
    assert set(failed) == {"macro_f2", "hit@1", "refused", "verdict_accuracy", "wrong_verdicts"}
    assert failed["verdict_accuracy"].startswith("GIẢM: verdict_accuracy 0.0 < mốc 1.0")
    assert failed["refused"].startswith("TĂNG: refused")


def test_wrong_verdicts_are_counted_and_a_yes_no_verdict_reads_as_true_false() -> None:
    # "…, phải không?" is asked as a yes/no question: "Có." is "Đúng", "Không." is "Sai".
    rows = [
        score(_tf("Đúng"), _answer("Điều 2", verdict="Có")),
        score(_tf("Sai"), _answer("Điều 2", verdict="Không")),
        score(_tf("Sai"), _answer("Điều 2", verdict="Có")),
        score(MC, _answer("Điều 2", verdict="A")),
        score(_tf("Đúng"), _answer("Điều 2")),  # no verdict: not a wrong one
    ]
    assert [r["verdict_ok"] for r in rows] == [True, True, False, False, None]
    totals = aggregate(rows)
    assert totals["verdicts"] == 4 and totals["wrong_verdicts"] == 2
    assert TOLERANCES["wrong_verdicts"] == 0 and "wrong_verdicts" in LOWER_IS_BETTER
    # Gated: a baseline with one wrong verdict (a gold label against the article) lets one through, not two.
    baseline = baseline_record(aggregate(rows[2:3]), "q.jsonl", "extractive", TOLERANCES, LOWER_IS_BETTER)
    assert baseline["metrics"]["wrong_verdicts"] == 1
    assert not {c.metric for c in regressions(compare(aggregate(rows[2:3]), baseline))}
    assert "wrong_verdicts" in {c.metric for c in regressions(compare(totals, baseline))}


def test_the_html_report_drills_into_each_question(tmp_path: Path) -> None:
    rows = [score(MC, _answer("Điều 9", verdict="A")), score(_tf("Đúng"), _answer("Điều 2"))]
    result = {"metrics": aggregate(rows), "groups": {"loại: Trắc nghiệm": aggregate(rows[:1])}, "items": rows}
    path = tmp_path / "articles.html"
    write_articles_html(path, result, [], {"dataset": "q.jsonl"})
    html = path.read_text(encoding="utf-8")
    assert "<li>C. Công dân.</li>" in html and "✗ trợ lý: A · đáp án: C" in html
    assert "không kết luận · đáp án: Đúng" in html and "verdict_accuracy" in html


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
    for law in LAWS:
        shutil.copy(ALQAC / "corpus" / f"{law}.txt", folder)
    questions = tmp_path / "questions.jsonl"
    lines = (ALQAC / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    questions.write_text(
        "\n".join(line for line in lines if any(law in line for law in LAWS)), encoding="utf-8"
    )
    items = [i for i in load_articles(questions) if i.law in LAWS]
    assert len(items) >= 16
    assistant, _ = eval_assistant(
        folder, corpus_assistant.settings, embeddings=corpus_assistant.store.embeddings
    )
    result = evaluate(assistant, items, progress=False)
    assert result["metrics"]["macro_f2"] >= 0.6, json.dumps(result["metrics"])
    assert result["metrics"]["questions"] == len(items)
    # The law's true/false and multiple-choice questions get verdicts, right ones.
    given = [r for r in result["items"] if r["verdict"]]
    assert given and all(r["verdict_ok"] for r in given), json.dumps(given, ensure_ascii=False)
    assert result["metrics"]["verdict_accuracy"] == 1.0

    class CitesArticleOne:  # every answer cites Điều 1 of the law: the scorer must see it
        def __init__(self, inner) -> None:
            self.inner = inner

        def __call__(self, query, retrieved, index) -> Answer:
            return _answer("Điều 1")

    with answerer_replaced(assistant, CitesArticleOne):
        broken = evaluate(assistant, items, progress=False)["metrics"]
    gold_one = sum("1" in i.articles for i in items) / len(items)
    assert broken["macro_f2"] <= gold_one < result["metrics"]["macro_f2"]

    class WrongVerdicts:  # the same answers with every verdict turned: the accuracy must fall to 0
        def __init__(self, inner) -> None:
            self.inner = inner

        def __call__(self, query, retrieved, index) -> Answer:
            answer = self.inner(query, retrieved, index)
            if answer.verdict:
                answer.verdict = {"Đúng": "Sai", "Sai": "Đúng"}.get(answer.verdict, "Z")
            return answer

    with answerer_replaced(assistant, WrongVerdicts):
        turned = evaluate(assistant, items, progress=False)["metrics"]
    assert turned["verdict_accuracy"] == 0.0 and turned["verdicts"] == result["metrics"]["verdicts"]
