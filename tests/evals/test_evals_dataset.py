"""The eval dataset evals/datasets/qa.jsonl: format, kinds, and evidence verbatim in the expected clauses."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from evals.dataset import DEFAULT_DATASET, KINDS, NOT_ANSWERED, Corpus, DatasetError, load_dataset
from tests.evals.test_dev_dataset import (
    KH32,
    KH32_BYLINE,
    KH32_TEXT_START,
    body,
    label_matches,
    labels_at,
    occurrences,
)

ITEMS = load_dataset(DEFAULT_DATASET)
DEV = load_dataset(DEFAULT_DATASET.parent / "dev.jsonl")


def test_size_kinds_and_superset_of_dev() -> None:
    assert len(ITEMS) >= 80
    counts = Counter(item.kind for item in ITEMS)
    assert set(counts) <= KINDS
    assert all(n >= 3 for n in counts.values()), counts
    assert {item.id for item in DEV} <= {item.id for item in ITEMS}


@pytest.mark.parametrize("item", ITEMS, ids=lambda item: item.id)
def test_item_rules(item) -> None:
    assert item.question.strip() and item.reference_answer.strip()
    assert bool(item.evidence) == bool(item.expected_clauses) == item.answerable
    if item.kind in {"unanswerable", "out-of-scope"}:
        assert not item.answerable
    if not item.answerable:
        assert item.reference_answer == NOT_ANSWERED
    assert bool(item.history) == (item.kind == "follow-up")
    if item.kind == "english":
        assert item.question.isascii()
    if item.kind == "multi-clause":
        assert len(set(item.expected_clauses)) >= 2


@pytest.mark.parametrize("item", [i for i in ITEMS if i.answerable], ids=lambda item: item.id)
def test_evidence_is_verbatim_in_an_expected_clause(item) -> None:
    placed_clauses = set()
    for evidence in item.evidence:
        assert evidence == evidence.strip() and unicodedata.normalize("NFC", evidence) == evidence
        assert KH32_BYLINE not in evidence
        placed = False
        for doc, clause in item.expected_clauses:
            text = body(doc)
            for start in occurrences(text, evidence):
                if doc == KH32 and start < text.index(KH32_TEXT_START):
                    continue
                labels = labels_at(doc, start, start + len(evidence))
                if labels is not None and label_matches(clause, labels):
                    placed = True
                    placed_clauses.add((doc, clause))
        assert placed, f"not verbatim inside {item.expected_clauses}: {evidence!r}"
    assert placed_clauses == set(item.expected_clauses)
    assert not Corpus().check([item])


def test_unanswerable_questions_name_nothing_the_plan_says() -> None:
    """The plan says nothing of budgets, reporting, a lead unit or percentages (checked against its text)."""
    plan = body(KH32).lower()
    for absent in ("kinh phí", "ngân sách", "báo cáo", "chủ trì", "%", "phần trăm", "thời hạn", "ký"):
        assert absent not in plan, absent


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "không phải JSON"),
        ('{"id": "x"}', "thiếu trường"),
        (
            json.dumps(
                {**json.loads(DEFAULT_DATASET.read_text(encoding="utf-8").splitlines()[0]), "kind": "?"}
            ),
            "loại",
        ),
    ],
)
def test_bad_files_are_reported_by_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "mine.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=message) as info:
        load_dataset(path)
    assert "dòng 1" in str(info.value)
