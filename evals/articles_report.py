"""The HTML report of an article-labelled run (`evals articles`): the totals against the baseline, the groups,
and each question with its choices, gold and cited articles, verdict against the gold one, answer and F2."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from evals.gate import Comparison
from evals.report import gate_note, metrics_table, split_html, write_page

METRICS = (
    "questions",
    "macro_f2",
    "hit@1",
    "refused",
    "wrong_article",
    "verdicts",
    "verdict_coverage",
    "verdict_accuracy",
)
NOTE = (
    "macro-F2: F2 của các điều được trích trong đúng luật, trung bình theo câu (từ chối = 0); hit@1: "
    "trích dẫn đầu tiên thuộc một điều đúng; verdict_coverage: tỷ lệ câu có đáp án (Đúng/Sai, A–D) được "
    "trợ lý kết luận; verdict_accuracy: kết luận đúng / kết luận đưa ra."
)


def _verdict(row: dict[str, Any]) -> str:
    if row.get("gold_verdict") is None:
        return "không có đáp án mẫu"
    given = row.get("verdict") or "không kết luận"
    mark = {True: "✓", False: "✗", None: "–"}[row.get("verdict_ok")]
    return f"{mark} trợ lý: {given} · đáp án: {row['gold_verdict']}"


def _item(row: dict[str, Any]) -> str:
    mark = "✗" if row.get("verdict_ok") is False or row["wrong_article"] else "✓"
    title = f"{mark} [{row['kind'] or '–'}] {row['id']}: {row['question']}"
    parts = [f"<summary>{escape(title)}</summary>"]
    if row.get("choices"):
        choices = "".join(f"<li>{escape(k)}. {escape(v)}</li>" for k, v in row["choices"].items())
        parts.append(f"<p><b>Phương án</b></p><ul>{choices}</ul>")
    facts = {
        "Luật": row["law"],
        "Điều đúng": ", ".join(row["gold"]),
        "Điều được trích": ", ".join(row["cited"]) or ("từ chối" if row["refused"] else "–"),
        "F2": f"{row['f2']:.3f}",
        "Kết luận": _verdict(row),
    }
    parts.append(
        "<table>"
        + "".join(f"<tr><td>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in facts.items())
        + "</table>"
    )
    parts.append(f"<p><b>Câu trả lời</b></p><pre>{escape(row['answer'])}</pre>")
    if row.get("notice"):
        parts.append(f"<p class=cite>{escape(row['notice'])}</p>")
    return f"<details>{''.join(parts)}</details>"


def write_articles_html(
    path: Path, result: dict[str, Any], comparisons: Sequence[Comparison], meta: dict[str, Any]
) -> None:
    """One self-contained HTML file for an article-labelled run (the style of evals/report.py)."""
    total = {"tổng": {"metrics": result["metrics"]}}
    groups = {name: {"metrics": m} for name, m in result["groups"].items()}
    body = (
        f"<h2>Chỉ số</h2><p class=cite>{escape(NOTE)}</p>{gate_note(comparisons)}"
        f"{metrics_table(total, comparisons, METRICS)}{split_html(result, comparisons, METRICS)}"
        f"<h2>Theo loại câu hỏi và theo bộ</h2>{metrics_table(groups, (), METRICS)}"
        f"<h2>Từng câu hỏi</h2>{''.join(_item(row) for row in result['items'])}"
    )
    write_page(path, "Đánh giá theo điều luật", meta, body)
