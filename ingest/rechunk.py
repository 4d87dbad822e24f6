"""Documents whose stored chunks another version of the chunking made (ingest.version) are cut again from
their source text and replaced, so that a change of the chunking (new parts, labels, structure) reaches
the documents stored before it without anyone uploading them again.

The source is the text kept when the document was written (ingest.sources), or for a bundled document its
file in the corpus folder, when that file still has the very text stored (same hash). A document with
neither (uploaded before texts were kept, its file gone) stays as it is, and is named in a notice.

The replacement is an ingest of the same text: embedded first (the embedding cache makes unchanged
passages and sentences free), then written under the write lock, the new chunks committed in one step
with the document's manifest record; the old chunks stay until then, so a failure halfway leaves the
document as it was. Each rebuilt document is recorded in the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.core.errors import AssistantError, StoreError
from assistant.core.settings import Settings
from assistant.records.audit import audit_log
from assistant.store.chroma import Store
from assistant.store.snapshot import DocumentInfo
from ingest.chunking import doc_id_for
from ingest.loaders import LoadedDocument, load_document
from ingest.pipeline import (
    IngestResult,
    PreparedDocument,
    Progress,
    bundled_corpus,
    collect_stale,
    embed,
    ensure_corpus,
    prepared_document,
    write_embedded,
)
from ingest.sources import kept
from ingest.version import chunker_version

SYSTEM_ACTOR = "hệ thống"  # who rebuilt at start-up (no signed-in user asked for it)


@dataclass
class Rebuilt:
    """What a rebuild did: the documents whose chunks were made again, and those left as they were
    (id, why) because their source text is not available."""

    results: list[IngestResult] = field(default_factory=list)
    left: list[tuple[str, str]] = field(default_factory=list)

    def notices(self) -> list[str]:
        """One Vietnamese line per document left as it was."""
        return [
            f"Tài liệu '{doc_id}' vẫn giữ các đoạn do phiên bản cũ của bộ cắt đoạn tạo ra: {why}. "
            "Hãy nạp lại tệp gốc (python -m assistant ingest TỆP) để tài liệu có cấu trúc và nhãn mới."
            for doc_id, why in self.left
        ]


def outdated(store: Store, settings: Settings, everything: bool = False) -> list[DocumentInfo]:
    """The committed documents whose chunks another version of the chunking made (all with `everything`)."""
    version = chunker_version(settings.chunk_tokens)
    return [d for d in store.documents() if everything or d.chunker != version]


def rebuildable(store: Store, settings: Settings) -> bool:
    """Whether start-up has documents to rebuild: outdated ones whose source is at hand (for the pages'
    start-up check; outdated documents are rare, so reading their sources costs nothing most of the time)."""
    return any(_source(settings, d)[0] is not None for d in outdated(store, settings))


def rechunk(
    store: Store,
    settings: Settings,
    actor: str = SYSTEM_ACTOR,
    progress: Progress | None = None,
    everything: bool = False,
) -> Rebuilt:
    """Cut the outdated documents (every document with `everything`) again from their source and replace
    their chunks, recording each in the audit trail as `actor`. A StoreError (in Vietnamese) when writing
    fails; the documents not yet replaced keep their chunks."""
    rebuilt = Rebuilt()
    documents: list[PreparedDocument] = []
    for info in outdated(store, settings, everything):
        loaded, why = _source(settings, info)
        if loaded is None:
            rebuilt.left.append((info.doc_id, why))
            continue
        try:
            documents.append(prepared_document(loaded, settings))
        except AssistantError as exc:  # the limits may have been lowered since it was stored
            rebuilt.left.append((info.doc_id, exc.message.rstrip(".")))
    if not documents:
        return rebuilt
    try:
        embedded = embed(store, documents, progress)
        with store.writing():
            collect_stale(store)
            # Decided again under the lock: a document replaced or removed meanwhile is not touched.
            stored = {d.doc_id: d for d in outdated(store, settings, everything)}
            for doc in documents:
                before = stored.get(doc.doc_id)
                if before is None or before.doc_hash != doc.content_hash:
                    continue
                force = {doc.doc_id} if before.chunker == doc.chunker else set()  # --rechunk of a current one
                results = write_embedded(store, [doc], progress, embedded, force)
                _record(settings, actor, before, results)  # each as it is done: a later one may fail
                rebuilt.results += results
    except StoreError as exc:
        raise StoreError(
            f"Không dựng lại được các đoạn theo phiên bản mới: {exc.message.rstrip('.')}. Các đoạn cũ của "
            "tài liệu chưa dựng lại vẫn được giữ nguyên."
        ) from exc
    return rebuilt


def _source(settings: Settings, info: DocumentInfo) -> tuple[LoadedDocument | None, str]:
    """A stored document's source text: the kept one, else its bundled file if that has the same text;
    (None, why) when there is none."""
    loaded = kept(settings, info.doc_hash)
    if loaded is not None:
        return loaded, ""
    for path in bundled_corpus(settings):
        if doc_id_for(path) == info.doc_id:
            try:
                loaded = load_document(path, settings.max_file_bytes, settings.max_document_chars)
            except AssistantError:
                break
            if loaded.content_hash == info.doc_hash:
                return loaded, ""
            return None, f"tệp '{path.name}' trong bộ tài liệu mẫu đã khác bản trong kho"
    return None, "kho không còn văn bản gốc của tài liệu này"


def _record(settings: Settings, actor: str, old: DocumentInfo, results: list[IngestResult]) -> None:
    """The audit record of a document cut again: the versions and chunk counts before and after."""
    version = chunker_version(settings.chunk_tokens)
    for result in results:
        if result.rechunked:
            audit_log(settings).record(
                actor,
                "rechunk",
                result.doc_id,
                old.source,
                result.chunks,
                old.doc_hash,
                detail=(
                    f"Dựng lại các đoạn theo phiên bản mới của bộ cắt đoạn ({old.chunker or 'chưa ghi'} → "
                    f"{version}; {old.chunks} → {result.chunks} đoạn): {result.title}"
                ),
            )


def start_up(store: Store, settings: Settings, progress: Progress | None = None) -> Rebuilt:
    """At start-up: complete the bundled corpus (ensure_corpus), then rebuild the documents another version
    of the chunking made."""
    rebuilt = Rebuilt(results=ensure_corpus(store, settings, progress))
    again = rechunk(store, settings, progress=progress)
    rebuilt.results += again.results
    rebuilt.left = again.left
    return rebuilt
