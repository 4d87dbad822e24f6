"""The eval harness end to end: the bundled dataset passes its committed baseline; breaking retrieval
or the refusal rule fails the gate; the CLI prints the table, writes the reports, errors in one line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from assistant import Answer, Assistant, Citation
from assistant.answering.chain import EXTRACTIVE
from assistant.core.models import Chunk
from assistant.language.text import sentence_spans
from evals.claims import LEAD
from evals.cli import Outcome, run_eval
from evals.dataset import Item
from evals.gate import (
    LOWER_IS_BETTER,
    TOLERANCES,
    ZERO_GATED,
    Comparison,
    baseline_record,
    compare,
    load_baseline,
)
from evals.metrics import gold_verdict, wrong_verdict
from tests.conftest import PROJECT
from tests.evals.evals_cli import evals_main

BASELINE = PROJECT / "evals" / "baselines" / "extractive.json"
_outcomes: dict[str, Outcome] = {}


def _outcome(assistant: Assistant) -> Outcome:
    if "ok" not in _outcomes:
        _outcomes["ok"] = run_eval(assistant, baseline=BASELINE, progress=False)
    return _outcomes["ok"]


def test_the_bundled_dataset_meets_the_committed_baseline(corpus_assistant: Assistant) -> None:
    outcome = _outcome(corpus_assistant)
    assert not outcome.failed, [(c.metric, c.current, c.baseline) for c in outcome.failed]
    metrics = outcome.results["ours-extractive"]["metrics"]
    # Extractive answers quote their sources verbatim: every claim is supported and cited.
    assert metrics["citation_recall"] == metrics["faithfulness"] == 1.0
    assert metrics["refusal_recall"] == 1.0
    assert {c.metric for c in outcome.comparisons} >= set(TOLERANCES)


def test_breaking_retrieval_fails_the_gate(corpus_assistant: Assistant) -> None:
    outcome = run_eval(corpus_assistant, k=0, baseline=BASELINE, progress=False)
    failed = {c.metric for c in outcome.failed}
    assert {"hit@k", "mrr", "evidence_recall", "correctness"} <= failed


class _NeverRefuses:
    """Breaks the refusal rule: where the answerer refuses, quote the first retrieved sentence anyway."""

    def __init__(self, inner) -> None:
        self.inner = inner

    def __call__(self, query, retrieved, index) -> Answer:
        answer = self.inner(query, retrieved, index)
        if not answer.refused or not retrieved:
            return answer
        chunk = retrieved[0].chunk
        return quoting(query.text, chunk)


def quoting(question: str, chunk: Chunk) -> Answer:
    """An answer that quotes the first sentence of a chunk, cited [1]."""
    a, b = next(sentence_spans(chunk.text))
    quote = chunk.text[a:b]
    citation = Citation(1, chunk.doc_id, chunk.doc_title, chunk.clause_label, chunk.citation, chunk.text,
                        chunk.id, chunk.start, chunk.end, (quote,))  # fmt: skip
    return Answer(question, f"Theo {chunk.citation}: {quote} [1]", False, [citation])


@contextmanager
def answerer_replaced(assistant: Assistant, wrapper) -> Iterator[None]:
    """The extractive answerer wrapped by `wrapper` for the duration."""
    original = assistant.answerers[EXTRACTIVE]
    assistant.answerers[EXTRACTIVE] = wrapper(original)
    try:
        yield
    finally:
        assistant.answerers[EXTRACTIVE] = original


def test_breaking_the_refusal_rule_fails_the_gate(corpus_assistant: Assistant) -> None:
    with answerer_replaced(corpus_assistant, _NeverRefuses):
        outcome = run_eval(corpus_assistant, baseline=BASELINE, progress=False)
    failed = {c.metric for c in outcome.failed}
    assert "refusal_recall" in failed and "correctness" in failed
    # Still faithful to its sources, which is why faithfulness alone cannot gate refusals.
    assert outcome.results["ours-extractive"]["metrics"]["faithfulness"] == 1.0


def test_gate_compares_within_tolerance() -> None:
    assert not Comparison("mrr", 0.8, 0.79, 0.02).regressed
    assert Comparison("mrr", 0.8, 0.77, 0.02).regressed
    assert Comparison("faithfulness", 1.0, None, 0.02).regressed
    assert not Comparison("latency_p95_ms", 50, 500, None).regressed


def test_gate_lower_is_better_metrics_fail_when_they_rise() -> None:
    assert TOLERANCES["answered_wrong_clause"] == 0.0 and "answered_wrong_clause" in LOWER_IS_BETTER
    assert Comparison("answered_wrong_clause", 0.05, 0.06, 0.0, lower_is_better=True).regressed
    assert not Comparison("answered_wrong_clause", 0.05, 0.05, 0.0, lower_is_better=True).regressed
    assert not Comparison("answered_wrong_clause", 0.05, 0.0, 0.0, lower_is_better=True).regressed
    assert Comparison("answered_wrong_clause", 0.05, None, 0.0, lower_is_better=True).regressed
    # Baselines are rounded to 4 decimals: 7/59 = 0.118644… is its own baseline 0.1186; 0.1187 is not.
    assert not Comparison("answered_wrong_clause", 0.1186, 7 / 59, 0.0, lower_is_better=True).regressed
    assert Comparison("answered_wrong_clause", 0.1186, 0.1187, 0.0, lower_is_better=True).regressed
    assert (
        not Comparison("mrr", 0.8814, 52 / 59, 0.0).regressed
        and Comparison("mrr", 0.8814, 0.8813, 0.0).regressed
    )
    assert (
        "TĂNG: answered_wrong_clause 0.06 > mốc 0.05"
        in Comparison("answered_wrong_clause", 0.05, 0.06, 0.0, lower_is_better=True).describe()
    )


def test_wrong_verdicts_are_gated_at_zero_whatever_the_baseline_holds() -> None:
    assert "wrong_verdicts" in ZERO_GATED and "wrong_verdicts" in LOWER_IS_BETTER
    # A baseline written before wrong verdicts were counted: one wrong verdict fails all the same.
    old = {"metrics": {"mrr": 0.8}, "tolerances": {"mrr": 0.02}}
    by_metric = {c.metric: c for c in compare({"mrr": 0.8, "wrong_verdicts": 1.0}, old)}
    assert by_metric["wrong_verdicts"].regressed and by_metric["wrong_verdicts"].baseline == 0.0
    assert not compare({"mrr": 0.8, "wrong_verdicts": 0.0}, old)[1].regressed
    # A tolerance written into a baseline file does not loosen it; a committed count is a ceiling.
    loose = {"metrics": {"wrong_verdicts": 1.0}, "tolerances": {"wrong_verdicts": 5.0}}
    assert not compare({"wrong_verdicts": 1.0}, loose)[0].regressed
    assert compare({"wrong_verdicts": 2.0}, loose)[0].regressed
    assert "TĂNG: wrong_verdicts 2.0 > mốc 1.0" in compare({"wrong_verdicts": 2.0}, loose)[0].describe()


def test_a_wrong_verdict_is_counted_against_the_reference_answer() -> None:
    item = Item(
        "x", "yes-no", "Kế hoạch có áp dụng đối với viên chức không?", [], True, "Có. Kế hoạch …", ["…"], []
    )
    assert gold_verdict(item) == "Có"
    assert gold_verdict(replace(item, question="Kế hoạch áp dụng đối với ai?")) is None  # not asked yes/no
    assert gold_verdict(replace(item, question="Kế hoạch áp dụng đối với viên chức, đúng hay sai?",
                                reference_answer="Đúng: …")) == "Đúng"  # fmt: skip
    assert not wrong_verdict({"verdict": "Có", "gold_verdict": "Có"}, item)
    assert wrong_verdict({"verdict": "Không", "gold_verdict": "Có"}, item)
    assert not wrong_verdict({"verdict": "Đúng", "gold_verdict": "Có"}, item)  # the same verdict
    assert not wrong_verdict({"verdict": None, "gold_verdict": "Có"}, item)  # none is not a wrong one
    # A verdict on a question the documents do not answer is wrong, whatever it says.
    assert wrong_verdict({"verdict": "Không", "gold_verdict": None}, replace(item, answerable=False))


class _TurnsVerdicts:
    """Every verdict turned the other way ("Có." ↔ "Không."), the quote kept."""

    def __init__(self, inner) -> None:
        self.inner = inner

    def __call__(self, query, retrieved, index) -> Answer:
        answer = self.inner(query, retrieved, index)
        turned = {"Có": "Không", "Không": "Có", "Đúng": "Sai", "Sai": "Đúng"}
        if answer.verdict:
            answer.text = answer.text.replace(f"{answer.verdict}.", f"{turned[answer.verdict]}.", 1)
            answer.verdict = turned[answer.verdict]
        return answer


def test_turned_verdicts_fail_the_gate(corpus_assistant: Assistant) -> None:
    assert _outcome(corpus_assistant).results["ours-extractive"]["metrics"]["wrong_verdicts"] == 0
    with answerer_replaced(corpus_assistant, _TurnsVerdicts):
        outcome = run_eval(corpus_assistant, baseline=BASELINE, progress=False)
    metrics = outcome.results["ours-extractive"]["metrics"]
    assert metrics["wrong_verdicts"] == metrics["verdicts"] > 0
    assert "wrong_verdicts" in {c.metric for c in outcome.failed}


def test_baseline_files_old_and_new_load_and_compare(tmp_path: Path) -> None:
    # Written before lower-is-better metrics existed: no direction, no new metric; still loads and gates.
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"metrics": {"mrr": 0.8, "answered_wrong_clause": 0.1},
                               "tolerances": {"mrr": 0.02}}), encoding="utf-8")  # fmt: skip
    by_metric = {c.metric: c for c in compare({"mrr": 0.7, "answered_wrong_clause": 0.2}, load_baseline(old))}
    assert by_metric["mrr"].regressed and not by_metric["mrr"].lower_is_better
    assert by_metric["answered_wrong_clause"].lower_is_better and by_metric["answered_wrong_clause"].regressed
    assert not compare({}, {"metrics": {}})  # a metric the run has but the baseline lacks is not compared
    # A file may name its own lower-is-better metrics; a written record carries the directions.
    custom = {
        "metrics": {"my_errors": 3.0},
        "tolerances": {"my_errors": 0.0},
        "lower_is_better": ["my_errors"],
    }
    assert (
        compare({"my_errors": 4.0}, custom)[0].regressed
        and not compare({"my_errors": 2.0}, custom)[0].regressed
    )
    record = baseline_record({"mrr": 0.81234, "answered_wrong_clause": 0.1}, "x.jsonl", "ours-extractive")
    assert record["lower_is_better"] == ["answered_wrong_clause"] and record["metrics"]["mrr"] == 0.8123
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"metrics": {}, "lower_is_better": "mrr"}), encoding="utf-8")
    with pytest.raises(ValueError, match="lower_is_better"):
        load_baseline(bad)


def test_cli_writes_table_json_and_html(
    corpus_assistant: Assistant,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    dataset = tmp_path / "mine.jsonl"
    source = (BASELINE.parent.parent / "datasets" / "qa.jsonl").read_text(encoding="utf-8").splitlines()
    picked = [json.loads(line) for line in source]
    picked = [i for i in picked if i["id"] in {"kh32-nv4-trucot-fact", "weather-oos", "inj-system-prompt"}]
    picked[0]["question"] += " <script>alert(1)</script>"
    dataset.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in picked), encoding="utf-8")
    baseline = tmp_path / "base.json"
    out_dir = str(tmp_path / "out")
    code = evals_main(monkeypatch, corpus_assistant, "run", "--dataset", str(dataset), "--out", out_dir,
                 "--compare", "bm25", "--write-baseline", str(baseline), "--no-progress")  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "ours-extractive" in out and "bm25" in out and "citation_precision" in out
    assert "Theo loại câu hỏi — ours-extractive" in out and "Theo loại câu hỏi — bm25" in out
    results = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert set(results["systems"]) == {"ours-extractive", "bm25"}
    assert results["meta"]["collection"] == "kh32"  # the bundled corpus: the user's own store
    kinds = results["systems"]["ours-extractive"]["by_kind"]
    assert set(kinds) == {"fact", "out-of-scope", "injection"} and sum(k["n"] for k in kinds.values()) == 3
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "<details>" in html and "&lt;script&gt;" in html and "<script>" not in html
    assert json.loads(baseline.read_text(encoding="utf-8"))["metrics"]["refusal_recall"] == 1.0
    # The same run against its own baseline passes; with retrieval broken it fails with exit code 1.
    args = ["run", "--dataset", str(dataset), "--out", str(tmp_path / "o2"), "--baseline", str(baseline)]
    assert evals_main(monkeypatch, corpus_assistant, *args, "--no-progress") == 0
    assert evals_main(monkeypatch, corpus_assistant, *args, "--k", "0", "--no-progress") == 1
    assert "GIẢM: hit@k" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mode", "llm"], "Lỗi: Chế độ trả lời 'llm' chưa được cấu hình"),
        (["--dataset", "/no/such.jsonl"], "Lỗi: Không đọc được tệp dữ liệu"),
        (["--judge"], "Lỗi: Chưa cấu hình máy chủ chấm"),
    ],
)
def test_cli_errors_are_one_line(
    corpus_assistant: Assistant,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    args: list[str],
    message: str,
) -> None:
    monkeypatch.delenv("KH32_JUDGE_BASE_URL", raising=False)
    code = evals_main(monkeypatch, corpus_assistant, "run", "--out", str(tmp_path), "--no-progress", *args)
    err = capsys.readouterr().err
    assert code != 0 and err.startswith(message) and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


# The corruptions of issue 12: a wrong actor, a wrong document, a reversed direction in every cited
# sentence that has one; every answer sentence denied.
SWAPS = (
    ("Bộ Nội vụ", "Bộ Tư pháp"), ("Nhân dân", "doanh nghiệp"), ("Hiến pháp", "Điều lệ Đảng"),
    ("tăng cường", "hạn chế"), ("đẩy mạnh", "tạm dừng"),
)  # fmt: skip


class _Rewrites:
    """Rewrites the text of every answer the answerer gives (its citations unchanged)."""

    def __init__(self, inner, rewrite) -> None:
        self.inner, self.rewrite = inner, rewrite

    def __call__(self, query, retrieved, index) -> Answer:
        answer = self.inner(query, retrieved, index)
        return answer if answer.refused else replace(answer, text=self.rewrite(answer.text))


def _swapped(text: str) -> str:
    for old, new in SWAPS:
        text = text.replace(old, new)
    return text


def _denied(text: str) -> str:
    """'Không phải: ' before every sentence after an attribution lead."""
    lines = []
    for line in text.split("\n"):
        lead = LEAD.match(line)
        head, body = (line[: lead.end()], line[lead.end() :]) if lead else ("", line)
        spans = list(sentence_spans(body))
        for a, _ in reversed(spans):
            body = body[:a] + "Không phải: " + body[a:]
        lines.append(head + body)
    return "\n".join(lines)


@pytest.mark.parametrize("rewrite", [_swapped, _denied], ids=["swapped", "denied"])
def test_wrong_actors_reversals_and_negations_fail_the_gate(corpus_assistant: Assistant, rewrite) -> None:
    with answerer_replaced(corpus_assistant, lambda inner: _Rewrites(inner, rewrite)):
        outcome = run_eval(corpus_assistant, baseline=BASELINE, progress=False)
    metrics = outcome.results["ours-extractive"]["metrics"]
    failed = {c.metric for c in outcome.failed}
    assert {"faithfulness", "citation_recall"} <= failed, metrics
    # The flagged sentences say why.
    reasons = [c["why"] for row in outcome.results["ours-extractive"]["items"] for c in row["claims"]]
    assert any("nhưng nguồn không có" in r or "đảo nghĩa" in r or "phủ định" in r for r in reasons)
