"""The store keeps the source text of every document it writes (ingest.sources), so a later chunking can cut
it again without the file: kept while a document has it, and KH32_RETAIN_DAYS after it is replaced or
removed (as long as the audit trail keeps the document's copy), then deleted."""

from __future__ import annotations

import os
import time
from pathlib import Path

from assistant import Settings, Store
from ingest.loaders import load_document
from ingest.pipeline import ingest, prepare, remove
from ingest.sources import kept

LONG_AGO = time.time() - 400 * 86400


def _write(store: Store, folder: Path, text: str) -> str:
    """Ingest `text` as quy-che.txt; returns its hash."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "quy-che.txt"
    path.write_text(text, encoding="utf-8")
    ingest(store, prepare([path], store.settings))
    return load_document(path).content_hash


def _source(settings: Settings, content_hash: str) -> Path:
    return Path(settings.data_dir) / "sources" / f"{content_hash}.json"


def _age(settings: Settings, content_hash: str) -> None:
    os.utime(_source(settings, content_hash), (LONG_AGO, LONG_AGO))


def test_the_text_is_kept_exactly_and_privately(fake_store: Store, tmp_path: Path) -> None:
    settings = fake_store.settings
    text = "TITLE: Quy chế\n---\nĐiều 1. Phạm vi\n\n1. Quy chế áp dụng cho công chức.\n"
    first = _write(fake_store, tmp_path / "a", text)
    loaded = kept(settings, first)
    original = load_document(tmp_path / "a" / "quy-che.txt")
    assert loaded is not None
    assert (loaded.text, loaded.body_start, loaded.meta, loaded.path.name) == (
        original.text,
        original.body_start,
        original.meta,
        "quy-che.txt",
    )
    assert _source(settings, first).stat().st_mode & 0o777 == 0o600
    _source(settings, first).write_text(
        '{"text": "khác", "file": "quy-che.txt", "body_start": 0, "meta": {}}'
    )
    assert kept(settings, first) is None  # a text that is not the one stored is never used


def test_a_replaced_or_removed_text_is_kept_for_the_retention_period(
    fake_store: Store, tmp_path: Path
) -> None:
    settings = fake_store.settings
    first = _write(fake_store, tmp_path / "a", "Điều 1. Phạm vi\n\n1. Bản thứ nhất.\n")
    _age(settings, first)  # uploaded long ago: in use, so kept however old
    second = _write(fake_store, tmp_path / "b", "Điều 1. Phạm vi\n\n1. Bản thứ hai.\n")
    assert kept(settings, first) is not None  # replaced just now: kept for restoring and rebuilding
    _age(settings, first)
    _age(settings, second)
    third = _write(fake_store, tmp_path / "c", "Điều 1. Phạm vi\n\n1. Bản thứ ba.\n")
    assert kept(settings, first) is None  # replaced long ago: deleted at the next write
    assert kept(settings, second) is not None and kept(settings, third) is not None
    remove(fake_store, "quy-che")
    _age(settings, second)
    _write(fake_store, tmp_path / "d", "Điều 1. Phạm vi\n\n1. Bản thứ tư.\n")
    assert kept(settings, third) is not None  # removed just now
    assert kept(settings, second) is None
