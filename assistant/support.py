"""Offline support check: is a sentence backed by the passages it cites? (No LLM needed.)"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.matching import content_terms, term_coverage
from assistant.retrieval import LexicalIndex

# A sentence is supported when its cited passages cover this share of its content terms
# (IDF-weighted) and contain every number it states.
SUPPORT_THRESHOLD = 0.6
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True)
class Support:
    """Whether a sentence is supported, how well, and if not, why."""

    supported: bool
    coverage: float
    reason: str = ""


def _numbers(text: str) -> set[str]:
    return {n.lstrip("0") or "0" for n in _NUMBER.findall(text)}


def sentence_support(
    sentence: str, sources: Sequence[str], index: LexicalIndex, lexical: bool = True
) -> Support:
    """Check a sentence against the texts it cites: every number present, enough of its words found.

    `lexical=False` checks the numbers only (a sentence in another language than its sources).
    """
    joined = "\n".join(sources)
    if _numbers(sentence) - _numbers(joined):
        return Support(False, 0.0, "unsupported_number")
    if not lexical:
        return Support(True, 1.0)
    coverage = term_coverage(content_terms(sentence), joined, index)
    if coverage < SUPPORT_THRESHOLD:
        return Support(False, coverage, "unsupported")
    return Support(True, coverage)
