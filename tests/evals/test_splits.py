"""Every labelled dataset is split by its items' ids (sha256(id) mod 10: 0–5 train, 6–7 dev, 8–9 sealed): the
split is deterministic, its parts are disjoint and cover the set, and a baseline gates each split against its
own figures (like with like)."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import pytest

from assistant import Assistant
from evals.dataset import ALL, SPLITS, in_split, load_dataset, split_of
from evals.gate import SplitMismatch, baseline_record, compare_splits
from tests.conftest import PROJECT
from tests.evals.evals_cli import evals_main

DATASETS = [PROJECT / "evals" / "datasets" / name for name in ("qa.jsonl", "standard.jsonl")]


def test_the_split_is_the_hash_of_the_id() -> None:
    for item_id in ("kh32-nv4-trucot-fact", "weather-oos", "alqac24-verified-01-DS-30", "x", "Điều 5"):
        bucket = int(hashlib.sha256(item_id.encode("utf-8")).hexdigest(), 16) % 10
        expected = "train" if bucket <= 5 else "dev" if bucket <= 7 else "sealed"
        assert split_of(item_id) == expected == split_of(item_id)


@pytest.mark.parametrize("path", DATASETS, ids=lambda p: p.name)
def test_the_splits_are_disjoint_cover_the_set_and_keep_their_order(path: Path) -> None:
    items = load_dataset(path)
    parts = {name: in_split(items, name) for name in SPLITS}
    ids = [i.id for part in parts.values() for i in part]
    assert sorted(ids) == sorted(i.id for i in items) and len(ids) == len(set(ids))
    assert in_split(items, ALL) == items
    for part in parts.values():
        assert part == [i for i in items if i in part]  # file order kept
    # About 60/20/20 on any set of a reasonable size.
    shares = Counter(split_of(str(n)) for n in range(5000))
    assert abs(shares["train"] / 5000 - 0.6) < 0.03 and abs(shares["sealed"] / 5000 - 0.2) < 0.03
    with pytest.raises(ValueError):
        in_split(items, "test")


def _metrics(hit: float) -> dict[str, float | None]:
    return {"hit@k": hit, "answered_wrong_clause": 0.0}


def test_the_gate_compares_each_split_with_its_own_baseline() -> None:
    by_split = {"train": _metrics(0.9), "dev": _metrics(0.8), "sealed": _metrics(0.7)}
    record = baseline_record(_metrics(0.85), "x.jsonl", "ours", split=ALL, by_split=by_split)
    assert record["split"] == ALL and set(record["splits"]) == set(SPLITS)
    # The same figures pass; a drop of dev alone fails dev alone, even when the whole set holds.
    assert not [c for c in compare_splits(ALL, _metrics(0.85), by_split, record) if c.regressed]
    worse = {**by_split, "dev": _metrics(0.7), "train": _metrics(0.95)}
    failed = [c for c in compare_splits(ALL, _metrics(0.85), worse, record) if c.regressed]
    assert [(c.split, c.metric) for c in failed] == [("dev", "hit@k")]
    assert "hit@k [dev]" in failed[0].describe()
    # A run of one split is compared with that split's figures only.
    one = compare_splits("sealed", _metrics(0.7), {"sealed": _metrics(0.7)}, record)
    assert {c.split for c in one} == {"sealed"} and not [c for c in one if c.regressed]
    assert [c.split for c in compare_splits("sealed", _metrics(0.6), {}, record) if c.regressed] == ["sealed"]


def test_a_split_the_baseline_has_no_figures_for_is_refused() -> None:
    whole_only = {"metrics": _metrics(0.85)}  # written before splits: the whole set's figures
    with pytest.raises(SplitMismatch, match="phần 'dev'"):
        compare_splits("dev", _metrics(0.8), {"dev": _metrics(0.8)}, whole_only)
    assert compare_splits(ALL, _metrics(0.85), {"dev": _metrics(0.1)}, whole_only)[0].split == ""
    dev_only = baseline_record(_metrics(0.8), "x.jsonl", "ours", split="dev")
    assert [c.split for c in compare_splits("dev", _metrics(0.5), {}, dev_only) if c.regressed] == ["dev"]
    with pytest.raises(SplitMismatch):
        compare_splits("sealed", _metrics(0.8), {}, dev_only)


def test_committed_baselines_have_figures_for_every_split() -> None:
    for name in ("extractive.json", "standard.json", "alqac.json"):
        data = json.loads((PROJECT / "evals" / "baselines" / name).read_text(encoding="utf-8"))
        assert data.get("split") == ALL and set(data["splits"]) == set(SPLITS), name


def test_the_cli_runs_and_gates_the_chosen_split(
    corpus_assistant: Assistant, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    source = [json.loads(line) for line in DATASETS[0].read_text(encoding="utf-8").splitlines()]
    picked = {s: [i for i in source if split_of(i["id"]) == s][:2] for s in SPLITS}
    dataset = tmp_path / "mine.jsonl"
    dataset.write_text("\n".join(json.dumps(i, ensure_ascii=False) for p in picked.values() for i in p))
    baseline, out = tmp_path / "base.json", tmp_path / "out"
    args = ["run", "--dataset", str(dataset), "--out", str(out), "--no-progress"]

    def run(split: str, *more: str) -> int:
        return evals_main(monkeypatch, corpus_assistant, *args, "--split", split, *more)

    assert run("dev", "--write-baseline", str(baseline)) == 0
    rows = json.loads((out / "results.json").read_text(encoding="utf-8"))["systems"]["ours-extractive"][
        "items"
    ]
    assert {r["id"] for r in rows} == {i["id"] for i in picked["dev"]}
    assert json.loads(baseline.read_text(encoding="utf-8"))["split"] == "dev"
    assert run("dev", "--baseline", str(baseline)) == 0
    # Like with like: the sealed part against a dev baseline is an input error, not a comparison.
    assert run("sealed", "--baseline", str(baseline)) == 2
    assert run("dev", "--baseline", str(baseline), "--k", "0") == 1
