"""The Chroma store, embedded (PersistentClient) or a server (HttpClient), through langchain-chroma."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma

from assistant.embeddings import E5Embeddings
from assistant.errors import StoreError
from assistant.models import Chunk
from assistant.settings import PROJECT_ROOT, Settings

SEED_CACHE = PROJECT_ROOT / "ingest" / "corpus" / "embeddings.sqlite"


@dataclass(frozen=True)
class DocumentInfo:
    """A stored document and how many chunks it has."""

    doc_id: str
    title: str
    short: str
    chunks: int
    doc_hash: str


class Store:
    """One collection of chunks. Reading happens here; writing is ingest's job (ingest.pipeline)."""

    def __init__(self, settings: Settings, embeddings: E5Embeddings | None = None) -> None:
        self.settings = settings
        self.embeddings = embeddings or E5Embeddings(
            variant=settings.embedding_variant,
            cache_path=settings.data_dir / "embeddings.sqlite",
            seed_paths=[SEED_CACHE],
        )
        self._lock = threading.Lock()
        self._chunks: tuple[str, list[Chunk]] | None = None
        try:
            self.client = self._client()
            self.vectorstore = Chroma(
                collection_name=settings.collection,
                embedding_function=self.embeddings,
                client=self.client,
                collection_configuration={"hnsw": {"space": "cosine"}},
            )
        except StoreError:
            raise
        except Exception as exc:  # chromadb raises many kinds; the user needs one message
            raise StoreError(f"Không mở được kho dữ liệu Chroma: {exc}") from exc

    def _client(self) -> chromadb.ClientAPI:
        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if self.settings.chroma_host:
            return chromadb.HttpClient(
                host=self.settings.chroma_host, port=self.settings.chroma_port, settings=chroma_settings
            )
        path = Path(self.settings.data_dir) / "chroma"
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"Không tạo được thư mục dữ liệu '{path}': {exc.strerror}") from exc
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)

    @property
    def collection(self) -> chromadb.Collection:
        return self.vectorstore._collection

    def count(self) -> int:
        """Number of chunks stored."""
        return self.collection.count()

    def generation(self) -> str:
        """Changes whenever ingest writes, in any process: a key for caches of the store's content."""
        metadata = self.client.get_collection(self.settings.collection).metadata or {}
        return f"{metadata.get('generation', '')}:{self.count()}"

    def touch(self) -> None:
        """Record that the content changed (ingest calls this after every write)."""
        self.collection.modify(metadata={"generation": uuid.uuid4().hex})

    def chunks(self) -> list[Chunk]:
        """Every stored chunk in document and reading order (cached until the store changes)."""
        with self._lock:
            generation = self.generation()
            if self._chunks is None or self._chunks[0] != generation:
                got = self.collection.get(include=["documents", "metadatas"])
                chunks = [
                    Chunk.from_store(i, d, m)
                    for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
                ]
                chunks.sort(key=lambda c: (c.doc_id, c.order))
                self._chunks = (generation, chunks)
            return self._chunks[1]

    def documents(self) -> list[DocumentInfo]:
        """Stored documents with their chunk counts, by document id."""
        docs: dict[str, DocumentInfo] = {}
        for chunk in self.chunks():
            known = docs.get(chunk.doc_id)
            docs[chunk.doc_id] = DocumentInfo(
                chunk.doc_id,
                chunk.doc_title,
                chunk.doc_short,
                (known.chunks if known else 0) + 1,
                chunk.doc_hash,
            )
        return sorted(docs.values(), key=lambda d: d.doc_id)

    def dense_search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the k nearest chunks."""
        if k <= 0 or self.count() == 0:
            return []
        result = self.collection.query(
            query_embeddings=[vector.tolist()], n_results=min(k, self.count()), include=["distances"]
        )
        return [(i, 1.0 - d) for i, d in zip(result["ids"][0], result["distances"][0], strict=True)]
