"""The committed chunks and their vectors, read in pages and held in memory once per generation."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import chromadb
import numpy as np

from assistant.core.errors import StoreError
from assistant.core.models import Chunk
from assistant.store.client import Connection
from assistant.store.embeddings import DIM
from assistant.store.writelock import Generation, read_generation

# Up to this many chunks, dense search is an exact dot product over vectors held in memory
# (20k × 384 float32 = 30 MB); beyond it, Chroma's approximate HNSW index answers.
EXACT_SEARCH_LIMIT = 20_000
_PAGE = 5_000
# Readings of the store in a row that may each catch another process's write halfway before giving up.
_LOAD_ATTEMPTS = 5
# An embedded store's chunks read last are taken as current, without asking Chroma (~5 ms), for this long
# after they were checked, as long as the generation file has not moved (every write moves it): one check
# a question instead of five. A write that died before moving it is seen once the second is over.
_RECHECK_SECONDS = 1.0


@dataclass(frozen=True)
class DocumentInfo:
    """A stored document and how many chunks it has."""

    doc_id: str
    title: str
    short: str
    chunks: int
    doc_hash: str
    source: str = ""  # the file name it was read from, as given (for display; the id is made safe)
    chunker: str = ""  # the version of the chunking its chunks were made by ("" before it was kept)

    @property
    def version(self) -> tuple[str, str]:
        """What its chunks must carry to be committed: the text's hash and the chunking's version."""
        return self.doc_hash, self.chunker


def chunk_version(metadata: Mapping[str, Any]) -> tuple[str, str]:
    """A stored chunk's (text hash, chunking version): it counts when its document's version is this."""
    return str(metadata.get("doc_hash", "")), str(metadata.get("chunker", "") or "")


class Listing(Protocol):
    """What a snapshot asks its Store: the committed documents, and the generation of the content."""

    def documents(self) -> list[DocumentInfo]: ...

    def generation(self) -> str: ...


class Snapshot:
    """A Store's committed chunks and their vectors (when few enough for exact search), read once per
    generation: read again only after a write, in any process."""

    def __init__(self, connection: Connection, listing: Listing, lock: threading.RLock) -> None:
        self._connection = connection
        self._listing = listing
        self._lock = lock  # the Store's, which the connection also holds when it reopens the store
        self._chunks: tuple[str, list[Chunk], np.ndarray | None] | None = None
        self._checked: tuple[Generation, float] | None = None  # the generation file and when, at that check

    def forget(self) -> None:
        """Drop the chunks held in memory (the store is being opened again)."""
        self._chunks = None

    def load(self) -> tuple[str, list[Chunk], np.ndarray | None]:
        """(generation, committed chunks, their vectors when few enough for exact search).

        Read again when another process wrote while this one was reading (a document's chunks or vectors
        not all there, or the generation moved): a reader never answers from half of a change.
        """
        with self._lock:
            if self._chunks is not None and self._unchanged():
                return self._chunks
            for _ in range(_LOAD_ATTEMPTS):
                checked = self._file_generation()
                generation = self._listing.generation()
                if self._chunks is not None and self._chunks[0] == generation:
                    self._checked = checked
                    return self._chunks
                loaded = self._load_once(generation)
                if loaded is not None and self._listing.generation() == generation:
                    self._chunks, self._checked = loaded, checked
                    return loaded
            raise StoreError(
                "Không đọc được kho dữ liệu: kho liên tục thay đổi trong lúc đọc (các tiến trình khác đang "
                "ghi); hãy hỏi lại sau ít phút."
            )

    def _file_generation(self) -> tuple[Generation, float] | None:
        """An embedded store's generation file, and when it was read (None for a Chroma server)."""
        settings = self._connection.settings
        if settings.chroma_host:
            return None
        return read_generation(Path(settings.data_dir)), time.monotonic()

    def _unchanged(self) -> bool:
        """Whether the chunks read last were checked a moment ago (_RECHECK_SECONDS) and no process
        wrote since (the generation file has not moved)."""
        settings = self._connection.settings
        if self._checked is None or settings.chroma_host:
            return False
        seen, at = self._checked
        return time.monotonic() - at < _RECHECK_SECONDS and read_generation(Path(settings.data_dir)) == seen

    def _load_once(self, generation: str) -> tuple[str, list[Chunk], np.ndarray | None] | None:
        """One reading of the committed chunks and their vectors; None when it caught a write halfway."""
        documents = self._listing.documents()
        committed = {d.doc_id: d.version for d in documents}
        got = self._connection.read(lambda: get_all(self._connection.collection, ["documents", "metadatas"]))
        chunks = sorted(
            (
                Chunk.from_store(i, d, m)
                for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
                if committed.get(m["doc_id"]) == chunk_version(m)
            ),
            key=lambda c: (c.doc_id, c.order),
        )
        counts = Counter(c.doc_id for c in chunks)
        if any(counts[d.doc_id] != d.chunks for d in documents):
            return None  # a document committed or removed between the two reads
        vectors = None
        if len(chunks) <= EXACT_SEARCH_LIMIT:
            # Only committed chunks: a write that a crash cut short may have no vector to fetch.
            vectors = self._connection.read(lambda: self._vectors([c.id for c in chunks]))
            if vectors is None:
                return None
        return generation, chunks, vectors

    def _vectors(self, ids: list[str]) -> np.ndarray | None:
        """The stored vectors of these chunk ids, in their order; None when some are gone (deleted by
        another process since the ids were read)."""
        by_id: dict[str, np.ndarray] = {}
        for start in range(0, len(ids), 5000):
            got = self._connection.collection.get(ids=ids[start : start + 5000], include=["embeddings"])
            vectors = np.asarray(got["embeddings"], dtype=np.float32).reshape(-1, DIM)
            by_id.update(zip(got["ids"], vectors, strict=True))
        if len(by_id) < len(set(ids)):
            return None
        return np.stack([by_id[i] for i in ids]) if ids else np.zeros((0, DIM), dtype=np.float32)


def get_all(collection: chromadb.Collection, include: list[str]) -> dict[str, list]:
    """Every record of a collection, fetched in pages (one query over ~30k records fails in Chroma)."""
    got: dict[str, list] = {"ids": [], **{field: [] for field in include}}
    offset = 0
    while True:
        page = collection.get(include=include, limit=_PAGE, offset=offset)  # type: ignore[arg-type]
        for field in got:
            got[field].extend(page[field])
        if len(page["ids"]) < _PAGE:
            return got
        offset += _PAGE
