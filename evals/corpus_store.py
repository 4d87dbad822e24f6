"""A store of its own for an eval corpus other than the bundled one.

`python -m evals run --corpus FOLDER` answers from the documents of FOLDER, not from the user's store:
every document file of the folder is ingested into a Chroma collection named after the folder's resolved
path (`eval-<12 hex of its sha256>`), in the same data folder, so the content-hash embedding cache is
shared and nothing is embedded twice. A re-run reuses the collection: unchanged files are skipped by the
pipeline, and documents no longer in the folder are removed. The user's collection is never written.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from assistant import Assistant, Settings, Store
from assistant.core.errors import InputError
from assistant.store.embeddings import E5Embeddings
from evals.dataset import DEFAULT_CORPUS
from ingest.pipeline import IngestResult, Progress, ingest, prepare, remove

COLLECTION_PREFIX = "eval-"


@dataclass(frozen=True)
class SyncReport:
    """What bringing an eval store in line with its folder did."""

    collection: str
    results: list[IngestResult] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def embedded(self) -> int:
        return sum(r.embedded for r in self.results)

    def summary(self) -> str:
        """One Vietnamese line for stderr."""
        counts: dict[str, int] = {}
        for r in self.results:
            counts[r.status] = counts.get(r.status, 0) + 1
        names = {
            "added": "đã thêm",
            "updated": "đã cập nhật",
            "unchanged": "không đổi",
            "duplicate": "trùng nội dung",
        }
        parts = [f"{n} {names[s]}" for s, n in counts.items()]
        if self.removed:
            parts.append(f"{len(self.removed)} đã xóa")
        stored = sum(1 for r in self.results if r.status != "duplicate")
        return (
            f"Kho đánh giá '{self.collection}': {stored} tài liệu ({', '.join(parts) or 'không có'}), "
            f"{self.embedded} đoạn và câu mới tính embedding."
        )


def is_default_corpus(folder: Path) -> bool:
    """True for the bundled corpus, which the user's own store holds."""
    return folder.resolve() == DEFAULT_CORPUS.resolve()


def collection_for(folder: Path) -> str:
    """The collection of an eval corpus: `eval-` and 12 hex digits of the sha256 of its resolved path."""
    digest = hashlib.sha256(str(folder.resolve()).encode("utf-8")).hexdigest()
    return f"{COLLECTION_PREFIX}{digest[:12]}"


def corpus_settings(settings: Settings, folder: Path) -> Settings:
    """The settings of a folder's eval store: same data folder (and Chroma server), own collection,
    never auto-ingesting the bundled corpus."""
    return settings.model_copy(
        update={"collection": collection_for(folder), "auto_ingest": False, "corpus_dir": folder.resolve()}
    )


def sync_corpus(assistant: Assistant, folder: Path, progress: Progress | None = None) -> SyncReport:
    """Make the assistant's store hold exactly the document files of the folder.

    Every file is read and chunked before anything is written (a broken file stops the run with the
    store untouched); documents no longer in the folder go first, so a renamed file is not taken for a
    duplicate of its old self.
    """
    store = assistant.store
    documents = prepare([folder], assistant.settings)
    wanted = {d.doc_id for d in documents}
    removed = [d.doc_id for d in store.documents() if d.doc_id not in wanted]
    for doc_id in removed:
        remove(store, doc_id)
    results = ingest(store, documents, progress)
    return SyncReport(assistant.settings.collection, results, removed)


def eval_assistant(
    folder: Path,
    settings: Settings,
    progress: Progress | None = None,
    embeddings: E5Embeddings | None = None,
) -> tuple[Assistant, SyncReport]:
    """An assistant over the folder's own eval store, brought in line with the folder first.

    `embeddings`: an embedder to share (one already loaded on the same data folder), else a new one.
    """
    own = corpus_settings(settings, folder)
    if own.collection == settings.collection:  # only if someone named their own store like an eval store
        raise InputError(f"Collection '{own.collection}' của người dùng trùng tên kho đánh giá; hãy đổi tên.")
    assistant = Assistant(own, store=Store(own, embeddings))
    report = sync_corpus(assistant, folder, progress)
    return assistant, report
