"""The systems an eval runs: our assistant, and for comparison the textbook pipeline and BM25 alone."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from typing import Protocol

from assistant import Answer, Assistant, Chunk, ScoredChunk
from assistant.answering.chain import EXTRACTIVE
from assistant.retrieval.retriever import Query
from evals.dataset import Corpus, Item, Span

NAIVE_CHUNK_SIZE, NAIVE_OVERLAP, NAIVE_K = 1000, 200, 4


@dataclass
class Run:
    """What a system did for one item: its answer, the passages it retrieved, how long it took."""

    answer: Answer
    retrieved: list[Chunk]
    latency_ms: float


def span(chunk: Chunk) -> Span:
    return Span(chunk.doc_id, chunk.start, chunk.end)


class System(Protocol):
    name: str

    def run(self, item: Item) -> Run: ...


class Ours:
    """The assistant as users get it: `Assistant.ask` with the item's history, in one answer mode."""

    def __init__(self, assistant: Assistant, mode: str | None = None, k: int | None = None) -> None:
        self.assistant = assistant
        self.mode = mode or assistant.modes[0]
        self.k = k
        self.name = f"ours-{self.mode}"

    def run(self, item: Item) -> Run:
        answer = self.assistant.ask(item.question, item.history, k=self.k, mode=self.mode)
        return Run(answer, [s.chunk for s in answer.retrieved], answer.timings_ms.get("total", 0.0))


class _ExtractiveOver:
    """Shared part of the comparison systems: their retrieval, then our extractive answerer."""

    name = ""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant

    def search(self, query: Query) -> list[Chunk]:
        raise NotImplementedError

    def run(self, item: Item) -> Run:
        started = time.perf_counter()
        query = self.assistant.retriever.prepare(self.assistant.check_question(item.question))
        chunks = self.search(query)
        scored = [ScoredChunk(c, 1.0 / rank, {self.name: rank}) for rank, c in enumerate(chunks, start=1)]
        answer = self.assistant.answerers[EXTRACTIVE](query, scored, self.assistant.retriever.index())
        latency = (time.perf_counter() - started) * 1000
        answer.timings_ms = {"total": latency}
        return Run(answer, chunks, latency)


class BM25Only(_ExtractiveOver):
    """BM25 (bm25s over folded syllables of our chunks), top k, then our extractive answerer."""

    name = "bm25"

    def __init__(self, assistant: Assistant, k: int | None = None) -> None:
        super().__init__(assistant)
        self.k = k if k is not None else assistant.settings.top_k

    def search(self, query: Query) -> list[Chunk]:
        index = self.assistant.retriever.index()
        return [index.chunks[i] for i in index.search(query.text, self.k, folded=True)]


class Naive(_ExtractiveOver):
    """The textbook LangChain pipeline: RecursiveCharacterTextSplitter(1000, 200) → Chroma → same
    embedder → top 4, in a throw-away Chroma folder; answers by our extractive answerer."""

    name = "naive"

    def __init__(self, assistant: Assistant, corpus: Corpus, k: int = NAIVE_K) -> None:
        import chromadb
        from langchain_chroma import Chroma
        from langchain_core.documents import Document
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        super().__init__(assistant)
        self.k = k
        self._folder = tempfile.TemporaryDirectory(prefix="kh32-naive-")
        splitter = RecursiveCharacterTextSplitter(
            chunk_size=NAIVE_CHUNK_SIZE, chunk_overlap=NAIVE_OVERLAP, add_start_index=True
        )
        titles = {d.doc_id: (d.title, d.short) for d in assistant.store.documents()}
        documents = []
        for doc in corpus.files:
            offset = corpus.body_start(doc)
            for piece in splitter.split_documents([Document(corpus.body(doc), metadata={"doc": doc})]):
                start = offset + piece.metadata["start_index"]
                documents.append(Document(piece.page_content, metadata={"doc": doc, "start": start}))
        self.chunks: dict[str, Chunk] = {}
        for i, d in enumerate(documents):
            title, short = titles.get(d.metadata["doc"], (d.metadata["doc"], d.metadata["doc"]))
            start = d.metadata["start"]
            chunk_id = f"naive-{i}"
            self.chunks[chunk_id] = Chunk(
                id=chunk_id, doc_id=d.metadata["doc"], doc_title=title, doc_short=short,
                clause_key="", clause_label=f"đoạn {i + 1}", clause_path="", order=i, text=d.page_content,
                start=start, end=start + len(d.page_content), tokens=0,
            )  # fmt: skip
        client = chromadb.PersistentClient(path=self._folder.name)
        self.vectors = Chroma(
            client=client, collection_name="naive", embedding_function=assistant.store.embeddings
        )
        self.vectors.add_documents(documents, ids=list(self.chunks))

    def search(self, query: Query) -> list[Chunk]:
        hits = self.vectors.similarity_search(query.text, k=self.k)  # the question as asked
        return [self.chunks[d.id] for d in hits if d.id in self.chunks]
