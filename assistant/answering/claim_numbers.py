"""The numbers a claim states, in digits or in words, and those its sources (or their documents' own facts)
do not contain."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from assistant.answering.claim_tokens import tokens
from assistant.language.datafiles import data_lines
from assistant.language.text import fold, folded_syllables, has_diacritics

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"\w+", re.UNICODE)


@cache
def _number_words() -> tuple[frozenset[str], frozenset[str], dict[str, tuple[str, ...]]]:
    """Folded number words (data/number_words.txt), the scale words among them, and the words that say
    each number alone ("1": "mot")."""
    rows = [line.split() for line in data_lines("number_words.txt")]
    said: dict[str, list[str]] = {}
    for row in rows:
        for value in (m[1:] for m in row[1:] if m.startswith("=")):
            said.setdefault(value, []).append(row[0])
    return (
        frozenset(fold(r[0]) for r in rows),
        frozenset(fold(r[0]) for r in rows if "*" in r[1:]),
        {value: tuple(words) for value, words in said.items()},
    )


@cache
def _written_number_words() -> frozenset[str]:
    """The number words as written, with their diacritics ("năm", "mười")."""
    return frozenset(line.split()[0].lower() for line in data_lines("number_words.txt"))


def _as_word(syllable: str, accented: bool = False) -> str:
    """A small number written in digits, as the word that says it ("1" -> "mot", or "một" `accented`;
    "05" -> "nam"); any other syllable as it is."""
    words = _number_words()[2].get(syllable.lstrip("0")) if syllable.isdigit() else None
    return (words[0] if accented else fold(words[0])) if words else syllable


def spelled_numbers(text: str) -> set[tuple[str, ...]]:
    """Numbers written in words ("mười hai"): runs of number words of two words or more, or with a scale
    word ("mười", "trăm"); "không" only inside a run."""
    words, scales, _ = _number_words()
    folded = folded_syllables(text)
    # Read as written where the text has diacritics: "Nam" of "Việt Nam" is no "năm".
    written = [w.lower() for w in _WORD.findall(text)] if has_diacritics(text) else folded
    if len(written) != len(folded):  # (text not in NFC: read folded, as typed without diacritics)
        written = folded
    spelled = _written_number_words() if written is not folded else words
    runs: set[tuple[str, ...]] = set()
    run: list[str] = []
    for w, as_written in zip([*folded, ""], [*written, ""], strict=True):
        if w in words and as_written in spelled and (run or w != "khong"):
            run.append(w)
            continue
        if len(run) >= 2 or (run and run[0] in scales):
            runs.add(tuple(run))
        run = []
    return runs


def _numbers(text: str) -> set[str]:
    return {n.lstrip("0") or "0" for n in _NUMBER.findall(text)}


def unsupported_numbers(sentence: str, sources: Sequence[str], about: Sequence[str] = ()) -> set[str]:
    """The numbers a sentence states (in digits or in words) that none of its sources contains; a digit the
    sources write as a word before the same word counts as contained ("ít nhất 1 bên", "ít nhất một bên").
    `about`: what the sources' documents say of themselves (title, number, date: `Chunk.facts`), which holds
    numbers too ("Theo Hiến pháp 2013, …")."""
    text = "\n".join([*sources, *about])
    values = {str(t.number) for t in tokens(text) if t.number is not None}
    folded = f" {' '.join(folded_syllables(text))} "
    spelled = {" ".join(run) for run in spelled_numbers(sentence) if f" {' '.join(run)} " not in folded}
    spelled = {run for run in spelled if str(_said_value(run)) not in values}
    missing = _numbers(sentence) - _numbers(text) - values
    if missing:
        said = _number_words()[2]
        words = folded_syllables(sentence)
        missing = {
            n
            for n in missing
            if not any(
                f" {word} {after} " in folded
                for i, after in enumerate(words[1:], 1)
                if words[i - 1].lstrip("0") == n
                for word in map(fold, said.get(n, ()))
            )
        }
    return missing | spelled


def _said_value(run: str) -> int | None:
    """The value a run of number words says ("muoi hai" = 12)."""
    said = [t.number for t in tokens(run) if t.number is not None]
    return said[0] if len(said) == 1 else None
