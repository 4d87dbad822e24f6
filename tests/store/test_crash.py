"""kill -9 in the middle of an ingest: the store stays consistent and a re-run completes."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assistant import Settings, Store
from ingest.chunking import doc_id_for
from ingest.pipeline import bundled_corpus, ensure_corpus, ingest, prepare, remove
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


# The child runs a job and kills itself right after its Nth write to the store (a chunk batch, a commit
# record, a deletion, a generation bump…); it exits normally, printing the number of writes, when the job
# needs fewer. Deterministic: the same N cuts the job at the same place every time.
STEP_CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from assistant import Settings, Store
    from ingest.pipeline import ensure_corpus, ingest, prepare
    from tests.conftest import FakeEmbeddings

    data, die_after, job = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    settings = Settings(data_dir=data, auto_ingest=job == "corpus")
    store = Store(settings, FakeEmbeddings())
    steps = []

    def dying(write):
        def step(*args, **kwargs):
            result = write(*args, **kwargs)
            steps.append(1)
            if len(steps) == die_after:
                os.kill(os.getpid(), signal.SIGKILL)
            return result
        return step

    for collection in (store.collection, store.manifest, store.removed):
        for name in ("upsert", "delete", "modify"):
            setattr(collection, name, dying(getattr(collection, name)))
    if job == "corpus":
        ensure_corpus(store, settings)
    else:
        ingest(store, prepare([Path(job)], settings))
    print(len(steps))
    """
)


def _run_until(data: Path, die_after: int, job: str) -> int | None:
    """Run the job, killed after write number `die_after`; None when it was killed, else its write count."""
    child = subprocess.run(
        [sys.executable, "-c", STEP_CHILD, str(data), str(die_after), job],
        cwd=PROJECT,
        capture_output=True,
        text=True,
    )
    if child.returncode == -signal.SIGKILL:
        return None
    assert child.returncode == 0, child.stderr
    return int(child.stdout.split()[-1])


def test_a_crash_between_the_commit_and_the_deletion_leaves_no_stale_chunks(
    settings: Settings, tmp_path: Path
) -> None:
    doc = _document(tmp_path / "quy-dinh.txt", "gốc", articles=40)
    store = Store(settings, FakeEmbeddings())
    ingest(store, prepare([doc], settings))
    _document(doc, "sửa đổi", articles=40)
    # Writes of the update: one chunk batch, the commit record, "not removed any more", then the old
    # chunks' deletion: the kill comes right after the commit record.
    assert _run_until(settings.data_dir, 3, str(doc)) is None
    store = Store(settings, FakeEmbeddings())
    _consistent(store)
    assert all("sửa đổi" in c.text or "Quy định" in c.text for c in store.chunks())  # committed: new
    assert store.uncommitted() > 0  # the old version's chunks are still there…
    (again,) = ingest(store, prepare([doc], settings))
    assert again.status == "unchanged"
    assert store.uncommitted() == 0  # …and the next ingest collected them
    assert store.collection.count() == store.count()


def test_a_start_up_collects_what_a_crash_left(settings: Settings, tmp_path: Path) -> None:
    doc = _document(tmp_path / "quy-dinh.txt", "gốc")
    _kill_during_ingest(settings.data_dir, doc, die_after=2)
    store = Store(settings, FakeEmbeddings())
    assert store.uncommitted() == store.collection.count() > 0
    quiet = Settings(data_dir=settings.data_dir, auto_ingest=False)
    assert ensure_corpus(store, quiet) == []
    assert store.collection.count() == store.uncommitted() == 0


def test_a_first_run_killed_at_any_step_is_completed_by_the_next_start(tmp_path: Path) -> None:
    bundled = {doc_id_for(p) for p in bundled_corpus(Settings())}
    expected = {d.doc_id: len(d.chunks) for d in prepare(bundled_corpus(Settings()), Settings())}
    killed = 0
    for step in range(1, 200):
        data = tmp_path / f"run-{step}"
        writes = _run_until(data, step, "corpus")
        if writes is not None:  # the first run needs fewer writes: every step has been cut
            assert writes == step - 1
            break
        killed += 1
        settings = Settings(data_dir=data)
        store = Store(settings, FakeEmbeddings())
        _consistent(store)
        ensure_corpus(store, settings)  # a normal start
        documents = {d.doc_id: d.chunks for d in store.documents()}
        assert documents == expected, f"killed after write {step}"
        assert set(documents) == bundled
        assert store.uncommitted() == 0 and store.collection.count() == sum(expected.values())
        _consistent(store)
    assert killed >= len(bundled) * 3
    print(f"\nfirst run killed at each of its {killed} writes; every next start completed the corpus")


def test_a_bundled_document_removed_on_purpose_stays_removed(settings: Settings) -> None:
    store = Store(settings, FakeEmbeddings())
    ensure_corpus(store, settings)
    remove(store, "hien-phap-2013")
    assert ensure_corpus(store, settings) == []
    assert "hien-phap-2013" not in {d.doc_id for d in store.documents()}
    # Ingested again by hand, it is an ordinary document once more (and comes back after a crash).
    (path,) = [p for p in bundled_corpus(settings) if p.stem == "hien-phap-2013"]
    ingest(store, prepare([path], settings))
    assert store.removed_ids() == set()
