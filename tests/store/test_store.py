"""Dense search: exact over in-memory vectors for small stores, Chroma's HNSW index for large ones."""

from __future__ import annotations

import chromadb.api.client
import pytest

from assistant import Assistant, Store
from assistant.store import snapshot as snapshot_module


def test_exact_and_hnsw_search_agree_on_the_corpus(
    corpus_assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = corpus_assistant.store
    vector = store.embeddings.embed_query_vector("cải cách hành chính có mấy trụ cột")
    exact = store.dense_search(vector, 5)
    monkeypatch.setattr(snapshot_module, "EXACT_SEARCH_LIMIT", 0)
    fresh = Store(store.settings, store.embeddings)
    approximate = fresh.dense_search(vector, 5)
    assert [i for i, _ in exact][:3] == [i for i, _ in approximate][:3]
    assert exact[0][1] == pytest.approx(approximate[0][1], abs=1e-4)
    assert fresh.dense_search(vector, 0) == [] == store.dense_search(vector, 0)


def test_the_store_is_read_in_pages(corpus_assistant: Assistant, monkeypatch: pytest.MonkeyPatch) -> None:
    store = corpus_assistant.store
    whole = [c.id for c in store.chunks()]
    monkeypatch.setattr(snapshot_module, "_PAGE", 7)  # Chroma fails on one query over ~30k records
    paged = Store(store.settings, store.embeddings)
    assert [c.id for c in paged.chunks()] == whole
    assert [d.doc_id for d in paged.documents()] == [d.doc_id for d in store.documents()]


def test_opening_an_existing_store_only_reads(
    corpus_assistant: Assistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chroma's get-or-create takes SQLite's write lock: a write that failed half-way on a full disk may
    still hold it, and a reader opening the store then waited or failed ("database is locked")."""
    store = corpus_assistant.store

    def writes(*args: object, **kwargs: object) -> None:
        raise AssertionError("opening an existing store asked Chroma to create a collection")

    monkeypatch.setattr(chromadb.api.client.Client, "get_or_create_collection", writes)
    monkeypatch.setattr(chromadb.api.client.Client, "create_collection", writes)
    reader = Store(store.settings, store.embeddings)
    assert [d.doc_id for d in reader.documents()] == [d.doc_id for d in store.documents()]
    assert len(reader.chunks()) == len(store.chunks())
