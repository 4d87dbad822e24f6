"""The Chroma store, embedded (PersistentClient) or a server (HttpClient), through langchain-chroma."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import chromadb
import httpx
import numpy as np
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import NotFoundError
from langchain_chroma import Chroma
from threadpoolctl import ThreadpoolController

from assistant.core.errors import StoreError
from assistant.core.models import Chunk
from assistant.core.settings import PROJECT_ROOT, Settings
from assistant.store.embeddings import DIM, E5Embeddings
from assistant.store.storage import causes, check_writable, disk_problem
from assistant.store.writelock import Generation, bump_generation, read_generation, write_lock

SEED_CACHE = PROJECT_ROOT / "ingest" / "corpus" / "embeddings.sqlite"
MANIFEST_SUFFIX = "-documents"
# Bundled documents an admin removed on purpose: start-up does not bring them back.
REMOVED_SUFFIX = "-removed"
# Up to this many chunks, dense search is an exact dot product over vectors held in memory
# (20k × 384 float32 = 30 MB); beyond it, Chroma's approximate HNSW index answers.
EXACT_SEARCH_LIMIT = 20_000
_PAGE = 5_000
# What a stale view of an embedded store says when another process wrote since it was opened.
_STALE_VIEW = ("error finding id",)
_T = TypeVar("_T")
# Readings of the store in a row that may each catch another process's write halfway before giving up.
_LOAD_ATTEMPTS = 5
# An embedded store's chunks read last are taken as current, without asking Chroma (~5 ms), for this long
# after they were checked, as long as the generation file has not moved (every write moves it): one check
# a question instead of five. A write that died before moving it is seen once the second is over.
_RECHECK_SECONDS = 1.0


@dataclass
class _Shared:
    """What the Store objects of one process share about one embedded store folder: the generation they
    last saw, and an epoch that goes up each time the process's Chroma system for the folder is reset."""

    lock: threading.Lock
    seen: Generation | None = None
    epoch: int = 0


_SHARED: dict[str, _Shared] = {}
_SHARED_LOCK = threading.Lock()


def _shared(path: Path) -> _Shared:
    with _SHARED_LOCK:
        return _SHARED.setdefault(str(path.absolute()), _Shared(threading.Lock()))


@dataclass(frozen=True)
class DocumentInfo:
    """A stored document and how many chunks it has."""

    doc_id: str
    title: str
    short: str
    chunks: int
    doc_hash: str
    source: str = ""  # the file name it was read from, as given (for display; the id is made safe)


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
        self._lock = threading.RLock()
        self._chunks: tuple[str, list[Chunk], np.ndarray | None] | None = None
        self._checked: tuple[Generation, float] | None = None  # the generation file and when, at that check
        # Set by ingest when a write failed: the next write reopens the store first (see reopen()).
        self.reopen_before_writing = False
        # Told when a write has to wait for another process's (the CLI prints it, the UI shows it).
        self.on_wait: Callable[[str], None] | None = None
        self._epoch = 0
        self._open()

    def _open(self) -> None:
        settings = self.settings
        if not settings.chroma_host:
            shared = _shared(self._folder)
            with shared.lock:
                self._epoch = shared.epoch
                if shared.seen is None:
                    shared.seen = read_generation(Path(settings.data_dir))
        try:
            self.client = self._client()
            # Created as langchain-chroma would, with no embedding function of Chroma's own.
            self._collection(
                settings.collection, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
            )
            self.vectorstore = Chroma(
                collection_name=settings.collection,
                embedding_function=self.embeddings,
                client=self.client,
                create_collection_if_not_exists=False,
            )
            # One record per committed document: ingest writes it after all of the document's chunks.
            self.manifest = self._collection(f"{settings.collection}{MANIFEST_SUFFIX}")
            self.removed = self._collection(f"{settings.collection}{REMOVED_SUFFIX}")
        except StoreError:
            raise
        except Exception as exc:  # chromadb raises many kinds; the user needs one message
            reason = disk_problem(Path(settings.data_dir), exc, local_store=False) or str(exc)
            raise StoreError(f"Không mở được kho dữ liệu Chroma: {reason.rstrip('.')}.") from exc

    def _collection(self, name: str, **create: Any) -> chromadb.Collection:
        """Open a collection, creating it (with `create`'s settings) only when it is missing. Opening an
        existing store only reads: Chroma's get-or-create takes SQLite's write lock, which a write that
        failed half-way on a full disk may still hold, and would hold up every reader opening the store."""
        try:
            return self.client.get_collection(name)
        except NotFoundError:
            return self.client.get_or_create_collection(name, **create)

    def reopen(self) -> None:
        """Open the embedded store afresh; ingest does before the first write after a failed one.

        After a write failed on a full disk, chromadb 1.5's next write in the same process sometimes
        blocks for good (about one time in five here); stopping its shared per-folder system and
        starting a new one does not. Not at once, though: the new system first applies the failed
        write's log, which a still-full disk refuses, while the old one keeps answering reads. Other
        Store objects on the same folder in this process must be created again afterwards. A server
        client has nothing to reset.
        """
        self.reopen_before_writing = False
        if self.settings.chroma_host:
            return
        self._reset_system()
        self._follow()

    @property
    def _folder(self) -> Path:
        return Path(self.settings.data_dir) / "chroma"

    def _reset_system(self) -> None:
        """Stop this process's Chroma system for the folder; every Store on it reopens before its next use."""
        from chromadb.api.shared_system_client import SharedSystemClient

        shared = _shared(self._folder)
        with shared.lock:
            identifier = self.client._identifier  # type: ignore[attr-defined]  # a SharedSystemClient's key
            system = SharedSystemClient._identifier_to_system.pop(identifier, None)
            SharedSystemClient._identifier_to_refcount.pop(identifier, None)
            if system is not None:
                system.stop()
            shared.epoch += 1

    def _follow(self) -> None:
        """Before a read or a write on an embedded store: when another process wrote since this process
        last looked (its generation number moved), reset this process's view of the store, which would
        otherwise keep failing ("Error finding id"); reopen this Store when the view was reset."""
        if self.settings.chroma_host:
            return
        shared = _shared(self._folder)
        current = read_generation(Path(self.settings.data_dir))
        if current != shared.seen and not current.mine() and shared.seen is not None:
            self._reset_system()
        with shared.lock:
            shared.seen = current
            behind = self._epoch != shared.epoch
        if behind:
            with self._lock:
                self._chunks = None
                self._open()

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
                self._follow()
            yield held

    def _read(self, read: Callable[[], _T]) -> _T:
        """Run a read; when it failed because this process's view of an embedded store went stale
        (another process wrote, or another thread reset the view meanwhile), reopen and read once more."""
        with self._reading():
            self._follow()
            epoch = self._epoch
            try:
                return read()
            except Exception as exc:
                if self.settings.chroma_host:
                    raise
                stale = any(t in str(exc).lower() for t in _STALE_VIEW)
                if not stale and epoch == _shared(self._folder).epoch:
                    raise
                if stale:
                    self._reset_system()
                self._follow()
                return read()

    def _client(self) -> chromadb.ClientAPI:
        if self.settings.chroma_host:
            return self._http_client()
        path = Path(self.settings.data_dir) / "chroma"
        check_writable(path)
        return chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))

    def _http_client(self) -> chromadb.ClientAPI:
        """A client of the Chroma server, sending the auth token (through Chroma's own token provider)."""
        settings = self.settings
        auth: dict[str, str] = {}
        if settings.chroma_auth_token:
            token = settings.chroma_auth_token.get_secret_value()
            if not token.isascii() or not token.isprintable() or " " in token:
                # Chroma's own message would be fine, but it must never echo the token.
                raise StoreError(
                    "KH32_CHROMA_AUTH_TOKEN chỉ được gồm chữ, số và dấu ASCII, không có khoảng trắng."
                )
            auth = {
                "chroma_client_auth_provider": "chromadb.auth.token_authn.TokenAuthClientProvider",
                "chroma_client_auth_credentials": token,
            }
        where = f"{settings.chroma_host}:{settings.chroma_port}"
        try:
            client = chromadb.HttpClient(
                host=settings.chroma_host,
                port=settings.chroma_port,
                ssl=settings.chroma_ssl,
                settings=ChromaSettings(anonymized_telemetry=False, **auth),
            )
        except Exception as exc:
            raise StoreError(f"Không kết nối được máy chủ Chroma {where}: {_server_reason(exc)}") from exc
        return client

    @property
    def collection(self) -> chromadb.Collection:
        """The chunks (written by ingest; a chunk counts only once its document is committed)."""
        return self.vectorstore._collection

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Turn a failed read into a StoreError a user can act on (a dead server, a full disk…)."""
        try:
            yield
        except StoreError:
            raise
        except Exception as exc:  # chromadb raises many kinds
            if self.settings.chroma_host:
                reason = _server_reason(exc)
            else:
                reason = disk_problem(Path(self.settings.data_dir), exc) or str(exc)
                if any(t in str(exc).lower() for t in _STALE_VIEW):
                    reason += (
                        "; kho vừa được một tiến trình khác ghi. Hãy hỏi lại; nếu lỗi còn lặp lại, hãy để "
                        "các tiến trình dùng chung một máy chủ Chroma (KH32_CHROMA_HOST)"
                    )
            raise StoreError(f"Không đọc được kho dữ liệu: {reason.rstrip('.')}.") from exc

    def count(self) -> int:
        """Number of chunks of committed documents."""
        return sum(d.chunks for d in self.documents())

    def generation(self) -> str:
        """Changes whenever ingest writes, in any process: a key for caches of the store's content."""

        def read() -> str:
            metadata = self.client.get_collection(self.settings.collection).metadata or {}
            return f"{metadata.get('generation', '')}:{self.collection.count()}"

        return self._read(read)

    def touch(self) -> None:
        """Record that the content changed (ingest calls this after every write, holding the write lock):
        a new generation for caches, and for an embedded store a new number in the generation file,
        which readers in other processes check before they read."""
        self.collection.modify(metadata={"generation": uuid.uuid4().hex})
        if not self.settings.chroma_host:
            _shared(self._folder).seen = bump_generation(Path(self.settings.data_dir))

    def uncommitted(self) -> int:
        """How many stored chunks belong to no committed document version (0 when none): left by a write
        that died, or being written by another process right now."""
        return max(self._read(lambda: self.collection.count()) - self.count(), 0)

    def uncommitted_ids(self) -> list[str]:
        """The ids of the chunks that belong to no committed document version."""
        committed = {d.doc_id: d.doc_hash for d in self.documents()}
        got = self._read(lambda: _get_all(self.collection, ["metadatas"]))
        return [
            i
            for i, m in zip(got["ids"], got["metadatas"], strict=True)
            if committed.get(m.get("doc_id")) != m.get("doc_hash")
        ]

    def removed_ids(self) -> set[str]:
        """Bundled documents an admin removed on purpose (start-up does not ingest them again)."""
        return set(self._read(lambda: self.removed.get(include=[])["ids"]))

    def chunks(self) -> list[Chunk]:
        """Every chunk of the committed documents, in document and reading order (cached until a write).

        Chunks left by an ingest that died before committing its document are not returned.
        """
        return self._load()[1]

    def _load(self) -> tuple[str, list[Chunk], np.ndarray | None]:
        """(generation, committed chunks, their vectors when few enough for exact search).

        Read again when another process wrote while this one was reading (a document's chunks or vectors
        not all there, or the generation moved): a reader never answers from half of a change.
        """
        with self._lock:
            if self._chunks is not None and self._unchanged():
                return self._chunks
            for _ in range(_LOAD_ATTEMPTS):
                checked = self._file_generation()
                generation = self.generation()
                if self._chunks is not None and self._chunks[0] == generation:
                    self._checked = checked
                    return self._chunks
                loaded = self._load_once(generation)
                if loaded is not None and self.generation() == generation:
                    self._chunks, self._checked = loaded, checked
                    return loaded
            raise StoreError(
                "Không đọc được kho dữ liệu: kho liên tục thay đổi trong lúc đọc (các tiến trình khác đang "
                "ghi); hãy hỏi lại sau ít phút."
            )

    def _file_generation(self) -> tuple[Generation, float] | None:
        """An embedded store's generation file, and when it was read (None for a Chroma server)."""
        if self.settings.chroma_host:
            return None
        return read_generation(Path(self.settings.data_dir)), time.monotonic()

    def _unchanged(self) -> bool:
        """Whether the chunks read last were checked a moment ago (_RECHECK_SECONDS) and no process
        wrote since (the generation file has not moved)."""
        if self._checked is None or self.settings.chroma_host:
            return False
        seen, at = self._checked
        return (
            time.monotonic() - at < _RECHECK_SECONDS and read_generation(Path(self.settings.data_dir)) == seen
        )

    def _load_once(self, generation: str) -> tuple[str, list[Chunk], np.ndarray | None] | None:
        """One reading of the committed chunks and their vectors; None when it caught a write halfway."""
        documents = self.documents()
        committed = {d.doc_id: d.doc_hash for d in documents}
        got = self._read(lambda: _get_all(self.collection, ["documents", "metadatas"]))
        chunks = sorted(
            (
                Chunk.from_store(i, d, m)
                for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
                if committed.get(m["doc_id"]) == m["doc_hash"]
            ),
            key=lambda c: (c.doc_id, c.order),
        )
        counts = Counter(c.doc_id for c in chunks)
        if any(counts[d.doc_id] != d.chunks for d in documents):
            return None  # a document committed or removed between the two reads
        vectors = None
        if len(chunks) <= EXACT_SEARCH_LIMIT:
            # Only committed chunks: a write that a crash cut short may have no vector to fetch.
            vectors = self._read(lambda: self._vectors([c.id for c in chunks]))
            if vectors is None:
                return None
        return generation, chunks, vectors

    def _vectors(self, ids: list[str]) -> np.ndarray | None:
        """The stored vectors of these chunk ids, in their order; None when some are gone (deleted by
        another process since the ids were read)."""
        by_id: dict[str, np.ndarray] = {}
        for start in range(0, len(ids), 5000):
            got = self.collection.get(ids=ids[start : start + 5000], include=["embeddings"])
            vectors = np.asarray(got["embeddings"], dtype=np.float32).reshape(-1, DIM)
            by_id.update(zip(got["ids"], vectors, strict=True))
        if len(by_id) < len(set(ids)):
            return None
        return np.stack([by_id[i] for i in ids]) if ids else np.zeros((0, DIM), dtype=np.float32)

    def documents(self) -> list[DocumentInfo]:
        """Committed documents with their chunk counts, by document id."""
        got = self._read(lambda: _get_all(self.manifest, ["metadatas"]))
        docs = [
            DocumentInfo(i, m["title"], m["short"], m["chunks"], m["doc_hash"], m.get("source", ""))
            for i, m in zip(got["ids"], got["metadatas"], strict=True)
        ]
        return sorted(docs, key=lambda d: d.doc_id)

    def dense_search(self, vector: np.ndarray, k: int) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) of the k nearest chunks: exact up to EXACT_SEARCH_LIMIT chunks
        (deterministic, and faster at that size), Chroma's HNSW index beyond."""
        _, chunks, vectors = self._load()
        if vectors is not None:
            if k <= 0 or not chunks:
                return []
            with _blas().limit(limits=1, user_api="blas"):
                scores = vectors @ vector
            top = np.argsort(-scores, kind="stable")[:k]
            return [(chunks[i].id, float(scores[i])) for i in top]
        stored = self._read(lambda: self.collection.count())
        if k <= 0 or stored == 0:
            return []
        result = self._read(
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


def _server_reason(exc: BaseException) -> str:
    """Why a Chroma server refused, in words a user can act on (chromadb wraps the HTTP error twice)."""
    for cause in causes(exc):
        if isinstance(cause, httpx.HTTPStatusError) and cause.response.status_code in (401, 403):
            return (
                f"máy chủ từ chối truy cập (HTTP {cause.response.status_code}); "
                "kiểm tra KH32_CHROMA_AUTH_TOKEN."
            )
        if isinstance(cause, httpx.ConnectError | httpx.TimeoutException):
            return "không có máy chủ nào trả lời ở địa chỉ này (kiểm tra KH32_CHROMA_HOST, KH32_CHROMA_PORT)."
    return str(exc)


def _get_all(collection: chromadb.Collection, include: list[str]) -> dict[str, list]:
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
