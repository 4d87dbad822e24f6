"""kill -9 in the middle of an ingest: the store stays consistent and a re-run completes."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assistant import Settings, Store
from ingest.pipeline import ingest, prepare
from tests.conftest import PROJECT, FakeEmbeddings

# The child ingests with the fake embedder and kills itself (SIGKILL) when the Nth chunk batch is written.
CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from assistant import Settings, Store
    from ingest.pipeline import ingest, prepare
    from tests.conftest import FakeEmbeddings

    data, doc, die_after = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    settings = Settings(data_dir=data)
    store = Store(settings, FakeEmbeddings())
    upsert, calls = store.collection.upsert, []

    def dying_upsert(**kwargs):
        upsert(**kwargs)
        calls.append(1)
        if len(calls) == die_after:
            os.kill(os.getpid(), signal.SIGKILL)

    store.vectorstore._collection.upsert = dying_upsert
    ingest(store, prepare([doc], settings))
    """
)


def _document(path: Path, version: str, articles: int = 200) -> Path:
    path.write_text(
        "\n\n".join(
            f"Điều {n}. Quy định số {n}\n\nNội dung {version} của điều {n} về công vụ."
            for n in range(1, articles)
        ),
        encoding="utf-8",
    )
    return path


def _kill_during_ingest(data: Path, doc: Path, die_after: int) -> None:
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(data), str(doc), str(die_after)], cwd=PROJECT, capture_output=True
    )
    assert child.returncode == -signal.SIGKILL, child.stderr.decode()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


def _consistent(store: Store) -> None:
    """Every visible document is whole, no chunk id appears twice, and search works."""
    chunks = store.chunks()
    assert len({c.id for c in chunks}) == len(chunks)
    for doc in store.documents():
        assert sum(c.doc_id == doc.doc_id for c in chunks) == doc.chunks
    if chunks:
        hits = store.dense_search(store.embeddings.embed_query_vector("Nội dung của điều 5 về công vụ"), 5)
        assert hits and {i for i, _ in hits} <= {c.id for c in chunks}


def test_a_new_document_is_invisible_until_complete(settings: Settings, tmp_path: Path) -> None:
    doc = _document(tmp_path / "quy-dinh.txt", "gốc")
    _kill_during_ingest(settings.data_dir, doc, die_after=2)
    store = Store(settings, FakeEmbeddings())
    assert store.collection.count() > 0  # half of it was written…
    assert store.documents() == [] and store.chunks() == []  # …and none of it is visible
    (result,) = ingest(store, prepare([doc], settings))
    assert result.status == "added"
    _consistent(store)
    assert store.collection.count() == store.count() == result.chunks


def test_an_interrupted_update_keeps_the_old_version_whole(settings: Settings, tmp_path: Path) -> None:
    doc = _document(tmp_path / "quy-dinh.txt", "gốc")
    store = Store(settings, FakeEmbeddings())
    (first,) = ingest(store, prepare([doc], settings))
    _document(doc, "sửa đổi")
    _kill_during_ingest(settings.data_dir, doc, die_after=2)
    store = Store(settings, FakeEmbeddings())
    _consistent(store)
    assert all("gốc" in c.text or "Quy định" in c.text for c in store.chunks())
    assert store.count() == first.chunks
    (second,) = ingest(store, prepare([doc], settings))
    assert second.status == "updated"
    _consistent(store)
    assert not any("gốc" in c.text for c in store.chunks())
    assert store.collection.count() == second.chunks  # the old version and the orphans are gone
