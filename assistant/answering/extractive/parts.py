"""Answers from a document's standard parts (language/parts.py): who signed it and in what capacity, on what
legal bases and whose proposal it was issued, from when it takes effect, to whom it is sent. Retrieval
found the part's chunks (Query.part, retriever's "part" list); here its lines are quoted, under the label
people use ("Theo NĐ 30/2020/NĐ-CP (Phần ký): TM. CHÍNH PHỦ — THỦ TƯỚNG — Nguyễn Xuân Phúc [1]")."""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.answering.extractive.compose import compose
from assistant.answering.extractive.sentences import Sentence
from assistant.core.models import HEADER_KEY, Answer, Chunk
from assistant.core.passages import effect_spans, part_chunks, quotable, same_article
from assistant.language.parts import (
    BASIS_LINE,
    PROPOSAL_LINE,
    RECIPIENTS_HEADING,
    SIGNED_MARK,
    capacities,
    capacity_line,
    states_effect,
)
from assistant.language.shapes import Shape
from assistant.language.text import fold, trimmed_span
from assistant.retrieval.retriever import Query

# "Ai ký … và ký ngày nào?": the date of the header block goes with the signature.
_ASKS_DATE = re.compile(r"\b(ngay nao|khi nao|bao gio|ngay thang|when|what date)\b")
_DATE_LINE = re.compile(r"\bngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}", re.IGNORECASE)
MAX_EFFECT = 3  # sentences of the effect article quoted
CAPACITY_NOTE = "Trong khối chữ ký: {marks}."


def part_answer(query: Query, chunks: list[Chunk]) -> Answer | None:
    """The answer quoting the part the query asks for alone (Query.part) of its document, or None when
    the document has no such part (the question is then answered as any other)."""
    if query.part is None:
        return None
    found = [chunks[i] for i in part_chunks(chunks, query.part_of, query.part)]
    sentences = list(_sentences(query, found, chunks))
    if not sentences:
        return None
    answer = compose(query, sentences)
    if query.part is Shape.SIGNER and (note := _capacities(sentences)):
        answer.notice = f"{answer.notice} {note}" if answer.notice else note
    return answer


def _sentences(query: Query, found: list[Chunk], chunks: list[Chunk]) -> Iterator[Sentence]:
    part = query.part
    if part is Shape.SIGNER:
        yield from (s for s in _lines(found) if not SIGNED_MARK.match(s.text))
        if _ASKS_DATE.search(fold(query.text)):
            header = [c for c in chunks if c.doc_short == query.part_of and c.clause_key == HEADER_KEY]
            yield from [s for s in _lines(header) if _DATE_LINE.search(s.text)][:1]
    elif part is Shape.LEGAL_BASIS:
        yield from (s for s in _lines(found) if BASIS_LINE.match(s.text))
    elif part is Shape.PROPOSER:
        yield from (s for s in _lines(found) if PROPOSAL_LINE.match(s.text))
    elif part is Shape.RECIPIENTS:
        for chunk in found:
            for a, b in quotable(chunk):
                if not RECIPIENTS_HEADING.fullmatch(chunk.text[a:b].strip()):
                    yield Sentence(chunk, 0, a, b)
    elif part is Shape.EFFECT:
        yield from _effect(found, chunks)


def _lines(chunks: list[Chunk]) -> list[Sentence]:
    """Each line of the chunks, as written (a signature block's lines are no sentences: "TM. CHÍNH PHỦ")."""
    return [
        Sentence(chunk, 0, a, b)
        for chunk in chunks
        for m in re.finditer(r"[^\n]+", chunk.text)
        for a, b in trimmed_span(chunk.text, m.start(), m.end())
    ]


def _effect(found: list[Chunk], chunks: list[Chunk]) -> list[Sentence]:
    """The sentences that say from when the document takes effect: of the first article (or clause) that
    says so, those that do ("Luật này có hiệu lực thi hành từ …", "Khoản 3 Điều 10 của Luật này có hiệu lực
    từ …")."""
    if not found:
        return []
    first = same_article(found[0], chunks)
    return [
        Sentence(chunk, 0, a, b)
        for chunk in first
        for a, b in effect_spans(chunk)
        if states_effect(chunk.text[a:b])
    ][:MAX_EFFECT]


def _capacities(sentences: list[Sentence]) -> str:
    """What the capacity marks of the quoted signature block mean ("TM. là thay mặt, KT. là ký thay")."""
    marks = dict.fromkeys(m[1] for s in sentences if (m := capacity_line().match(s.text)))
    meaning = capacities()
    return CAPACITY_NOTE.format(marks=", ".join(f"{m}. là {meaning[m]}" for m in marks)) if marks else ""
