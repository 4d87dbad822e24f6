"""A text as folded syllables, for finding word sequences (names, markers) in claims and their sources."""

from __future__ import annotations

import re

from assistant.language.text import fold


class Folded:
    """A text as folded syllables, for finding word sequences in it."""

    def __init__(self, text: str) -> None:
        found = list(re.finditer(r"\w+", text))
        self._spans = [m.span() for m in found]
        self.raw = [m.group() for m in found]
        self.words = [fold(w) for w in self.raw]
        self._joined = f" {' '.join(self.words)} "
        # What stands between each word and the one before it ("" before the first).
        self._gaps = [text[found[i - 1].end() : m.start()] if i else "" for i, m in enumerate(found)]
        # The words again, with a "|" where punctuation separates two of them: a name lies within a phrase.
        phrased = [f"| {w}" if gap.strip() else w for w, gap in zip(self.words, self._gaps, strict=True)]
        self._phrased = f" {' '.join(phrased)} "

    def lists_on(self, at: int) -> bool:
        """The word at `at` goes on a list: a comma or a semicolon before it, or it is "và" / "hoặc"."""
        return self.words[at] in ("va", "hoac") or bool(re.search(r"[,;]", self._gaps[at]))

    def names(self, key: tuple[str, ...]) -> bool:
        """The words of key stand together, with no punctuation between them."""
        return f" {' '.join(key)} " in self._phrased

    def __contains__(self, key: tuple[str, ...]) -> bool:
        return f" {' '.join(key)} " in self._joined

    def positions(self, key: tuple[str, ...]) -> list[int]:
        n = len(key)
        return [i for i in range(len(self.words) - n + 1) if tuple(self.words[i : i + n]) == key]

    def span(self, at: int, n: int) -> tuple[int, int]:
        """Where the n words from the word at `at` stand in the text: (start, end)."""
        return self._spans[at][0], self._spans[at + n - 1][1]

    def written(self, key: tuple[str, ...]) -> str:
        """The words of key as the text writes them (its first occurrence)."""
        at = self.positions(key)
        return " ".join(self.raw[at[0] : at[0] + len(key)]) if at else " ".join(key)


def _within(name: tuple[str, ...], words: tuple[str, ...]) -> bool:
    return bool(words) and f" {' '.join(name)} " in f" {' '.join(words)} "


def _overlaps(name: tuple[str, ...], words: list[str], j1: int, j2: int) -> bool:
    """The name occurs in words over a stretch that shares a word with words[j1:j2]."""
    n = len(name)
    return any(
        tuple(words[i : i + n]) == name and i < j2 and i + n > j1 for i in range(max(0, j1 - n + 1), j2)
    )
