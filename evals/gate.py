"""Regression gating: compare a run's metrics with a baseline, metric by metric, within tolerances."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# How far (absolute) each metric may drop below the baseline before the run fails. Latency is
# reported but not gated: it depends on the machine. A refusal missed on an unanswerable question
# always fails (tolerance 0).
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
}


@dataclass(frozen=True)
class Comparison:
    """One metric against its baseline value."""

    metric: str
    baseline: float | None
    current: float | None
    tolerance: float | None

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
        return self.current < self.baseline - self.tolerance - 1e-9


def load_baseline(path: Path) -> dict[str, Any]:
    """A baseline file: {"metrics": {...}, "tolerances": {...}?, ...}."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("metrics"), dict):
        raise ValueError(f"'{path}' không phải tệp mốc so sánh (thiếu 'metrics').")
    return data


def compare(current: dict[str, float | None], baseline: dict[str, Any]) -> list[Comparison]:
    """Every metric of the baseline compared with the current run (gated ones have a tolerance)."""
    tolerances = {**TOLERANCES, **baseline.get("tolerances", {})}
    return [
        Comparison(name, value, current.get(name), tolerances.get(name))
        for name, value in baseline["metrics"].items()
    ]


def regressions(comparisons: list[Comparison]) -> list[Comparison]:
    return [c for c in comparisons if c.regressed]


def baseline_record(metrics: dict[str, float | None], dataset: str, mode: str) -> dict[str, Any]:
    """What `--write-baseline` saves: the metrics (rounded), where they came from, the tolerances."""
    return {
        "dataset": dataset,
        "mode": mode,
        "metrics": {k: None if v is None else round(v, 4) for k, v in metrics.items()},
        "tolerances": TOLERANCES,
    }
