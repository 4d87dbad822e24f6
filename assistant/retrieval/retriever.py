"""Hybrid retrieval: dense (e5) + BM25 over syllables, accented and folded, fused; plus structural lookup."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, PrivateAttr

from assistant.core.models import Chunk, ScoredChunk
from assistant.core.passages import derived, part_chunks
from assistant.language.choices import parse_choices
from assistant.language.english import is_english, to_vietnamese_terms
from assistant.language.names import NameRegistry, StoredDocument
from assistant.language.part_model import part_of_question
from assistant.language.references import LAST_ITEM, Reference, find_references, heading_names
from assistant.language.shapes import Shape, defined_term
from assistant.language.synonyms import synonyms
from assistant.language.text import has_diacritics
from assistant.retrieval.lexical import LexicalIndex, load_or_build
from assistant.store.chroma import Store

RRF_K = 60
# How much each ranked list counts in the fusion; structure wins when a question names a clause.
WEIGHTS = {
    "dense": 1.0,
    "bm25": 1.0,
    "bm25_folded": 1.0,
    "structure": 4.0,
    "part": 4.0,
    "scope": 2.0,
    "definition": 3.0,
    "subject": 1.0,
}


@dataclass(frozen=True)
class Query:
    """A question prepared for retrieval."""

    text: str
    search_text: str  # diacritics restored, or an English question's Vietnamese terms
    english: bool
    vector: np.ndarray
    references: list[Reference] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)  # citation names of the documents it names
    titles: dict[str, str] = field(default_factory=dict)  # … and their titles (and those of `subjects`)
    earlier: str | None = None  # the question a follow-up follows
    # Where fold(text) names documents or their kinds: words that say which document, not what about
    names: list[tuple[int, int]] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # citation names of stored documents of a kind it says
    subjects: list[str] = field(default_factory=list)  # … of a kind it is about ("Kế hoạch có …")
    library: str = ""  # the stored documents, named for a refusal's hint
    scope: list[Reference] = field(default_factory=list)
    strict_scope: bool = False
    # An English question's concepts (each the Vietnamese renderings of one glossary phrase), and its
    # content words no entry covers
    phrases: list[tuple[str, ...]] = field(default_factory=list)
    untranslated: list[str] = field(default_factory=list)
    # A standard part asked for on its own ("Ai ký Nghị định 30?"), and the document whose part it is
    part: Shape | None = None
    part_of: str = ""


class HybridRetriever(BaseRetriever):
    """Finds the chunks that answer a question; a LangChain retriever over our store."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Store
    k: int = 5
    candidates: int = 30
    _index: LexicalIndex | None = PrivateAttr(default=None)
    _index_of: list[Chunk] | None = PrivateAttr(default=None)
    _names: NameRegistry | None = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def index(self) -> LexicalIndex:
        """The lexical index of the store's current chunks (rebuilt when they change)."""
        chunks = self.store.chunks()
        with self._lock:
            if self._index is None or self._index_of is not chunks:
                settings = self.store.settings
                path = Path(settings.data_dir) / "lexical" / f"{settings.collection}.index"
                self._index = load_or_build(chunks, path)
                self._index_of = chunks
                self._names = NameRegistry(StoredDocument(c.doc_id, c.doc_short, c.doc_title) for c in chunks)
            return self._index

    def names(self) -> NameRegistry:
        """The names of the stored documents (rebuilt with the lexical index)."""
        self.index()
        assert self._names is not None
        return self._names

    def prepare(
        self,
        question: str,
        scope: list[Reference] | None = None,
        strict: bool = False,
        earlier: str | None = None,
    ) -> Query:
        """Detect English, restore missing diacritics and find structural references. `earlier`: the
        question a follow-up follows; the documents it named are the follow-up's when it names none."""
        english = is_english(question)
        search_text = question
        phrases: list[tuple[str, ...]] = []
        untranslated: list[str] = []
        if english:
            phrases, untranslated = to_vietnamese_terms(question)
            search_text = ", ".join(rendering for concept in phrases for rendering in concept)
        elif not has_diacritics(question):
            search_text = self.index().restorer.restore(question)
        # e5 is multilingual: an English question is embedded as asked.
        vector = self.store.embeddings.embed_query_vector(question if english else search_text)
        registry = self.names()
        index_chunks = self.index().chunks
        # With choices A–D, the clauses the stem names are what is asked; a choice's "Điều 2 của Luật này"
        # is part of what it claims.
        asked = choices.stem if (choices := parse_choices(question)) else question
        named = registry.named(question, with_reference=bool(find_references(asked)))
        hint = named[0].short if len(named) == 1 else None
        inherited = registry.named(earlier, with_reference=bool(find_references(earlier))) if earlier else []
        documents = [n.short for n in named or inherited]
        mentions = [(n.start, n.end) for n in named] + registry.kind_mentions(question)
        subjects = registry.subjects(question)
        part = part_of_question(question, mentions)
        part_of = _part_document(documents, subjects, registry) if part else ""
        return Query(
            text=question,
            search_text=search_text,
            english=english,
            vector=vector,
            references=[
                r for r in find_references(asked, hint) if not r.title or _resolve_title(r, index_chunks)
            ],
            documents=documents,
            titles={d.short: d.title for d in registry.documents if d.short in {*documents, *subjects}},
            earlier=earlier,
            names=mentions,
            kinds=registry.of_kinds_mentioned(question),
            subjects=subjects,
            library=registry.listing(),
            scope=scope or [],
            strict_scope=strict,
            phrases=phrases,
            untranslated=untranslated,
            part=part if part_of else None,
            part_of=part_of,
        )

    def retrieve(self, query: Query, k: int | None = None) -> list[ScoredChunk]:
        """The top k chunks for a prepared query, best first."""
        k = self.k if k is None else k
        index = self.index()
        chunks = index.chunks
        if k <= 0 or not chunks:
            return []
        lists: dict[str, list[int]] = {}
        dense = self.store.dense_search(query.vector, self.candidates)
        lists["dense"] = [index.position[i] for i, _ in dense if i in index.position]
        # BM25 reads the question with its synonyms ("người đứng đầu" also finds "thủ trưởng").
        lists["bm25"] = index.search(synonyms().expand(query.search_text), self.candidates, folded=False)
        # Folded BM25 sees the question as typed, so OCR slips and missing diacritics still match.
        typed = query.search_text if query.english else query.text
        lists["bm25_folded"] = index.search(synonyms().expand(typed), self.candidates, folded=True)
        if query.english and query.subjects:
            # "What does the plan say about …?": its glossary words in the documents of that kind, too. The
            # Vietnamese words of an English question are few; those of another document crowd it out.
            about = set(query.subjects)
            lists["subject"] = [i for i in lists["bm25"] if chunks[i].doc_short in about]
        # With choices A–D, the stem is the question ("Chất hướng thần được định nghĩa là gì?").
        asked = choices.stem if (choices := parse_choices(query.search_text)) else query.search_text
        if (term := defined_term(asked)) and (defining := index.definitions.get(term)):
            lists["definition"] = defining  # "công chức là ai?": the clauses that say what it is
        structural = in_clauses(chunks, query.references)
        if structural:
            lists["structure"] = structural
        if query.part and (parts := part_chunks(chunks, query.part_of, query.part)):
            lists["part"] = parts  # "Ai ký Nghị định 30?": its signature block
        scoped = in_clauses(chunks, query.scope)
        if scoped and not query.references:
            if query.strict_scope:
                allowed = set(scoped)
                lists = {name: [i for i in ranked if i in allowed] for name, ranked in lists.items()}
                lists = {name: ranked for name, ranked in lists.items() if ranked} or {"scope": scoped}
            else:
                lists["scope"] = scoped
        fused: dict[int, float] = {}
        ranks: dict[int, dict[str, int]] = {}
        for name, ranked in lists.items():
            for rank, i in enumerate(ranked):
                fused[i] = fused.get(i, 0.0) + WEIGHTS[name] / (RRF_K + rank + 1)
                ranks.setdefault(i, {})[name] = rank + 1
        best = sorted(fused, key=lambda i: (-fused[i], i))[:k]
        return [ScoredChunk(chunks[i], fused[i], ranks[i]) for i in best]

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [
            Document(
                page_content=s.chunk.text, metadata={**s.chunk.metadata(), "id": s.chunk.id, "score": s.score}
            )
            for s in self.retrieve(self.prepare(query))
        ]


def _part_document(documents: list[str], subjects: list[str], registry: NameRegistry) -> str:
    """The one document whose part is asked for: the one the question names, else the one it is about
    by kind ("Kế hoạch có hiệu lực khi nào?"), else the store's only document; "" when it is not one."""
    for candidates in (documents, subjects, [d.short for d in registry.documents]):
        if candidates:
            return candidates[0] if len(candidates) == 1 else ""
    return ""


def in_clauses(chunks: list[Chunk], refs: list[Reference]) -> list[int]:
    """Indexes of chunks inside any referenced clause, in reading order."""
    if not refs:
        return []
    if any(r.pattern == LAST_ITEM for r in refs):
        last: dict[str, int] = {}
        for c in chunks:
            if m := re.search(r"(?:^|/)thu-(\d+)$", c.clause_key):
                last[c.doc_id] = max(last.get(c.doc_id, 0), int(m[1]))
        refs = [r for r in refs if r.pattern != LAST_ITEM] + [
            Reference(rf"(^|/)thu-{n}$", "cuối cùng", r.doc_hint)
            for r in refs
            if r.pattern == LAST_ITEM
            for n in set(last.values())
        ]
    refs = [
        replace(r, title=r.fallback, whole=True)
        if r.fallback and not any(r.matches(c.clause_key, c.doc_short) for c in chunks)
        else r
        for r in refs
    ]
    refs = [resolved for r in refs if (resolved := _resolve_title(r, chunks) if r.title else r)]
    found = {
        i for i, c in enumerate(chunks) if any(r.matches(c.clause_key, c.doc_short, c.context) for r in refs)
    }
    for ref in (r for r in refs if r.title):
        # A title names its deepest heading: "mục đích" is "1. Mục đích", not all of "I. Mục đích, yêu cầu".
        depth = {i: ref.depth(chunks[i].context) for i in found}
        deepest: dict[str, int] = {}
        for i, d in depth.items():
            deepest[chunks[i].doc_id] = max(deepest.get(chunks[i].doc_id, -1), d)
        found -= {i for i, d in depth.items() if 0 <= d < deepest[chunks[i].doc_id]}
    return sorted(found)


def _resolve_title(ref: Reference, chunks: list[Chunk]) -> Reference | None:
    """A part named by heading words ("phần tổ chức thực hiện giao việc…"): the longest run of its first
    words (two or more) that begins some heading, or None when no heading begins so. A whole title
    ("mục đích") must be some heading's whole title."""
    whole, starts = derived(chunks, _heading_names)
    if ref.whole:
        return ref if ref.title in whole else None
    words = ref.title.split()
    for n in range(len(words), 1, -1):
        if " ".join(words[:n]) in starts:
            return replace(ref, title=" ".join(words[:n]))
    return None


def _heading_names(chunks: list[Chunk]) -> tuple[frozenset[str], frozenset[str]]:
    """What the chunks' headings answer to as whole titles, and by their first words."""
    headings = {part for c in chunks for part in c.context.split(" — ")[1:]}
    whole = frozenset().union(*(heading_names(h, whole=True) for h in headings))
    starts = frozenset().union(*(heading_names(h) for h in headings))
    return whole, starts
