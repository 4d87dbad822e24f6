"""The extractive answerer's answer-or-refuse decision: its fit (a logistic regression and the threshold),
its report, and the generated negatives it is fitted with; run by `python -m evals.fit_ranking`, which
fits it on the train split's best sentences under the fitted order.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant import Assistant
from assistant.answering.decision import FEATURES, Decision
from assistant.core.settings import PROJECT_ROOT
from assistant.language.names import NameRegistry, StoredDocument, kinds
from assistant.language.text import fold
from evals.dataset import Item

NEGATIVES = PROJECT_ROOT / "evals" / "datasets" / "negatives.json"
STANDARD = (
    PROJECT_ROOT / "evals" / "datasets" / "standard.jsonl",
    PROJECT_ROOT / "evals" / "corpora" / "standard",
)


@dataclass(frozen=True)
class Observation:
    """One question: what the decision reads of its best sentence, and whether answering is right."""

    id: str
    kind: str
    features: dict[str, float]
    answerable: bool
    right: bool  # answerable, and the best sentence is of a gold clause


def negatives(assistant: Assistant, split: str, limit: int, seed: int = 32) -> list[Item]:
    """Questions about bodies and topics the library never mentions, from negatives.json's split."""
    material = json.loads(NEGATIVES.read_text(encoding="utf-8"))
    library = fold(" ".join(c.passage for c in assistant.retriever.index().chunks))
    documents = [_spoken(d.short) for d in NameRegistry(_stored(assistant)).documents]
    rng = random.Random(seed)
    absent = [w for w in material[split]["units"] + material[split]["topics"] if fold(w) not in library]
    units = [u for u in material[split]["units"] if u in absent]
    topics = [t for t in material[split]["topics"] if t in absent]
    items = []
    for n in range(limit):
        template = rng.choice(material["templates"])
        question = template.format(
            doc=rng.choice(documents), unit=rng.choice(units), topic=rng.choice(topics)
        )
        items.append(Item(f"neg-{split}-{n}", "generated", question, [], False, "", [], []))
    return items


def _stored(assistant: Assistant) -> list[StoredDocument]:
    return [StoredDocument(c.doc_id, c.doc_short, c.doc_title) for c in assistant.retriever.index().chunks]


def _spoken(short: str) -> str:
    """How a person names a document in a question: 'KH 32-KH/BCSĐ' -> 'Kế hoạch 32-KH/BCSĐ'."""
    head, _, rest = short.partition(" ")
    kind = next((k for k in kinds() if k.abbreviation == head), None)
    return f"{kind.name} {rest}" if kind and rest else short


def fit(observations: list[Observation]) -> Decision:
    """Logistic regression over standardised features, separating the answerable questions whose best
    sentence holds the evidence from the questions the library cannot answer (answerable ones whose best
    sentence misses are retrieval's failures, left out); the threshold refuses every unanswerable one."""
    from sklearn.linear_model import LogisticRegression

    observations = [o for o in observations if o.right or not o.answerable]
    x = np.array([[o.features[f] for f in FEATURES] for o in observations])
    y = np.array([o.right for o in observations])
    means, scales = x.mean(axis=0), x.std(axis=0)
    scales[scales == 0] = 1.0
    model = LogisticRegression(class_weight="balanced", C=1.0, max_iter=2000).fit((x - means) / scales, y)
    weights = dict(zip(FEATURES, (float(w) for w in model.coef_[0]), strict=True))
    decision = Decision(
        weights, dict(zip(FEATURES, map(float, means), strict=True)),
        dict(zip(FEATURES, map(float, scales), strict=True)), float(model.intercept_[0]), 0.5, {},
    )  # fmt: skip
    threshold = _threshold(decision, observations)
    return Decision(decision.weights, decision.means, decision.scales, decision.bias, threshold, {})


# A wrong answer costs this many right ones: refusing is the lesser failure.
WRONG_ANSWER_COST = 2.0


def _threshold(decision: Decision, observations: list[Observation]) -> float:
    """The threshold that answers the most right questions at WRONG_ANSWER_COST per wrong answer (an
    unanswerable question answered, or a best sentence that misses the evidence), refusing every
    unanswerable question a person wrote (the generated ones may slip)."""
    scores = sorted({decision.score(o.features) for o in observations})
    written = [decision.score(o.features) for o in observations if not o.answerable and o.kind != "generated"]
    floor = max(written, default=0.0)
    best, best_value = 0.99, -np.inf
    for t in (s + 1e-6 for s in scores):
        if t <= floor:
            continue
        answered = [o for o in observations if decision.score(o.features) >= t]
        value = sum(o.right for o in answered) - WRONG_ANSWER_COST * sum(not o.right for o in answered)
        if value > best_value:
            best, best_value = t, value
    return min(best, 0.99)


def report(decision: Decision, observations: list[Observation]) -> dict[str, Any]:
    """How the decision does: answerable questions answered from the evidence, unanswerable ones refused,
    answerable ones whose best sentence misses the evidence that are answered all the same; by kind."""
    right = [o for o in observations if o.right]
    unanswerable = [o for o in observations if not o.answerable]
    missed = [o for o in observations if o.answerable and not o.right]
    kinds: dict[str, list[int]] = {}
    for o in observations:
        counts = kinds.setdefault(o.kind, [0, 0])
        counts[0] += 1
        counts[1] += decision.accepts(o.features) == o.right if o.right or not o.answerable else 0
    answered = [o for o in observations if decision.accepts(o.features)]
    return {
        "questions": len(observations),
        "answered_from_evidence": f"{sum(o.right for o in answered)}/{len(right)}",
        "unanswerable_refused": f"{len(unanswerable) - sum(not o.answerable for o in answered)}"
        f"/{len(unanswerable)}",
        "best_sentence_missed_but_answered": f"{sum(o in missed for o in answered)}/{len(missed)}",
        "right_by_kind": {k: f"{ok}/{n}" for k, (n, ok) in sorted(kinds.items())},
    }
