"""Regression gating: compare a run's metrics with a baseline, metric by metric, within tolerances."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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

    def describe(self) -> str:
        """One line for stderr saying how the metric regressed."""
        current = self.current if self.current is None else round(self.current, 4)
        if self.lower_is_better:
            return f"{self.label}: {self.metric} {current} > mốc {self.baseline} + dung sai {self.tolerance}"
        return f"{self.label}: {self.metric} {current} < mốc {self.baseline} − dung sai {self.tolerance}"


def load_baseline(path: Path) -> dict[str, Any]:
    """A baseline file: {"metrics": {...}, "tolerances": {...}?, "lower_is_better": [...]?, ...}."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("metrics"), dict):
        raise ValueError(f"'{path}' không phải tệp mốc so sánh (thiếu 'metrics').")
    if not isinstance(data.get("tolerances", {}), dict) or not isinstance(
        data.get("lower_is_better", []), list
    ):
        raise ValueError(f"'{path}': 'tolerances' phải là đối tượng, 'lower_is_better' phải là danh sách.")
    return data


def compare(current: dict[str, float | None], baseline: dict[str, Any]) -> list[Comparison]:
    """Every metric of the baseline compared with the current run (gated ones have a tolerance)."""
    tolerances = {**TOLERANCES, **baseline.get("tolerances", {})}
    lower = LOWER_IS_BETTER | set(baseline.get("lower_is_better", []))
    recorded = baseline["metrics"]
    missing = {name: 0.0 for name in ZERO_GATED if name not in recorded and current.get(name) is not None}
    return [
        Comparison(
            name, value, current.get(name), 0.0 if name in ZERO_GATED else tolerances.get(name), name in lower
        )
        for name, value in {**recorded, **missing}.items()
    ]


def regressions(comparisons: list[Comparison]) -> list[Comparison]:
    return [c for c in comparisons if c.regressed]


def baseline_record(
    metrics: dict[str, float | None],
    dataset: str,
    mode: str,
    tolerances: dict[str, float] = TOLERANCES,
    lower_is_better: frozenset[str] = LOWER_IS_BETTER,
) -> dict[str, Any]:
    """What `--write-baseline` saves: the metrics (rounded), where they came from, the tolerances (those of
    a benchmark of another kind when given) and which metrics are better lower."""
    return {
        "dataset": dataset,
        "mode": mode,
        "metrics": {k: None if v is None else round(v, DECIMALS) for k, v in metrics.items()},
        "tolerances": tolerances,
        "lower_is_better": sorted(lower_is_better & set(metrics)),
    }
