"""The metrics table (terminal) and the self-contained HTML report with a per-item drill-down."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from evals.gate import Comparison
from evals.metrics import KIND_COLUMNS

METRICS = [
    "hit@k",
    "mrr",
    "evidence_recall",
    "cited_evidence",
    "citation_recall",
    "citation_precision",
    "faithfulness",
    "correctness",
    "refusal_precision",
    "refusal_recall",
    "answered_wrong_clause",
    "answered_unanswerable",
    "verdicts",
    "wrong_verdicts",
    "latency_p50_ms",
    "latency_p95_ms",
    "judge_faithfulness",
    "judge_citation_recall",
    "judge_citation_precision",
    "judge_unknown",
]
COUNTS = frozenset(
    {"answered_unanswerable", "judge_unknown", "questions", "verdicts", "wrong_verdicts"}
)  # metrics that count items
# Headers of the per-kind table (evals.metrics.by_kind), same order as KIND_COLUMNS.
KIND_HEADERS = ("n", "trả lời, đúng điều khoản", "từ chối", "trả lời, sai điều khoản", "trả lời/từ chối đúng")
KIND_NOTE = (
    "đúng điều khoản: trích dẫn có ít nhất một điều khoản mong đợi (hoặc điều khoản nhỏ hơn nằm trong nó); "
    "sai điều khoản: không trích điều khoản mong đợi nào (mọi câu trả lời cho câu không trả lời được); "
    "trả lời/từ chối đúng: từ chối đúng khi và chỉ khi câu hỏi không trả lời được."
)


def fmt(value: float | None, metric: str = "") -> str:
    if value is None:
        return "–"
    if metric.endswith("_ms"):
        return f"{value:.0f}"
    if metric in COUNTS:
        return f"{value:.0f}"
    return f"{value:.3f}"


# The figures of the line a split gets (`python -m evals run`, train / dev / sealed).
SPLIT_METRICS = (
    "hit@k",
    "mrr",
    "cited_evidence",
    "correctness",
    "refusal_precision",
    "refusal_recall",
    "answered_wrong_clause",
    "answered_unanswerable",
)


def whole_run(comparisons: Sequence[Comparison]) -> list[Comparison]:
    """The comparisons of the figures the main table shows: the whole run's, or, for a run of one split,
    that split's."""
    whole = [c for c in comparisons if not c.split]
    if whole or len({c.split for c in comparisons}) != 1:
        return whole
    return list(comparisons)


def split_table(result: dict[str, Any], comparisons: Sequence[Comparison] = ()) -> str:
    """One line per split of the run (train, dev, sealed): its questions and main figures, a figure that
    fell below the same split's baseline marked '!'."""
    regressed = {(c.split, c.metric) for c in comparisons if c.regressed}
    rows = [["phần", "câu", *SPLIT_METRICS]]
    for name, metrics in result.get("splits", {}).items():
        count = sum(1 for row in result["items"] if row.get("split") == name)
        rows.append(
            [name, str(count)]
            + [fmt(metrics.get(m), m) + ("!" if (name, m) in regressed else "") for m in SPLIT_METRICS]
        )
    note = "(phần theo sha256 của mã câu hỏi; '!': kém hơn mốc của cùng phần quá dung sai)"
    return f"Theo phần\n{_plain(rows)}\n{note}" if len(rows) > 1 else ""


def _names(results: dict[str, Any], names: Sequence[str] = METRICS) -> list[str]:
    return [m for m in names if any(m in r["metrics"] for r in results.values())]


def table(results: dict[str, Any], comparisons: Sequence[Comparison] = ()) -> str:
    """Metrics as a plain-text table: one column per system, then baseline and change when given."""
    systems = list(results)
    comparisons = whole_run(comparisons)
    by_metric = {c.metric: c for c in comparisons}
    header = ["metric", *systems] + (["baseline", "Δ", ""] if comparisons else [])
    rows = [header]
    for metric in _names(results):
        row = [metric] + [fmt(results[s]["metrics"].get(metric), metric) for s in systems]
        if comparisons:
            c = by_metric.get(metric)
            delta = c.delta if c else None
            row += [
                fmt(c.baseline, metric) if c else "",
                "" if delta is None else f"{delta:+.3f}" if not metric.endswith("_ms") else f"{delta:+.0f}",
                c.label if c and c.regressed else "",
            ]
        rows.append(row)
    return _plain(rows)


def _plain(rows: list[list[str]]) -> str:
    """Rows as aligned columns (first left, the rest right) with a rule under the header."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def _kind_rows(kinds: dict[str, dict[str, int]]) -> list[list[str]]:
    """One row per kind, then the totals."""
    rows = [[kind, *(str(counts[c]) for c in KIND_COLUMNS)] for kind, counts in kinds.items()]
    rows.append(["tổng", *(str(sum(k[c] for k in kinds.values())) for c in KIND_COLUMNS)])
    return rows


def kind_table(results: dict[str, Any]) -> str:
    """The per-kind counts of every system as plain-text tables, with what the columns mean."""
    parts = [
        f"Theo loại câu hỏi — {name}\n" + _plain([["loại", *KIND_HEADERS], *_kind_rows(result["by_kind"])])
        for name, result in results.items()
        if result.get("by_kind")
    ]
    return "\n\n".join([*parts, textwrap.fill(f"({KIND_NOTE})", 110)]) if parts else ""


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}
td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:right}
td:first-child,th:first-child{text-align:left}.bad{color:#b00020;font-weight:bold}.ok{color:#1b5e20}
details{border:1px solid #ddd;border-radius:4px;margin:.3rem 0;padding:.3rem .6rem}
summary{cursor:pointer}pre{white-space:pre-wrap;background:#f6f6f6;padding:.5rem}
.cite{font-size:.9em;color:#444}
"""


def metrics_table(
    results: dict[str, Any], comparisons: Sequence[Comparison], names: Sequence[str] = METRICS
) -> str:
    """Metrics as an HTML table: one column per result, then baseline, change, tolerance and status."""
    systems = list(results)
    comparisons = whole_run(comparisons)
    by_metric = {c.metric: c for c in comparisons}
    head = "".join(f"<th>{escape(s)}</th>" for s in systems)
    if comparisons:
        head += "<th>mốc so sánh</th><th>Δ</th><th>dung sai</th><th></th>"
    body = []
    for metric in _names(results, names):
        cells = "".join(f"<td>{escape(fmt(results[s]['metrics'].get(metric), metric))}</td>" for s in systems)
        c = by_metric.get(metric)
        if comparisons:
            status = (
                ""
                if not c or c.tolerance is None
                else (f'<span class="bad">{c.label}</span>' if c.regressed else '<span class="ok">đạt</span>')
            )
            delta = "" if not c or c.delta is None else f"{c.delta:+.3f}"
            tol = "" if not c or c.tolerance is None else f"{c.tolerance:.3f}"
            base = escape(fmt(c.baseline, metric)) if c else ""
            cells += f"<td>{base}</td><td>{delta}</td><td>{tol}</td><td>{status}</td>"
        body.append(f"<tr><td>{escape(metric)}</td>{cells}</tr>")
    return f"<table><tr><th>chỉ số</th>{head}</tr>{''.join(body)}</table>"


def _kind_html(results: dict[str, Any]) -> str:
    tables = []
    for name, result in results.items():
        if not result.get("by_kind"):
            continue
        head = "".join(f"<th>{escape(h)}</th>" for h in ("loại", *KIND_HEADERS))
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>"
            for row in _kind_rows(result["by_kind"])
        )
        tables.append(f"<h3>{escape(name)}</h3><table><tr>{head}</tr>{body}</table>")
    if not tables:
        return ""
    return f"<h2>Theo loại câu hỏi</h2><p class=cite>{escape(KIND_NOTE)}</p>{''.join(tables)}"


def _item(row: dict[str, Any]) -> str:
    ok = row["refusal_ok"] and (row["citation_recall"] in (None, 1.0))
    mark = "✓" if ok else "✗"
    title = f"{mark} [{row['kind']}] {row['id']}: {row['question']}"
    parts = [f"<summary>{escape(title)}</summary>"]
    if row["history"]:
        turns = "\n".join(f"{t['role']}: {t['content']}" for t in row["history"])
        parts.append(f"<p><b>Hội thoại trước</b></p><pre>{escape(turns)}</pre>")
    parts.append(
        f"<p><b>Câu trả lời</b> ({'từ chối' if row['refused'] else 'trả lời'})</p>"
        f"<pre>{escape(row['answer'])}</pre>"
    )
    parts.append(f"<p><b>Câu trả lời mẫu</b></p><pre>{escape(row['reference_answer'])}</pre>")
    scores = {
        "truy xuất": row["retrieval"],
        "nguồn trích có bằng chứng": row["cited_evidence"],
        "trích điều khoản mong đợi": row.get("clause_ok"),
        "citation recall": row["citation_recall"],
        "citation precision": row["citation_precision"],
        "faithfulness": row["faithfulness"],
        "correctness (F1)": row["correctness"],
        "kết luận (mẫu)": f"{row.get('verdict') or '–'} ({row.get('gold_verdict') or '–'})",
        "độ trễ (ms)": round(row["latency_ms"], 1),
    }
    parts.append(f"<pre>{escape(json.dumps(scores, ensure_ascii=False))}</pre>")
    if row["claims"]:
        lines = []
        for claim in row["claims"]:
            cites = "; ".join(
                f"[{c['n']}] {'liên quan' if c['relevant'] else 'không liên quan'}: {c['why']}"
                for c in claim["citations"]
            )
            verdict = "có căn cứ" if claim["supported"] else "KHÔNG có căn cứ"
            lines.append(
                f"<li>{escape(claim['claim'])}<br><i>{escape(verdict)} — {escape(claim['why'])}</i>"
                f"<br><span class=cite>{escape(cites)}</span></li>"
            )
        parts.append(f"<p><b>Từng câu (trích dẫn)</b></p><ol>{''.join(lines)}</ol>")
    if row.get("faithfulness_claims"):
        lines = [
            f"<li>{escape(c['claim'][:120])}: {'có' if c['supported'] else 'không'} căn cứ trong ngữ cảnh"
            f" — {escape(c['why'])}</li>"
            for c in row["faithfulness_claims"]
        ]
        parts.append(f"<p><b>Faithfulness (so với mọi đoạn truy xuất)</b></p><ol>{''.join(lines)}</ol>")
    if row.get("judge"):
        lines = [
            f"<li>{escape(c['claim'][:120])}: {escape(c['verdict'])} — {escape(c['why'])}</li>"
            for c in row["judge"]["claims"]
        ]
        parts.append(f"<p><b>Mô hình chấm (LLM)</b></p><ol>{''.join(lines)}</ol>")
    if row["citations"]:
        cites = "".join(
            f"<li>[{c['n']}] {escape(c['label'])}<pre>{escape(c['text'])}</pre></li>"
            for c in row["citations"]
        )
        parts.append(f"<p><b>Nguồn trích dẫn</b></p><ul>{cites}</ul>")
    retrieved = ", ".join(r["label"] for r in row["retrieved"])
    parts.append(f"<p class=cite><b>Đoạn truy xuất:</b> {escape(retrieved)}</p>")
    return f"<details>{''.join(parts)}</details>"


def split_html(
    result: dict[str, Any], comparisons: Sequence[Comparison], names: Sequence[str] = METRICS
) -> str:
    """The figures of each split side by side, each against its own baseline when there is one."""
    splits = result.get("splits", {})
    if not splits:
        return ""
    tables = "".join(
        f"<h3>{escape(name)}</h3>"
        + metrics_table({name: {"metrics": m}}, [c for c in comparisons if c.split == name], names)
        for name, m in splits.items()
    )
    return f"<h2>Theo phần (train / dev / sealed)</h2>{tables}"


def gate_note(comparisons: Sequence[Comparison]) -> str:
    """One line saying whether any metric fell beyond its tolerance (empty without a baseline)."""
    failed = [c.name for c in comparisons if c.regressed]
    if failed:
        return f'<p class="bad">Kém hơn mốc quá dung sai: {escape(", ".join(failed))}</p>'
    return '<p class="ok">Không chỉ số nào giảm quá dung sai.</p>' if comparisons else ""


def write_page(path: Path, title: str, meta: dict[str, Any], body: str) -> None:
    """A self-contained HTML report: the title, the run's particulars, then the body."""
    meta_rows = "".join(
        f"<tr><td>{escape(str(k))}</td><td>{escape(str(v))}</td></tr>" for k, v in meta.items()
    )
    html = (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1><table>{meta_rows}</table>{body}</body></html>"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")


def write_html(
    path: Path, results: dict[str, Any], comparisons: Sequence[Comparison], meta: dict[str, Any]
) -> None:
    """One self-contained HTML file: metrics side by side, baseline comparison, per-item drill-down."""
    sections = []
    for name, result in results.items():
        items = "".join(_item(row) for row in result["items"])
        sections.append(f"<h2>Từng câu hỏi — {escape(name)}</h2>{items}")
    body = (
        f"<h2>Chỉ số</h2>{gate_note(comparisons)}{metrics_table(results, comparisons)}"
        f"{split_html(next(iter(results.values()), {}), comparisons)}{_kind_html(results)}"
        f"{''.join(sections)}"
    )
    write_page(path, "Đánh giá Trợ lý Kế hoạch 32", meta, body)
