"""The standard-layout set through the eval's own-store path, and the wrong-clause metric.

`--corpus` other than the bundled corpus gets a Chroma collection of its own (evals/corpus_store.py):
evals/datasets/standard.jsonl over evals/corpora/standard/ meets evals/baselines/standard.json; the
user's collection is not written; a re-run reuses the store and follows the folder; citing the wrong
clause fails the gate. Regenerate the baseline (on purpose, after answer-quality changes) with:

    .venv/bin/python -m evals run --dataset evals/datasets/standard.jsonl --corpus evals/corpora/standard \
        --write-baseline evals/baselines/standard.json
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant import Answer, Assistant, DocumentInfo, Settings, Store, get_settings
from evals.cli import Outcome, run_eval
from evals.corpus_store import SyncReport, collection_for, eval_assistant, is_default_corpus
from evals.dataset import DEFAULT_CORPUS, Corpus, load_dataset
from evals.gate import TOLERANCES
from evals.metrics import KIND_COLUMNS, aggregate, by_kind, cites_expected_clause, clause_matches
from tests.conftest import PROJECT
from tests.evals.evals_cli import evals_main
from tests.evals.test_evals_gate import answerer_replaced, quoting

DATASET = PROJECT / "evals" / "datasets" / "standard.jsonl"
FOLDER = PROJECT / "evals" / "corpora" / "standard"
BASELINE = PROJECT / "evals" / "baselines" / "standard.json"
ITEMS = load_dataset(DATASET)
REGENERATE = (
    "regenerate with: .venv/bin/python -m evals run --dataset evals/datasets/standard.jsonl "
    "--corpus evals/corpora/standard --write-baseline evals/baselines/standard.json"
)


@dataclass
class StandardStore:
    """The standard corpus's eval store, next to the user's store (the bundled corpus) in one folder."""

    user: Assistant
    assistant: Assistant
    report: SyncReport
    before: list[DocumentInfo]
    generation: str


@pytest.fixture(scope="module")
def standard(corpus_assistant: Assistant) -> StandardStore:
    """The standard corpus ingested through the own-store path into the data folder of the user's store."""
    user = corpus_assistant.store
    before, generation = user.documents(), user.generation()
    assistant, report = eval_assistant(FOLDER, corpus_assistant.settings, embeddings=user.embeddings)
    return StandardStore(corpus_assistant, assistant, report, before, generation)


@pytest.fixture(scope="module")
def outcome(standard: StandardStore) -> Outcome:
    return run_eval(standard.assistant, DATASET, baseline=BASELINE, corpus=Corpus(FOLDER), progress=False)


def _user_store(settings: Settings) -> Store:
    """A fresh reader of the user's collection (nothing cached from before the eval)."""
    return Store(settings)


# --------------------------------------------------------------------------- the own store


def test_the_standard_set_meets_its_committed_baseline(outcome: Outcome) -> None:
    failed = [(c.metric, c.current, c.baseline) for c in outcome.failed]
    assert not failed, f"{failed}; if the change is an intended improvement, {REGENERATE}"
    comparisons = {c.metric: c for c in outcome.comparisons}
    assert set(comparisons) >= set(TOLERANCES)  # every gated metric is in the baseline
    wrong = comparisons["answered_wrong_clause"]
    assert wrong.tolerance == 0.0 and wrong.lower_is_better


def test_answers_come_from_the_standard_documents_only(outcome: Outcome) -> None:
    rows = outcome.results["ours-extractive"]["items"]
    cited = {c["doc"] for row in rows for c in row["citations"]}
    retrieved = {r["doc"] for row in rows for r in row["retrieved"]}
    assert cited and cited | retrieved <= set(Corpus(FOLDER).files)


def test_the_per_kind_table_adds_up(outcome: Outcome) -> None:
    result = outcome.results["ours-extractive"]
    kinds, metrics, rows = result["by_kind"], result["metrics"], result["items"]
    assert list(kinds) == list(dict.fromkeys(item.kind for item in ITEMS))
    for kind, counts in kinds.items():
        mine = [r for r in rows if r["kind"] == kind]
        assert counts["n"] == len(mine)
        assert counts["answered_expected_clause"] + counts["refused"] + counts[
            "answered_wrong_clause"
        ] == len(mine)
        assert counts["refused"] == sum(r["refused"] for r in mine)
        assert counts["refusal_ok"] == sum(r["refusal_ok"] for r in mine)
    answerable = [item for item in ITEMS if item.answerable]
    wrong = sum(k["answered_wrong_clause"] for k in kinds.values()) - metrics["answered_unanswerable"]
    assert metrics["answered_wrong_clause"] == pytest.approx(wrong / len(answerable))


def test_the_users_collection_is_untouched(standard: StandardStore) -> None:
    settings = standard.user.settings
    assert standard.assistant.settings.collection == collection_for(FOLDER) != settings.collection
    assert standard.assistant.settings.data_dir == settings.data_dir
    assert not standard.assistant.settings.auto_ingest
    user = _user_store(settings)
    assert user.documents() == standard.before
    assert user.generation() == standard.generation  # no write at all, not even one undone
    assert {d.doc_id for d in standard.before}.isdisjoint(Corpus(FOLDER).files)
    stored = {d.doc_id for d in standard.assistant.store.documents()}
    assert stored == set(Corpus(FOLDER).files)
    assert {r.status for r in standard.report.results} <= {"added", "unchanged"}


def test_a_rerun_reuses_the_store_and_follows_the_folder(standard: StandardStore, tmp_path: Path) -> None:
    settings, embeddings = standard.user.settings, standard.user.store.embeddings
    folder = tmp_path / "bo-van-ban"
    shutil.copytree(FOLDER, folder)
    # A copy is another folder, hence another store; the shared cache means nothing is embedded again.
    first, report = eval_assistant(folder, settings, embeddings=embeddings)
    assert first.settings.collection not in {settings.collection, standard.assistant.settings.collection}
    assert {r.status for r in report.results} == {"added"} and report.embedded == 0
    _, again = eval_assistant(folder, settings, embeddings=embeddings)
    assert {r.status for r in again.results} == {"unchanged"} and not again.removed
    gone = sorted(folder.glob("*.txt"))[0]
    gone.unlink()
    third, after = eval_assistant(folder, settings, embeddings=embeddings)
    assert after.removed == [gone.stem]
    assert {d.doc_id for d in third.store.documents()} == set(Corpus(folder).files)
    assert _user_store(settings).documents() == standard.before


def test_only_the_bundled_corpus_is_the_default() -> None:
    assert is_default_corpus(DEFAULT_CORPUS) and is_default_corpus(DEFAULT_CORPUS / ".." / "corpus")
    assert not is_default_corpus(FOLDER)
    assert (
        collection_for(FOLDER) == collection_for(FOLDER / ".." / "standard") != collection_for(DEFAULT_CORPUS)
    )
    assert len(collection_for(FOLDER)) == len("eval-") + 12


# --------------------------------------------------------------------------- the gate can fail


class _CitesTheRecipients:
    """Cites the wrong clause: every answer quotes its document's 'Nơi nhận' instead of its sources."""

    def __init__(self, inner) -> None:
        self.inner = inner

    def __call__(self, query, retrieved, index) -> Answer:
        answer = self.inner(query, retrieved, index)
        if answer.refused or not answer.citations:
            return answer
        doc = answer.citations[0].doc
        chunk = next(
            (c for c in index.chunks if c.clause_label == "Nơi nhận" and c.doc_id == doc),
            next(c for c in index.chunks if c.clause_label == "Nơi nhận"),
        )
        return quoting(query.text, chunk)


def test_citing_the_wrong_clause_fails_the_gate(standard: StandardStore) -> None:
    with answerer_replaced(standard.assistant, _CitesTheRecipients):
        broken = run_eval(
            standard.assistant, DATASET, baseline=BASELINE, corpus=Corpus(FOLDER), progress=False
        )
    failed = {c.metric: c for c in broken.failed}
    assert "answered_wrong_clause" in failed
    assert failed["answered_wrong_clause"].describe().startswith("TĂNG: answered_wrong_clause")
    assert broken.results["ours-extractive"]["metrics"]["answered_wrong_clause"] > 0.5


# --------------------------------------------------------------------------- the CLI


def test_cli_with_another_corpus_uses_its_own_store(
    standard: StandardStore,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    settings = standard.user.settings
    monkeypatch.setenv("KH32_DATA_DIR", str(settings.data_dir))  # the store already holding both
    get_settings.cache_clear()
    picked = [
        i for i in DATASET.read_text(encoding="utf-8").splitlines() if json.loads(i)["kind"] == "yes-no"
    ][:3]
    picked += [i for i in DATASET.read_text(encoding="utf-8").splitlines() if '"unanswerable"' in i][:1]
    dataset = tmp_path / "mine.jsonl"
    dataset.write_text("\n".join(picked), encoding="utf-8")
    out = tmp_path / "out"
    code = evals_main(
        monkeypatch,
        None,
        "run",
        "--dataset",
        str(dataset),
        "--corpus",
        str(FOLDER),
        "--out",
        str(out),
        "--no-progress",
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert f"Kho đánh giá '{collection_for(FOLDER)}': 5 tài liệu (5 không đổi)" in captured.err
    assert "Theo loại câu hỏi — ours-extractive" in captured.out and "answered_wrong_clause" in captured.out
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert results["meta"]["collection"] == collection_for(FOLDER)
    assert set(results["systems"]["ours-extractive"]["by_kind"]) == {"yes-no", "unanswerable"}
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Theo loại câu hỏi" in html and "trả lời, sai điều khoản" in html
    assert _user_store(settings).documents() == standard.before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--corpus", "/no/such/folder"], "Lỗi: Không có thư mục tài liệu '/no/such/folder'."),
        (
            ["--corpus", str(FOLDER)],
            "Lỗi: Bằng chứng không khớp tài liệu",
        ),  # qa.jsonl's evidence is not there
    ],
)
def test_cli_corpus_errors_are_one_line_before_any_ingest(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    args: list[str],
    message: str,
) -> None:
    code = evals_main(monkeypatch, None, "run", "--out", str(tmp_path), "--no-progress", *args)
    err = capsys.readouterr().err
    assert code == 2 and err.startswith(message) and len(err.strip().splitlines()) == 1
    assert not (Path(get_settings().data_dir) / "chroma").exists()  # nothing was ingested


# --------------------------------------------------------------------------- the metric


@pytest.mark.parametrize(
    ("expected", "actual", "ok"),
    [
        ("Điều 5", "Điều 5", True),
        ("Điều 5", "Điều 5, khoản 2", True),
        ("Điều 5", "Điều 5, khoản 2, điểm a", True),
        ("Điều 5, khoản 2", "Điều 5", False),
        ("Điều 1", "Điều 12", False),
        ("Điều 1", "Điều 1, khoản 2", True),
        ("Mục II, tiểu mục 2.2", "Mục II, tiểu mục 2.2.1", True),
        ("Mục II, tiểu mục 2.2.1", "Mục II, tiểu mục 2.2", False),
        ("Mục II, tiểu mục 2.2", "Mục II, tiểu mục 2.20", False),
        ("Mục I", "Mục II, khoản 1", False),
        ("Mục II", "Mục II, tiểu mục 2.2.1", True),
        ("Nhiệm vụ thứ tư", "Nhiệm vụ thứ tư", True),
    ],
)
def test_clause_matching(expected: str, actual: str, ok: bool) -> None:
    assert clause_matches(expected, actual) is ok


def test_the_document_must_match_too() -> None:
    expected = [("nd88", "Điều 5"), ("kh45", "Mục II")]
    assert cites_expected_clause(expected, [("kh45", "Mục I, khoản 1"), ("nd88", "Điều 5, khoản 2")])
    assert not cites_expected_clause(expected, [("kh45", "Điều 5"), ("nd88", "Mục II")])
    assert not cites_expected_clause([], [("kh45", "Mục II")])


def test_wrong_clause_and_unanswered_counts_from_rows() -> None:
    answerable, unanswerable = ITEMS[0], next(i for i in ITEMS if not i.answerable)
    items = {
        "a1": answerable,
        "a2": answerable,
        "a3": answerable,
        "a4": answerable,
        "u1": unanswerable,
        "u2": unanswerable,
    }

    def row(item_id: str, refused: bool, clause_ok: bool) -> dict:
        item = items[item_id]
        return {
            "id": item_id, "kind": item.kind, "refused": refused, "clause_ok": clause_ok,
            "refusal_ok": refused == (not item.answerable),
            "retrieval": {"hit": 1.0, "rr": 1.0, "evidence_recall": 1.0},
            "cited_evidence": 1.0, "citation_recall": None, "citation_precision": None, "faithfulness": None,
            "correctness": 1.0, "latency_ms": 1.0,
        }  # fmt: skip

    rows = [row("a1", False, True), row("a2", False, False), row("a3", True, False), row("a4", False, False),
            row("u1", True, False), row("u2", False, False)]  # fmt: skip
    metrics = aggregate(rows, items)
    assert metrics["answered_wrong_clause"] == 2 / 4
    assert metrics["answered_unanswerable"] == 1
    kinds = by_kind(rows)
    assert kinds[answerable.kind] == dict(zip(KIND_COLUMNS, (4, 1, 1, 2, 3), strict=True))
    assert kinds[unanswerable.kind] == dict(zip(KIND_COLUMNS, (2, 0, 1, 1, 1), strict=True))
