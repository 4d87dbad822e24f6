"""Benchmarks that print figures (not timed tests): ingest throughput, re-ingest, answer latency, cold start.

Run: .venv/bin/python -m evals.bench
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from assistant import Assistant, Settings
from assistant.embeddings import E5Embeddings
from ingest.pipeline import bundled_corpus, ingest, prepare

DEV = Path(__file__).parent / "datasets" / "dev.jsonl"


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


def bench_cold_start() -> None:
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "assistant", "ask", "Nhiệm vụ thứ tư của kế hoạch là gì?"]
        env = {"KH32_DATA_DIR": folder, "PATH": "/usr/bin:/bin"}
        started = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        first = time.perf_counter() - started
        started = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        second = time.perf_counter() - started
    print(f"cold start, empty store → first answer (auto-ingest with the shipped cache): {first:.1f} s")
    print(f"cold start, existing store → answer (new process): {second:.1f} s")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        bench_ingest(Path(folder))
        bench_answers(Path(folder))
    bench_cold_start()


if __name__ == "__main__":
    main()
