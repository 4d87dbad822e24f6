"""An assistant over a folder of documents in a store of its own (never the user's collection)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from assistant import Assistant
from assistant.settings import Settings
from ingest.pipeline import ingest, prepare, remove


def library_assistant(folder: Path, settings: Settings) -> Assistant:
    """An Assistant whose store holds exactly the documents of folder (ingested once, kept between runs)."""
    digest = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:12]
    own = settings.model_copy(update={"collection": f"eval-{digest}", "auto_ingest": False})
    assistant = Assistant(own)
    documents = prepare([folder], own)
    ingest(assistant.store, documents)
    for stale in {d.doc_id for d in assistant.store.documents()} - {d.doc_id for d in documents}:
        remove(assistant.store, stale)
    return assistant
