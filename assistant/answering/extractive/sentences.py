"""Candidate sentences: the question's terms, how much of them a sentence covers, its support."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from assistant.answering.ranking import RANK_FEATURES, RANK_LISTS, Ranking, ranked
from assistant.core.models import HEADER_KEY, Chunk, ScoredChunk
from assistant.core.passages import leads, quotable, scored_spans, whole_clause
from assistant.language.english import says
from assistant.language.shapes import Shape, defined_term, shape_of, unit_spellings
from assistant.language.synonyms import synonyms
from assistant.language.text import canonical, fold, folded_syllables
from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.matching import content_terms, is_stopword, term_coverage
from assistant.retrieval.retriever import Query
from assistant.store.embeddings import E5Embeddings

# Calibrated on evals/datasets/dev.jsonl (pinned by tests/answering/test_answers.py): support = coverage
# + DENSE_WEIGHT * (similarity - DENSE_BASELINE) - RANK_PENALTY * rank of the chunk. What the decision reads;
# the order of the sentences is the fitted ranking's.
DENSE_WEIGHT = 2.0
DENSE_BASELINE = 0.85
RANK_PENALTY = 0.02
ENGLISH_SHIFT = 0.07
_CLAUSE_NAMES = re.compile(
    r"\b((?:nhiem vu|giai phap) )?thu (nhat|hai|ba|tu|nam|sau|bay)\b|\b(dieu \d+|khoan \d+|diem [a-z])\b"
)
_QUANTITY = re.compile(r"\b(?:bao nhiêu|mấy|how many|how much)\b\s*")
_NUMBER = r"(?:\d+|một|hai|ba|bốn|tư|năm|sáu|bảy|tám|chín|mười|trăm|nghìn|ngàn|triệu|tỷ|tỉ)"


@dataclass(frozen=True)
class Sentence:
    """A candidate sentence of a retrieved chunk and how well it matches the question."""

    chunk: Chunk
    rank: int
    start: int
    end: int
    coverage: float = 1.0
    similarity: float = 1.0
    support: float = 1.0
    order: float = 1.0  # what sentences are ranked by: the fitted ranking's score
    signals: tuple[float, ...] = ()  # what the ranking read of it (RANK_FEATURES' order)

    @property
    def text(self) -> str:
        return self.chunk.text[self.start : self.end]


class SentenceScorer:
    """Ranks the sentences of retrieved chunks by their support for the question.

    A sentence's support is its lexical coverage of the question's content terms (IDF-weighted,
    tolerant of missing or wrong diacritics, synonyms read) plus how far its e5 similarity to the
    question rises above a baseline; sentences are ordered by the fitted ranking over what each shows.
    """

    def __init__(
        self, embeddings: E5Embeddings, ranking: Ranking | None = None, measure_all: bool = False
    ) -> None:
        self.embeddings = embeddings
        self.ranking = ranking or ranked()
        # A feature the ranking gives no weight costs time for nothing: it is measured (else 0) only when
        # the ranking is being fitted (evals/fit_ranking.py observes every feature).
        self.measured = frozenset(RANK_FEATURES if measure_all else self.ranking.weights)

    def score(
        self, query: Query, terms: list[str], retrieved: list[ScoredChunk], index: LexicalIndex
    ) -> list[Sentence]:
        """Every sentence of the retrieved chunks (of the documents the question names, or is about by
        kind), best first."""
        named = [s for s in retrieved if s.chunk.doc_short in query.documents]
        about = [s for s in retrieved if s.chunk.doc_short in query.subjects]
        pool = named if len(query.documents) == 1 and named else about or retrieved
        # A header block (issuer, place, date) is quoted only when asked for a document's particulars.
        # Ingest embedded these very sentences (scored_spans of every chunk): no vector is computed here.
        spans = [
            (rank, s, chunk, n, a, b)
            for rank, s in enumerate(pool)
            if s.chunk.clause_key != HEADER_KEY
            for chunk in _sayers(s.chunk, index.chunks)
            for n, (a, b) in enumerate(scored_spans(chunk))
        ]
        if not spans:
            return []
        vectors = self.embeddings.embed_passages([chunk.text[a:b] for _, _, chunk, _, a, b in spans])
        similarity = vectors @ query.vector
        # Cross-language similarities run lower: an English question is measured against its own baseline.
        baseline = DENSE_BASELINE - ENGLISH_SHIFT if query.english else DENSE_BASELINE
        # A point or a khoản is read with the sentences it continues ("Hồ sơ … gồm:" before "02 ảnh …").
        said_before = {chunk.id: leads(chunk, index.chunks) for _, _, chunk, _, _, _ in spans}
        reading = _Reading(query, terms, index, self.measured)
        scored, rows = [], []
        for (rank, retrieved_chunk, chunk, n, a, b), sim in zip(spans, similarity, strict=True):
            lead = said_before[chunk.id]
            covered = coverage(terms, chunk, a, b, index, lead)
            dense = float(sim) - baseline
            rows.append(reading.signals(retrieved_chunk, rank, chunk, n, (a, b), covered, dense, lead))
            support = covered + DENSE_WEIGHT * dense - RANK_PENALTY * rank
            scored.append(Sentence(chunk, rank, a, b, covered, float(sim), support))
        # Sentences are ranked by the fitted ranking (assistant/answering/ranking.py) over what each shows;
        # how well the best is supported is measured on all the terms (the decision is fitted on that).
        orders = self.ranking.scores(np.array(rows))
        scored = [
            replace(s, order=float(o), signals=row) for s, o, row in zip(scored, orders, rows, strict=True)
        ]
        if query.english:
            # Without a translator, an English question is answered only by a sentence that says every one
            # of its concepts (document names aside) in one of the glossary's renderings, itself or in the
            # headings and the lead sentence it is read with.
            needed = [c for c in query.phrases if not names_document(c, query)]
            scored = [
                s
                for s in scored
                if all(says(c, f"{s.text}\n{s.chunk.context}\n{said_before[s.chunk.id]}") for c in needed)
            ]
        scored.sort(key=lambda c: (-c.order, c.rank, c.start))
        return scored

    def candidates(
        self, query: Query, terms: list[str], retrieved: list[ScoredChunk], index: LexicalIndex
    ) -> list[Sentence]:
        """The scored sentences that can answer the question (of a count, those that state a number)."""
        return _counted_only(query, self.score(query, terms, retrieved, index))

    def assess(
        self, query: Query, retrieved: list[ScoredChunk], index: LexicalIndex
    ) -> tuple[Sentence, dict[str, float]] | None:
        """The best sentence the answer-or-refuse decision judges for a question that names no clause,
        and what the decision reads of it (None when there is none): the data the decision is fitted on."""
        if not retrieved or any("structure" in s.ranks for s in retrieved):
            return None
        terms = terms_of(query)
        candidates = self.candidates(query, terms, retrieved, index)
        return (candidates[0], features(query, terms, candidates[0], index)) if candidates else None


class _Reading:
    """What the ranking reads of each candidate sentence of one question (RANK_FEATURES)."""

    def __init__(self, query: Query, terms: list[str], index: LexicalIndex, measured: frozenset[str]) -> None:
        self.query, self.terms, self.index, self.measured = query, terms, index, measured
        # Ranked by the terms that distinguish the named document's clauses (not its title's words).
        self.distinguishing = distinguishing_terms(query, terms)
        # "X là gì?" is answered first by the sentence that says what X is ("X là …").
        self.defines = _defining(query)
        # "Còn X thì sao?": a sentence about the earlier question's own subject too speaks of that one.
        self.earlier = _contrast(query, terms)

    def signals(
        self, retrieved: ScoredChunk, rank: int, chunk: Chunk, n: int, span: tuple[int, int],
        covered: float, dense: float, lead: str,
    ) -> tuple[float, ...]:  # fmt: skip
        """The features of the n-th sentence (span) of a chunk that speaks for the retrieved one."""
        a, b = span
        said = chunk.text[a:b]
        distinct = covered
        if self.distinguishing is not self.terms:
            distinct = coverage(self.distinguishing, chunk, a, b, self.index, lead)
        ranks = retrieved.ranks
        shown = {
            "coverage": covered,
            "distinct_coverage": distinct,
            "sentence_coverage": term_coverage(self.terms, synonyms().expand(said), self.index)
            if "sentence_coverage" in self.measured
            else 0.0,
            "dense": dense,
            "rank": float(rank),
            "fused": 100 * retrieved.score,
            **{f"rr_{name}": 1 / ranks[name] if name in ranks else 0.0 for name in RANK_LISTS},
            "definition": float(bool(self.defines and self.defines.match(fold(said)))),
            "contrast": term_coverage(self.earlier, said, self.index) if self.earlier else 0.0,
            "named": float(chunk.doc_short in self.query.documents),
            "opening": float(n == 0),
        }  # fmt: skip
        return tuple(shown[f] for f in RANK_FEATURES)


def features(query: Query, terms: list[str], best: Sentence, index: LexicalIndex) -> dict[str, float]:
    """What the decision reads of the best sentence (names in assistant.answering.decision.FEATURES)."""
    text = f"{best.text}\n{best.chunk.context}"
    weights = {t: index.idf(fold(t)) for t in terms}
    total = sum(weights.values()) or 1.0
    rare = sorted(weights, key=lambda t: -weights[t])[:3]
    return {
        "support": best.support,
        "coverage": best.coverage,
        "plain_coverage": term_coverage(terms, text, index),
        "key_coverage": term_coverage(rare, synonyms().expand(text), index),
        "similarity": best.similarity,
        "known": sum(w for t, w in weights.items() if index.df.get(fold(t), 0) > 0) / total,
        "rank": float(best.rank),
        "order": best.order,
    }


def terms_of(query: Query) -> list[str]:
    """Content terms of the question, without the words that only name a document or a clause."""
    names = [re.compile(rf"\b{re.escape(fold(r.label))}\b") for r in query.references] + [_CLAUSE_NAMES]
    spoken = [" ".join(folded_syllables(fold(query.text)[a:b])) for a, b in query.names]
    documents = [re.compile(rf"\b{re.escape(words)}\b") for words in spoken if words]
    terms = content_terms(query.search_text, [*names, *documents])
    if not terms and not query.references:
        terms = content_terms(query.search_text, names)
    # English words with no Vietnamese counterpart can never be found in the documents: they stay
    # in the question's terms, weighing three times, so a question about something else is refused.
    return terms + query.untranslated * 3


def coverage(
    terms: list[str], chunk: Chunk, start: int, end: int, index: LexicalIndex, extra: str = ""
) -> float:
    """How much of the terms a sentence covers, read with its clause context (and `extra`)."""
    text = f"{chunk.text[start:end]}\n{chunk.context}\n{extra}"
    return term_coverage(terms, synonyms().expand(text), index)


def distinguishing_terms(query: Query, terms: list[str]) -> list[str]:
    """The terms that tell apart the clauses of the one document a question names: its title's
    words are everywhere in it ("Nghị định 88, nội dung bồi dưỡng kiến thức pháp luật …" asks about
    "nội dung", not about the decree's topic). All terms when none would be left."""
    if len(query.documents) != 1 or not (title := query.titles.get(query.documents[0])):
        return terms
    topic = set(folded_syllables(title))
    return [t for t in terms if not set(folded_syllables(t)) & topic] or terms


def _contrast(query: Query, terms: list[str]) -> list[str]:
    """A follow-up's contrast: the words of the question it follows that it does not repeat ("tập
    trung" after "… bồi dưỡng tập trung như thế nào?" for "Còn hình thức trực tuyến thì sao?"),
    without the words of the document's title; none for other questions."""
    if not query.earlier:
        return []
    asked = {fold(t) for t in terms}
    earlier = content_terms(query.earlier)
    return [t for t in distinguishing_terms(query, earlier) if " " not in t and fold(t) not in asked]


def _sayers(chunk: Chunk, chunks: list[Chunk]) -> list[Chunk]:
    """The chunks whose sentences speak for a retrieved chunk: itself, or, when it is only a heading
    ("Điều 42. Nhiệm vụ của giáo dục thường xuyên", its khoản in chunks of their own), its clause's."""
    if quotable(chunk):
        return [chunk]
    return [c for c in whole_clause(chunk, chunks) if c.id != chunk.id]


def _defining(query: Query) -> re.Pattern[str] | None:
    """For "X là gì?", what a sentence that says what X is begins with (folded: "X là", "“X” được hiểu là");
    None for other questions."""
    if query.english or not (term := defined_term(query.search_text)):
        return None
    return defining_pattern(term)


def defining_pattern(term: str) -> re.Pattern[str]:
    """What a sentence that says what the (folded) term is begins with: "X là", "“X” được hiểu là"."""
    return re.compile(rf"[“\"']?{re.escape(term)}[”\"']?\s+(?:la|duoc hieu la)\b")


def names_document(concept: tuple[str, ...], query: Query) -> bool:
    """True when a glossary concept only names a document the question names or is about, by its name or
    the kind its title opens with ("Constitution": "Hiến pháp"; "the decree": "Nghị định")."""
    names = [name for d in (*query.documents, *query.subjects) for name in (d, query.titles.get(d, ""))]
    return any(fold(name).startswith(fold(phrase)) for phrase in concept for name in names if name)


def _counted_only(query: Query, candidates: list[Sentence]) -> list[Sentence]:
    """For "bao nhiêu / mấy X": only a sentence that states a number (of X) answers it."""
    if counted := _counted(query):
        return [c for c in candidates if counted.search(canonical(c.text))]
    return candidates


def asked_count(query: Query) -> str | None:
    """What a question asking how many says after "bao nhiêu" / "mấy" (lower case); None for another."""
    text = canonical(query.text if query.english else query.search_text)
    match = _QUANTITY.search(text)
    if not match or shape_of(query.text) is not Shape.COUNT:  # "bộ máy" is not "mấy"
        return None
    return text[match.end() :]


def _counted(query: Query) -> re.Pattern[str] | None:
    """For a question asking how many (of what), the pattern a sentence (lower case, with its diacritics)
    must match to answer it: a number, followed by the thing counted when the question names it."""
    if (rest := asked_count(query)) is None:
        return None
    if not query.english and (unit := unit_spellings(rest)):  # "10%" answers "bao nhiêu phần trăm"
        return re.compile(rf"\b{_NUMBER}\s*(?:{'|'.join(map(re.escape, unit))})(?!\w)")
    noun = re.match(r"\w+", rest)
    if query.english or not noun or is_stopword(noun[0]):
        return re.compile(rf"\b{_NUMBER}\b")
    return re.compile(rf"\b{_NUMBER}\s+(?:\w+\s+)?{re.escape(noun[0])}\b")
