"""Matching a question's content words against a text: the shared measure of lexical support."""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import accumulate

from assistant.language.datafiles import data_lines
from assistant.language.text import canonical, fold, has_diacritics, syllables, with_bigrams
from assistant.retrieval.lexical import LexicalIndex

# A term found only without its diacritics (an OCR slip such as "kể thừa", or another word such as
# "kỷ" for "ký") counts this much.
FOLDED_CREDIT = 0.6


def _stopwords() -> list[str]:
    lines = data_lines("stopwords_vi.txt")
    return [" ".join(canonical(e).split()) for line in lines for e in line.split(",") if e.strip()]


# Function words as written ("hỏi"), and folded ("hoi"): a syllable with diacritics is checked against the
# first, one without any against the second (so "hội" stays a content word, and so does "bộ").
ACCENTED_STOPWORDS = frozenset(e for e in _stopwords() if " " not in e)
STOPWORDS = frozenset(fold(w) for w in ACCENTED_STOPWORDS)
# Stop phrases ("nội dung", "quy định"), dropped as wholes, matched folded.
STOP_PHRASES = re.compile(
    r"\b(?:"
    + "|".join(sorted((re.escape(fold(e)) for e in _stopwords() if " " in e), key=len, reverse=True))
    + r")\b"
)


def is_stopword(syllable: str, accented: bool | None = None) -> bool:
    """A function or question word, read with its diacritics when the text it comes from has any
    (`accented`; by default, when the syllable has any): in a question typed with them, "vi" (of "vi
    phạm"), "con" and "ba" are not "vì", "còn" and "bà"."""
    if accented is None:
        accented = has_diacritics(syllable)
    return syllable in ACCENTED_STOPWORDS if accented else fold(syllable) in STOPWORDS


def content_terms(text: str, drop: Sequence[re.Pattern[str]] = ()) -> list[str]:
    """Content syllables and bigrams of a question, lower case with their diacritics.

    Function and question words go, and so do the syllables inside any match of the `drop`
    patterns, which are matched against the folded (diacritic-free) question.
    """
    words = syllables(text)
    folded = [fold(w) for w in words]
    starts = list(accumulate((len(w) + 1 for w in folded[:-1]), initial=0))
    joined = " ".join(folded)
    dropped = {
        i
        for pattern in [*drop, STOP_PHRASES]
        for m in pattern.finditer(joined)
        for i, s in enumerate(starts)
        if m.start() <= s < m.end()
    }
    accented = has_diacritics(text)
    return with_bigrams([w for i, w in enumerate(words) if i not in dropped and not is_stopword(w, accented)])


def term_coverage(terms: Sequence[str], text: str, index: LexicalIndex) -> float:
    """IDF-weighted share of the terms found in text; exact (with diacritics) or, for less, folded."""
    if not terms:
        return 0.0
    # A question's pair of words may stand across a stopword it drops ("cấp thẻ" of "cấp lại thẻ"): the
    # text's pairs are read both ways too.
    words = syllables(text)
    marked = has_diacritics(text)
    content = [w for w in words if not is_stopword(w, marked)]
    accented = set(with_bigrams(words)) | set(with_bigrams(content))
    folded = {fold(t) for t in accented}
    total = found = 0.0
    for term in terms:
        weight = index.idf(fold(term))
        total += weight
        if term in accented:
            found += weight
        elif fold(term) in folded:
            found += FOLDED_CREDIT * weight
    return found / total
