"""Answer or refuse: a linear decision over what the best candidate sentence shows, fitted on the train split
of the labelled questions by `python -m evals.fit_ranking` and kept in data/answer_decision.json."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from typing import Any

from assistant.language.datafiles import data_text

DECISION_FILE = "answer_decision.json"  # in assistant/data/
# The measurements the decision reads, in order (see ExtractiveAnswerer.features).
FEATURES = (
    "support",  # coverage + dense similarity - rank penalty (the hand-set score it replaces)
    "coverage",  # IDF-weighted share of the question's terms in the sentence and its context, synonyms read
    "plain_coverage",  # the same without synonyms
    "key_coverage",  # share of the question's three rarest terms found
    "similarity",  # e5 cosine of sentence and question
    "known",  # IDF-weighted share of the question's terms that the library uses at all
    "rank",  # rank of the sentence's chunk in retrieval
    "order",  # the fitted ranking's score of the sentence (assistant/answering/ranking.py)
)


@dataclass(frozen=True)
class Decision:
    """w·x + b ≥ threshold answers; fitted weights over standardised features."""

    weights: dict[str, float]
    means: dict[str, float]
    scales: dict[str, float]
    bias: float
    threshold: float
    meta: dict[str, Any]

    def score(self, features: dict[str, float]) -> float:
        z = self.bias + sum(
            w * (features[name] - self.means[name]) / (self.scales[name] or 1.0)
            for name, w in self.weights.items()
        )
        return 1 / (1 + math.exp(-z))

    def accepts(self, features: dict[str, float]) -> bool:
        return self.score(features) >= self.threshold

    def to_json(self) -> dict[str, Any]:
        return {
            "weights": self.weights,
            "means": self.means,
            "scales": self.scales,
            "bias": self.bias,
            "threshold": self.threshold,
            "meta": self.meta,
        }


def parse_decision(data: dict[str, Any]) -> Decision:
    """A decision from its JSON form; every feature must be one the answerer measures."""
    weights = {str(k): float(v) for k, v in data["weights"].items()}
    if unknown := set(weights) - set(FEATURES):
        raise ValueError(f"unknown features {sorted(unknown)}")
    return Decision(
        weights,
        {k: float(data["means"][k]) for k in weights},
        {k: float(data["scales"][k]) for k in weights},
        float(data["bias"]),
        float(data["threshold"]),
        dict(data.get("meta", {})),
    )


@cache
def fitted() -> Decision:
    """The shipped decision."""
    return parse_decision(json.loads(data_text(DECISION_FILE)))
