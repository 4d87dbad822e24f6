"""Changing the shared documents: upload, replace, remove, restore — each checked against the user's role
and recorded in the audit trail. The UI's documents page and the CLI's `ingest` both call these."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path

from assistant.access.roles import Permission, User, require
from assistant.core.errors import InputError
from assistant.core.settings import Settings
from assistant.language.text import safe_id
from assistant.records.audit import audit_log
from assistant.store.chroma import Store
from ingest.identity import check
from ingest.pipeline import IngestResult, Progress, embed, ingest, prepare, remove
from ingest.rechunk import Rebuilt, rechunk
from ingest.retained import restore, snapshot


def ingest_paths(
    user: User,
    store: Store,
    settings: Settings,
    paths: Iterable[Path],
    progress: Progress | None = None,
    replace: Collection[str] = (),
    dry_run: bool = False,
) -> list[IngestResult]:
    """Ingest files as `user` (an admin). A file whose document id is stored with other content replaces
    it only when that id is in `replace` (else ReplaceNeeded with the previews); a file claiming another
    document's title or number is refused. The replaced version is kept for restoring. `dry_run`: the
    checks only (nothing written; returns []).

    The checks run before the embedding (a refused file costs nothing) and again under the write lock,
    against the store as it is then: another ingest may have committed a look-alike meanwhile, since
    embedding holds no lock (ingest.pipeline.embed)."""
    require(user, Permission.MANAGE_DOCUMENTS)
    log = audit_log(settings)
    documents = prepare(paths, settings)
    check(store, documents, replace)
    if dry_run:
        return []
    embedded = embed(store, documents, progress)
    with store.writing():
        previews = {p.doc_id: p for p in check(store, documents, replace)}
        kept = {doc_id: snapshot(store, doc_id) for doc_id in previews}
        results = ingest(store, documents, progress, embedded)
    for doc, result in zip(documents, results, strict=True):
        if result.status not in ("added", "updated"):
            continue
        replaced = result.status == "updated" and not result.rechunked
        if result.rechunked:  # the same file again, its stored chunks made by an older chunking
            action, detail = "rechunk", f"Nạp lại cùng tệp: dựng lại các đoạn theo phiên bản mới: {doc.title}"
        else:
            action = "replace" if replaced else "upload"
            detail = previews[doc.doc_id].detail() if replaced and doc.doc_id in previews else doc.title
        log.record(
            user.name,
            action,
            doc.doc_id,
            doc.path.name,
            result.chunks,
            doc.content_hash,
            detail=detail,
            snapshot=kept.get(doc.doc_id) if replaced else None,
            retain_days=settings.retain_days,
        )
    return results


def rechunk_documents(
    user: User, store: Store, settings: Settings, progress: Progress | None = None
) -> Rebuilt:
    """Cut every stored document again from its source text with this version of the chunking, as `user`
    (an admin): after a change the version does not see (a library's new release), or to be sure."""
    require(user, Permission.MANAGE_DOCUMENTS)
    return rechunk(store, settings, user.name, progress, everything=True)


def remove_document(user: User, store: Store, settings: Settings, doc_id: str) -> int:
    """Remove a document as `user` (an admin), keeping a copy to restore; returns its chunk count."""
    require(user, Permission.MANAGE_DOCUMENTS)
    doc_id = safe_id(doc_id)  # as ingest made it (NFC, line breaks and invisible characters replaced)
    if doc_id not in {d.doc_id for d in store.documents()}:
        remove(store, doc_id)  # refuses with a message listing the stored documents
    kept = snapshot(store, doc_id)
    removed = remove(store, doc_id)
    audit_log(settings).record(
        user.name,
        "remove",
        doc_id,
        chunks=removed,
        content_hash=str(kept.manifest.get("doc_hash", "")),
        detail=str(kept.manifest.get("title", "")),
        snapshot=kept,
        retain_days=settings.retain_days,
    )
    return removed


def restore_document(user: User, store: Store, settings: Settings, entry: int) -> tuple[str, int]:
    """Write back the copy kept with audit entry `entry` (a removal or replacement), as `user` (an admin);
    returns (document id, chunk count)."""
    require(user, Permission.MANAGE_DOCUMENTS)
    log = audit_log(settings)
    kept = log.retained(entry)
    if kept is None:
        raise InputError(
            f"Mục nhật ký {entry} không có bản lưu để khôi phục (không phải thao tác xóa/thay thế, "
            f"hoặc đã quá {settings.retain_days} ngày lưu giữ)."
        )
    current = {d.doc_id: d for d in store.documents()}.get(kept.doc_id)
    if current and current.doc_hash == kept.manifest.get("doc_hash"):
        raise InputError(f"Tài liệu '{kept.doc_id}' trong kho đã đúng là bản được lưu ở mục {entry}.")
    replaced = snapshot(store, kept.doc_id) if current else None  # the version it replaces is kept too
    chunks = restore(store, kept)
    log.record(
        user.name,
        "restore",
        kept.doc_id,
        chunks=chunks,
        content_hash=str(kept.manifest.get("doc_hash", "")),
        detail=f"Khôi phục từ mục nhật ký {entry}: {kept.manifest.get('title', '')}",
        snapshot=replaced,
        retain_days=settings.retain_days,
    )
    return kept.doc_id, chunks


def audit_rows(user: User, settings: Settings) -> list[dict]:
    require(user, Permission.MANAGE_DOCUMENTS)
    return audit_log(settings).rows()


def audit_csv(user: User, settings: Settings) -> str:
    require(user, Permission.MANAGE_DOCUMENTS)
    return audit_log(settings).to_csv()
