"""A claim or a source as tokens for aligning them: folded syllables, and each number (in digits, or a run of
number words with a scale word: "hai mươi mốt") one token with its value."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from assistant.language.datafiles import data_lines
from assistant.language.text import fold
from assistant.retrieval.matching import STOPWORDS

_NUMBER = re.compile(r"\d+")


_BOUNDARY = re.compile(r"[,;:.!?\n()]")


SENTINEL = "\x00"


@dataclass(frozen=True)
class Token:
    word: str  # folded syllable, or "#<value>" for a number above ten (a smaller one reads as its word)
    raw: str
    boundary: bool  # punctuation stands before it (it opens a clause)
    number: int | None = None  # the value, when written in digits or as a run of number words

    @property
    def content(self) -> bool:
        return self.word != SENTINEL and self.number is None and self.word not in STOPWORDS


@cache
def _number_words() -> tuple[dict[str, int], frozenset[str]]:
    """Folded digit words and their values, and the scale words (number_words.txt)."""
    digits: dict[str, int] = {}
    scales = set()
    for line in data_lines("number_words.txt"):
        word, *marks = line.split()
        for mark in marks:
            if mark.startswith("="):
                digits.setdefault(fold(word), int(mark[1:]))
            if mark == "*":
                scales.add(fold(word))
    digits.setdefault("khong", 0)
    digits.setdefault("mot", 1)  # "mốt"
    digits.setdefault("lam", 5)  # "lăm"
    return digits, frozenset(scales)


def _value(run: list[str]) -> int:
    """The value of a run of folded number words ("hai muoi mot" = 21, "muoi hai" = 12)."""
    digits, _ = _number_words()
    total = group = 0
    last: int | None = None
    for w in run:
        if w in digits and w != "muoi":
            group += digits[w]
            last = digits[w]
            continue
        if w == "muoi":
            group += last * 9 if last is not None else 10
        elif w == "tram":
            group = (group or 1) * 100
        elif w in ("nghin", "ngan"):
            total, group = total + (group or 1) * 1000, 0
        elif w == "trieu":
            total, group = total + (group or 1) * 1_000_000, 0
        elif w == "ty":
            total, group = total + (group or 1) * 1_000_000_000, 0
        last = None
    return total + group


def _said(value: int) -> str:
    """How a value reads as a token: a small one as its word ("ba" for 3 and "03"), any other as "#n"."""
    if 0 < value <= 10:
        digits, _ = _number_words()
        word = next((w for w, v in digits.items() if v == value and w not in ("mot", "lam", "tu")), None)
        if value == 1:
            word = "mot"
        if value == 10:
            word = "muoi"
        if word:
            return word
    return f"#{value}"


def tokens(text: str) -> list[Token]:
    """The text's tokens; a run of two or more number words (or one led by a scale word) is one number."""
    digits, scales = _number_words()
    found = list(re.finditer(r"\w+", text))
    out: list[Token] = []
    i = 0
    while i < len(found):
        m = found[i]
        gap = text[found[i - 1].end() : m.start()] if i else ""
        boundary = i == 0 or bool(_BOUNDARY.search(gap))
        word = fold(m.group())
        if _NUMBER.fullmatch(m.group()):
            out.append(Token(_said(int(m.group())), m.group(), boundary, int(m.group())))
            i += 1
            continue
        j = i
        while (
            j < len(found)
            and fold(found[j].group()) in (digits.keys() | scales)
            and (j == i or not text[found[j - 1].end() : found[j].start()].strip())
        ):
            j += 1
        run = [fold(f.group()) for f in found[i:j]]
        # Only a run with a scale word is a number: "một năm" is a year, "năm năm" five of them.
        if any(w in scales for w in run) and run[0] != "khong":
            raw = text[m.start() : found[j - 1].end()]
            out.append(Token(_said(_value(run)), raw, boundary, _value(run)))
            i = j
            continue
        out.append(Token(word, m.group(), boundary))
        i += 1
    return out


def sentences_of(ts: Sequence[Token]) -> list[list[Token]]:
    """The tokens cut into their sentences at each SENTINEL (which no sentence keeps)."""
    out: list[list[Token]] = [[]]
    for t in ts:
        if t.word == SENTINEL:
            out.append([])
        else:
            out[-1].append(t)
    return out
