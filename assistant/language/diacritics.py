"""Put Vietnamese diacritics back on a question typed without them, using the corpus's own words."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import pairwise

from assistant.language.datafiles import data_lines
from assistant.language.text import fold, syllables


def _common_phrases() -> list[str]:
    return data_lines("common_vi.txt")


class DiacriticRestorer:
    """A syllable bigram model over accented text; Viterbi picks the likeliest accented reading.

    A question's first syllable is also read against how questions open: the first syllables of the
    common question phrases (common_vi.txt: "còn … thì sao", "vậy còn …"). The corpus says "con" far more
    often than "còn" ("con người"), but a follow-up typed "con nhiem vu thu nam thi sao" opens with "còn";
    a pair the corpus has ("con nuoi …" → "con nuôi") still outweighs the opening.
    """

    def __init__(self, texts: Iterable[str]) -> None:
        self.unigrams: Counter[str] = Counter()
        self.bigrams: Counter[tuple[str, str]] = Counter()
        self.openings: Counter[str] = Counter()  # first syllables of the common question phrases
        phrases = _common_phrases()
        for text in [*texts, *phrases]:
            words = syllables(text)
            self.unigrams.update(words)
            self.bigrams.update(pairwise(words))
        self.openings.update(words[0] for text in phrases if (words := syllables(text)))
        self.candidates: dict[str, list[str]] = defaultdict(list)
        for word, _ in self.unigrams.most_common():
            self.candidates[fold(word)].append(word)
        self.total = sum(self.unigrams.values()) or 1

    def _unigram(self, word: str) -> float:
        return math.log((self.unigrams[word] + 0.1) / self.total)

    def _bigram(self, previous: str, word: str) -> float:
        pair = self.bigrams[(previous, word)]
        if pair:
            return math.log(pair / self.unigrams[previous])
        return math.log(0.05) + self._unigram(word)  # back off

    def _opening(self, word: str) -> float:
        """How likely a question opens with the word: as common question phrases open, else backed off."""
        if count := self.openings[word]:
            return math.log(count / (self.openings.total() or 1))
        return math.log(0.05) + self._unigram(word)

    def restore(self, text: str) -> str:
        """The accented reading of text's syllables (unknown syllables stay as typed), lower case."""
        words = [fold(w) for w in syllables(text)]
        if not words:
            return ""
        options = [self.candidates.get(w, [w])[:6] for w in words]
        best = {c: (self._opening(c), [c]) for c in options[0]}
        for choices in options[1:]:
            step = {}
            for c in choices:
                step[c] = max(
                    ((score + self._bigram(prev, c), [*path, c]) for prev, (score, path) in best.items()),
                    key=lambda item: item[0],
                )
            best = step
        return " ".join(max(best.values(), key=lambda item: item[0])[1])
