"""A retrieved chunk read as an answer's source: the sentences it can quote, its heading's title, the
clause it belongs to. Shared by the answerer, by ingest (which embeds the sentences the answerer weighs)
and by the seed of the shipped embedding cache."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from assistant.core.models import HEADER_KEY, Chunk
from assistant.language.instructions import instruction_spans
from assistant.language.names import MOTTOS, names_document
from assistant.language.parts import BASIS_KEY, RECIPIENTS_KEY, SIGNATURE_KEY, states_effect
from assistant.language.shapes import Shape
from assistant.language.text import fold, sentence_spans

T = TypeVar("T")
_DERIVED: dict[tuple[str, int], tuple[list[Chunk], object]] = {}


def derived(chunks: list[Chunk], build: Callable[[list[Chunk]], T]) -> T:
    """What `build` makes of the store's list of chunks, kept while the store keeps that list (it is the
    same list until the store changes), so a question does not go over 11,000 chunks again."""
    key = (build.__qualname__, id(chunks))
    kept = _DERIVED.get(key)
    if kept is not None and kept[0] is chunks:
        return kept[1]  # type: ignore[return-value]
    made = build(chunks)
    if len(_DERIVED) >= 16:
        _DERIVED.clear()
    _DERIVED[key] = (chunks, made)
    return made


_MARKER = re.compile(r"(?:\d{1,3}(?:\.\d{1,3}){0,2}\.|[a-zđ]\)|[IVXLC]{1,6}\.|[-+•])\s+")


def quotable(chunk: Chunk) -> list[tuple[int, int]]:
    """The chunk's sentences that can be quoted as an answer: headings aside ("Điều 3. Mục tiêu", "2. Yêu
    cầu", as the clause context names them) and sentences that instruct the assistant (planted in a
    document), list markers ("b)", "2.") left out of the quote."""
    return list(_quotable(chunk))


@lru_cache(maxsize=1 << 15)
def _quotable(chunk: Chunk) -> tuple[tuple[int, int], ...]:
    """quotable, remembered: an enumeration reads every sentence of a whole law (thousands of chunks)."""
    headings = []
    for part in chunk.context.split(" — "):
        at = chunk.text.find(part) if len(part) >= 3 else -1
        if at >= 0 and (at == 0 or chunk.text[at - 1] == "\n"):
            headings.append((at, at + len(part) + 1))  # with a closing "." or ":"
    spans = []
    aside = instruction_spans(chunk.text)  # read with their neighbours: an instruction cut in two is one
    for a, b in sentence_spans(chunk.text):
        text = chunk.text[a:b]
        if any(start <= a and b <= end for start, end in headings) or not any(ch.isalpha() for ch in text):
            continue
        if any(start < b and a < end for start, end in aside):
            continue
        if fold(text).startswith(MOTTOS):
            continue
        if (m := _MARKER.match(chunk.text, a, b)) and m.end() < b:
            a = m.end()
        spans.append((a, b))
    return tuple(spans)


def scored_spans(chunk: Chunk) -> list[tuple[int, int]]:
    """The sentences the answerer weighs (ExtractiveAnswerer.score): the quotable ones, none of a header
    block (issuer, place, date: quoted only when asked for a document's particulars)."""
    return [] if chunk.clause_key == HEADER_KEY else quotable(chunk)


def scored_sentences(chunk: Chunk) -> list[str]:
    """The texts of scored_spans, exactly as the answerer embeds them: ingest embeds these, so that a
    first question over a new document computes no sentence vector."""
    return [chunk.text[a:b] for a, b in scored_spans(chunk)]


def heading_title(chunk: Chunk) -> str:
    """The title of a chunk's own heading, when it says more than the label ("2. Học viện Hành chính Quốc
    gia" -> "Học viện Hành chính Quốc gia", "Điều 3. Mục tiêu bồi dưỡng" -> "Mục tiêu bồi dưỡng"); none
    when it names a document by its number: the answer's header would read as a citation of that one."""
    own = chunk.context.split(" — ")[-1]
    title = re.sub(r"^(?:Điều\s+\d+[a-z]?\.?|(?:\d{1,3}\.)+\d{0,3}\.?|[IVXLC]{1,6}\.|[a-zđ]\))\s*", "", own)
    title = title.strip(" .:")
    if len(title) < 3 or title == own or fold(title) in fold(chunk.clause_label) or names_document(title):
        return ""
    return title[:1].upper() + title[1:].lower() if title.isupper() else title


def same_article(chunk: Chunk, chunks: list[Chunk]) -> list[Chunk]:
    """The chunks of a chunk's article ("dieu-12" and all inside it), in order; its clause if it has none."""
    if not (article := re.match(r"(?:.*/)?dieu-[^/]+", chunk.clause_key)):
        return whole_clause(chunk, chunks)
    return _within(chunk.doc_id, article[0], chunks)


def leads(chunk: Chunk, chunks: list[Chunk]) -> str:
    """The sentences a chunk's text continues: for a point ("điểm a"), the first sentence of its khoản
    ("… gồm các khu sau:"); for a point or a khoản, its article's opening sentence when that announces
    what follows ("Ủy ban thường vụ Quốc hội có những nhiệm vụ, quyền hạn sau đây:")."""
    key = chunk.clause_key
    enclosing = []
    if "/diem-" in key:
        enclosing.append((re.sub(r"/diem-[^/]+$", "", key), False))
    if article := re.match(r"(?:.*/)?dieu-[^/]+(?=/)", key):
        enclosing.append((article[0], True))
    said = []
    for clause, announcing in enclosing:
        own = derived(chunks, _clause_openings).get((chunk.doc_id, clause))
        sentence = quoted(own) if own is not None and own.id != chunk.id else ""
        if sentence and (not announcing or sentence.rstrip().endswith(":")):
            said.append(sentence)
    return "\n".join(said)


def _clause_openings(chunks: list[Chunk]) -> dict[tuple[str, str], Chunk]:
    """The first chunk of each clause of each document, by (document, clause key)."""
    first: dict[tuple[str, str], Chunk] = {}
    for c in chunks:
        first.setdefault((c.doc_id, c.clause_key), c)
    return first


def quoted(chunk: Chunk) -> str:
    """The chunk's first quotable sentence ("" when it has none)."""
    spans = quotable(chunk)
    return chunk.text[spans[0][0] : spans[0][1]] if spans else ""


@dataclass(frozen=True)
class Unit:
    """One unit of a document's structure (an article, a chapter…): its label, its first chunk, and the
    first of its chunks with a sentence to quote (None when none has one)."""

    label: str
    first: Chunk
    quoted: Chunk | None = None

    def span(self) -> tuple[Chunk, int, int]:
        """What to quote of the unit: its first sentence to quote, else its first chunk whole (an article
        whose heading is all it says: "Điều 1. Ban hành kèm theo Nghị quyết này …")."""
        if self.quoted is not None:
            return (self.quoted, *quotable(self.quoted)[0])
        return self.first, 0, len(self.first.text)


def units(chunks: list[Chunk], doc_short: str, level: str) -> list[Unit]:
    """The numbered units of one level of a document, in reading order: `level` is the folded word their
    labels begin with ("dieu" for "Điều 5", "chuong" for "Chương II"), which also begins their keys
    ("dieu-5", "chuong-ii"); a unit's heading alone ("Chương II") is not a sentence to quote."""
    numbered = re.compile(rf"{re.escape(level)}-(?:\d+[a-z]?|[ivxlc]+)")
    found: dict[str, Unit] = {}
    for chunk in sorted((c for c in chunks if c.doc_short == doc_short), key=lambda c: c.order):
        segments = chunk.clause_key.split("/")
        at = next((i for i, s in enumerate(segments) if numbered.fullmatch(s)), None)
        if at is None:
            continue
        key = "/".join(segments[: at + 1])
        unit = found.get(key)
        if unit is None:
            pieces = [p for p in chunk.clause_label.split(", ") if fold(p).startswith(f"{level} ")]
            unit = found[key] = Unit(pieces[0] if pieces else segments[at].replace("-", " ").title(), chunk)
        sentence = quoted(chunk)
        if unit.quoted is None and sentence and not fold(sentence).startswith(fold(unit.label)):
            found[key] = Unit(unit.label, unit.first, chunk)
    return list(found.values())


# The clause that holds each standard part a question can ask for (language/parts.py); the effect is a
# sentence wherever it stands ("Điều 37. Hiệu lực thi hành", or Điều 2 of a short resolution).
PART_KEYS = {
    Shape.SIGNER: SIGNATURE_KEY,
    Shape.LEGAL_BASIS: BASIS_KEY,
    Shape.PROPOSER: BASIS_KEY,
    Shape.RECIPIENTS: RECIPIENTS_KEY,
}
_EFFECT = "effect"


def part_chunks(chunks: list[Chunk], doc_short: str, part: Shape) -> list[int]:
    """Indexes of the chunks of a document's standard part, in reading order: its signature block, its
    preamble of legal bases and proposal, its recipients, or the chunks that say from when it takes effect
    ("Nghị định này có hiệu lực thi hành kể từ ngày ký."); none when the document has no such part."""
    key = _EFFECT if part is Shape.EFFECT else PART_KEYS.get(part)
    return derived(chunks, _parts).get((doc_short, key or ""), []) if key else []


def _parts(chunks: list[Chunk]) -> dict[tuple[str, str], list[int]]:
    """The chunks of each document's standard parts, by (citation name, part key)."""
    found: dict[tuple[str, str], list[int]] = {}
    keys = set(PART_KEYS.values())
    for i, chunk in enumerate(chunks):
        if chunk.clause_key in keys:
            found.setdefault((chunk.doc_short, chunk.clause_key), []).append(i)
        elif "hiệu lực" in chunk.text and any(states_effect(chunk.text[a:b]) for a, b in effect_spans(chunk)):
            found.setdefault((chunk.doc_short, _EFFECT), []).append(i)
    return found


def effect_spans(chunk: Chunk) -> list[tuple[int, int]]:
    """The sentences of a chunk that can say from when its document takes effect: the quotable ones, and
    an article's heading line when that is all the article says ("Điều 2. Nghị quyết này có hiệu lực thi
    hành từ ngày ký ban hành.")."""
    return quotable(chunk) or list(sentence_spans(chunk.text))


def whole_clause(chunk: Chunk, chunks: list[Chunk]) -> list[Chunk]:
    """The chunks of a chunk's clause with the clauses inside it (a point's: its khoản's), in order."""
    return _within(chunk.doc_id, re.sub(r"/diem-[^/]+$", "", chunk.clause_key), chunks)


def _within(doc_id: str, key: str, chunks: list[Chunk]) -> list[Chunk]:
    """The chunks of the document's clause `key` and of the clauses inside it, in order."""
    return [
        c
        for c in chunks
        if c.doc_id == doc_id and (c.clause_key == key or c.clause_key.startswith(f"{key}/"))
    ]
