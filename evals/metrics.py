"""Per-item scores (retrieval, citations, faithfulness, correctness) and their aggregates.

Each metric is defined in evals/README.md.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from assistant.answering.support import FOLDED_STOPWORDS, Verdict
from assistant.language.shapes import Shape, shape_of
from assistant.language.text import folded_syllables
from evals.claims import Claim, strip_leads
from evals.dataset import Item, Span

# A retrieved passage finds an evidence string when they share this many characters (or all of a
# shorter evidence string).
MIN_OVERLAP = 30
Judge = Callable[[str, Sequence[str]], Verdict]


def finds(passage: Span, evidence: Sequence[Span]) -> bool:
    """True when the passage overlaps one occurrence of an evidence string enough."""
    return any(passage.overlap(e) >= min(MIN_OVERLAP, e.end - e.start) for e in evidence)


def retrieval_scores(retrieved: Sequence[Span], evidence: Sequence[Sequence[Span]]) -> dict[str, float]:
    """hit@k, reciprocal rank of the first passage with evidence, share of evidence strings found."""
    ranks = [r for r, p in enumerate(retrieved, start=1) if any(finds(p, spans) for spans in evidence)]
    found = [any(finds(p, spans) for p in retrieved) for spans in evidence]
    return {
        "hit": float(bool(ranks)),
        "rr": 1.0 / ranks[0] if ranks else 0.0,
        "evidence_recall": sum(found) / len(found) if found else 0.0,
    }


def cited_evidence(citations: Sequence[Span], evidence: Sequence[Sequence[Span]]) -> float:
    """Share of the evidence strings that a cited passage overlaps."""
    found = [any(finds(c, spans) for c in citations) for spans in evidence]
    return sum(found) / len(found) if found else 0.0


def citation_scores(claims: Sequence[Claim], sources: dict[int, str], judge: Judge) -> dict[str, Any]:
    """ALCE citation recall and precision of an answer's claims, with a verdict for each.

    A claim is supported when its cited passages together support it (no citation: unsupported).
    A citation is relevant when its claim is supported and it supports the claim alone or the others
    do not without it; a marker with no such citation is never relevant.
    """
    details = []
    supported = relevant = total = 0
    for claim in claims:
        valid = [n for n in claim.markers if n in sources]
        if valid and len(valid) < len(claim.markers):  # a marker that points to no citation
            joint = Verdict(False, 0.0, 0.0, 0.0, "[n] không tồn tại")
        elif valid:
            joint = judge(claim.text, [sources[n] for n in valid])
        else:
            joint = Verdict(
                False, 0.0, 0.0, 0.0, "không dẫn nguồn" if not claim.markers else "[n] không tồn tại"
            )
        cites = []
        for n in claim.markers:
            if n not in sources:
                cites.append({"n": n, "relevant": False, "why": f"[{n}] không trỏ tới nguồn nào"})
                continue
            if not joint.supported:
                cites.append({"n": n, "relevant": False, "why": "câu không có căn cứ"})
                continue
            alone = judge(claim.text, [sources[n]]) if len(valid) > 1 else joint
            others = [sources[m] for m in valid if m != n]
            needed = not alone.supported and bool(others) and not judge(claim.text, others).supported
            ok = alone.supported or needed
            why = "tự đủ căn cứ" if alone.supported else "cần cùng nguồn khác" if needed else "thừa"
            cites.append({"n": n, "relevant": ok, "why": why})
        supported += joint.supported
        relevant += sum(c["relevant"] for c in cites)
        total += len(cites)
        details.append(
            {"claim": claim.text, "markers": list(claim.markers), "supported": joint.supported,
             "score": round(joint.score, 3), "why": joint.reason, "reworded": joint.reworded,
             "citations": cites}
        )  # fmt: skip
    return {
        "citation_recall": supported / len(claims) if claims else None,
        "citation_precision": relevant / total if total else (0.0 if claims else None),
        "claims": details,
    }


def faithfulness(
    claims: Sequence[Claim], contexts: Sequence[str], judge: Judge
) -> tuple[float | None, list[dict]]:
    """RAGAS faithfulness: the share of claims the retrieved contexts support."""
    if not claims:
        return None, []
    verdicts = [judge(c.text, contexts) for c in claims]
    details = [
        {"claim": c.text, "supported": v.supported, "why": v.reason}
        for c, v in zip(claims, verdicts, strict=True)
    ]
    return sum(v.supported for v in verdicts) / len(claims), details


def clause_matches(expected: str, actual: str) -> bool:
    """A cited clause label is the expected one or a finer label under it: `Điều 5` accepts
    `Điều 5, khoản 2`, `Mục II, tiểu mục 2.2` accepts `Mục II, tiểu mục 2.2.1`; never the other way round."""
    return actual == expected or actual.startswith((expected + ",", expected + "."))


def cites_expected_clause(expected: Sequence[tuple[str, str]], cited: Sequence[tuple[str, str]]) -> bool:
    """True when one cited (doc, clause) is an expected (doc, clause) or lies under one."""
    return any(
        doc == want_doc and clause_matches(want, clause)
        for doc, clause in cited
        for want_doc, want in expected
    )


# The verdict a reference answer opens with ("Có. …", "Không: …", "Đúng.", "Sai,"), as the answer's verdict
# field says it; a yes/no verdict and a true/false one say the same.
_GOLD_VERDICT = re.compile(r"^\s*(Có|Không|Đúng|Sai)\b", re.IGNORECASE)
SAME_VERDICT = {"có": "đúng", "không": "sai"}


def gold_verdict(item: Item) -> str | None:
    """The verdict an item's reference answer gives, for a question asked as yes/no or true/false (its
    shape, assistant/language/shapes.py); None for any other item."""
    if not item.answerable or shape_of(item.question) not in (Shape.YES_NO, Shape.TRUE_FALSE):
        return None
    match = _GOLD_VERDICT.match(item.reference_answer)
    return match[1].capitalize() if match else None


def wrong_verdict(row: dict[str, Any], item: Item) -> bool:
    """A verdict given where the reference answer gives the other one, or where the documents decide
    nothing (an unanswerable item): a wrong verdict is worse than none."""
    given = row.get("verdict")
    if not given:
        return False
    if not item.answerable:
        return True
    gold = row.get("gold_verdict")
    return gold is not None and _same(given) != _same(gold)


def _same(verdict: str) -> str:
    folded = verdict.strip(" .").lower()
    return SAME_VERDICT.get(folded, folded)


def content_words(text: str) -> list[str]:
    """Folded syllables of text without stopwords (numbers kept)."""
    return [w for w in folded_syllables(text) if w.isdigit() or w not in FOLDED_STOPWORDS]


def token_f1(answer: str, reference: str) -> tuple[float, float]:
    """(F1, recall) of the answer's content syllables against the reference's (multiset overlap)."""
    got = Counter(content_words(answer))
    want = Counter(content_words(reference))
    common = sum((got & want).values())
    if not common:
        return 0.0, 0.0
    precision, recall = common / sum(got.values()), common / sum(want.values())
    return 2 * precision * recall / (precision + recall), recall


def correctness(item: Item, answer_text: str, refused: bool) -> tuple[float, float]:
    """(F1, recall) against the reference: 1 for a refusal of an unanswerable item, 0 for the wrong call.

    English items are compared with their (Vietnamese) evidence, the language the sources answer in.
    """
    if not item.answerable or refused:
        score = float(refused and not item.answerable)
        return score, score
    reference = " ".join(item.evidence) if item.kind == "english" else item.reference_answer
    body = strip_leads(answer_text)
    return token_f1(_without_markers(body), reference)


def _without_markers(text: str) -> str:
    return re.sub(r"\[\d+\]", " ", text)


def _mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return float(np.mean(present)) if present else None


def aggregate(rows: Sequence[dict[str, Any]], items: dict[str, Item]) -> dict[str, float | None]:
    """Dataset-level metrics from per-item rows (see evals/README.md for each definition)."""
    answerable = [r for r in rows if items[r["id"]].answerable]
    refused = [r for r in rows if r["refused"]]
    should = [r for r in rows if not items[r["id"]].answerable]
    true_refusals = sum(1 for r in refused if not items[r["id"]].answerable)
    latencies = [r["latency_ms"] for r in rows]
    metrics: dict[str, float | None] = {
        "hit@k": _mean([r["retrieval"]["hit"] for r in answerable]),
        "mrr": _mean([r["retrieval"]["rr"] for r in answerable]),
        "evidence_recall": _mean([r["retrieval"]["evidence_recall"] for r in answerable]),
        "cited_evidence": _mean([r["cited_evidence"] for r in answerable]),
        "citation_recall": _mean([r["citation_recall"] for r in rows]),
        "citation_precision": _mean([r["citation_precision"] for r in rows]),
        "faithfulness": _mean([r["faithfulness"] for r in rows]),
        "correctness": _mean([r["correctness"] for r in rows]),
        "refusal_precision": true_refusals / len(refused) if refused else 0.0,
        "refusal_recall": true_refusals / len(should) if should else None,
        # Answered (not refused) but citing none of the expected clauses; unanswerable items answered.
        "answered_wrong_clause": (
            sum(1 for r in answerable if not r["refused"] and not r["clause_ok"]) / len(answerable)
            if answerable
            else None
        ),
        "answered_unanswerable": float(sum(1 for r in should if not r["refused"])),
        # Verdicts ("Có.", "Không.", "Đúng.", "Sai.") given, and those that are wrong (gated at zero).
        "verdicts": float(sum(1 for r in rows if r.get("verdict"))),
        "wrong_verdicts": float(sum(wrong_verdict(r, items[r["id"]]) for r in rows)),
        "latency_p50_ms": float(np.percentile(latencies, 50)) if latencies else None,
        "latency_p95_ms": float(np.percentile(latencies, 95)) if latencies else None,
    }
    judged = [r["judge"] for r in rows if r.get("judge")]
    if judged:
        metrics["judge_faithfulness"] = _mean([j.get("faithfulness") for j in judged])
        metrics["judge_citation_recall"] = _mean([j.get("citation_recall") for j in judged])
        metrics["judge_citation_precision"] = _mean([j.get("citation_precision") for j in judged])
        metrics["judge_unknown"] = float(sum(j.get("unknown", 0) for j in judged))
    return metrics


# Columns of the per-kind table, in order (counts of items).
KIND_COLUMNS = ("n", "answered_expected_clause", "refused", "answered_wrong_clause", "refusal_ok")


def by_kind(rows: Sequence[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Per question kind (in order of first appearance): items, answered citing an expected clause,
    refused, answered citing none of them (any answer to an unanswerable item), refusal decision right."""
    kinds: dict[str, dict[str, int]] = {}
    for r in rows:
        counts = kinds.setdefault(r["kind"], dict.fromkeys(KIND_COLUMNS, 0))
        counts["n"] += 1
        counts["refusal_ok"] += r["refusal_ok"]
        if r["refused"]:
            counts["refused"] += 1
        elif r["clause_ok"]:
            counts["answered_expected_clause"] += 1
        else:
            counts["answered_wrong_clause"] += 1
    return kinds
