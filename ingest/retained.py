"""A stored document copied out before it is removed or replaced, and written back exactly on restore."""

from __future__ import annotations

from assistant.core.errors import InputError
from assistant.core.models import Chunk
from assistant.records.audit import Snapshot
from assistant.store.chroma import Store
from assistant.store.snapshot import chunk_version
from ingest.pipeline import _before_writing, _failed, _recover, delete_stale


def snapshot(store: Store, doc_id: str) -> Snapshot:
    """The committed document `doc_id`: its manifest record and chunks (id, text, metadata)."""
    got = store.manifest.get(ids=[doc_id], include=["metadatas"])
    if not got["ids"]:
        raise InputError(f"Không có tài liệu '{doc_id}' trong kho.")
    manifest = dict(got["metadatas"][0])
    chunks = store.collection.get(
        where={"$and": [{"doc_id": doc_id}, {"doc_hash": manifest["doc_hash"]}]},
        include=["documents", "metadatas"],
    )
    version = (manifest["doc_hash"], manifest.get("chunker", ""))
    committed = [
        (i, d, m)
        for i, d, m in zip(chunks["ids"], chunks["documents"], chunks["metadatas"], strict=True)
        if chunk_version(m) == version  # not those of the same text cut by another version of the chunking
    ]
    return Snapshot(
        doc_id, manifest, [c[0] for c in committed], [c[1] for c in committed], [c[2] for c in committed]
    )


def restore(store: Store, kept: Snapshot) -> int:
    """Write a retained document back with the very ids, texts and metadata it had, and the vectors its
    passages were first given (from the embedding cache; computed again only if it lost them): chunks first,
    the manifest record (the commit), then the chunks of the version it replaces; returns its chunk count.
    One writer at a time, as for any ingest (Store.writing)."""
    with store.writing():
        return _restore(store, kept)


def _restore(store: Store, kept: Snapshot) -> int:
    failed = f"Không khôi phục được tài liệu '{kept.doc_id}'"
    _before_writing(store, failed, len(kept.ids))
    passages = [
        Chunk.from_store(i, d, m).passage
        for i, d, m in zip(kept.ids, kept.documents, kept.metadatas, strict=True)
    ]
    try:
        for start in range(0, len(kept.ids), 64):
            end = start + 64
            store.collection.upsert(
                ids=kept.ids[start:end],
                documents=kept.documents[start:end],
                metadatas=kept.metadatas[start:end],
                embeddings=store.embeddings.embed_passages(passages[start:end]).tolist(),
            )
        store.manifest.upsert(ids=[kept.doc_id], embeddings=[[1.0]], metadatas=[kept.manifest])
        store.removed.delete(ids=[kept.doc_id])  # restored: no longer removed on purpose
        delete_stale(store, kept.doc_id, set(kept.ids))
        store.touch()
    except Exception as exc:
        _recover(store)
        raise _failed(store, failed, exc) from exc
    return len(kept.ids)
