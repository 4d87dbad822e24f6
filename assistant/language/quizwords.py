"""The words a quiz is built with (data/quiz_words.tsv): how a body's name begins and goes on, the words that
make a number a reference or a deadline, units, modals a negation fits before, words that open a list."""

from __future__ import annotations

from functools import cache

from assistant.language.datafiles import data_lines
from assistant.language.shapes import Terms
from assistant.language.text import fold, syllables

KINDS = (
    "body",
    "body-name",
    "name-part",
    "reference",
    "deadline",
    "measure",
    "modal",
    "list",
    "negate",
    "narrow",
)


@cache
def _rows() -> dict[str, tuple[str, ...]]:
    rows: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for line in data_lines("quiz_words.tsv"):
        kind, words = line.split("\t", 1)
        rows[kind.strip()].append(words.strip())
    return {kind: tuple(words) for kind, words in rows.items()}


def written(kind: str) -> tuple[str, ...]:
    """The words of a kind as the data writes them (with diacritics), longest first."""
    return tuple(sorted(_rows()[kind], key=lambda w: -len(syllables(w))))


@cache
def folded(kind: str) -> Terms:
    """The words of a kind as folded syllable tuples, longest first."""
    return tuple(tuple(fold(s) for s in syllables(w)) for w in written(kind))


def word(kind: str) -> str:
    """The one word of a kind ("negate": "không", "narrow": "chỉ")."""
    return _rows()[kind][0]
