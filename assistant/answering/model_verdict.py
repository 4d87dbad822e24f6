"""The verdict of a generated answer (Đúng/Sai, Có/Không, a choice's letter), decided by the extractive
mode's judge on the same passages, never by the model alone.

When the judge decides, the answer opens with its verdict and the deciding quote; the model's own text
follows only when it states no verdict or the same one. When the judge cannot decide, the model's answer
stands as it is, with no verdict of record.
"""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.core.models import Answer, Citation
from assistant.language.text import fold

DISAGREES = (
    "Mô hình ngôn ngữ đưa ra kết luận khác với câu trích trong tài liệu nên kết luận của mô hình không được "
    "dùng; kết luận dưới đây dựa trên câu trích dẫn."
)
_MARKER = re.compile(r"\[(\d{1,3})\]")
_LETTER = re.compile(r"^\W*(?:dap an|phuong an|chon)?\s*:?\s*([a-d])\s*(?:[.):,]|$)")
_WORD = re.compile(r"^\W*(dung|sai|co|khong)\b")


def stated_verdict(text: str) -> str | None:
    """The verdict a generated answer opens with: "Đúng"/"Sai"/"Có"/"Không", or a choice's letter."""
    folded = fold(text.strip())
    if match := _LETTER.match(folded):
        return match[1].upper()
    if match := _WORD.match(folded):
        return {"dung": "Đúng", "sai": "Sai", "co": "Có", "khong": "Không"}[match[1]]
    return None


def with_verdict(generated: Answer, judged: Answer) -> Answer:
    """The generated answer with the judge's verdict: its verdict and deciding quote first, then the model's
    text (citations renumbered after the judge's) when it agrees or states none; the judge's answer alone,
    with a notice, when the model says otherwise. Unchanged when the judge decides nothing."""
    if not judged.verdict or judged.refused:
        return generated
    own = stated_verdict(generated.text)
    if own is not None and own != judged.verdict:
        notice = " ".join(n for n in (DISAGREES, generated.notice) if n)
        return replace(judged, mode=generated.mode, notice=notice, usage=generated.usage)
    numbers = {c.chunk_id: c.n for c in judged.citations}
    citations = list(judged.citations)
    renumber: dict[int, int] = {}
    for c in generated.citations:
        if c.chunk_id not in numbers:
            numbers[c.chunk_id] = len(citations) + 1
            citations.append(replace(c, n=numbers[c.chunk_id]))
        renumber[c.n] = numbers[c.chunk_id]
    text = _MARKER.sub(lambda m: f"[{renumber.get(int(m[1]), int(m[1]))}]", generated.text)
    return replace(
        generated,
        text=f"{judged.text}\n\n{text}",
        citations=_merged_quotes(citations, judged.citations),
        verdict=judged.verdict,
    )


def _merged_quotes(citations: list[Citation], judged: list[Citation]) -> list[Citation]:
    """The citations, each judged one keeping the quotes of the deciding sentences."""
    by_id = {c.chunk_id: c for c in judged}
    return [
        replace(c, quotes=tuple(dict.fromkeys((*by_id[c.chunk_id].quotes, *c.quotes))))
        if c.chunk_id in by_id
        else c
        for c in citations
    ]
