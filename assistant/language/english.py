"""English questions: recognise them and map their legal terms to the documents' Vietnamese words."""

from __future__ import annotations

import re
from functools import cache

from assistant.language.datafiles import data_lines
from assistant.language.text import has_diacritics

_ENGLISH = frozenset(
    {"the", "what", "which", "who", "whom", "how", "does", "do", "is", "are", "was", "were", "of", "about"}
    | {"according", "plan", "task", "tasks", "article", "constitution", "resolution", "purpose"}
    | {"requirements", "say", "says", "said", "why", "when", "where", "must", "should", "and", "its"}
)


# Words that carry no content of their own in a question (beyond the function words above).
_FUNCTION_WORDS = frozenset(
    {"can", "could", "would", "will", "has", "have", "had", "did", "this", "that", "these", "those"}
    | {"there", "their", "them", "they", "with", "from", "into", "for", "give", "gives", "given", "itself"}
    | {"any", "all", "some", "many", "much", "more", "most", "other", "such", "than", "then", "also", "not"}
    | {"only", "your", "you", "our", "tell", "please", "explain", "describe", "list", "between"}
)


def is_english(text: str) -> bool:
    """True for a question in English: no diacritics, and English function words or letters (f, j, w, z)
    that no Vietnamese syllable has, counted together, reach two."""
    words = set(re.findall(r"[a-z]+", text.lower()))
    foreign = {w for w in words if re.search("[fjwz]", w)}
    return not has_diacritics(text) and len(words & _ENGLISH) + len(foreign) >= 2


@cache
def _glossary() -> list[tuple[re.Pattern[str], str]]:
    pairs = [line.split("\t") for line in data_lines("glossary_en_vi.tsv")]
    pairs.sort(key=lambda pair: -len(pair[0]))
    return [(re.compile(rf"\b{re.escape(en)}\b"), vi) for en, vi in pairs]


def to_vietnamese_terms(question: str) -> tuple[list[str], list[str]]:
    """Vietnamese terms of the glossary phrases in an English question, and its untranslated content words."""
    text = question.lower().replace("’", "'")
    found = []
    for pattern, vietnamese in _glossary():
        if pattern.search(text):
            found.append(vietnamese)
            text = pattern.sub(" ", text)
    words = re.findall(r"[a-z]{3,}", text)
    untranslated = [w for w in words if w not in _ENGLISH and w not in _FUNCTION_WORDS]
    return found, untranslated
