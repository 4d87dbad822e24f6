"""The hand-written corruptions (evals/data/written_corruptions.jsonl): each rests on a passage of a corpus
the suite runs on, and each really changes what that passage says (it is not the passage's own wording)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from evals.corruptions import KINDS
from evals.dataset import Corpus

FOLDERS = (Path("ingest/corpus"), Path("evals/corpora/standard"))


def _rows() -> list[dict[str, str]]:
    text = resources.files("evals").joinpath("data/written_corruptions.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_each_written_corruption_rests_on_a_passage_and_changes_it() -> None:
    bodies = {doc: Corpus(folder).body(doc) for folder in FOLDERS for doc in Corpus(folder).files}
    rows = _rows()
    assert len(rows) >= 50 and len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        assert row["at"] in bodies[row["doc"]], row["id"]
        assert row["claim"] not in bodies[row["doc"]], row["id"]
    assert "written" in KINDS
