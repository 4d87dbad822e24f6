"""The sentences a quiz may ask about: whole sentences of the chosen clauses, read as a trainee reads them.

A sentence is taken whole (never a piece cut at a semicolon), without its list marker ("1.", "a)", "-");
headings, title lines, page chrome and pieces that start mid-sentence are left out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby

from assistant.core.models import HEADER_KEY, Chunk
from assistant.language.text import folded_syllables, sentence_spans

MIN_WORDS = 8  # shorter sentences (headings, list stubs, "Đơn vị chủ trì: …") make poor questions
MAX_WORDS = 100  # longer ones are paragraphs that no trainee reads as one sentence
TITLE_SHARE = 0.8  # a sentence of the document's title words is its title line, not content

_MARKER = re.compile(r"^(?:[-–•+*]\s*|\(?(?:\d{1,3}(?:\.\d{1,3}){0,3}|[a-zđ]|[IVXLC]{1,6})[.)]\s+)")
_END = re.compile(r"[.!?…;][\"”’)»]*$")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Sentence:
    """One sentence of a clause: its text (list marker removed), the chunk it starts in, the clause's whole
    text, and whether it ends a statement (a full stop) or an item of a list (a semicolon)."""

    text: str
    chunk: Chunk
    clause: str

    @property
    def complete(self) -> bool:
        """Ends with a full stop (or ! ?): a statement that reads on its own, not an item of a list."""
        return not self.text.rstrip('"”’)»').endswith(";")

    @property
    def clause_id(self) -> tuple[str, str]:
        return self.chunk.doc_id, self.chunk.clause_key


def clauses(chunks: Sequence[Chunk]) -> list[list[Chunk]]:
    """The chunks grouped by clause, in reading order."""
    ordered = sorted(chunks, key=lambda c: (c.doc_id, c.order))
    return [list(g) for _, g in groupby(ordered, key=lambda c: (c.doc_id, c.clause_key))]


def clause_sentences(parts: Sequence[Chunk]) -> list[Sentence]:
    """The quiz sentences of one clause (its chunks joined, so a sentence cut between chunks is whole)."""
    if not parts or parts[0].clause_key == HEADER_KEY:
        return []
    text = "\n".join(c.text for c in parts)
    bounds, offset = [], 0
    for c in parts:
        bounds.append((offset, c))
        offset += len(c.text) + 1
    found = []
    for start, end in sentence_spans(text):
        sentence = _MARKER.sub("", " ".join(text[start:end].split()), count=1)
        chunk = next(c for at, c in reversed(bounds) if at <= start)
        if usable(sentence, chunk.doc_title):
            found.append(Sentence(sentence, chunk, " ".join(text.split())))
    return found


def usable(sentence: str, title: str = "") -> bool:
    """A whole sentence a trainee can read on its own: starts with a capital, ends a sentence or a list item,
    neither a heading (capitals) nor the document's title line, of a sensible length."""
    words = _WORD.findall(sentence)
    if not MIN_WORDS <= len(words) <= MAX_WORDS or not _END.search(sentence):
        return False
    first = next((ch for ch in sentence if ch.isalnum()), "")
    if not first.isupper() or sum(w.isupper() and len(w) > 1 for w in words) > len(words) / 2:
        return False
    own = set(folded_syllables(title))
    said = folded_syllables(sentence)
    return not own or sum(w in own for w in said) < TITLE_SHARE * len(said)
