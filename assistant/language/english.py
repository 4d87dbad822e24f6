"""English questions: recognise them and map their legal terms to the documents' Vietnamese words."""

from __future__ import annotations

import re
from functools import cache

from assistant.language.datafiles import data_lines
from assistant.language.text import has_diacritics, syllables


@cache
def _words(kind: str) -> frozenset[str]:
    """The words of data/english_words.tsv of one kind ("marker", "function")."""
    rows = (line.split("\t", 1) for line in data_lines("english_words.tsv"))
    return frozenset(w.strip() for k, words in rows if k == kind for w in words.split(",") if w.strip())


def is_english(text: str) -> bool:
    """True for a question in English: no diacritics, and English function words or letters (f, j, w, z)
    that no Vietnamese syllable has, counted together, reach two."""
    words = set(re.findall(r"[a-z]+", text.lower()))
    foreign = {w for w in words if re.search("[fjwz]", w)}
    return not has_diacritics(text) and len(words & _words("marker")) + len(foreign) >= 2


def lemma(word: str) -> str:
    """A crude English stem, the same for a word's plural and verb forms ("ministries", "ministry";
    "elected", "elect"; "requires", "require"): enough to look a question's words up in the glossary."""
    w = word.lower()
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif w.endswith(("sses", "xes", "ches", "shes", "zes")):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    elif len(w) > 5 and w.endswith("ing"):
        w = w[:-3]
    elif len(w) > 4 and w.endswith("ed"):
        w = w[:-2]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiouls":
        w = w[:-1]  # "planned" → "plan"
    return w[:-1] if len(w) > 4 and w.endswith("e") else w


def _lemmas(text: str) -> str:
    return " ".join(lemma(w) for w in re.findall(r"[a-z]+", text.lower().replace("’", "'")))


@cache
def _glossary() -> list[tuple[re.Pattern[str], tuple[str, ...]]]:
    """Each English phrase (as lemmas) with its Vietnamese renderings ("legal" → "pháp luật", "pháp lý"),
    the longest phrases first."""
    pairs: dict[str, list[str]] = {}
    for line in data_lines("glossary_en_vi.tsv"):
        english, vietnamese = line.split("\t")
        renderings = pairs.setdefault(_lemmas(english), [])
        renderings += [v.strip() for v in vietnamese.split("|") if v.strip() not in renderings]
    ordered = sorted(pairs, key=lambda phrase: (-len(phrase.split()), -len(phrase)))
    return [(re.compile(rf"\b{re.escape(phrase)}\b"), tuple(pairs[phrase])) for phrase in ordered]


def to_vietnamese_terms(question: str) -> tuple[list[tuple[str, ...]], list[str]]:
    """The concepts of an English question in the documents' words (each the Vietnamese renderings of one
    glossary phrase, any of which says it), and its content words that no glossary phrase covers."""
    text = _lemmas(question)
    found: list[tuple[str, ...]] = []
    for pattern, vietnamese in _glossary():
        if pattern.search(text):
            if vietnamese not in found:
                found.append(vietnamese)
            text = pattern.sub(" ", text)
    ignored = {lemma(w) for w in _words("marker") | _words("function")}
    words = [w for w in text.split() if len(w) >= 3 and w not in ignored]
    return found, list(dict.fromkeys(words))


def says(concept: tuple[str, ...], text: str) -> bool:
    """True when the text says one of a concept's renderings, syllable for syllable with diacritics ("ký"
    is not "kỷ")."""
    words = f" {' '.join(syllables(text))} "
    return any(f" {' '.join(syllables(v))} " in words for v in concept)
