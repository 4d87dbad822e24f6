"""Benchmarks labelled with articles, not evidence spans (ALQAC and the like): which articles an answer cites,
scored the competition's way (macro-F2 over questions, a refusal scoring 0), plus hit@1 and refusals; and,
for true/false and multiple-choice questions with a gold answer, how often the assistant gives a verdict
and how often that verdict is right."""

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
from assistant.language.choices import with_choices
from evals.dataset import SPLITS, split_of
from evals.gate import Comparison

VERDICTS = ("Đúng", "Sai")
# A yes/no verdict on a true/false question ("…, phải không?" is asked as a yes/no question) says the same.
AS_TRUE_FALSE = {"Có": "Đúng", "Không": "Sai"}
# How far each gated metric may move the wrong way from the baseline (`evals articles --baseline`): about one
# question of ALQAC's 192 for the article metrics, one verdict in thirty for the verdicts' accuracy.
TOLERANCES = {
    "macro_f2": 0.01,
    "hit@1": 0.01,
    "refused": 0.01,
    "wrong_article": 0.01,
    "verdict_accuracy": 0.03,
    "wrong_verdicts": 0.0,
}
LOWER_IS_BETTER = frozenset({"refused", "wrong_article", "wrong_verdicts"})
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
    answer: str = ""  # gold: "Đúng"/"Sai", or "B. <the choice's text>"
    choices: tuple[tuple[str, str], ...] = ()  # (letter, text) of a multiple-choice question

    @property
    def prompt(self) -> str:
        """What is sent to the assistant: the question, then its choices one a line, as a user pastes them."""
        return with_choices(self.question, dict(self.choices)) if self.choices else self.question

    @property
    def gold_verdict(self) -> str | None:
        """The gold answer's verdict: "Đúng"/"Sai", or a choice's letter; None for an open question."""
        answer = self.answer.strip()
        if self.choices:
            letter = answer[:1].upper()
            return letter if letter in dict(self.choices) else None
        return answer if answer in VERDICTS else None


class ArticleDatasetError(ValueError):
    """A line of an article-labelled dataset that cannot be read (message in Vietnamese)."""


def load_articles(path: Path) -> list[ArticleItem]:
    """Items of a JSONL file whose lines have `id`, `question`, `law`, `articles` (and optionally
    `question_type`, `set`, `answer`, `choices` {"A": …, "B": …})."""
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
                    str(data.get("answer") or ""),
                    tuple((str(k), str(v)) for k, v in (data.get("choices") or {}).items()),
                )
            )  # fmt: skip
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
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
    gold = item.gold_verdict
    verdict = AS_TRUE_FALSE.get(answer.verdict, answer.verdict) if not item.choices else answer.verdict
    return {
        "id": item.id,
        "split": split_of(item.id),
        "kind": item.kind,
        "set": item.set,
        "question": item.question,
        "choices": dict(item.choices),
        "law": item.law,
        "gold": sorted(item.articles),
        "cited": cited,
        "refused": answer.refused,
        "f2": f2(cited, item.articles),
        "hit@1": bool(cited) and cited[0] in item.articles,
        "wrong_article": not answer.refused and not set(cited) & item.articles,
        "answer": answer.text,
        "notice": answer.notice,
        "gold_verdict": gold,
        "verdict": verdict,
        "verdict_ok": None if gold is None or verdict is None else verdict == gold,
        "latency_ms": answer.timings_ms.get("total", 0.0),
    }


def aggregate(rows: Sequence[dict[str, Any]]) -> dict[str, float | None]:
    """Macro-F2, hit@1, refused and answered-with-a-wrong-article shares over rows; over the rows with a
    gold verdict, the share given a verdict (coverage) and the share of those that are right (accuracy)."""
    n = len(rows) or 1
    judged = [r for r in rows if r.get("gold_verdict")]
    given = [r for r in judged if r.get("verdict")]
    return {
        "questions": float(len(rows)),
        "macro_f2": sum(r["f2"] for r in rows) / n,
        "hit@1": sum(r["hit@1"] for r in rows) / n,
        "refused": sum(r["refused"] for r in rows) / n,
        "wrong_article": sum(r["wrong_article"] for r in rows) / n,
        "verdicts": float(len(given)),
        "verdict_coverage": len(given) / len(judged) if judged else None,
        "verdict_accuracy": sum(bool(r["verdict_ok"]) for r in given) / len(given) if given else None,
        # A wrong verdict is worse than none: counted on its own, gated (evals/gate.py, WRONG_VERDICTS).
        "wrong_verdicts": float(sum(not r["verdict_ok"] for r in given)),
    }


def evaluate(assistant: Assistant, items: Sequence[ArticleItem], progress: bool = True) -> dict[str, Any]:
    """Ask every question; the rows, the totals, the totals of each split (evals.dataset.split_of) and
    per question type and per set."""
    rows = [
        score(item, assistant.ask(item.prompt))
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
        "splits": {
            name: aggregate(mine) for name in SPLITS if (mine := [r for r in rows if r["split"] == name])
        },
        "groups": {name: aggregate(group) for name, group in sorted(groups.items())},
        "items": rows,
    }


def table(result: dict[str, Any], comparisons: Sequence[Comparison] = ()) -> str:
    """The totals, a line per split, and the groups as a plain-text table; a line whose split (or the
    whole run) fell below its baseline is marked."""
    header = (
        f"{'':<28}{'câu':>6}{'macro-F2':>10}{'hit@1':>8}{'từ chối':>9}{'sai điều':>10}"
        f"{'kết luận':>10}{'KL đúng':>9}{'KL sai':>8}"
    )
    lines = [header, "-" * len(header)]
    regressed = {c.split for c in comparisons if c.regressed}
    splits = [(f"phần: {name}", m, name) for name, m in result.get("splits", {}).items()]
    for name, m, split in [("tổng", result["metrics"], ""), *splits,
                           *((g, m, None) for g, m in result["groups"].items())]:  # fmt: skip
        lines.append(
            f"{name:<28}{int(m['questions']):>6}{m['macro_f2']:>10.3f}{m['hit@1']:>8.3f}"
            f"{m['refused']:>9.3f}{m['wrong_article']:>10.3f}"
            f"{_share(m.get('verdict_coverage')):>10}{_share(m.get('verdict_accuracy')):>9}"
            f"{_count(m.get('wrong_verdicts')):>8}" + ("  GIẢM so với mốc" if split in regressed else "")
        )
    note = (
        "kết luận: tỷ lệ câu có đáp án (Đúng/Sai, A–D) được kết luận; KL đúng: kết luận đúng / kết luận; "
        "KL sai: số kết luận sai; phần: train, dev, sealed theo sha256 của mã câu hỏi."
    )
    return "\n".join([*lines, "", note])


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _count(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"
