"""Offline support scorer: is a sentence backed by given source texts? Lexical coverage + e5 similarity, and
the claim check (`meaning`): names, numbers (claim_numbers), negations and directions (polarity), and the
claim read against its sources place by place (alignment).

The eval harness scores answers with it, and the LLM mode checks each generated sentence with it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import pairwise

import numpy as np

from assistant.answering.alignment import misaligned
from assistant.answering.claim_numbers import _as_word, unsupported_numbers
from assistant.answering.claim_tokens import tokens
from assistant.answering.folded import Folded, _overlaps, _within
from assistant.answering.paraphrases import nominalized, same_kind_rests
from assistant.answering.place_differences import Reworded, substituted
from assistant.answering.polarity import added_negation, dropped_negation, reversed_direction
from assistant.language.names import Entity, entities, entity_names, kinds, named_as_sources
from assistant.language.shapes import markers_in, restrictions, same_words
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
FOLDED_STOPWORDS = STOPWORDS
# A claim is read against the source sentence it follows when they share this share of its words; a
# name of that sentence replaced by at most SWAP words the sources lack is a swapped name.
ALIGNED = 0.5
SWAP = 4
# A statement (a true/false claim, a multiple-choice option) is true by a sentence only when the sentence
# holds this much of its terms: a looser paraphrase may hide a changed condition.
TRUE_COVERAGE = 0.97


@dataclass(frozen=True)
class Verdict:
    """Whether a sentence is supported by some sources, its score and the reason (Vietnamese). `reworded`:
    unsupported only for its wording (too few of the sources' words, or its own words at a `place` of the
    sources where no number, negation or name is at stake), which a reader of meaning may find says the
    same."""

    supported: bool
    score: float
    coverage: float
    similarity: float
    reason: str
    reworded: bool = False
    place: str = ""  # of a reworded sentence, the source's words where it says its own, as written


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
        sentence = named_as_sources(sentence, "\n".join([*sources, *about]))
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
            reworded = problem if isinstance(problem, Reworded) else None
            place = reworded.there if reworded else ""
            return Verdict(False, min(score, 0.0), coverage, similarity, problem, bool(reworded), place)
        if score < self.threshold:
            why = f"không đủ căn cứ ({facts} < {self.threshold})"
            return Verdict(False, score, coverage, similarity, why, reworded=True)
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
            if not _known(entity.key, claim, known) and not _short_name(entity, [*sources, *about]):
                return f"nêu '{entity.text}' nhưng nguồn không có"
        for name in self.names:
            if claim.names(name) and not _known(name, claim, known):
                return f"nêu '{claim.written(name)}' nhưng nguồn không có"
        return self._contradiction(sentence, claim, sources, text, about) or misaligned(
            sentence, sources, about
        )

    def contradiction(self, sentence: str, sources: Sequence[str]) -> str | None:
        """Why the sentence says the opposite of its sources (None when it does not): a negation added or
        dropped, a direction reversed, a name or number of the sentence it follows replaced."""
        return self._contradiction(
            sentence, Folded(sentence), sources, Folded(synonyms().expand("\n".join(sources)))
        )

    def _contradiction(
        self, sentence: str, claim: Folded, sources: Sequence[str], text: Folded, about: Sequence[str] = ()
    ) -> str | None:
        found = (
            added_negation(claim, sources, about)
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
            if all(numbers) and {int(w) for w in numbers[0]} != {int(w) for w in numbers[1]}:
                return (
                    f"số {', '.join(sorted(numbers[1] - numbers[0]))} thay cho "
                    f"{', '.join(sorted(numbers[0] - numbers[1]))} của nguồn"
                )
            if not any(_within(n, replaced) or _overlaps(n, source_words, j1, j2) for n in names):
                continue
            if said in text or all(w in FOLDED_STOPWORDS for w in said):
                continue
            written = " ".join(folded.raw[j1:j2])
            mine = tokens(" ".join(claim.raw[i1:i2]))
            if any(not a and not b for a, b in same_kind_rests(mine, tokens(written))):
                continue  # "Trong trường hợp" of "Khi" (read as a name: "Khi Chánh án")
            if nominalized(mine, tokens(written), tokens(" ".join(claim.raw)), set()):
                continue  # "Việc tiếp công dân của Giám đốc Sở" of "Giám đốc Sở tiếp công dân"
            return substituted(mine, tokens(written), opening=i1 == 0)
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
    # (the opening word left out only before a word written as a name: "Theo Hiến pháp", not "Quốc hội")
    opens = claim.words[: len(name)] == list(name) and claim.raw[1:2] and claim.raw[1][:1].isupper()
    rest = name[1:] if opens else ()
    if rest and (rest in known or rest[0] in FOLDED_STOPWORDS):
        return True
    return name[-1] in FOLDED_STOPWORDS and name[:-1] in known


def _short_name(entity: Entity, sources: Sequence[str]) -> bool:
    """A capitalised word the sources use as a name on its own ("… của Sở.") followed in the claim by a word
    in lower case that is no part of it ("Giám đốc Sở diễn ra …")."""
    words = entity.text.split()
    if len(entity.key) != 2 or len(words) != 2 or not words[1][:1].islower():
        return False
    return any(e.key == entity.key[:1] for e in entities("\n".join(sources)))


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


class IndexScorer:
    """The support scorer over a lexical index's chunks, built on first use and again when they change."""

    def __init__(self, embeddings: E5Embeddings) -> None:
        self.embeddings = embeddings
        self._built: tuple[object, SupportScorer] | None = None

    def __call__(self, index: LexicalIndex) -> SupportScorer:
        if self._built is None or self._built[0] is not index:
            self._built = (index, SupportScorer(self.embeddings, (c.text for c in index.chunks)))
        return self._built[1]
