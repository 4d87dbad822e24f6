"""Opening Chroma (an embedded folder or a server) and its collections, following other processes' writes."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import chromadb
from chromadb.api.shared_system_client import SharedSystemClient
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import NotFoundError
from langchain_chroma import Chroma

from assistant.core.errors import StoreError
from assistant.core.settings import Settings
from assistant.store.embeddings import E5Embeddings
from assistant.store.server import http_client, server_reason
from assistant.store.storage import check_writable, disk_problem
from assistant.store.writelock import Generation, bump_generation, read_generation

MANIFEST_SUFFIX = "-documents"
# Bundled documents an admin removed on purpose: start-up does not bring them back.
REMOVED_SUFFIX = "-removed"
# What a stale view of an embedded store says when another process wrote since it was opened.
_STALE_VIEW = ("error finding id",)
_T = TypeVar("_T")


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


class Connection:
    """A Store's Chroma client and collections, kept in step with what other processes wrote."""

    def __init__(
        self,
        settings: Settings,
        embeddings: E5Embeddings,
        lock: threading.RLock,
        on_reopen: Callable[[], None],
    ) -> None:
        self.settings = settings
        self.embeddings = embeddings
        # The Store's lock: when the view was reset, on_reopen (which drops what the Store holds in memory)
        # and the reopening run under it.
        self._lock = lock
        self._on_reopen = on_reopen
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
        if self.settings.chroma_host:
            return
        self._reset_system()
        self.follow()

    @property
    def _folder(self) -> Path:
        return Path(self.settings.data_dir) / "chroma"

    def _reset_system(self) -> None:
        """Stop this process's Chroma system for the folder; every Store on it reopens before its next use."""
        shared = _shared(self._folder)
        with shared.lock:
            identifier = self.client._identifier  # type: ignore[attr-defined]  # a SharedSystemClient's key
            system = SharedSystemClient._identifier_to_system.pop(identifier, None)
            SharedSystemClient._identifier_to_refcount.pop(identifier, None)
            if system is not None:
                system.stop()
            shared.epoch += 1

    def follow(self) -> None:
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
                self._on_reopen()
                self._open()

    def read(self, read: Callable[[], _T]) -> _T:
        """Run a read; when it failed because this process's view of an embedded store went stale
        (another process wrote, or another thread reset the view meanwhile), reopen and read once more."""
        with self._reading():
            self.follow()
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
                self.follow()
                return read()

    def _client(self) -> chromadb.ClientAPI:
        if self.settings.chroma_host:
            return http_client(self.settings)
        path = Path(self.settings.data_dir) / "chroma"
        check_writable(path)
        return chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))

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
                reason = server_reason(exc)
            else:
                reason = disk_problem(Path(self.settings.data_dir), exc) or str(exc)
                if any(t in str(exc).lower() for t in _STALE_VIEW):
                    reason += (
                        "; kho vừa được một tiến trình khác ghi. Hãy hỏi lại; nếu lỗi còn lặp lại, hãy để "
                        "các tiến trình dùng chung một máy chủ Chroma (KH32_CHROMA_HOST)"
                    )
            raise StoreError(f"Không đọc được kho dữ liệu: {reason.rstrip('.')}.") from exc

    def touch(self) -> None:
        """A new generation for caches, and for an embedded store a new number in the generation file,
        which readers in other processes check before they read (Store.touch)."""
        self.collection.modify(metadata={"generation": uuid.uuid4().hex})
        if not self.settings.chroma_host:
            _shared(self._folder).seen = bump_generation(Path(self.settings.data_dir))
