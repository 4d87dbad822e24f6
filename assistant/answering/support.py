"""Offline support scorer: is a sentence backed by given source texts? Lexical coverage + e5 similarity.

The eval harness scores answers with it, and the LLM mode checks each generated sentence with it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache
from itertools import pairwise

import numpy as np

from assistant.answering.alignment import misaligned, tokens
from assistant.language.datafiles import data_lines
from assistant.language.names import entities, entity_names, kinds
from assistant.language.shapes import directions, markers_in, negations, restrictions, same_words
from assistant.language.synonyms import synonyms
from assistant.language.text import fold, folded_syllables, has_diacritics, sentence_spans, syllables
from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.matching import STOPWORDS, is_stopword
from assistant.store.embeddings import E5Embeddings

# Calibrated on labelled sentences (evals/calibration.py, pinned by tests/evals/test_evals_scorers.py:
# verbatim and lightly paraphrased source sentences vs. invented or wrongly cited ones): support = coverage
# + DENSE_WEIGHT * (similarity - DENSE_BASELINE). With these values every labelled supported sentence
# scores ≥ 0.87 and every unsupported one ≤ 0.31 (a changed number fails outright, whatever its
# score); the threshold sits between the two groups. Labelled examples live in evals/calibration.py.
DENSE_WEIGHT = 1.0
DENSE_BASELINE = 0.88
THRESHOLD = 0.6
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
FOLDED_STOPWORDS = STOPWORDS
# A negation covers the words up to this far after its marker ("không được tự ý ban hành").
NEGATION_REACH = 3
# A claim is read against the source sentence it follows when they share this share of its words; a
# name of that sentence replaced by at most SWAP words the sources lack is a swapped name.
ALIGNED = 0.5
SWAP = 4
# A statement (a true/false claim, a multiple-choice option) is true by a sentence only when the sentence
# holds this much of its terms: a looser paraphrase may hide a changed condition.
TRUE_COVERAGE = 0.97


@dataclass(frozen=True)
class Verdict:
    """Whether a sentence is supported by some sources, its score and the reason (Vietnamese)."""

    supported: bool
    score: float
    coverage: float
    similarity: float
    reason: str


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


def _as_word(syllable: str, accented: bool = False) -> str:
    """A small number written in digits, as the word that says it ("1" -> "mot", or "một" `accented`;
    "05" -> "nam"); any other syllable as it is."""
    words = _number_words()[2].get(syllable.lstrip("0")) if syllable.isdigit() else None
    return (words[0] if accented else fold(words[0])) if words else syllable


def spelled_numbers(text: str) -> set[tuple[str, ...]]:
    """Numbers written in words ("mười hai"): runs of number words of two words or more, or with a scale
    word ("mười", "trăm"); "không" only inside a run."""
    words, scales, _ = _number_words()
    runs: set[tuple[str, ...]] = set()
    run: list[str] = []
    for w in [*folded_syllables(text), ""]:
        if w in words and (run or w != "khong"):
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


def terms(text: str) -> list[str]:
    """Folded content syllables and the bigrams of neighbouring syllables that are not both stopwords; a
    small number is its word ("1 bên" is "một bên")."""
    words = [_as_word(w) for w in folded_syllables(text)]
    content = [w for w in words if w not in FOLDED_STOPWORDS]
    pairs = [f"{a} {b}" for a, b in pairwise(words) if not (a in FOLDED_STOPWORDS and b in FOLDED_STOPWORDS)]
    return content + pairs


# The source sentence a claim follows, and the word-by-word alignment of the claim (a) with it (b).
Alignment = tuple[SequenceMatcher, str]


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
        corpus_texts = list(corpus)
        for text in corpus_texts:
            for a, b in sentence_spans(text):
                self.df.update(set(terms(text[a:b])))
                self.n += 1
        # Names of the stored documents, bar the bare kinds ("Kế hoạch yêu cầu…" names the cited document).
        self.kinds = frozenset(tuple(fold(k.name).split()) for k in kinds())
        self.names = entity_names(corpus_texts) - self.kinds
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

    def __call__(self, sentence: str, sources: Sequence[str], about: Sequence[str] = ()) -> Verdict:
        """The verdict for one sentence against the sources taken together; `about` is what the sources'
        documents say of themselves (`Chunk.facts`: title, citation name, clause, headings), which a
        sentence may name or number without the passages saying it."""
        key = (sentence, tuple(sources), tuple(about))
        if key not in self._cache:
            self._cache[key] = self._score(sentence, sources, about)
        return self._cache[key]

    def _score(self, sentence: str, sources: Sequence[str], about: Sequence[str] = ()) -> Verdict:
        if not sources:
            return Verdict(False, 0.0, 0.0, 0.0, "không có nguồn")
        coverage = self.coverage(sentence, [*sources, *about])
        similarity = self.similarity(sentence, sources)
        score = coverage + DENSE_WEIGHT * (similarity - DENSE_BASELINE)
        facts = f"độ phủ {coverage:.2f}, tương đồng {similarity:.2f}, điểm {score:.2f}"
        if missing := unsupported_numbers(sentence, sources, about):
            return Verdict(
                False,
                min(score, 0.0),
                coverage,
                similarity,
                f"số {', '.join(sorted(missing))} không có trong nguồn",
            )
        if problem := self.meaning(sentence, sources, about):
            return Verdict(False, min(score, 0.0), coverage, similarity, problem)
        if score < self.threshold:
            return Verdict(
                False, score, coverage, similarity, f"không đủ căn cứ ({facts} < {self.threshold})"
            )
        return Verdict(True, score, coverage, similarity, f"có căn cứ ({facts})")

    def meaning(self, sentence: str, sources: Sequence[str], about: Sequence[str] = ()) -> str | None:
        """Why the sentence says something its sources do not, whatever its overlap with them: a name the
        sources (or their documents' own facts, `about`) lack, a negation they lack or have, a direction they
        reverse, or, aligned to them place by place (`alignment.misaligned`), a body, action or number of
        its own where they say another (None when none of these)."""
        text = Folded(synonyms().expand("\n".join(sources)))
        known = Folded(synonyms().expand("\n".join([*sources, *about])))
        claim = Folded(sentence)
        for entity in entities(sentence):
            if not _known(entity.key, claim, known):
                return f"nêu '{entity.text}' nhưng nguồn không có"
        for name in self.names:
            if claim.names(name) and not _known(name, claim, known):
                return f"nêu '{claim.written(name)}' nhưng nguồn không có"
        return self._contradiction(sentence, claim, sources, text) or misaligned(sentence, sources, about)

    def contradiction(self, sentence: str, sources: Sequence[str]) -> str | None:
        """Why the sentence says the opposite of its sources (None when it does not): a negation added or
        dropped, a direction reversed, a name or number of the sentence it follows replaced."""
        return self._contradiction(
            sentence, Folded(sentence), sources, Folded(synonyms().expand("\n".join(sources)))
        )

    def _contradiction(
        self, sentence: str, claim: Folded, sources: Sequence[str], text: Folded
    ) -> str | None:
        found = (
            added_negation(claim, sources)
            or dropped_negation(claim, sources)
            or reversed_direction(claim, text)
        )
        if found or (aligned := aligned_source(claim, sources)) is None:
            return found
        # The checks against the one source sentence the claim follows share its alignment.
        return narrowed_list(claim, aligned) or self.swapped_name(claim, aligned, text)

    def swapped_name(self, claim: Folded, aligned: Alignment, text: Folded) -> str | None:
        """A name (or document kind) of the source sentence the claim follows that the claim replaces with
        words the sources do not have ("Nhân dân" -> "doanh nghiệp"), or a number of that sentence the
        claim replaces with another ("năm 2023" -> "năm 2024", though 2024 is elsewhere in the sources)."""
        matcher, piece = aligned
        folded = Folded(piece)
        names = {e.key for e in entities(piece)} | {n for n in self.names | self.kinds if n in folded}
        source_words = folded_syllables(piece)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op != "replace" or i2 - i1 > SWAP or j2 - j1 > SWAP:
                continue
            replaced = tuple(source_words[j1:j2])
            said = tuple(claim.words[i1:i2])
            numbers = {w for w in replaced if w.isdigit()}, {w for w in said if w.isdigit()}
            if all(numbers) and numbers[0] != numbers[1]:
                return (
                    f"số {', '.join(sorted(numbers[1] - numbers[0]))} thay cho "
                    f"{', '.join(sorted(numbers[0] - numbers[1]))} của nguồn"
                )
            if not any(_within(n, replaced) or _overlaps(n, source_words, j1, j2) for n in names):
                continue
            if said in text or all(w in FOLDED_STOPWORDS for w in said):
                continue
            written = " ".join(folded.raw[j1:j2])
            return f"nêu '{' '.join(claim.raw[i1:i2])}' thay cho '{written}' của nguồn"
        return None

    @staticmethod
    def reworded(sentence: str, sources: Sequence[str]) -> str | None:
        """Where the sentence, aligned word by word with the source sentence it follows, says words of its
        own (content words put in place of the source's, or added): the first such words, else None.
        None too when no source sentence is the sentence's own (`aligned_source`)."""
        claim = Folded(sentence)
        if (aligned := aligned_source(claim, sources)) is None:
            return None
        matcher, _ = aligned
        for op, i1, i2, _, _ in matcher.get_opcodes():
            said = claim.words[i1:i2]
            if op in ("replace", "delete") and any(w not in FOLDED_STOPWORDS for w in said):
                return " ".join(claim.raw[i1:i2])
        return None


def _known(name: tuple[str, ...], claim: Folded, known: Folded) -> bool:
    """The sources know the name: as it is, or once the claim's opening word ("Theo Hiến pháp, …") or a
    function word after it ("… Việt Nam sẽ …") is left out of it."""
    if name in known:
        return True
    rest = name[1:] if claim.words[: len(name)] == list(name) else ()
    if rest and (rest in known or rest[0] in FOLDED_STOPWORDS):
        return True
    return name[-1] in FOLDED_STOPWORDS and name[:-1] in known


def narrowed_list(claim: Folded, aligned: Alignment) -> str | None:
    """ "Chỉ" put before words of the source sentence the claim follows, up to where the claim ends, while
    the source goes on listing more ("… chỉ được chứa đựng trong văn bản" of "… trong văn bản, hồ sơ, tài
    liệu có sẵn")."""
    matcher, piece = aligned
    source = Folded(piece)
    ops = matcher.get_opcodes()
    for k, (op, i1, i2, _, _) in enumerate(ops):
        if op != "delete" or tuple(claim.words[i1:i2]) not in restrictions():  # words of the claim's own
            continue
        rest = ops[k + 1 :]
        while rest and rest[-1][0] == "insert":  # the source's words after the claim's last one
            rest = rest[:-1]
        if not rest or any(o != "equal" for o, *_ in rest) or rest[-1][2] != len(claim.words):
            continue
        end = rest[-1][4]  # the claim stops here in the source: does the source list on?
        if end < len(source.words) and source.lists_on(end):
            return f"nêu '{' '.join(claim.raw[i1:i2])}' nhưng nguồn còn nêu thêm '{source.raw[end]}…'"
    return None


def restates(claim: str, source: str) -> bool:
    """The claim is the source sentence's own words, up to where it stops: aligned word by word, it adds,
    replaces or leaves out only stopwords (a small number in digits reads as its word: "có ít nhất 1 bên"
    restates "ít nhất một bên")."""
    # Read with diacritics when the claim has them: "thị trường" is not "môi trường", though folded "thi"
    # ("thì") and "moi" ("mọi") are both stopwords.
    accented = has_diacritics(claim)
    split = syllables if accented else folded_syllables
    said = [_as_word(w, accented) for w in split(claim)]
    words = [_as_word(w, accented) for w in split(source)]
    opcodes = SequenceMatcher(None, said, words, autojunk=False).get_opcodes()
    matched = [i for i, (op, *_) in enumerate(opcodes) if op == "equal"]
    if not matched:
        return False
    for i, (op, i1, i2, j1, j2) in enumerate(opcodes):
        # Source words after the claimed run ("insert": the source's own) are another part of the
        # sentence; words before it may say what it is about ("Bảo vệ an ninh mạng là sự phòng ngừa …" is
        # not restated by "Là sự phòng ngừa …" of "an ninh mạng").
        outside = op == "insert" and i > matched[-1]
        own = [w for w in [*said[i1:i2], *words[j1:j2]] if not is_stopword(w, accented)]
        if op != "equal" and not outside and own:
            return False
    return True


def in_source_words(claim: str, source: str) -> str:
    """The claim with words that say the same as other words the source uses (`same` in polarity.tsv)
    put in the source's words: "tối đa 30 ngày" reads "không quá 30 ngày" against "… không quá 30 ngày",
    so that the paraphrase of a bound is the source's own and its number alone decides."""
    text = Folded(source)
    for group in same_words():
        used = [key for key in group if key in text]
        if len(used) != 1:  # the source says none of them, or more than one
            continue
        said = Folded(claim)
        longest_first = sorted(group, key=len, reverse=True)
        others = [
            said.span(at, len(key)) for at, key in markers_in(said.words, longest_first) if key != used[0]
        ]
        for start, end in reversed(others):
            claim = f"{claim[:start]}{text.written(used[0])}{claim[end:]}"
    return claim


def aligned_source(claim: Folded, sources: Sequence[str]) -> Alignment | None:
    """The source sentence that shares the most words, in order, with the claim, and their alignment;
    None when it shares fewer than ALIGNED of the claim's words."""
    best: tuple[int, SequenceMatcher, str] | None = None
    for source in sources:
        for a, b in sentence_spans(source):
            piece = source[a:b]
            matcher = SequenceMatcher(None, claim.words, folded_syllables(piece), autojunk=False)
            size = sum(block.size for block in matcher.get_matching_blocks())
            if best is None or size > best[0]:
                best = (size, matcher, piece)
    if best is None or best[0] < ALIGNED * len(claim.words):
        return None
    return best[1], best[2]


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


@cache
def _markers() -> tuple[tuple[str, ...], ...]:
    """Folded negation markers, longest first."""
    return tuple(tuple(fold(w) for w in m) for m in negations())


def _marker_at(words: list[str], i: int) -> tuple[str, ...] | None:
    return next((m for m in _markers() if tuple(words[i : i + len(m)]) == m), None)


def _negated(words: list[str], at: int) -> bool:
    """A negation marker ends within NEGATION_REACH words before position `at`."""
    for start in range(max(0, at - NEGATION_REACH - 2), at):
        marker = _marker_at(words, start)
        if marker and at - NEGATION_REACH <= start + len(marker) <= at:
            return True
    return False


def added_negation(claim: Folded, sources: Sequence[str]) -> str | None:
    """A negation of the claim over words a source sentence states without one, when that sentence
    has fewer negations than the claim (a paraphrase may move a negation within its sentence)."""
    sentences = [Folded(source[a:b]) for source in sources for a, b in sentence_spans(source)]
    count = _count_markers(claim.words)
    for i, marker in markers_in(claim.words, _markers()):
        after = tuple(claim.words[i + len(marker) : i + len(marker) + 2])
        holding = [s for s in sentences if len(after) == 2 and s.positions(after)]
        if holding and not any(
            any(_negated(s.words, p) for p in s.positions(after)) or _count_markers(s.words) >= count
            for s in holding
        ):
            return f"phủ định '{' '.join(claim.raw[i : i + len(marker)])}' mà nguồn không có"
    return None


def _count_markers(words: list[str]) -> int:
    return sum(1 for _ in markers_in(words, _markers()))


def dropped_negation(claim: Folded, sources: Sequence[str]) -> str | None:
    """A negation of a source sentence whose words the claim states without it."""
    for source in sources:
        for a, b in sentence_spans(source):
            words = Folded(source[a:b])
            for i, marker in markers_in(words.words, _markers()):
                after = words.words[i + len(marker) : i + len(marker) + 2]
                before = words.words[max(0, i - 2) : i]
                # The claim has the words around the marker with the marker, or its first words, gone.
                kept = [list(marker[k:]) for k in range(1, len(marker) + 1)]
                if len(after) == 2 and any(
                    (before and tuple(before + rest + after) in claim)
                    or (not before and tuple(claim.words[: len(rest) + 2]) == tuple(rest + after))
                    for rest in kept
                ):
                    return f"bỏ phủ định '{' '.join(words.raw[i : i + len(marker)])}' của nguồn"
    return None


def reversed_direction(claim: Folded, text: Folded) -> str | None:
    """A direction word of the claim the sources lack while they have its opposite."""
    for left, right in directions():
        for side, other in ((left, right), (right, left)):
            said = next((t for t in side if t in claim), None)
            if said is None or any(t in text for t in side):
                continue
            if opposite := next((t for t in other if t in text), None):
                written = text.written(opposite).lower()
                return f"đảo nghĩa: nêu '{claim.written(said)}' nhưng nguồn nói '{written}'"
    return None


class IndexScorer:
    """The support scorer over a lexical index's chunks, built on first use and again when they change."""

    def __init__(self, embeddings: E5Embeddings) -> None:
        self.embeddings = embeddings
        self._built: tuple[object, SupportScorer] | None = None

    def __call__(self, index: LexicalIndex) -> SupportScorer:
        if self._built is None or self._built[0] is not index:
            self._built = (index, SupportScorer(self.embeddings, (c.text for c in index.chunks)))
        return self._built[1]
