"""The classroom benchmark: N trainees on one chat server at the same moment (prints figures, not a test).

It starts the real chat server (`streamlit run ui/app.py`) on the bundled corpus in a temporary data folder,
opens N sessions in Debian's chromium (one browser, one context per session, all at once), asks each session
a few questions from the bundled eval set, and prints:
- page ready: seconds from opening the address to the chat box, p50/p95;
- answer on screen: seconds from pressing Enter to the finished answer ("Đã tra cứu …"), p50/p95;
- the server's CPU seconds for the page loads and per answered question, beside the answer's own compute
  (the same questions asked through `Assistant.ask` in this process, CPU seconds), and their ratio;
- the server's RSS after the run.

Run: .venv/bin/python -m evals.classroom --sessions 1 10 30 [--questions 2] [--before OLD_CHECKOUT]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playwright.async_api import Browser, async_playwright

from assistant import Assistant, Settings
from evals.bench import ensure_corpus_store

PROJECT = Path(__file__).resolve().parent.parent
QUESTIONS = PROJECT / "evals" / "datasets" / "qa.jsonl"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def questions(count: int) -> list[str]:
    """The first answerable stand-alone questions of the bundled eval set."""
    items = [json.loads(line) for line in QUESTIONS.open(encoding="utf-8")]
    chosen = [i["question"] for i in items if i.get("answerable") and not i.get("history")]
    return chosen[:count]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its waited-for children (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return (utime + stime + cutime + cstime) / CLOCK_TICKS


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_command(port: int) -> list[str]:
    """The chat server as `make chat` starts it (ui/serve.py picks Streamlit's options)."""
    return [sys.executable, "-m", "ui.serve", str(port)]


@contextmanager
def chat_server(
    data: Path, command: Callable[[int], list[str]] = serve_command, tree: Path = PROJECT
) -> Iterator[tuple[str, int]]:
    """The chat server of the project in tree on 127.0.0.1 over the store in data (no accounts, no LLM);
    yields (url, pid). Another tree (an older checkout) gives before/after figures in one run."""
    port = free_port()
    env = {**os.environ, "KH32_DATA_DIR": str(data), "PYTHONPATH": str(tree)}
    for name in ("OPENAI_BASE_URL", "KH32_LLM_BASE_URL", "KH32_ADDRESS"):
        env.pop(name, None)
    log = (data / "streamlit.log").open("w")
    process = subprocess.Popen(command(port), cwd=tree, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                log_text = (data / "streamlit.log").read_text()
                raise SystemExit(f"Máy chủ trò chuyện không khởi động được:\n{log_text}")
            time.sleep(0.3)
        yield url, process.pid  # ui.serve replaces itself with Streamlit: same process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
            return reply.status == 200
    except OSError:
        return False


async def _session(browser: Browser, url: str, go: asyncio.Event, asked: list[str], figures: Figures) -> None:
    """Open the chat, wait for the signal, then ask the questions one after another."""
    context = await browser.new_context()
    page = await context.new_page()
    started = time.perf_counter()
    await page.goto(url, timeout=300_000)
    box = page.get_by_test_id("stChatInputTextArea")
    await box.wait_for(timeout=300_000)
    figures.ready.append(time.perf_counter() - started)
    await go.wait()
    for n, question in enumerate(asked):
        await box.fill(question)
        started = time.perf_counter()
        await box.press("Enter")
        answer = page.get_by_test_id("stChatMessage").nth(2 * n + 1)
        await answer.get_by_text("Đã tra cứu").wait_for(timeout=300_000)
        figures.answered.append(time.perf_counter() - started)
    await context.close()


@dataclass
class Figures:
    ready: list[float] = field(default_factory=list)
    answered: list[float] = field(default_factory=list)
    cpu_page_loads: float = 0.0
    cpu_answers: float = 0.0
    rss_mb: float = 0.0


async def _classroom(url: str, pid: int, sessions: int, asked: list[str]) -> Figures:
    """One session asks first (the server loads its model and indexes, as a server that has been running
    has). Then all sessions open the page at once; when every one is ready, all ask at once. CPU is read
    between."""
    figures = Figures()
    go = asyncio.Event()
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        warm = asyncio.Event()
        warm.set()
        await _session(browser, url, warm, asked[:1], Figures())  # the server loads the model and indexes
        before = cpu_seconds(pid)
        runs = [asyncio.create_task(_session(browser, url, go, asked, figures)) for _ in range(sessions)]
        while len(figures.ready) < sessions:
            await asyncio.sleep(0.1)
            for run in runs:
                if run.done() and run.exception():
                    raise run.exception()  # type: ignore[misc]
        await asyncio.sleep(1.0)  # let the last page's run finish on the server
        figures.cpu_page_loads = cpu_seconds(pid) - before
        before = cpu_seconds(pid)
        go.set()
        await asyncio.gather(*runs)
        figures.cpu_answers = cpu_seconds(pid) - before
        figures.rss_mb = rss_mb(pid)
        await browser.close()
    return figures


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def own_compute(data: Path, asked: list[str]) -> float:
    """CPU seconds of one answer in this process (warm), averaged over the asked questions."""
    assistant = Assistant(Settings(data_dir=data))
    for question in asked:
        assistant.ask(question)  # warm: model, indexes
    started = time.process_time()
    for question in asked:
        assistant.ask(question)
    return (time.process_time() - started) / len(asked)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m evals.classroom", description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 10, 30], help="số phiên cùng lúc")
    parser.add_argument("--questions", type=int, default=2, help="số câu hỏi mỗi phiên")
    parser.add_argument(
        "--before",
        type=Path,
        help="bản checkout cũ của dự án: đo nó xen kẽ với bản này, trong cùng một lần chạy",
    )
    args = parser.parse_args()
    if not shutil.which("chromium"):
        raise SystemExit("Cần chromium (apt-get install chromium) để chạy phép đo lớp học.")
    asked = questions(args.questions)
    with tempfile.TemporaryDirectory(prefix="kh32-classroom-") as folder:
        data = Path(folder)
        ensure_corpus_store(data)
        compute = own_compute(data, asked)
        print(f"answer's own compute (warm Assistant.ask here): {compute * 1000:.0f} ms CPU per question")
        trees = [("before", args.before), ("after", PROJECT)] if args.before else [("", PROJECT)]
        for n in args.sessions:
            for label, tree in trees:
                with chat_server(data, tree=tree) as (url, pid):
                    figures = asyncio.run(_classroom(url, pid, n, asked))
                print(f"N={n:>3} {label}: {_summary(figures, compute)}", flush=True)


def _summary(figures: Figures, compute: float) -> str:
    per_answer = figures.cpu_answers / len(figures.answered)
    return (
        f"page ready p50 {statistics.median(figures.ready):.1f} s "
        f"p95 {_percentile(figures.ready, 0.95):.1f} s; "
        f"answer on screen p50 {statistics.median(figures.answered):.2f} s "
        f"p95 {_percentile(figures.answered, 0.95):.2f} s ({len(figures.answered)} answers); "
        f"server CPU {figures.cpu_page_loads:.1f} s for the page loads, "
        f"{per_answer:.3f} s per answered question = {per_answer / compute:.1f}x the answer's own; "
        f"RSS {figures.rss_mb:.0f} MB"
    )


if __name__ == "__main__":
    main()
