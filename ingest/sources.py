"""The source text of every stored document, kept in the data folder so that its chunks can be made again
by a later version of the chunking (ingest.rechunk) without the original file.

One private file per text (`sources/<sha256 of the text>.json`: the text as loaded, where its body starts,
its header fields and the file name), written before the document's chunks commit. A text no committed
document has any more is kept as long as the audit trail keeps removed and replaced documents
(KH32_RETAIN_DAYS), so a restored document can be rebuilt too.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Collection
from contextlib import suppress
from pathlib import Path

from assistant.core.files import write_private
from assistant.core.settings import Settings
from ingest.loaders import LoadedDocument

FOLDER = "sources"


def _folder(settings: Settings) -> Path:
    return Path(settings.data_dir) / FOLDER


def _path(settings: Settings, content_hash: str) -> Path:
    return _folder(settings) / f"{content_hash}.json"


def keep(settings: Settings, loaded: LoadedDocument) -> None:
    """Keep a loaded document's text (once per text; written whole or not at all)."""
    path = _path(settings, loaded.content_hash)
    if path.exists():
        os.utime(path)  # in use again: not collected before KH32_RETAIN_DAYS from now
        return
    record = {
        "file": loaded.path.name,
        "text": loaded.text,
        "body_start": loaded.body_start,
        "meta": loaded.meta,
    }
    write_private(path, json.dumps(record, ensure_ascii=False).encode("utf-8"))


def release(settings: Settings, content_hash: str) -> None:
    """A text no committed document has any more (replaced, removed): kept from now for KH32_RETAIN_DAYS,
    as long as the audit trail keeps the document's copy (a restored document can be rebuilt too)."""
    with suppress(OSError):
        os.utime(_path(settings, content_hash))


def kept(settings: Settings, content_hash: str) -> LoadedDocument | None:
    """The kept text of this hash as a loaded document; None when none is kept or it does not match."""
    try:
        record = json.loads(_path(settings, content_hash).read_text(encoding="utf-8"))
        text = record["text"]
        loaded = LoadedDocument(
            Path(record["file"]), text, int(record["body_start"]), dict(record["meta"]), content_hash
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != content_hash:
        return None
    return loaded


def collect(settings: Settings, in_use: Collection[str]) -> int:
    """Delete the kept texts no committed document has (`in_use`: their hashes) that were last written or
    released (see release) more than KH32_RETAIN_DAYS ago; returns how many. Under the write lock."""
    folder = _folder(settings)
    if not folder.is_dir():
        return 0
    cutoff = time.time() - settings.retain_days * 86400
    deleted = 0
    for path in folder.glob("*.json"):
        with suppress(OSError):
            if path.stem not in in_use and path.stat().st_mtime < cutoff:
                path.unlink()
                deleted += 1
    return deleted
