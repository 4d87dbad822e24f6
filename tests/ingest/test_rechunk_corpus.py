"""The bundled corpus stored by another version of the chunking is cut again at start-up from its files, with
every vector from the shipped embedding cache (a fresh clone computes none), and the rebuilt store answers
from exactly the chunks a fresh store has."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Settings
from assistant.store.chroma import Store
from ingest.pipeline import ensure_corpus
from ingest.rechunk import start_up


def _chunks(store: Store) -> list[tuple[str, str, str, str, str]]:
    return [(c.doc_id, c.clause_key, c.clause_label, c.text, c.chunker) for c in store.chunks()]


def test_start_up_rebuilds_the_bundled_corpus_with_no_new_embedding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = Store(Settings(data_dir=tmp_path / "moi"))
    ensure_corpus(fresh, fresh.settings)

    settings = Settings(data_dir=tmp_path / "cu")
    with monkeypatch.context() as older:
        older.setattr("ingest.chunking.chunker_version", lambda tokens: "phien-ban-cu")
        ensure_corpus(Store(settings), settings)
    store = Store(settings)
    assert {c.chunker for c in store.chunks()} == {"phien-ban-cu"}

    rebuilt = start_up(store, settings)
    assert rebuilt.left == []
    assert sorted(r.doc_id for r in rebuilt.results if r.rechunked) == [d.doc_id for d in fresh.documents()]
    assert store.embeddings.embedded_count == 0  # every passage and sentence from the shipped cache
    assert _chunks(store) == _chunks(fresh)
    assert store.uncommitted() == 0
    assert start_up(store, settings).results == []  # done once
