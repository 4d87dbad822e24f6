"""Regression gating: compare a run's metrics with a baseline, metric by metric, within tolerances."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from evals.dataset import ALL, SPLITS

# How far (absolute) each metric may move the wrong way from the baseline before the run fails. Latency
# is reported but not gated: it depends on the machine. A refusal missed on an unanswerable question, or
# one more answer citing none of the expected clauses, always fails (tolerance 0).
TOLERANCES: dict[str, float] = {
    "hit@k": 0.02,
    "mrr": 0.02,
    "evidence_recall": 0.02,
    "cited_evidence": 0.02,
    "citation_recall": 0.02,
    "citation_precision": 0.02,
    "faithfulness": 0.02,
    "correctness": 0.02,
    "refusal_precision": 0.02,
    "refusal_recall": 0.0,
    "answered_wrong_clause": 0.0,
    "wrong_verdicts": 0.0,
}
# Metrics where less is better (the rest: more is better). A baseline file may name more under
# "lower_is_better"; files written before it existed load as they are.
LOWER_IS_BETTER: frozenset[str] = frozenset(
    {"answered_wrong_clause", "answered_unanswerable", "wrong_verdicts"}
)
# Gated at zero on every dataset that has them, whatever the baseline file holds: a wrong verdict ("Có."
# where the documents say no) is worse than none. A run with any fails against a baseline without the
# metric (written before it was counted) or with 0; a committed non-zero count (ALQAC's public set has a
# gold label that contradicts the article it cites) is a ceiling: one more fails.
ZERO_GATED: frozenset[str] = frozenset({"wrong_verdicts"})
# Baselines keep 4 decimals: a difference of up to half their last digit is rounding, not a change.
DECIMALS = 4
ROUNDING = 0.5 * 10**-DECIMALS


@dataclass(frozen=True)
class Comparison:
    """One metric against its baseline value."""

    metric: str
    baseline: float | None
    current: float | None
    tolerance: float | None
    lower_is_better: bool = False
    split: str = ""  # the split compared ("dev", "sealed"…); "" for the whole run

    @property
    def delta(self) -> float | None:
        if self.baseline is None or self.current is None:
            return None
        return self.current - self.baseline

    @property
    def regressed(self) -> bool:
        if self.tolerance is None or self.baseline is None:
            return False
        if self.current is None:
            return True
        if self.lower_is_better:
            return self.current > self.baseline + self.tolerance + ROUNDING
        return self.current < self.baseline - self.tolerance - ROUNDING

    @property
    def label(self) -> str:
        """The word for a regression: a drop, or a rise of a lower-is-better metric."""
        return "TĂNG" if self.lower_is_better else "GIẢM"

    @property
    def name(self) -> str:
        """The metric, with its split when it is one split's: "hit@k [dev]"."""
        return f"{self.metric} [{self.split}]" if self.split else self.metric

    def describe(self) -> str:
        """One line for stderr saying how the metric regressed."""
        current = self.current if self.current is None else round(self.current, 4)
        if self.lower_is_better:
            return f"{self.label}: {self.name} {current} > mốc {self.baseline} + dung sai {self.tolerance}"
        return f"{self.label}: {self.name} {current} < mốc {self.baseline} − dung sai {self.tolerance}"


def load_baseline(path: Path) -> dict[str, Any]:
    """A baseline file: {"metrics": {...}, "tolerances": {...}?, "lower_is_better": [...]?, ...}."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("metrics"), dict):
        raise ValueError(f"'{path}' không phải tệp mốc so sánh (thiếu 'metrics').")
    if not isinstance(data.get("tolerances", {}), dict) or not isinstance(
        data.get("lower_is_better", []), list
    ):
        raise ValueError(f"'{path}': 'tolerances' phải là đối tượng, 'lower_is_better' phải là danh sách.")
    splits = data.get("splits", {})
    if not isinstance(splits, dict) or not all(
        k in SPLITS and isinstance(v, dict) for k, v in splits.items()
    ):
        raise ValueError(f"'{path}': 'splits' phải là đối tượng {{train|dev|sealed: {{chỉ số}}}}.")
    if data.get("split", ALL) not in (ALL, *SPLITS):
        raise ValueError(f"'{path}': 'split' phải là một trong {', '.join((ALL, *SPLITS))}.")
    return data


def compare(current: dict[str, float | None], baseline: dict[str, Any], split: str = "") -> list[Comparison]:
    """Every metric of the baseline (of one split's figures when `split` names one) compared with the
    current run's (gated ones have a tolerance)."""
    tolerances = {**TOLERANCES, **baseline.get("tolerances", {})}
    lower = LOWER_IS_BETTER | set(baseline.get("lower_is_better", []))
    recorded = baseline["splits"][split] if split else baseline["metrics"]
    missing = {name: 0.0 for name in ZERO_GATED if name not in recorded and current.get(name) is not None}
    return [
        Comparison(
            name,
            value,
            current.get(name),
            0.0 if name in ZERO_GATED else tolerances.get(name),
            name in lower,
            split,
        )
        for name, value in {**recorded, **missing}.items()
    ]


class SplitMismatch(ValueError):
    """A run of one split against a baseline without that split's figures (message in Vietnamese)."""


def compare_splits(
    split: str,
    metrics: dict[str, float | None],
    by_split: dict[str, dict[str, float | None]],
    baseline: dict[str, Any],
) -> list[Comparison]:
    """Like with like: a run of every item (`split` "all") against the baseline's whole-set figures and
    against each of its splits' figures that the baseline has; a run of one split against that split's
    figures only. SplitMismatch when the baseline has none for the split run."""
    kept = baseline.get("split", ALL)
    splits = baseline.get("splits", {})
    if split == ALL:
        whole = compare(metrics, baseline) if kept == ALL else []
        return whole + [c for name in SPLITS if name in splits and name in by_split
                        for c in compare(by_split[name], baseline, name)]  # fmt: skip
    if split in splits:
        return compare(metrics, baseline, split)
    if kept == split:
        return [replace(c, split=split) for c in compare(metrics, baseline)]
    raise SplitMismatch(
        f"Tệp mốc so sánh không có số liệu của phần '{split}' (có: {', '.join([kept, *splits])}); "
        f"hãy chạy với --split {kept} hoặc ghi mốc mới bằng --write-baseline."
    )


def regressions(comparisons: list[Comparison]) -> list[Comparison]:
    return [c for c in comparisons if c.regressed]


def _rounded(metrics: dict[str, float | None]) -> dict[str, float | None]:
    return {k: None if v is None else round(v, DECIMALS) for k, v in metrics.items()}


def baseline_record(
    metrics: dict[str, float | None],
    dataset: str,
    mode: str,
    tolerances: dict[str, float] = TOLERANCES,
    lower_is_better: frozenset[str] = LOWER_IS_BETTER,
    split: str = ALL,
    by_split: dict[str, dict[str, float | None]] | None = None,
) -> dict[str, Any]:
    """What `--write-baseline` saves: the metrics (rounded) of the split run and, for a run of every item,
    of each split; where they came from, the tolerances (those of a benchmark of another kind when given)
    and which metrics are better lower."""
    record: dict[str, Any] = {"dataset": dataset, "mode": mode, "split": split, "metrics": _rounded(metrics)}
    if by_split:
        record["splits"] = {name: _rounded(m) for name, m in by_split.items()}
    return record | {"tolerances": tolerances, "lower_is_better": sorted(lower_is_better & set(metrics))}
