"""Two ingests at once: embedding holds no lock, so a second ingest does not wait for the first one's
embedding (issue 23, item 9); the write lock is taken for the writing only, and what was checked before
the embedding (identity, what the store holds) is checked again under it.

The first ingest's embedding is held on an event (its encoder blocks on the document's texts), not timed:
the second ingest must commit while the first is still embedding. On the old code, where the lock was
taken before the embedding, the second ingest waited for the first one's whole embedding.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from assistant import DocumentError, Settings, Store
from ingest.documents import ingest_paths
from ingest.pipeline import ingest, prepare
from tests.roles import ADMIN

TIMEOUT = 120  # seconds a test waits for a thread before it fails
SECOND_COMMITS_WITHIN = 20  # seconds the second ingest may take while the first one is embedding


def _document(path: Path, title: str, topic: str, articles: int = 80) -> Path:
    """More chunks than one ingest batch (64), each naming `topic`."""
    body = "\n\n".join(f"Điều {n}. Quy định {n}\n\nNội dung thứ {n} về {topic}." for n in range(1, articles))
    path.write_text(f"TITLE: {title}\n---\n\n{body}\n", encoding="utf-8")
    return path


@contextmanager
def held_embedding(store: Store, marker: str) -> Iterator[tuple[threading.Event, threading.Event]]:
    """The store's encoder blocks on any batch with `marker` until released: (started, release). Released
    on exit whatever happens, so a failing test never leaves a thread stuck."""
    encoder = store.embeddings.encoder  # type: ignore[attr-defined]  (FakeEmbeddings)
    passage = encoder.passage
    started, release = threading.Event(), threading.Event()

    def blocking(texts: list[str]):
        if any(marker in t for t in texts):
            started.set()
            if not release.wait(TIMEOUT):
                release.set()  # held once, not once per batch
        return passage(texts)

    encoder.passage = blocking
    try:
        yield started, release
    finally:
        release.set()
        encoder.passage = passage


def _in_thread(job: Callable[[], object]) -> tuple[threading.Thread, dict[str, object]]:
    """Run job on a thread; its result or exception lands in the returned dict."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["result"] = job()
        except Exception as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def _committed(store: Store) -> set[str]:
    return {d.doc_id for d in store.documents()}


def test_a_second_ingest_commits_while_the_first_is_still_embedding(
    fake_store: Store, tmp_path: Path
) -> None:
    settings = Settings(data_dir=fake_store.settings.data_dir)
    first = prepare([_document(tmp_path / "luu-tru.txt", "Quy chế lưu trữ", "hồ sơ lưu trữ Alpha")], settings)
    second = prepare([_document(tmp_path / "bao-mat.txt", "Quy chế bảo mật", "tài liệu mật Beta")], settings)
    with held_embedding(fake_store, "Alpha") as (started, release):
        first_thread, first_outcome = _in_thread(lambda: ingest(fake_store, first))
        assert started.wait(TIMEOUT), first_outcome
        second_thread, second_outcome = _in_thread(lambda: ingest(fake_store, second))
        second_thread.join(SECOND_COMMITS_WITHIN)
        assert not second_thread.is_alive(), "the second ingest waited for the first one's embedding"
        assert "error" not in second_outcome, second_outcome
        assert _committed(fake_store) >= {"bao-mat"} and "luu-tru" not in _committed(fake_store)
        assert first_thread.is_alive()  # still embedding: nothing of it is visible
        assert not any(c.doc_id == "luu-tru" for c in fake_store.chunks())
        release.set()
        first_thread.join(TIMEOUT)
    assert not first_thread.is_alive() and "error" not in first_outcome, first_outcome
    assert _committed(fake_store) >= {"bao-mat", "luu-tru"}
    documents = {d.doc_id: d.chunks for d in fake_store.documents()}
    assert documents["luu-tru"] == len(first[0].chunks) and documents["bao-mat"] == len(second[0].chunks)
    assert fake_store.collection.count() == fake_store.count() and fake_store.uncommitted() == 0


def test_a_look_alike_committed_during_the_embedding_is_refused_under_the_lock(
    fake_store: Store, tmp_path: Path
) -> None:
    """Both files claim one title; the one that commits first wins, the other is refused when it takes
    the lock (the check before its embedding saw no such document), and nothing of it is written."""
    settings = Settings(data_dir=fake_store.settings.data_dir)
    slow = _document(tmp_path / "quy-che-a.txt", "Quy chế công tác văn thư", "văn thư Alpha")
    quick = _document(tmp_path / "quy-che-b.txt", "Quy chế công tác văn thư", "văn thư Beta")
    with held_embedding(fake_store, "Alpha") as (started, release):
        slow_thread, slow_outcome = _in_thread(lambda: ingest_paths(ADMIN, fake_store, settings, [slow]))
        assert started.wait(TIMEOUT), slow_outcome
        quick_thread, quick_outcome = _in_thread(lambda: ingest_paths(ADMIN, fake_store, settings, [quick]))
        quick_thread.join(SECOND_COMMITS_WITHIN)
        assert not quick_thread.is_alive(), "the second ingest waited for the first one's embedding"
        (result,) = quick_outcome["result"]  # type: ignore[misc]
        assert result.status == "added"
        release.set()
        slow_thread.join(TIMEOUT)
    error = slow_outcome.get("error")
    assert isinstance(error, DocumentError), slow_outcome
    assert "quy-che-b" in error.message and "tự nhận là" in error.message
    assert "quy-che-a" not in _committed(fake_store)
    assert fake_store.collection.get(where={"doc_id": "quy-che-a"}, include=[])["ids"] == []


@pytest.mark.parametrize("cache", [True, False])
def test_what_was_embedded_before_the_lock_is_not_embedded_again(
    fake_store: Store, tmp_path: Path, cache: bool
) -> None:
    """Each passage is embedded once per ingest, cache or no cache (vectors are kept until the write)."""
    if not cache:
        fake_store.embeddings.cache = None
    settings = Settings(data_dir=fake_store.settings.data_dir)
    documents = prepare([_document(tmp_path / "luu-tru.txt", "Quy chế lưu trữ", "hồ sơ lưu trữ")], settings)
    calls = fake_store.embeddings.encoder.calls  # type: ignore[attr-defined]
    (result,) = ingest(fake_store, documents)
    passages = [c.passage for c in documents[0].chunks]
    assert sorted(t for t in calls if t in set(passages)) == sorted(set(passages))
    assert result.embedded == len(calls)
