"""The eval harness end to end: the bundled dataset passes its committed baseline; breaking retrieval
or the refusal rule fails the gate; the CLI prints the table, writes the reports, errors in one line."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from assistant import Answer, Assistant, Citation
from assistant.chain import EXTRACTIVE
from assistant.text import sentence_spans
from evals import cli
from evals.cli import Outcome, run_eval
from evals.gate import TOLERANCES, Comparison

BASELINE = Path(__file__).resolve().parent.parent / "evals" / "baselines" / "extractive.json"
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
        a, b = next(sentence_spans(chunk.text))
        quote = chunk.text[a:b]
        citation = Citation(1, chunk.doc_id, chunk.doc_title, chunk.clause_label, chunk.citation, chunk.text,
                            chunk.id, chunk.start, chunk.end, (quote,))  # fmt: skip
        return Answer(query.text, f"Theo {chunk.citation}: {quote} [1]", False, [citation])


@contextmanager
def _answerer(assistant: Assistant, wrapper) -> Iterator[None]:
    original = assistant.answerers[EXTRACTIVE]
    assistant.answerers[EXTRACTIVE] = wrapper(original)
    try:
        yield
    finally:
        assistant.answerers[EXTRACTIVE] = original


def test_breaking_the_refusal_rule_fails_the_gate(corpus_assistant: Assistant) -> None:
    with _answerer(corpus_assistant, _NeverRefuses):
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


def _main(monkeypatch: pytest.MonkeyPatch, assistant: Assistant, *args: str) -> int:
    monkeypatch.setattr(cli, "_assistant", lambda: assistant)
    monkeypatch.setattr(sys, "argv", ["evals", *args])
    try:
        cli.main()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


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
    code = _main(monkeypatch, corpus_assistant, "run", "--dataset", str(dataset), "--out", out_dir,
                 "--compare", "bm25", "--write-baseline", str(baseline), "--no-progress")  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "ours-extractive" in out and "bm25" in out and "citation_precision" in out
    results = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert set(results["systems"]) == {"ours-extractive", "bm25"}
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "<details>" in html and "&lt;script&gt;" in html and "<script>" not in html
    assert json.loads(baseline.read_text(encoding="utf-8"))["metrics"]["refusal_recall"] == 1.0
    # The same run against its own baseline passes; with retrieval broken it fails with exit code 1.
    args = ["run", "--dataset", str(dataset), "--out", str(tmp_path / "o2"), "--baseline", str(baseline)]
    assert _main(monkeypatch, corpus_assistant, *args, "--no-progress") == 0
    assert _main(monkeypatch, corpus_assistant, *args, "--k", "0", "--no-progress") == 1
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
    code = _main(monkeypatch, corpus_assistant, "run", "--out", str(tmp_path), "--no-progress", *args)
    err = capsys.readouterr().err
    assert code != 0 and err.startswith(message) and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
