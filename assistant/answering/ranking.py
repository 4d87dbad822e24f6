"""The order of candidate sentences: a linear score over what each sentence shows, fitted on the train
split by `python -m evals.fit_ranking` (pairwise, sentences of the gold clause above the others) and kept
in data/ranking_model.json."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from assistant.language.datafiles import data_text

RANKING_FILE = "ranking_model.json"  # in assistant/data/
# What the ranking reads of a candidate sentence, in order (measured by extractive/sentences.py).
RANK_FEATURES = (
    "coverage",  # IDF-weighted share of the question's terms in the sentence, its context and lead
    "distinct_coverage",  # the same on the terms that tell the named document's clauses apart
    "sentence_coverage",  # the share of the terms in the sentence alone, without headings or lead
    "dense",  # e5 cosine of sentence and question, less a baseline (lower for an English question)
    "rank",  # rank of the sentence's chunk in retrieval (0 = first)
    "fused",  # the chunk's fused retrieval score, times 100
    "rr_dense",  # 1 / rank of the chunk in each retrieval list it is in (0 when it is not)
    "rr_bm25",
    "rr_bm25_folded",
    "rr_structure",
    "rr_definition",
    "rr_subject",
    "rr_scope",
    "definition",  # 1 when the sentence says what a "X là gì?" asks about ("X là …")
    "contrast",  # a follow-up: its share of the earlier question's words the follow-up does not repeat
    "named",  # 1 when the chunk is of a document the question names
    "opening",  # 1 when the sentence opens its chunk
)
# The lists of retrieval whose reciprocal rank is a feature (ScoredChunk.ranks' names).
RANK_LISTS = ("dense", "bm25", "bm25_folded", "structure", "definition", "subject", "scope")


@dataclass(frozen=True)
class Ranking:
    """Sentences are ordered by w·x, best first (ties: by chunk rank, then position)."""

    weights: dict[str, float]
    meta: dict[str, Any]

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """The score of each row of features (columns in RANK_FEATURES' order)."""
        return rows @ np.array([self.weights.get(f, 0.0) for f in RANK_FEATURES])

    def to_json(self) -> dict[str, Any]:
        return {"weights": self.weights, "meta": self.meta}


def parse_ranking(data: dict[str, Any]) -> Ranking:
    """A ranking from its JSON form; every feature must be one the sentence scorer measures."""
    weights = {str(k): float(v) for k, v in data["weights"].items()}
    if unknown := set(weights) - set(RANK_FEATURES):
        raise ValueError(f"unknown features {sorted(unknown)}")
    return Ranking(weights, dict(data.get("meta", {})))


@cache
def ranked() -> Ranking:
    """The shipped ranking."""
    return parse_ranking(json.loads(data_text(RANKING_FILE)))
