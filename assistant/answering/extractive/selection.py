"""Which sentences answer: the best supported ones, a clause's content, its opening, or a list's items."""

from __future__ import annotations

import re
from typing import Protocol

from assistant.answering.decision import Decision
from assistant.answering.extractive.sentences import (
    Sentence,
    SentenceScorer,
    coverage,
    features,
    names_document,
    terms_of,
)
from assistant.core.models import HEADER_KEY, Chunk, ScoredChunk
from assistant.core.passages import quotable, whole_clause
from assistant.language.shapes import Shape, shape_of
from assistant.language.text import fold, folded_syllables
from assistant.language.tokens import count_tokens
from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.retriever import Query, in_clauses

# Calibrated on evals/datasets/dev.jsonl (pinned by tests/answering/test_answers.py), on the support of
# assistant/answering/extractive/sentences.py.
MIN_SUPPORT = 0.35
RELATIVE_SUPPORT = 0.8
CLAUSE_COVERAGE = 0.6
# An enumeration lists sentences covering this much of the question's other terms, one per clause.
ENUMERATION_COVERAGE = 0.5
TASK_COVERAGE = 0.7
MAX_ITEMS = 8
_LIST_INTENT = re.compile(
    r"\b(bao nhieu|may|cac|nhung|liet ke|gom|how many|list|what are the)\b.*\b(nhiem vu|giai phap|tasks?)\b"
)
_ITEM_NOUN = re.compile(r"\b(?:nhung|cac)\s+((?:\w+\s+){0,3}?)(?:nao|gi)\b")
# "những nội dung nào" asks what a clause holds; "những việc gì cho X" asks for every task of X, wherever
# it stands; "những luật nào" for every named item.
_CONTENT_NOUNS = {"", "noi dung", "van de", "diem", "yeu cau", "gi"}
_TASK_NOUNS = {"viec", "nhiem vu", "cong viec", "trach nhiem"}
_CAPITALISED_NOUNS = {"luat", "nghi", "thong", "quyet", "chi", "bo", "hien", "ke"}


# An English question is answered by a Vietnamese sentence that says every one of its concepts (the
# sentence scorer keeps no other) when no content word of it is left untranslated and the sentence is at
# least this close to it in e5's multilingual space (English questions against the sentences that answer
# them: 0.74–0.84 on the bundled corpus and the standard-layout documents).
ENGLISH_SIMILARITY = 0.72


class _Sentences(list[Sentence]):
    """Sentences of a clause answer, and the clause where the budget cut them (None when whole)."""

    cut_at: str | None = None


class Budget(Protocol):
    """What the selector reads of the answerer it serves, as it stands: the fitted answer-or-refuse decision
    and how much an answer quotes."""

    decision: Decision
    max_sentences: int
    min_support: float
    clause_tokens: int


class Selector:
    """Chooses the sentences that answer a question: whether the best one answers at all is the fitted
    decision's call (answering/decision.py); the question's shape (language/shapes.py) decides what else
    is quoted."""

    def __init__(self, sentences: SentenceScorer, budget: Budget) -> None:
        self.sentences = sentences
        self.budget = budget

    def choose(self, query: Query, retrieved: list[ScoredChunk], index: LexicalIndex) -> list[Sentence]:
        """The sentences that answer the query, best first; empty when nothing supports an answer."""
        if not retrieved:
            return []
        terms = terms_of(query)
        shape = shape_of(query.text)
        inside = [s for s in retrieved if "structure" in s.ranks]  # chunks of the clauses it names
        structural = [s.chunk for s in inside]
        if shape is Shape.DOCUMENT_INFO and (header := _header_of(query, index.chunks)):
            return self._clause_content(header)
        contents = shape in (Shape.CLAUSE_CONTENT, Shape.ENUMERATION) and not query.english
        if structural and contents:
            # "Mục 2.2 nói gì?", "Nhiệm vụ thứ ba gồm những nội dung nào?": the clause, in order.
            clause = [index.chunks[i] for i in in_clauses(index.chunks, query.references)] or structural
            if not terms or sum(c.tokens for c in clause) <= self.budget.clause_tokens:
                passages = "\n".join(c.passage for c in clause)
                covered = coverage(terms, clause[0], 0, 0, index, extra=passages)
                return self._clause_content(clause) if not terms or covered >= CLAUSE_COVERAGE else []
            # A large part and a question about something in it: the best sentences inside, below.
            inside = [ScoredChunk(c, 0.0, {"structure": n + 1}) for n, c in enumerate(clause)]
        if (
            shape is Shape.ENUMERATION
            and not query.references
            and not query.english
            and (listed := self._enumerate(query, terms, retrieved, index))
        ):
            return listed
        if _LIST_INTENT.search(fold(query.text)) and not query.references:
            listed = self._list_items(index.chunks, [s.chunk for s in retrieved])
            if listed:
                return listed
        if structural and (not terms or query.english):
            return self._opening(structural)
        if structural:
            # The question names a clause: answer from it, with its opening when no sentence stands out.
            candidates = self.sentences.candidates(query, terms, inside, index)
            if not candidates or candidates[0].support < self.budget.min_support:
                clause = "\n".join(c.passage for c in structural)
                covered = coverage(terms, structural[0], 0, 0, index, extra=clause)
                return self._opening(structural) if covered >= CLAUSE_COVERAGE else []
        else:
            candidates = self.sentences.candidates(query, terms, retrieved, index)
            if not candidates or not (
                english_supported(query, candidates[0])
                if query.english
                else self.budget.decision.accepts(features(query, terms, candidates[0], index))
            ):
                return []
        if contents:
            # "… gồm những nội dung nào?": the clause of the best sentence, whole, when it is short enough.
            whole = whole_clause(candidates[0].chunk, index.chunks)
            if sum(c.tokens for c in whole) <= self.budget.clause_tokens:
                return self._clause_content(whole)
        # The best sentence answers; others join it when they are nearly as well supported.
        best = candidates[0].support
        picked = [
            c for c in candidates[1:] if c.support >= max(self.budget.min_support, RELATIVE_SUPPORT * best)
        ]
        return [candidates[0], *picked][: self.budget.max_sentences]

    def _opening(self, chunks: list[Chunk]) -> list[Sentence]:
        """The first sentence of each referenced clause (or the first few of a single clause)."""
        clauses: dict[tuple[str, str], Chunk] = {}
        for chunk in sorted(chunks, key=lambda c: (c.doc_id, c.order)):
            clauses.setdefault((chunk.doc_id, chunk.clause_key), chunk)
        firsts = list(clauses.values())
        per_clause = self.budget.max_sentences if len(firsts) == 1 else 1
        picked = []
        for chunk in firsts[: max(self.budget.max_sentences, 8)]:
            for a, b in quotable(chunk)[:per_clause]:
                picked.append(Sentence(chunk, 0, a, b))
        return picked

    def _clause_content(self, chunks: list[Chunk]) -> list[Sentence]:
        """The sentences of the referenced clauses in reading order, headings aside, within the token
        budget; when cut, the result says at which clause (`cut_at`)."""
        picked = _Sentences()
        used = 0
        for chunk in sorted(chunks, key=lambda c: (c.doc_id, c.order)):
            for a, b in quotable(chunk):
                cost = count_tokens(chunk.text[a:b])
                if picked and used + cost > self.budget.clause_tokens:
                    picked.cut_at = chunks[0].citation
                    return picked
                picked.append(Sentence(chunk, 0, a, b))
                used += cost
        return picked

    def _enumerate(
        self, query: Query, terms: list[str], retrieved: list[ScoredChunk], index: LexicalIndex
    ) -> list[Sentence]:
        """'Kế hoạch nhắc đến những luật nào?': in the document asked about, the best sentence of each
        clause that names such an item and covers the rest of the question, in reading order."""
        noun = _item_noun(query.text)
        if noun in _CONTENT_NOUNS:
            return []  # "những nội dung nào" asks for a clause's content, not for items across clauses
        # "Những việc gì cho Học viện": no item word to look for, so every sentence must be about the rest.
        task = noun in _TASK_NOUNS
        noun, needed = ("", TASK_COVERAGE) if task else (noun, ENUMERATION_COVERAGE)
        # The document named, else those of the kind named ("kế hoạch"), else the retrieved ones, best first.
        ranked = list(dict.fromkeys(s.chunk.doc_short for s in retrieved))
        kinds = [d for d in ranked if d in query.kinds] + [d for d in query.kinds if d not in ranked]
        if len(query.documents) != 1 and not kinds and not task and noun.split()[0] not in _CAPITALISED_NOUNS:
            # "Chủ tịch Ủy ban có quyền đình chỉ những quyết định nào?", of no document in particular: one
            # clause lists them; every sentence of a law that says "quyết định" does not.
            return []
        candidates = query.documents if len(query.documents) == 1 else kinds or ranked
        best: dict[tuple[str, str], Sentence] = {}
        for document in candidates[:3]:
            best = _items(document, noun, terms, index, needed)
            if len(best) >= (2 if task else 1):
                break
        else:
            return []
        return sorted(best.values(), key=lambda s: (s.chunk.doc_id, s.chunk.order, s.start))[:MAX_ITEMS]

    def _list_items(self, chunks: list[Chunk], retrieved: list[Chunk]) -> list[Sentence]:
        """For 'how many / which tasks': the announcing heading, then the opening of each item."""
        for hit in retrieved:
            parent = hit.clause_key.split("/thu-")[0]
            items = [
                c
                for c in chunks
                if c.doc_id == hit.doc_id and re.fullmatch(rf"{parent}/thu-\d+", c.clause_key)
            ]
            if len(items) >= 2:
                heading = [c for c in chunks if c.doc_id == hit.doc_id and c.clause_key == parent]
                return self._opening(heading + items)
        return []


def _items(
    document: str, noun: str, terms: list[str], index: LexicalIndex, needed: float
) -> dict[tuple[str, str], Sentence]:
    """The sentences of a document that name an item and cover the question, by where they stand."""
    chunks = [c for c in index.chunks if c.doc_short == document]
    text = " ".join(folded_syllables(" ".join(c.passage for c in chunks)))
    # Question words the document never uses ("nhắc đến") cannot be covered: they are left out.
    other = [t for t in terms if fold(t) not in noun and f" {fold(t)} " in f" {text} "]
    best: dict[tuple[str, str], Sentence] = {}
    for chunk in chunks:
        for a, b in quotable(chunk):
            sentence = chunk.text[a:b]
            if noun and not _names_item(sentence, noun):
                continue
            covered = coverage(other, chunk, a, b, index) if other else 1.0
            if covered >= needed:
                best[(chunk.id, str(a))] = Sentence(chunk, 0, a, b, coverage=covered)
    return best


def _header_of(query: Query, chunks: list[Chunk]) -> list[Chunk]:
    """The header block ("Thông tin văn bản") of the one document the question names or is about."""
    documents = query.documents if len(query.documents) == 1 else query.subjects
    if len(documents) != 1:
        return []
    return [c for c in chunks if c.doc_short == documents[0] and c.clause_key == HEADER_KEY]


def _item_noun(question: str) -> str:
    """The kind of item an enumeration asks for, folded ("luat" in "những luật nào", "viec", "noi dung")."""
    match = _ITEM_NOUN.search(fold(question))
    return " ".join(match[1].split()[:2]) if match else ""


def _names_item(sentence: str, noun: str) -> bool:
    """The sentence names an item of that kind: the noun written with a capital ("Luật Viên chức"), or
    any use of it when the noun is no kind of name ("cơ quan"). At the start of a sentence every word has
    a capital: there the noun names something only when a name or a number follows ("Quyết định số 12…",
    not "Quyết định phân công … phải được gửi …")."""
    words = sentence.split()
    folded = [fold(w).strip(",.;:()") for w in words]
    head = noun.split()

    def named(i: int) -> bool:
        if not words[i][:1].isupper():
            return False
        after = words[i + len(head)] if i + len(head) < len(words) else ""
        return i > 0 or after[:1].isupper() or after[:1].isdigit() or fold(after) == "so"

    return any(
        folded[i : i + len(head)] == head and (head[0] not in _CAPITALISED_NOUNS or named(i))
        for i in range(len(words) - len(head) + 1)
    )


def english_supported(query: Query, best: Sentence) -> bool:
    """Whether the best sentence answers an English question: the question has a concept of its own (not
    only a document's name), every content word of it has a glossary rendering, and the sentence, which
    says every concept, is close enough to the question."""
    own = [c for c in query.phrases if not names_document(c, query)]
    return bool(own) and not query.untranslated and best.similarity >= ENGLISH_SIMILARITY
