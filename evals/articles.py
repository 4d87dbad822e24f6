"""Benchmarks labelled with articles, not evidence spans (ALQAC and the like): which articles an answer cites,
scored the competition's way (macro-F2 over questions, a refusal scoring 0), plus hit@1 and refusals."""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from assistant import Answer, Assistant

_ARTICLE = re.compile(r"^Điều\s+(\d+[a-z]?)\b")


@dataclass(frozen=True)
class ArticleItem:
    """One question: the law (corpus file stem) and the gold article numbers, its type and set."""

    id: str
    question: str
    law: str
    articles: frozenset[str]
    kind: str = ""
    set: str = ""


class ArticleDatasetError(ValueError):
    """A line of an article-labelled dataset that cannot be read (message in Vietnamese)."""


def load_articles(path: Path) -> list[ArticleItem]:
    """Items of a JSONL file whose lines have `id`, `question`, `law`, `articles` (and optionally
    `question_type`, `set`)."""
    items = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ArticleDatasetError(f"Không đọc được tệp câu hỏi '{path}': {exc}") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            items.append(
                ArticleItem(
                    str(data["id"]), str(data["question"]), str(data["law"]),
                    frozenset(str(a) for a in data["articles"]),
                    str(data.get("question_type") or ""), str(data.get("set") or ""),
                )
            )  # fmt: skip
        except (ValueError, KeyError, TypeError) as exc:
            raise ArticleDatasetError(
                f"{path.name}, dòng {number}: thiếu id/question/law/articles ({exc})."
            ) from exc
    return items


def cited_articles(answer: Answer, law: str) -> list[str]:
    """The article numbers the answer cites in the given law, in citation order, without repeats."""
    found = [m[1] for c in answer.citations if c.doc == law and (m := _ARTICLE.match(c.clause))]
    return list(dict.fromkeys(found))


def f2(cited: Sequence[str], gold: frozenset[str]) -> float:
    """F2 = 5PR / (4P + R) of the cited articles against the gold ones; nothing cited scores 0."""
    hits = len(set(cited) & gold)
    if not cited or not hits:
        return 0.0
    precision, recall = hits / len(set(cited)), hits / len(gold)
    return 5 * precision * recall / (4 * precision + recall)


def score(item: ArticleItem, answer: Answer) -> dict[str, Any]:
    """One question's row: what was cited and how it scores."""
    cited = [] if answer.refused else cited_articles(answer, item.law)
    return {
        "id": item.id,
        "kind": item.kind,
        "set": item.set,
        "question": item.question,
        "law": item.law,
        "gold": sorted(item.articles),
        "cited": cited,
        "refused": answer.refused,
        "f2": f2(cited, item.articles),
        "hit@1": bool(cited) and cited[0] in item.articles,
        "wrong_article": not answer.refused and not set(cited) & item.articles,
        "answer": answer.text,
        "latency_ms": answer.timings_ms.get("total", 0.0),
    }


def aggregate(rows: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Macro-F2, hit@1, refused and answered-with-a-wrong-article shares over rows."""
    n = len(rows) or 1
    return {
        "questions": float(len(rows)),
        "macro_f2": sum(r["f2"] for r in rows) / n,
        "hit@1": sum(r["hit@1"] for r in rows) / n,
        "refused": sum(r["refused"] for r in rows) / n,
        "wrong_article": sum(r["wrong_article"] for r in rows) / n,
    }


def evaluate(assistant: Assistant, items: Sequence[ArticleItem], progress: bool = True) -> dict[str, Any]:
    """Ask every question; the rows, the totals, and the totals per question type and per set."""
    rows = [
        score(item, assistant.ask(item.question))
        for item in tqdm(
            items, desc="câu hỏi", unit="câu", file=sys.stderr, disable=not progress, leave=False
        )
    ]
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[f"loại: {row['kind'] or '–'}"].append(row)
        groups[f"bộ: {row['set'] or '–'}"].append(row)
    return {
        "metrics": aggregate(rows),
        "groups": {name: aggregate(group) for name, group in sorted(groups.items())},
        "items": rows,
    }


def table(result: dict[str, Any]) -> str:
    """The totals and the groups as a plain-text table."""
    header = f"{'':<28}{'câu':>6}{'macro-F2':>10}{'hit@1':>8}{'từ chối':>9}{'sai điều':>10}"
    lines = [header, "-" * len(header)]
    for name, m in [("tổng", result["metrics"]), *result["groups"].items()]:
        lines.append(
            f"{name:<28}{int(m['questions']):>6}{m['macro_f2']:>10.3f}{m['hit@1']:>8.3f}"
            f"{m['refused']:>9.3f}{m['wrong_article']:>10.3f}"
        )
    return "\n".join(lines)
