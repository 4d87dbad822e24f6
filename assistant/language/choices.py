"""Multiple-choice questions as users type or paste them: the stem, the choices "A. …" to "D. …", choices
that speak of the others ("Cả A, B đều đúng") and stems that ask for the exception ("… KHÔNG đúng?").

The patterns are data (assistant/data/choices.tsv).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from assistant.language.datafiles import data_lines
from assistant.language.text import canonical, fold, has_diacritics

LETTERS = "ABCD"
ALL_TRUE, ALL_FALSE = "all-true", "all-false"


@dataclass(frozen=True)
class Choice:
    """One choice: its letter, its text, and, for a choice about the others, which kind and which letters."""

    letter: str
    text: str
    combines: str | None = None  # ALL_TRUE or ALL_FALSE
    others: tuple[str, ...] = ()  # the letters a combining choice speaks of

    @property
    def plain(self) -> bool:
        return self.combines is None


@dataclass(frozen=True)
class MultipleChoice:
    """A question with choices: its stem, the choices in letter order, whether it asks for the exception."""

    stem: str
    choices: tuple[Choice, ...]
    exception: bool = False

    def choice(self, letter: str) -> Choice | None:
        return next((c for c in self.choices if c.letter == letter), None)

    @property
    def letters(self) -> tuple[str, ...]:
        return tuple(c.letter for c in self.choices)

    @property
    def plain(self) -> tuple[Choice, ...]:
        return tuple(c for c in self.choices if c.plain)

    @property
    def topic(self) -> str:
        """What the stem is about: the stem without the words that frame a question ("Điều nào sau đây KHÔNG
        đúng về …"), lower case."""
        folded = not has_diacritics(self.stem)
        text = fold(self.stem) if folded else canonical(self.stem)
        for pattern in _patterns("frame", folded):
            text = pattern.sub(" ", text)
        return " ".join(text.split())


def _rows() -> list[tuple[str, str]]:
    rows = [line.split("\t", 1) for line in data_lines("choices.tsv")]
    return [(kind, pattern.strip()) for kind, pattern in rows]


@cache
def _patterns(kind: str, folded: bool) -> tuple[re.Pattern[str], ...]:
    return tuple(
        re.compile(_unaccented(pattern) if folded else pattern, re.IGNORECASE if kind == "line" else 0)
        for k, pattern in _rows()
        if k == kind
    )


def _unaccented(pattern: str) -> str:
    """A pattern without its diacritics, its case kept ("(?P<letter>[A-D])" stays as it is)."""
    bare = "".join(ch for ch in unicodedata.normalize("NFD", pattern) if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", bare.replace("đ", "d").replace("Đ", "D"))


def _matches(kind: str, text: str) -> bool:
    """Whether a pattern of that kind matches text (with its diacritics when it has them)."""
    folded = not has_diacritics(text)
    written = " ".join((fold(text) if folded else canonical(text)).split())
    return any(p.search(written) for p in _patterns(kind, folded))


def _markers(text: str, kind: str) -> list[tuple[int, int, str]]:
    """(start, end, letter) of every choice marker of that kind in text, in order."""
    found = {
        (m.start(), m.end(), m["letter"].upper())
        for folded in (False, True)
        for p in _patterns(kind, folded)
        for m in p.finditer(text)
    }
    return sorted(found)


def _run(markers: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The markers A, B, C, D in order (the first A, then the first B after it…), as far as they go."""
    run: list[tuple[int, int, str]] = []
    for letter in LETTERS:
        after = run[-1][1] if run else 0
        nxt = next((m for m in markers if m[2] == letter and m[0] >= after), None)
        if nxt is None:
            break
        run.append(nxt)
    return run


def parse_choices(question: str) -> MultipleChoice | None:
    """The stem and choices of a multiple-choice question; None when it has fewer than two choices or no stem.

    Choices are read one a line ("A. …", "a)", "B -") or, failing that, inside a line ("… A. … B. …")."""
    text = question.strip()
    run = _run(_markers(text, "line"))
    if len(run) < 2:
        run = _run(_markers(text, "inline"))
    if len(run) < 2:
        return None
    stem = text[: run[0][0]].strip()
    if not any(ch.isalpha() for ch in stem):
        return None
    ends = [m[0] for m in run[1:]] + [len(text)]
    texts = [" ".join(text[m[1] : end].split()) for m, end in zip(run, ends, strict=True)]
    if not all(texts):
        return None
    letters = [m[2] for m in run]
    choices = tuple(_choice(letter, body, letters) for letter, body in zip(letters, texts, strict=True))
    exception = _matches("exception", stem) or any(
        p.search(stem) for p in _patterns("exception-cased", False)
    )
    return MultipleChoice(stem, choices, exception)


def _choice(letter: str, text: str, letters: list[str]) -> Choice:
    """A choice, read as one about the others when it says so ("Cả A, B, C đều đúng", "Tất cả đều sai")."""
    kind = ALL_FALSE if _matches(ALL_FALSE, text) else ALL_TRUE if _matches(ALL_TRUE, text) else None
    if kind is None:
        return Choice(letter, text)
    named = tuple(dict.fromkeys(re.findall(r"\b([A-D])\b", text)))
    others = tuple(x for x in named if x != letter) or tuple(x for x in letters if x != letter)
    return Choice(letter, text, kind, others)


def list_items(text: str) -> list[str]:
    """The items a choice lists ("sơ cấp và trung cấp": "sơ cấp", "trung cấp"); one when it lists none."""
    pattern = _patterns("list", not has_diacritics(text))[0]
    parts = [" ".join(p.split()) for p in pattern.sub("\0", text).split("\0")]
    return [p for p in parts if any(ch.isalpha() for ch in p)]


def with_choices(stem: str, choices: dict[str, str]) -> str:
    """A question as a user pastes it: the stem, then one "A. …" line per choice."""
    return "\n".join([stem.strip(), *(f"{letter}. {text.strip()}" for letter, text in choices.items())])
