"""Separate processes against one Chroma server: chat sessions at once, and an ingest while they ask.

The thread version of these checks is tests/store/test_concurrency.py. Here every session is a real
`python -m assistant` process (its own interpreter, model and embedding cache, its own KH32_DATA_DIR)
talking to a `chroma run` server on 127.0.0.1, so the only thing the processes share is the server:

- eight `ask --json` processes started at once each get the answer and citations a lone session gets
  for their own question (a crossed answer would fail);
- a long-lived `ask --jsonl` process keeps answering while an `ingest` process writes a new document
  in two batches: it never sees the half-written document, it sees the whole one once committed, and
  `docs` then lists it once with its chunk count.

Every process writes its stdout and stderr to files (no pipe can fill up and stall it); a failing
assertion shows the process's exit code and stderr (KH32_DEBUG=1 keeps tracebacks), and every process
still running when a test ends, passes or fails, is killed.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from assistant import Assistant, Settings, Store
from evals.bench import chroma_server
from ingest.pipeline import ensure_corpus, prepare
from tests.conftest import PROJECT
from tests.store.test_concurrency import QUESTIONS, Key, answer_key

HOST = "127.0.0.1"
COLLECTION = "procs"
TIMEOUT = 300  # seconds any one process, or any one answer, may take before the test gives up

# The document the ingest process writes: more chunks than one ingest batch (ingest.pipeline._BATCH = 64),
# so the first batch sits in the store, uncommitted, while the second one is embedded.
NEW_DOC = "quy-che-moi"
ARTICLES = 80
NEW_QUESTION = "Hồ sơ lưu trữ được số hóa trong vòng bao nhiêu ngày?"
UNRELATED = QUESTIONS[0]


def _json_key(item: dict[str, Any]) -> Key:
    """The same, from the JSON the CLI prints."""
    return (item["answer"], item["refused"], tuple(c["label"] for c in item["citations"]))


def _settings(data_dir: Path, port: int, collection: str) -> Settings:
    return Settings(data_dir=data_dir, chroma_host=HOST, chroma_port=port, collection=collection)


def _env(data_dir: Path, port: int, collection: str) -> dict[str, str]:
    """A subprocess environment: this one without any LLM variable, pointed at the server."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("OPENAI_", "KH32_LLM_"))}
    env.update(
        PYTHONUTF8="1",
        KH32_ENV_FILE=os.devnull,  # no developer .env (it might name an LLM endpoint)
        KH32_DEBUG="1",  # an unexpected error prints its traceback on stderr
        KH32_DATA_DIR=str(data_dir),
        KH32_CHROMA_HOST=HOST,
        KH32_CHROMA_PORT=str(port),
        KH32_COLLECTION=collection,
    )
    return env


@dataclass
class Process:
    """A `python -m assistant` subprocess whose stdout and stderr go to files."""

    name: str
    popen: subprocess.Popen[str]
    stdout_path: Path | None
    stderr_path: Path

    def wait(self) -> int:
        return self.popen.wait(timeout=TIMEOUT)

    def stdout(self) -> str:
        assert self.stdout_path is not None
        return self.stdout_path.read_text(encoding="utf-8")

    def report(self) -> str:
        """Exit code and stderr, for an assertion message."""
        stderr = self.stderr_path.read_text(encoding="utf-8", errors="replace")
        return f"process {self.name!r} (exit code {self.popen.poll()}), stderr:\n{stderr[-4000:]}"


@dataclass
class Processes:
    """The processes a test started, with a folder for their logs."""

    logs: Path
    started: list[Process] = field(default_factory=list)

    def spawn(self, name: str, args: list[str], env: dict[str, str], stdout_pipe: bool = False) -> Process:
        """Start `python -m assistant ARGS`; with stdout_pipe, stdin and stdout are pipes (a session)."""
        self.logs.mkdir(parents=True, exist_ok=True)
        stderr_path = self.logs / f"{name}.stderr"
        stdout_path = None if stdout_pipe else self.logs / f"{name}.stdout"
        with stderr_path.open("w", encoding="utf-8") as stderr:
            if stdout_path is None:
                popen = subprocess.Popen(
                    [sys.executable, "-m", "assistant", *args],
                    cwd=PROJECT,
                    env=env,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=stderr,
                    text=True,
                    encoding="utf-8",
                    bufsize=1,
                )
            else:
                with stdout_path.open("w", encoding="utf-8") as stdout:
                    popen = subprocess.Popen(
                        [sys.executable, "-m", "assistant", *args],
                        cwd=PROJECT,
                        env=env,
                        stdin=subprocess.DEVNULL,
                        stdout=stdout,
                        stderr=stderr,
                        text=True,
                        encoding="utf-8",
                    )
        process = Process(name, popen, stdout_path, stderr_path)
        self.started.append(process)
        return process


@contextmanager
def processes(logs: Path) -> Iterator[Processes]:
    """Processes that are killed (each by its own handle) if still running when the block ends."""
    group = Processes(logs)
    try:
        yield group
    finally:
        for process in group.started:
            if process.popen.poll() is None:
                process.popen.kill()
            process.popen.wait(timeout=30)
            if process.popen.stdin is not None:
                process.popen.stdin.close()  # (a session's stdout is closed by its reader thread)


class Session:
    """A long-lived `ask --jsonl` process: one question per line in, one JSON answer per line out."""

    def __init__(self, process: Process) -> None:
        self.process = process
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.asked = 0
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        """Read stdout on a thread, so that a hung process is a timeout, not a hung test."""
        assert self.process.popen.stdout is not None
        with self.process.popen.stdout as stdout:  # closed here, once the process has ended
            for line in stdout:
                self.lines.put(line)
        self.lines.put(None)

    def ask(self, question: str) -> dict[str, Any]:
        popen = self.process.popen
        assert popen.stdin is not None
        self.asked += 1
        line = json.dumps({"id": self.asked, "question": question}, ensure_ascii=False)
        try:
            popen.stdin.write(line + "\n")
            popen.stdin.flush()
        except BrokenPipeError:
            pytest.fail(f"the session process is gone: {self.process.report()}")
        try:
            out = self.lines.get(timeout=TIMEOUT)
        except queue.Empty:
            pytest.fail(f"no answer to {question!r} within {TIMEOUT} s: {self.process.report()}")
        if out is None:
            popen.wait(timeout=30)
            pytest.fail(f"the session process ended before answering {question!r}: {self.process.report()}")
        item = json.loads(out)
        assert item.get("id") == self.asked and "error" not in item, (item, self.process.report())
        return item

    def close(self) -> None:
        """End the session (end of stdin) and check it exits cleanly."""
        assert self.process.popen.stdin is not None
        self.process.popen.stdin.close()
        assert self.process.wait() == 0, self.process.report()


@dataclass(frozen=True)
class Server:
    """A Chroma server holding the bundled corpus in COLLECTION, and what a lone session answers."""

    port: int
    expected: dict[str, Key]
    chunks: int


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("procs")
    with chroma_server(folder) as port:
        settings = _settings(folder / "lone", port, COLLECTION)
        assistant = Assistant(settings)
        assert {r.status for r in ensure_corpus(assistant.store, settings)} == {"added"}
        expected = {q: answer_key(assistant.ask(q)) for q in QUESTIONS}
        # Eight different answers (one a refusal), so that a crossed answer cannot go unnoticed.
        assert len(set(expected.values())) == len(QUESTIONS)
        assert [refused for _, refused, _ in expected.values()].count(True) == 1
        yield Server(port, expected, assistant.store.count())


def test_eight_processes_against_the_server_get_their_own_answers(server: Server, tmp_path: Path) -> None:
    with processes(tmp_path / "logs") as group:
        asks = [
            group.spawn(
                f"ask-{n}", ["ask", q, "--json"], _env(tmp_path / f"data-{n}", server.port, COLLECTION)
            )
            for n, q in enumerate(QUESTIONS)
        ]
        for process in asks:
            process.wait()
        got: dict[str, Key] = {}
        for process, question in zip(asks, QUESTIONS, strict=True):
            assert process.popen.returncode == 0, process.report()
            item = json.loads(process.stdout())
            assert item["question"] == question, process.report()
            got[question] = _json_key(item)
    assert got == server.expected
    # The store was not empty, so no process ingested the corpus again.
    assert Store(_settings(tmp_path / "check", server.port, COLLECTION)).count() == server.chunks


def _new_document(path: Path) -> Path:
    """ARTICLES articles; only the last one says how soon records are digitised."""
    articles = [
        f"Điều {n}. Quy định {n}\n\nNội dung thứ {n} của quy chế mới về lưu trữ hồ sơ."
        for n in range(1, ARTICLES)
    ]
    articles.append(
        f"Điều {ARTICLES}. Số hóa\n\nHồ sơ lưu trữ được số hóa trong vòng 30 ngày kể từ ngày tiếp nhận."
    )
    path.write_text("\n\n".join(articles) + "\n", encoding="utf-8")
    return path


def _half_written(store: Store) -> bool:
    """Some chunks of the new document are in the store, but the document is not committed yet."""
    stored = store.collection.get(where={"doc_id": NEW_DOC}, include=[])["ids"]
    return bool(stored) and NEW_DOC not in {d.doc_id for d in store.documents()}


def test_processes_keep_answering_while_another_process_ingests(server: Server, tmp_path: Path) -> None:
    collection = "procs-ingest"  # its own collection: the other test's store is left as it was
    settings = _settings(tmp_path / "lone", server.port, collection)
    store = Assistant(settings).store
    ensure_corpus(store, settings)
    corpus = store.documents()
    document = _new_document(tmp_path / f"{NEW_DOC}.txt")
    new_chunks = len(prepare([document], settings)[0].chunks)
    assert new_chunks > 64, "the document should need two ingest batches"
    baseline = server.expected[UNRELATED]  # same content as COLLECTION, so the same answer

    with processes(tmp_path / "logs") as group:
        session = Session(
            group.spawn(
                "session", ["ask", "--jsonl"], _env(tmp_path / "reader", server.port, collection), True
            )
        )
        assert _json_key(session.ask(UNRELATED)) == baseline, session.process.report()
        before = session.ask(NEW_QUESTION)
        assert NEW_DOC not in {c["doc"] for c in before["citations"]}

        writer = group.spawn(
            "ingest", ["ingest", str(document)], _env(tmp_path / "writer", server.port, collection)
        )
        # Alternate an unrelated question and one about the new document while the writer runs.
        during: list[tuple[str, Key, bool]] = []  # (question, answer, asked and answered mid-write)
        while writer.popen.poll() is None or not during:
            question = UNRELATED if len(during) % 2 == 0 else NEW_QUESTION
            half_before = _half_written(store)
            answer = _json_key(session.ask(question))
            during.append((question, answer, half_before and _half_written(store)))
        assert writer.wait() == 0, writer.report()
        assert writer.stdout().startswith(f"{NEW_DOC}: đã thêm ({new_chunks} đoạn"), writer.report()
        listing = group.spawn("docs", ["docs"], _env(tmp_path / "lister", server.port, collection))

        after = session.ask(NEW_QUESTION)
        assert after["citations"] and after["citations"][0]["doc"] == NEW_DOC, after
        assert "30 ngày" in after["answer"], after
        assert _json_key(session.ask(UNRELATED)) == baseline, session.process.report()
        session.close()

        # The unrelated question never changed; the new one was answered either from the corpus alone
        # or from the whole new document (never from part of it), and once from it, always from it.
        states = [_json_key(before), _json_key(after)]
        assert [a for q, a, _ in during if q == UNRELATED] == [baseline] * len(during[::2])
        seen = [states.index(a) if a in states else -1 for q, a, _ in during if q == NEW_QUESTION]
        assert -1 not in seen and seen == sorted(seen), during

        assert listing.wait() == 0, listing.report()
        rows = [line.split("\t") for line in listing.stdout().splitlines()]
        ids = [row[0] for row in rows]
        assert len(ids) == len(set(ids)), listing.stdout()
        assert {row[0]: row[1] for row in rows} == {
            **{d.doc_id: f"{d.chunks} đoạn" for d in corpus},
            NEW_DOC: f"{new_chunks} đoạn",
        }

    # No chunk twice, none left over: the store holds exactly the corpus and the new document.
    assert len(store.collection.get(where={"doc_id": NEW_DOC}, include=[])["ids"]) == new_chunks
    assert store.collection.count() == store.count() == sum(d.chunks for d in corpus) + new_chunks
    # How much the answers overlapped the write depends on timing, so it is reported, not asserted.
    mid_write = sum(1 for *_, half in during if half)
    from_new = seen.count(1)
    print(
        f"\n{len(during)} answers during the ingest, {mid_write} while it was half-written, "
        f"{from_new} of {len(seen)} about the new document already answered from it"
    )
