"""Offline support scorer: is a sentence backed by given source texts? Lexical coverage + e5 similarity.

The eval harness scores answers with it, and the LLM mode checks each generated sentence with it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from assistant.embeddings import E5Embeddings
from assistant.matching import STOPWORDS
from assistant.synonyms import synonyms
from assistant.text import folded_syllables, sentence_spans

# Calibrated on labelled sentences (evals/calibration.py, pinned by tests/test_evals_scorers.py:
# verbatim and lightly paraphrased source sentences vs. invented or wrongly cited ones): support = coverage
# + DENSE_WEIGHT * (similarity - DENSE_BASELINE). With these values every labelled supported sentence
# scores ≥ 0.87 and every unsupported one ≤ 0.31 (a changed number fails outright, whatever its
# score); the threshold sits between the two groups. Labelled examples live in evals/calibration.py.
DENSE_WEIGHT = 1.0
DENSE_BASELINE = 0.88
THRESHOLD = 0.6
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
FOLDED_STOPWORDS = STOPWORDS


@dataclass(frozen=True)
class Verdict:
    """Whether a sentence is supported by some sources, its score and the reason (Vietnamese)."""

    supported: bool
    score: float
    coverage: float
    similarity: float
    reason: str


def _numbers(text: str) -> set[str]:
    return {n.lstrip("0") or "0" for n in _NUMBER.findall(text)}


def unsupported_numbers(sentence: str, sources: Sequence[str]) -> set[str]:
    """The numbers a sentence states that none of its sources contains."""
    return _numbers(sentence) - _numbers("\n".join(sources))


def terms(text: str) -> list[str]:
    """Folded content syllables and the bigrams of neighbouring syllables that are not both stopwords."""
    words = folded_syllables(text)
    content = [w for w in words if w not in FOLDED_STOPWORDS]
    pairs = [f"{a} {b}" for a, b in pairwise(words) if not (a in FOLDED_STOPWORDS and b in FOLDED_STOPWORDS)]
    return content + pairs


class SupportScorer:
    """Scores sentence support against source texts without any LLM.

    `coverage` is the IDF-weighted share of the sentence's terms (diacritics folded, so OCR slips
    match) found in the sources together; `similarity` is the best e5 cosine between the sentence and
    one source sentence. A number the sources do not contain makes the sentence unsupported.
    """

    def __init__(self, embeddings: E5Embeddings, corpus: Iterable[str], threshold: float = THRESHOLD) -> None:
        self.embeddings = embeddings
        self.threshold = threshold
        self.df: Counter[str] = Counter()
        self.n = 0
        for text in corpus:
            for a, b in sentence_spans(text):
                self.df.update(set(terms(text[a:b])))
                self.n += 1
        self._cache: dict[tuple[str, tuple[str, ...]], Verdict] = {}

    def idf(self, term: str) -> float:
        return math.log(1 + (self.n + 1) / (self.df.get(term, 0) + 0.5))

    def coverage(self, sentence: str, sources: Sequence[str]) -> float:
        wanted = terms(sentence)
        if not wanted:
            return 1.0
        present = set(terms(synonyms().expand("\n".join(sources))))
        total = sum(self.idf(t) for t in wanted)
        return sum(self.idf(t) for t in wanted if t in present) / total

    def similarity(self, sentence: str, sources: Sequence[str]) -> float:
        pieces = [s[a:b] for s in sources for a, b in sentence_spans(s)]
        if not pieces:
            return 0.0
        vectors = self.embeddings.embed_passages([sentence, *pieces])
        return float(np.max(vectors[1:] @ vectors[0]))

    def __call__(self, sentence: str, sources: Sequence[str]) -> Verdict:
        """The verdict for one sentence against the sources taken together."""
        key = (sentence, tuple(sources))
        if key not in self._cache:
            self._cache[key] = self._score(sentence, sources)
        return self._cache[key]

    def _score(self, sentence: str, sources: Sequence[str]) -> Verdict:
        if not sources:
            return Verdict(False, 0.0, 0.0, 0.0, "không có nguồn")
        coverage = self.coverage(sentence, sources)
        similarity = self.similarity(sentence, sources)
        score = coverage + DENSE_WEIGHT * (similarity - DENSE_BASELINE)
        facts = f"độ phủ {coverage:.2f}, tương đồng {similarity:.2f}, điểm {score:.2f}"
        if missing := unsupported_numbers(sentence, sources):
            return Verdict(
                False,
                min(score, 0.0),
                coverage,
                similarity,
                f"số {', '.join(sorted(missing))} không có trong nguồn",
            )
        if score < self.threshold:
            return Verdict(
                False, score, coverage, similarity, f"không đủ căn cứ ({facts} < {self.threshold})"
            )
        return Verdict(True, score, coverage, similarity, f"có căn cứ ({facts})")
