"""Run systems over a dataset and score every item; the harness behind `python -m evals run`."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from tqdm import tqdm

from assistant import Citation
from assistant.answering.support import SupportScorer, Verdict
from evals.claims import split_claims
from evals.dataset import SPLITS, Corpus, Item, Span, split_of
from evals.judge import LLMJudge
from evals.metrics import (
    aggregate,
    by_kind,
    citation_scores,
    cited_evidence,
    cites_expected_clause,
    correctness,
    faithfulness,
    gold_verdict,
    retrieval_scores,
)
from evals.systems import Run, System, span


def score_run(
    item: Item, run: Run, corpus: Corpus, scorer: SupportScorer, judge: LLMJudge | None = None
) -> dict[str, Any]:
    """Every per-item score of one system's run, with the verdicts behind them."""
    answer = run.answer
    evidence = corpus.locate(item)
    claims = [] if answer.refused else split_claims(answer.text)
    sources = {c.n: c.text for c in answer.citations}
    # The context the answer was built from: what retrieval found, plus any passage the answer cites
    # (the extractive answerer reads the clause index itself for listing questions).
    contexts = list(dict.fromkeys([c.text for c in run.retrieved] + [c.text for c in answer.citations]))
    # What the cited documents say of themselves (title, citation name, headings) counts as their text too.
    chunks = {c.id: c for c in run.retrieved}
    about = {
        c.text: chunks[c.chunk_id].facts if c.chunk_id in chunks else (c.title, c.label)
        for c in answer.citations
    }

    def judge_with_facts(sentence: str, texts: Sequence[str]) -> Verdict:
        return scorer(sentence, texts, tuple(f for t in texts for f in about.get(t, ())))

    citations = citation_scores(claims, sources, judge_with_facts)
    faithful, faith_details = faithfulness(claims, contexts, judge_with_facts)
    f1, recall = correctness(item, answer.text, answer.refused)
    row: dict[str, Any] = {
        "id": item.id,
        "split": split_of(item.id),
        "kind": item.kind,
        "question": item.question,
        "history": item.history,
        "answerable": item.answerable,
        "reference_answer": item.reference_answer,
        "answer": answer.text,
        "refused": answer.refused,
        "notice": answer.notice,
        "citations": [
            {
                "n": c.n,
                "label": c.label,
                "doc": c.doc,
                "clause": c.clause,
                "span": [c.start, c.end],
                "text": c.text,
            }
            for c in answer.citations
        ],
        # An expected (doc, clause) pair, or a finer clause under one, is among the citations.
        "clause_ok": cites_expected_clause(
            item.expected_clauses, [(c.doc, c.clause) for c in answer.citations]
        ),
        "retrieved": [
            {"doc": c.doc_id, "label": c.citation, "span": [c.start, c.end]} for c in run.retrieved
        ],
        "retrieval": retrieval_scores([span(c) for c in run.retrieved], evidence),
        "cited_evidence": cited_evidence([span_of(c) for c in answer.citations], evidence),
        "citation_recall": citations["citation_recall"],
        "citation_precision": citations["citation_precision"],
        "claims": citations["claims"],
        "faithfulness": faithful,
        "faithfulness_claims": faith_details,
        "correctness": f1,
        "reference_recall": recall,
        "refusal_ok": answer.refused == (not item.answerable),
        "verdict": answer.verdict,
        "gold_verdict": gold_verdict(item),
        "latency_ms": run.latency_ms,
    }
    if judge is not None and claims:
        row["judge"] = judge.judge(item.question, claims, sources, contexts)
    return row


def span_of(citation: Citation) -> Span:
    return Span(citation.doc, citation.start, citation.end)


def evaluate(
    items: Sequence[Item],
    system: System,
    corpus: Corpus,
    scorer: SupportScorer,
    judge: LLMJudge | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Run one system over the items: {"metrics": {...}, "splits": {split: {...}}, "by_kind": {...},
    "items": [per-item rows]}; a split's figures are those of its items (evals.dataset.split_of)."""
    rows = []
    for item in tqdm(items, desc=system.name, unit="câu", file=sys.stderr, disable=not progress, leave=False):
        rows.append(score_run(item, system.run(item), corpus, scorer, judge))
    by_id = {item.id: item for item in items}
    splits = {
        name: aggregate(mine, by_id) for name in SPLITS if (mine := [r for r in rows if r["split"] == name])
    }
    return {"metrics": aggregate(rows, by_id), "splits": splits, "by_kind": by_kind(rows), "items": rows}
