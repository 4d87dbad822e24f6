"""The Chroma store, embedded (PersistentClient) or a server (HttpClient), through langchain-chroma."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import chromadb
import numpy as np
from langchain_chroma import Chroma
from threadpoolctl import ThreadpoolController

from assistant.core.models import Chunk
from assistant.core.settings import PROJECT_ROOT, Settings
from assistant.store.client import Connection
from assistant.store.embeddings import E5Embeddings
from assistant.store.snapshot import DocumentInfo, Snapshot, chunk_version, get_all
from assistant.store.storage import check_writable
from assistant.store.writelock import write_lock

SEED_CACHE = PROJECT_ROOT / "ingest" / "corpus" / "embeddings.sqlite"


class Store:
    """One collection of chunks. Reading happens here; writing is ingest's job (ingest.pipeline)."""

    def __init__(self, settings: Settings, embeddings: E5Embeddings | None = None) -> None:
        self.settings = settings
        # The embedding cache and the lexical index live in the data folder, whichever store is used.
        check_writable(Path(settings.data_dir))
        self.embeddings = embeddings or E5Embeddings(
            variant=settings.embedding_variant,
            cache_path=settings.data_dir / "embeddings.sqlite",
            seed_paths=[SEED_CACHE],
        )
        # One lock over the chunks held in memory and the reopening of the store that drops them.
        lock = threading.RLock()
        # Set by ingest when a write failed: the next write reopens the store first (see reopen()).
        self.reopen_before_writing = False
        # Told when a write has to wait for another process's (the CLI prints it, the UI shows it).
        self.on_wait: Callable[[str], None] | None = None
        self._connection = Connection(settings, self.embeddings, lock, self._forget)
        self._snapshot = Snapshot(self._connection, self, lock)

    def _forget(self) -> None:
        """Drop the chunks held in memory: the connection is opening the store again."""
        self._snapshot.forget()

    @property
    def client(self) -> chromadb.ClientAPI:
        """The Chroma client (embedded or of a server)."""
        return self._connection.client

    @property
    def vectorstore(self) -> Chroma:
        """The chunks' collection through langchain-chroma."""
        return self._connection.vectorstore

    @property
    def collection(self) -> chromadb.Collection:
        """The chunks (written by ingest; a chunk counts only once its document is committed)."""
        return self._connection.collection

    @property
    def manifest(self) -> chromadb.Collection:
        """One record per committed document: ingest writes it after all of the document's chunks."""
        return self._connection.manifest

    @property
    def removed(self) -> chromadb.Collection:
        """Bundled documents an admin removed on purpose: start-up does not bring them back."""
        return self._connection.removed

    def reopen(self) -> None:
        """Open the embedded store afresh; ingest does before the first write after a failed one
        (Connection.reopen says why)."""
        self.reopen_before_writing = False
        self._connection.reopen()

    @contextmanager
    def writing(self, blocking: bool = True) -> Iterator[bool]:
        """Hold the write lock of an embedded store (one writer at a time, across processes) with a view
        that includes every earlier write; yields False when `blocking` is off and another writer holds
        it. A Chroma server orders writes itself: there the block just runs (and yields True)."""
        if self.settings.chroma_host:
            yield True
            return
        folder = Path(self.settings.data_dir)
        with write_lock(folder, self.settings.write_lock_timeout, self.on_wait, blocking) as held:
            if held:
                self._connection.follow()
            yield held

    def count(self) -> int:
        """Number of chunks of committed documents."""
        return sum(d.chunks for d in self.documents())

    def generation(self) -> str:
        """Changes whenever ingest writes, in any process: a key for caches of the store's content."""

        def read() -> str:
            metadata = self.client.get_collection(self.settings.collection).metadata or {}
            return f"{metadata.get('generation', '')}:{self.collection.count()}"

        return self._connection.read(read)

    def touch(self) -> None:
        """Record that the content changed (ingest calls this after every write, holding the write lock):
        a new generation for caches, and for an embedded store a new number in the generation file,
        which readers in other processes check before they read."""
        self._connection.touch()

    def uncommitted(self) -> int:
        """How many stored chunks belong to no committed document version (0 when none): left by a write
        that died, or being written by another process right now."""
        return max(self._connection.read(lambda: self.collection.count()) - self.count(), 0)

    def uncommitted_ids(self) -> list[str]:
        """The ids of the chunks that belong to no committed document version."""
        committed = {d.doc_id: d.version for d in self.documents()}
        got = self._connection.read(lambda: get_all(self.collection, ["metadatas"]))
        return [
            i
            for i, m in zip(got["ids"], got["metadatas"], strict=True)
            if committed.get(m.get("doc_id")) != chunk_version(m)
        ]

    def removed_ids(self) -> set[str]:
        """Bundled documents an admin removed on purpose (start-up does not ingest them again)."""
        return set(self._connection.read(lambda: self.removed.get(include=[])["ids"]))

    def chunks(self) -> list[Chunk]:
        """Every chunk of the committed documents, in document and reading order (cached until a write).

        Chunks left by an ingest that died before committing its document are not returned.
        """
        return self._snapshot.load()[1]

    def documents(self) -> list[DocumentInfo]:
        """Committed documents with their chunk counts, by document id."""
        got = self._connection.read(lambda: get_all(self.manifest, ["metadatas"]))
        docs = [
            DocumentInfo(
                i,
                m["title"],
                m["short"],
                m["chunks"],
                m["doc_hash"],
                m.get("source", ""),
                m.get("chunker", ""),
            )
            for i, m in zip(got["ids"], got["metadatas"], strict=True)
        ]
        return sorted(docs, key=lambda d: d.doc_id)

    def dense_search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the k nearest chunks: exact up to EXACT_SEARCH_LIMIT chunks
        (deterministic, and faster at that size), Chroma's HNSW index beyond."""
        _, chunks, vectors = self._snapshot.load()
        if vectors is not None:
            if k <= 0 or not chunks:
                return []
            with _blas().limit(limits=1, user_api="blas"):
                scores = vectors @ vector
            top = np.argsort(-scores, kind="stable")[:k]
            return [(chunks[i].id, float(scores[i])) for i in top]
        stored = self._connection.read(lambda: self.collection.count())
        if k <= 0 or stored == 0:
            return []
        result = self._connection.read(
            lambda: self.collection.query(
                query_embeddings=[vector.tolist()], n_results=min(k, stored), include=["distances"]
            )
        )
        return [(i, 1.0 - d) for i, d in zip(result["ids"][0], result["distances"][0], strict=True)]


@cache
def _blas() -> ThreadpoolController:
    """The BLAS libraries numpy loaded. The exact search runs on one BLAS thread: on busy cores (a chat
    server beside an ingest) OpenBLAS's threads wait on each other, and a 11,560 × 384 product took 8 ms on
    two threads against 0.3 ms on one (the same scores either way)."""
    return ThreadpoolController()
