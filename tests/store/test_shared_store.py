"""Many processes on one embedded store (no Chroma server): the chat and the CLI on one machine.

- a long-lived Assistant (as the chat holds one) answers from a document that a CLI `ingest` process
  wrote after the Assistant had read the store, without a restart;
- a long-lived `ask --jsonl` process keeps answering, with no error, while an `ingest` process writes;
- two `ingest` processes at once: the second waits for the first (and says so), every document ends whole.

The waiting is made deterministic by the test holding the store's write lock itself until both
writers have reported that they wait.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from assistant import Assistant, Settings, Store
from assistant.store.writelock import write_lock
from ingest.pipeline import ensure_corpus, prepare
from tests.store.test_processes import (
    NEW_DOC,
    NEW_QUESTION,
    UNRELATED,
    Process,
    Session,
    _new_document,
    processes,
)

TIMEOUT = 300


def _env(data_dir: Path) -> dict[str, str]:
    """A subprocess environment on the embedded store in `data_dir`, without any LLM variable."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("OPENAI_", "KH32_LLM_", "KH32_CHROMA_"))
    }
    env.update(PYTHONUTF8="1", KH32_ENV_FILE=os.devnull, KH32_DEBUG="1", KH32_DATA_DIR=str(data_dir))
    return env


def _second_document(path: Path, articles: int = 70) -> Path:
    parts = [f"Điều {n}. Khoản {n}\n\nQuy định thứ {n} về bảo quản tài liệu mật." for n in range(1, articles)]
    parts.append(f"Điều {articles}. Thời hạn\n\nTài liệu mật được kiểm kê mỗi 6 tháng một lần.")
    path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return path


def _wait_for(process: Process, text: str) -> str:
    """Poll the process's stderr until it contains `text` (the process must still be running)."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        stderr = process.stderr_path.read_text(encoding="utf-8", errors="replace")
        if text in stderr:
            return stderr
        assert process.popen.poll() is None, process.report()
        time.sleep(0.2)
    pytest.fail(f"{text!r} never appeared: {process.report()}")


@pytest.fixture
def corpus(tmp_path: Path) -> Settings:
    settings = Settings(data_dir=tmp_path / "data")
    ensure_corpus(Store(settings), settings)
    return settings


def test_a_running_assistant_answers_what_a_cli_ingest_added(corpus: Settings, tmp_path: Path) -> None:
    assistant = Assistant(corpus)
    baseline = assistant.ask(UNRELATED)
    before = assistant.ask(NEW_QUESTION)
    assert NEW_DOC not in {c.doc for c in before.citations}
    document = _new_document(tmp_path / f"{NEW_DOC}.txt")
    with processes(tmp_path / "logs") as group:
        writer = group.spawn("ingest", ["ingest", str(document)], _env(corpus.data_dir))
        assert writer.wait() == 0, writer.report()
    after = assistant.ask(NEW_QUESTION)  # the same object: no restart
    assert after.citations and after.citations[0].doc == NEW_DOC, after.text
    assert "30 ngày" in after.text
    assert assistant.ask(UNRELATED).text == baseline.text
    # and a removal by another process is seen as well
    with processes(tmp_path / "logs2") as group:
        remover = group.spawn("remove", ["ingest", "--remove", NEW_DOC], _env(corpus.data_dir))
        assert remover.wait() == 0, remover.report()
    gone = assistant.ask(NEW_QUESTION)
    assert NEW_DOC not in {c.doc for c in gone.citations}
    assert NEW_DOC not in {d.doc_id for d in assistant.store.documents()}


def test_a_session_keeps_answering_while_another_process_ingests(corpus: Settings, tmp_path: Path) -> None:
    document = _new_document(tmp_path / f"{NEW_DOC}.txt")
    with processes(tmp_path / "logs") as group:
        session = Session(group.spawn("session", ["ask", "--jsonl"], _env(corpus.data_dir), True))
        baseline = session.ask(UNRELATED)["answer"]
        writer = group.spawn("ingest", ["ingest", str(document)], _env(corpus.data_dir))
        during = 0
        while writer.popen.poll() is None or during == 0:
            # Session.ask fails the test on an error line: every answer during the write must be clean.
            question = UNRELATED if during % 2 == 0 else NEW_QUESTION
            answer = session.ask(question)
            if question == UNRELATED:
                assert answer["answer"] == baseline
            during += 1
        assert writer.wait() == 0, writer.report()
        after = session.ask(NEW_QUESTION)
        assert after["citations"] and after["citations"][0]["doc"] == NEW_DOC, after
        session.close()
    print(f"\n{during + 2} answers from a session, {during} of them while another process ingested")


def test_two_writers_wait_for_each_other_and_both_documents_end_whole(
    corpus: Settings, tmp_path: Path
) -> None:
    first = _new_document(tmp_path / f"{NEW_DOC}.txt")
    second = _second_document(tmp_path / "bao-quan.txt")
    expected = {d.doc_id: len(d.chunks) for d in prepare([first, second], corpus)}
    assert min(expected.values()) > 64, "each document should need two ingest batches"
    with processes(tmp_path / "logs") as group:
        # Holding the lock here makes both writers wait, whatever the timing.
        with write_lock(corpus.data_dir, timeout=TIMEOUT):
            writers = [
                group.spawn(f"ingest-{n}", ["ingest", str(path)], _env(corpus.data_dir))
                for n, path in enumerate((first, second))
            ]
            for writer in writers:
                _wait_for(writer, "đang chờ")
        for writer in writers:
            assert writer.wait() == 0, writer.report()
            assert "đang ghi vào kho dữ liệu" in writer.stderr_path.read_text(encoding="utf-8")
    store = Store(corpus)
    documents = {d.doc_id: d.chunks for d in store.documents()}
    assert {k: documents[k] for k in expected} == expected
    chunks = store.chunks()
    assert len({c.id for c in chunks}) == len(chunks) == store.collection.count() == sum(documents.values())
    assert store.uncommitted() == 0


def test_threads_of_one_process_also_write_one_at_a_time(tmp_path: Path) -> None:
    """The chat's sessions are threads of one process: their writes queue like other processes' do."""
    import threading

    log: list[tuple[str, int]] = []
    inside = threading.Event()

    def first() -> None:
        with write_lock(tmp_path, timeout=TIMEOUT):
            log.append(("in", 1))
            inside.set()
            while ("wait", 2) not in log:  # hold the lock until the second writer has said it waits
                time.sleep(0.01)
            log.append(("out", 1))

    def second() -> None:
        inside.wait()
        with write_lock(tmp_path, timeout=TIMEOUT, wait=lambda message: log.append(("wait", 2))):
            log.append(("in", 2))

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert log == [("in", 1), ("wait", 2), ("out", 1), ("in", 2)]
    with write_lock(tmp_path, timeout=TIMEOUT), write_lock(tmp_path, timeout=TIMEOUT) as again:
        assert again  # re-entrant in the thread that holds it


def test_a_writer_that_waits_too_long_gives_up_with_a_message(tmp_path: Path) -> None:
    import threading

    from assistant.core.errors import StoreError

    held, done = threading.Event(), threading.Event()

    def holder() -> None:
        with write_lock(tmp_path, timeout=TIMEOUT):
            held.set()
            done.wait(TIMEOUT)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(TIMEOUT)
    try:
        with pytest.raises(StoreError, match="KH32_WRITE_LOCK_TIMEOUT"), write_lock(tmp_path, timeout=0.2):
            pass
    finally:
        done.set()
        thread.join(TIMEOUT)


@pytest.mark.parametrize("step", ["after the document list", "after the chunk list"])
def test_a_reader_that_catches_a_write_halfway_reads_again(tmp_path: Path, step: str) -> None:
    """Another writer changes the store while a reader is between two of its reads (injected at that
    point, not timed): the reader reads again and answers from the store as it is, never from half.

    After the document list, the writer replaces a document (the list names the old version, whose
    chunks are gone); after the chunk list, it removes one (the list holds chunks whose vectors are gone).
    """
    from ingest.pipeline import ingest, remove
    from tests.conftest import FakeEmbeddings

    settings = Settings(data_dir=tmp_path / "data", auto_ingest=False)
    reader = Store(settings, FakeEmbeddings())
    second = _second_document(tmp_path / "bao-quan.txt")
    ingest(reader, prepare([_new_document(tmp_path / f"{NEW_DOC}.txt"), second], settings))
    writer = Store(settings, FakeEmbeddings())
    fired: list[str] = []

    def write() -> None:
        fired.append(step)
        if step == "after the document list":
            second.write_text(second.read_text(encoding="utf-8").replace("6 tháng", "3 tháng"), "utf-8")
            ingest(writer, prepare([second], settings))
        else:
            remove(writer, "bao-quan")

    def race(read, before: bool):  # type: ignore[no-untyped-def]
        def racing(*args, **kwargs):  # type: ignore[no-untyped-def]
            if before and not fired:
                write()
            result = read(*args, **kwargs)
            if not fired:
                write()
            return result

        return racing

    if step == "after the document list":
        reader.documents = race(reader.documents, before=False)  # type: ignore[method-assign]
    else:
        reader._snapshot._vectors = race(reader._snapshot._vectors, before=True)  # type: ignore[method-assign]
    chunks = reader.chunks()
    assert fired == [step]
    assert len(chunks) == reader.collection.count()
    if step == "after the document list":
        assert {c.doc_id for c in chunks} == {NEW_DOC, "bao-quan"}
        assert any("3 tháng" in c.text for c in chunks) and not any("6 tháng" in c.text for c in chunks)
    else:
        assert {c.doc_id for c in chunks} == {NEW_DOC}
