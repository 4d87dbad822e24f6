"""Ingest: load files, chunk them by clause, embed (cached) and write them to the store; remove documents."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from assistant.core.errors import DocumentError, InputError, StoreError
from assistant.core.models import Chunk
from assistant.core.passages import scored_sentences
from assistant.core.settings import Settings
from assistant.language.lookalike import identity_key
from assistant.language.text import duration, safe_id, vi_number
from assistant.store.chroma import Store
from assistant.store.storage import disk_problem, room_problem
from ingest.chunking import chunk_document, doc_id_for
from ingest.loaders import SUPPORTED_SUFFIXES, LoadedDocument, load_document
from ingest.sources import collect, keep, release

# progress(done, total): called as texts are embedded (chunks and their sentences, counted up front), from 0.
Progress = Callable[[int, int], None]
_BATCH = 64  # chunks embedded and upserted together
# Texts (chunk passages and their sentences, ~50 tokens each) embedded per second on 2 cores, and texts
# per chunk (a chunk and its sentences: ALQAC's laws 1.97, the bundled corpus 2.33), as measured by
# evals/bench.py's law library: for the estimates shown before any text is embedded.
TEXTS_PER_SECOND = 15.0
TEXTS_PER_CHUNK = 2.0


Status = Literal["added", "updated", "unchanged", "duplicate"]
# What ingest does with a document: a status, or "rechunked": the same text, its chunks made again by
# another version of the chunking (ingest.version), reported as "updated" with `rechunked` set.
Step = Literal["added", "updated", "rechunked", "unchanged", "duplicate"]
WRITTEN: tuple[Step, ...] = ("added", "updated", "rechunked")


@dataclass(frozen=True)
class PreparedDocument:
    """A document read and chunked, not yet stored."""

    doc_id: str
    title: str
    short: str
    content_hash: str
    path: Path
    chunks: list[Chunk]
    loaded: LoadedDocument | None = None  # its text, kept in the data folder when it is written

    @property
    def chunker(self) -> str:
        """The version of the chunking that made its chunks."""
        return self.chunks[0].chunker if self.chunks else ""


@dataclass(frozen=True)
class IngestResult:
    """What ingest did with one document."""

    doc_id: str
    title: str
    status: Status
    chunks: int
    embedded: int = 0
    duplicate_of: str | None = None
    rechunked: bool = False  # an update of the same text: its chunks cut again by this version


@dataclass
class Embedded:
    """What an ingest embedded before taking the write lock: the passage vectors of the chunks it will
    write, by text (sentence vectors only go to the embedding cache, as the answerer reads them there),
    new embeddings per document, and the progress count so far (done of total)."""

    passages: dict[str, np.ndarray] = field(default_factory=dict)
    per_document: dict[str, int] = field(default_factory=dict)
    done: int = 0
    total: int = 0


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files named, plus supported files inside folders named (hidden files and READMEs skipped)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and p.suffix.lower() in SUPPORTED_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and not p.name.lower().startswith("readme")
            )
        elif path.exists() or path.suffix:
            files.append(path)
        else:
            raise DocumentError(f"Không tìm thấy tệp hoặc thư mục '{path}'.")
    if not files:
        raise InputError("Không có tệp nào để nạp (hỗ trợ: .txt, .md, .html, .docx, .pdf).")
    return list(dict.fromkeys(files))


def prepare(paths: Iterable[Path], settings: Settings) -> list[PreparedDocument]:
    """Load and chunk every file first, so one bad file stops the batch before anything is written."""
    prepared = [
        prepared_document(load_document(path, settings.max_file_bytes, settings.max_document_chars), settings)
        for path in expand_paths(paths)
    ]
    seen: dict[str, str] = {}  # key -> id: "a" and "A", or "a" and a Cyrillic "а", are one name
    for doc in prepared:
        key = identity_key(doc.doc_id)
        if key in seen:
            names = f"'{doc.doc_id}'" if seen[key] == doc.doc_id else f"'{seen[key]}' và '{doc.doc_id}'"
            raise InputError(f"Có nhiều tệp cùng tên {names} trong một lần nạp; hãy đổi tên một tệp.")
        seen[key] = doc.doc_id
    return prepared


def prepared_document(loaded: LoadedDocument, settings: Settings) -> PreparedDocument:
    """A loaded document cut into chunks, not yet stored (a DocumentError when it makes none, or too many)."""
    path = loaded.path
    title, short, chunks = chunk_document(loaded, settings.chunk_tokens)
    if not chunks:
        raise DocumentError(f"Tệp '{path.name}' không có đoạn văn bản nào dùng được.")
    _check_chunk_count(path, len(chunks), settings.max_document_chunks)
    return PreparedDocument(doc_id_for(path), title, short, loaded.content_hash, path, chunks, loaded)


def _check_chunk_count(path: Path, chunks: int, limit: int) -> None:
    """Refuse a file that makes more chunks than the limit, before any is embedded."""
    if chunks > limit:
        raise DocumentError(
            f"Tệp '{path.name}' tạo ra quá nhiều đoạn ({vi_number(chunks)} đoạn, khoảng "
            f"{duration(embedding_seconds(chunks))} tính embedding; tối đa {vi_number(limit)} đoạn, "
            "KH32_MAX_DOCUMENT_CHUNKS). Hãy chia thành nhiều tệp nhỏ hơn."
        )


def embedding_seconds(chunks: int) -> float:
    """About how long embedding this many new chunks (and their sentences) takes on a laptop CPU."""
    return chunks * TEXTS_PER_CHUNK / TEXTS_PER_SECOND


def remaining_seconds(done: int, total: int, elapsed: float) -> float:
    """About how long the rest of an ingest's embedding takes: at the rate seen so far once some texts
    are embedded, else at a laptop's rate."""
    left = max(total - done, 0)
    if done > 0 and elapsed > 0:
        return left * elapsed / done
    return left / TEXTS_PER_SECOND


def progress_note(done: int, total: int, elapsed: float) -> str:
    """What an ingest's progress says to a user: texts embedded so far and the time left."""
    if total <= 0:
        return "đang ghi vào kho"
    note = f"{vi_number(done)}/{vi_number(total)} đoạn và câu đã tính embedding"
    if done < total:
        note += f", còn khoảng {duration(remaining_seconds(done, total, elapsed))}"
    return note


def ingest(
    store: Store,
    documents: list[PreparedDocument],
    progress: Progress | None = None,
    embedded: Embedded | None = None,
) -> list[IngestResult]:
    """Write prepared documents: unchanged ones are skipped, changed ones replace their old chunks.

    Embedding comes first, without the write lock (`embedded`: done already by the caller, see embed), so
    that another ingest waits only for this one's writing, not for its embedding. Then one writer at a
    time: another process's ingest into the same embedded store is waited for (Store.writing); chunks a
    crashed write left behind are collected; what to do with each document is decided again from the
    store as it is now, and what that needs beyond what was embedded is embedded there.
    """
    if embedded is None:
        embedded = embed(store, documents, progress)
    with store.writing():
        collect_stale(store)
        return write_embedded(store, documents, progress, embedded)


def embed(store: Store, documents: list[PreparedDocument], progress: Progress | None = None) -> Embedded:
    """Embed what writing these documents needs, holding no lock: the passages and sentences of those to
    be written, the missing sentences of unchanged ones, as the store looks now (ingest decides again under
    the write lock). Vectors go to the embedding cache as they are made; several ingests may embed at once,
    in threads or processes (E5Embeddings and its cache are safe for that)."""
    plan = _plan(store, documents)
    embedded = Embedded()
    # Counted up front, so that the bar and its time estimate are right from the first embedding.
    wanted = {doc.doc_id: _to_embed(doc, status, _keeps_sentences(store)) for doc, status, _ in plan}
    embedded.total = len(store.embeddings.uncached(t for texts in wanted.values() for t in texts))
    if progress:
        progress(0, embedded.total)  # before any embedding: the bar (and its time estimate) shows at once
    for doc, status, _ in plan:
        failed = f"Không ghi được tài liệu '{doc.doc_id}' vào kho"
        if status in WRITTEN:
            _check_room(store, failed, len(doc.chunks))  # before the work, as before the write
        try:
            if status in WRITTEN:
                for start in range(0, len(doc.chunks), _BATCH):
                    _passage_vectors(store, doc, doc.chunks[start : start + _BATCH], embedded, progress)
            elif wanted[doc.doc_id]:
                _top_up(store, doc, embedded, progress)
        except Exception as exc:  # the embedding cache's disk may be full: the same message as a write's
            raise _failed(store, failed, exc) from exc
    return embedded


def _keeps_sentences(store: Store) -> bool:
    """Sentence vectors live in the embedding cache only: without one, embedding them would be lost work."""
    return store.embeddings.cache is not None


def _advance(embedded: Embedded, doc_id: str, progress: Progress | None) -> Callable[[int], None]:
    """The progress callback of one document's embedding: counts its new vectors, reports the total."""

    def advance(count: int) -> None:
        embedded.per_document[doc_id] = embedded.per_document.get(doc_id, 0) + count
        embedded.done += count
        embedded.total = max(embedded.total, embedded.done)  # (under the lock the plan may need more)
        if progress:
            progress(embedded.done, embedded.total)

    return advance


def _passage_vectors(
    store: Store, doc: PreparedDocument, batch: list[Chunk], embedded: Embedded, progress: Progress | None
) -> np.ndarray:
    """The passage vectors of a batch of a document's chunks, embedding those not made yet, with the
    batch's sentences that the cache lacks (when there is a cache to keep them)."""
    passages = [c.passage for c in batch]
    new = [t for t in dict.fromkeys(passages) if t not in embedded.passages]
    sentences = store.embeddings.uncached(sentence_texts(batch)) if _keeps_sentences(store) else []
    if new or sentences:
        vectors = store.embeddings.embed_passages(
            new + sentences, progress=_advance(embedded, doc.doc_id, progress)
        )
        embedded.passages.update(zip(new, vectors[: len(new)].copy(), strict=True))  # not the sentences'
    return np.stack([embedded.passages[p] for p in passages])


def write_embedded(
    store: Store,
    documents: list[PreparedDocument],
    progress: Progress | None,
    embedded: Embedded,
    force: Collection[str] = (),
) -> list[IngestResult]:
    """Write embedded documents (the caller holds the write lock), as _plan decides from the store as it is
    now (`force`: ids of documents rechunked even when their chunks are of this version)."""
    plan = _plan(store, documents, force)
    results = []
    for doc, status, twin in plan:
        if status == "unchanged":
            if _keeps_sentences(store):
                _top_up(store, doc, embedded, progress)
            count = embedded.per_document.get(doc.doc_id, 0)
            results.append(IngestResult(doc.doc_id, doc.title, status, len(doc.chunks), count))
        elif status == "duplicate":
            results.append(IngestResult(doc.doc_id, doc.title, status, 0, duplicate_of=twin))
        else:
            _before_writing(store, f"Không ghi được tài liệu '{doc.doc_id}' vào kho", len(doc.chunks))
            _write(store, doc, embedded, progress)
            count = embedded.per_document.get(doc.doc_id, 0)
            rechunked = status == "rechunked"
            shown: Status = "updated" if status == "rechunked" else status
            results.append(
                IngestResult(doc.doc_id, doc.title, shown, len(doc.chunks), count, rechunked=rechunked)
            )
    return results


def _plan(
    store: Store, documents: list[PreparedDocument], force: Collection[str] = ()
) -> list[tuple[PreparedDocument, Step, str | None]]:
    """What ingest will do with each document: an unchanged one is skipped (its chunks made by this version
    of the chunking; else they are made again: rechunked), one with the content of another (stored, or
    earlier in the batch: its twin) is a duplicate, any other is added or updated."""
    stored = {d.doc_id: d for d in store.documents()}
    by_hash = {d.doc_hash: d.doc_id for d in stored.values()}
    plan: list[tuple[PreparedDocument, Step, str | None]] = []
    for doc in documents:
        old = stored.get(doc.doc_id)
        twin = by_hash.get(doc.content_hash)
        if old and old.doc_hash == doc.content_hash:
            same = old.chunker == doc.chunker and doc.doc_id not in force
            plan.append((doc, "unchanged" if same else "rechunked", None))
        elif twin and twin != doc.doc_id:
            plan.append((doc, "duplicate", twin))
        else:
            by_hash[doc.content_hash] = doc.doc_id
            plan.append((doc, "updated" if old else "added", None))
    return plan


def _to_embed(doc: PreparedDocument, status: Step, keeps_sentences: bool) -> list[str]:
    """The texts ingest needs vectors of for a document: a written one's passages and (kept in the cache)
    sentences, an unchanged one's sentences (stores ingested before ingest embedded them get them on the
    next run)."""
    sentences = sentence_texts(doc.chunks) if keeps_sentences else []
    if status == "duplicate":
        return []
    if status == "unchanged":
        return sentences
    return [c.passage for c in doc.chunks] + sentences


def sentence_texts(chunks: Iterable[Chunk]) -> list[str]:
    """The sentences the answerer weighs, of every chunk (assistant.core.passages.scored_sentences)."""
    return [text for chunk in chunks for text in scored_sentences(chunk)]


def _top_up(store: Store, doc: PreparedDocument, embedded: Embedded, progress: Progress | None) -> None:
    """Embed the sentences of an unchanged document that the cache lacks (they go to the cache only)."""
    missing = store.embeddings.uncached(sentence_texts(doc.chunks))
    advance = _advance(embedded, doc.doc_id, progress)
    for start in range(0, len(missing), _BATCH):
        store.embeddings.embed_passages(missing[start : start + _BATCH], progress=advance)


def _write(store: Store, doc: PreparedDocument, embedded: Embedded, progress: Progress | None) -> None:
    """Write a document so that a crash at any point leaves the store consistent (under the write lock).

    Its text is kept first (ingest.sources), then chunks go in (in batches, with the vectors embedded
    before the lock; any missing are embedded now), then the document's manifest record (the commit:
    readers only see chunks of the committed version, text hash and chunking version), then its stale
    chunks go. A re-run after a crash writes the same ids again and finishes the job.
    """
    failed = f"Không ghi được tài liệu '{doc.doc_id}' vào kho"
    try:
        previous = store.manifest.get(ids=[doc.doc_id], include=["metadatas"])["metadatas"]
        if doc.loaded is not None:
            keep(store.settings, doc.loaded)
        for start in range(0, len(doc.chunks), _BATCH):
            batch = doc.chunks[start : start + _BATCH]
            vectors = _passage_vectors(store, doc, batch, embedded, progress)
            store.collection.upsert(
                ids=[c.id for c in batch],
                documents=[c.text for c in batch],
                metadatas=[c.metadata() for c in batch],
                embeddings=vectors.tolist(),
            )
        store.manifest.upsert(
            ids=[doc.doc_id],
            embeddings=[[1.0]],
            metadatas=[
                {
                    "title": doc.title,
                    "short": doc.short,
                    "chunks": len(doc.chunks),
                    "doc_hash": doc.content_hash,
                    "source": doc.path.name,
                    "chunker": doc.chunker,
                }
            ],
        )
        store.removed.delete(ids=[doc.doc_id])  # ingested again: no longer removed on purpose
        delete_stale(store, doc.doc_id, {c.id for c in doc.chunks})
        for replaced in previous:
            if replaced.get("doc_hash") != doc.content_hash:
                release(store.settings, str(replaced.get("doc_hash")))
        collect(store.settings, {d.doc_hash for d in store.documents()})
    except Exception as exc:
        _recover(store)
        raise _failed(store, failed, exc) from exc
    try:
        store.touch()
    except Exception as exc:
        raise _failed(store, failed, exc) from exc


def delete_stale(store: Store, doc_id: str, current: set[str]) -> None:
    """Delete a document's chunks other than `current` (the ids of its committed version): an older
    text's, or the same text's cut by another version of the chunking."""
    stored = store.collection.get(where={"doc_id": doc_id}, include=[])["ids"]
    stale = [i for i in stored if i not in current]
    for start in range(0, len(stale), 5000):
        store.collection.delete(ids=stale[start : start + 5000])


def _recover(store: Store) -> None:
    """After a failed write: tell readers the content may have changed, and have the next write reopen
    the store (Store.reopen says why). The write's own error is the one to report."""
    with suppress(Exception):
        store.touch()
    store.reopen_before_writing = True


def _before_writing(store: Store, what: str, chunks: int) -> None:
    """Before a write: refuse it when the data folder's disk has no room (before Chroma starts it),
    and reopen the store when the last write failed."""
    _check_room(store, what, chunks)
    if store.reopen_before_writing:
        store.reopen()


def _check_room(store: Store, what: str, chunks: int) -> None:
    """Refuse to write (or to embed for writing) this many chunks when the data folder's disk has no room."""
    settings = store.settings
    if not settings.chroma_host and (reason := room_problem(Path(settings.data_dir), chunks)):
        raise StoreError(f"{what}: {reason}. Các tài liệu đã có trong kho không bị ảnh hưởng.")


def _failed(store: Store, what: str, exc: Exception) -> StoreError:
    """A write error for the user: the disk's problem when it is one, else what the store said."""
    settings = store.settings
    if reason := disk_problem(Path(settings.data_dir), exc, local_store=not settings.chroma_host):
        return StoreError(f"{what}: {reason}. Các tài liệu đã có trong kho không bị ảnh hưởng.")
    return exc if isinstance(exc, StoreError) else StoreError(f"{what}: {exc}")


def remove(store: Store, doc_id: str) -> int:
    """Delete a document (its manifest record first, so it vanishes at once); returns its chunk count."""
    doc_id = safe_id(doc_id)  # ids are made safe and NFC (doc_id_for); the one typed may not be
    with store.writing():
        return _remove(store, doc_id)


def _remove(store: Store, doc_id: str) -> int:
    failed = f"Không xóa được tài liệu '{doc_id}'"
    known = {d.doc_id: d for d in store.documents()}
    if doc_id not in known:
        listed = ", ".join(known) or "(kho trống)"
        raise InputError(f"Không có tài liệu '{doc_id}' trong kho. Các tài liệu hiện có: {listed}.")
    _before_writing(store, failed, 0)
    try:
        if doc_id in {doc_id_for(p) for p in bundled_corpus(store.settings)}:
            # Removed on purpose: start-up must not bring a bundled document back (ensure_corpus).
            store.removed.upsert(ids=[doc_id], embeddings=[[1.0]])
        store.manifest.delete(ids=[doc_id])
        store.collection.delete(where={"doc_id": doc_id})
        release(store.settings, known[doc_id].doc_hash)
        store.touch()
    except Exception as exc:
        _recover(store)
        raise _failed(store, failed, exc) from exc
    return known[doc_id].chunks


def bundled_corpus(settings: Settings) -> list[Path]:
    """The corpus shipped with the project."""
    return sorted(Path(settings.corpus_dir).glob("*.txt"))


def missing_corpus(store: Store, settings: Settings) -> list[Path]:
    """Bundled files whose document is not committed in the store (never written, or cut short by a
    crash) and was not removed on purpose; none when auto-ingest is off."""
    if not settings.auto_ingest:
        return []
    committed = {d.doc_id for d in store.documents()}
    removed = store.removed_ids()
    return [p for p in bundled_corpus(settings) if doc_id_for(p) not in committed | removed]


def start_up_needed(store: Store, settings: Settings) -> bool:
    """Whether ensure_corpus has work to do: a bundled document to complete, or chunks to collect."""
    return bool(missing_corpus(store, settings)) or store.uncommitted() > 0


def ensure_corpus(store: Store, settings: Settings, progress: Progress | None = None) -> list[IngestResult]:
    """At start-up: complete the bundled corpus, document by document (a first run that was cut short
    is finished by the next start), and collect chunks a crashed write left behind.

    Collecting alone never waits: when another process is writing, that writer collects them.
    """
    if missing_corpus(store, settings):
        with store.writing():  # another process may be completing it right now: wait, then look again
            collect_stale(store)
            missing = missing_corpus(store, settings)
            if not missing:
                return []
            documents = prepare(missing, settings)
            return write_embedded(store, documents, progress, embed(store, documents, progress))
    if store.uncommitted():
        with store.writing(blocking=False) as held:
            if held:
                collect_stale(store)
    return []


def collect_stale(store: Store) -> int:
    """Delete the chunks of no committed document version (an ingest killed after writing some chunks, or
    after its commit but before deleting the previous version's); returns how many. Runs under the write
    lock of an embedded store; with a Chroma server, whose writers share no lock, a chunk not yet
    committed may be another writer's work in progress, so there each document's old chunks are removed
    when it is written (_write) and nothing else is touched."""
    if store.settings.chroma_host or not store.uncommitted():
        return 0
    stale = store.uncommitted_ids()
    if stale:
        failed = "Không dọn được các đoạn còn sót của lần nạp bị ngắt"
        _before_writing(store, failed, 0)
        try:
            for start in range(0, len(stale), 5000):
                store.collection.delete(ids=stale[start : start + 5000])
            store.touch()
        except Exception as exc:
            _recover(store)
            raise _failed(store, failed, exc) from exc
    return len(stale)
