"""Browser tests' shared pieces: the app in a Streamlit process on 127.0.0.1, and Debian's chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PROJECT

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_command(port: int, *extra: str) -> list[str]:
    """`streamlit run ui/app.py` on 127.0.0.1:port, headless, with extra options."""
    return [
        sys.executable, "-m", "streamlit", "run", "ui/app.py", "--server.headless", "true",
        "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
        *extra,
    ]  # fmt: skip


@contextmanager
def streamlit_server(command: list[str], port: int, data: Path, env: dict[str, str]) -> Iterator[str]:
    """Run command (with env over ours, no LLM configured unless env names one) until /_stcore/health
    answers; yield its URL.

    The server's output goes to data/streamlit.log, shown when it fails to start; it is stopped on exit.
    """
    given = env
    env = {**os.environ, "KH32_DATA_DIR": str(data), **env}
    for name in ("OPENAI_BASE_URL", "KH32_LLM_BASE_URL"):
        if name not in given:  # an LLM only when the test names one (a scripted server)
            env.pop(name, None)
    log_path = data / "streamlit.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while not _healthy(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"Streamlit did not start:\n{log_path.read_text()}")
                time.sleep(0.3)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
            return reply.status == 200
    except OSError:
        return False


@contextmanager
def chromium() -> Iterator[object]:
    """Debian's chromium driven by Playwright (never `playwright install`), closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def screenshot(page: Any, folder: Path, name: str) -> None:
    """A PNG of the page in folder (test-output/…), once expanders have finished opening."""
    folder.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(400)
    page.screenshot(path=folder / f"{name}.png")


def idle(page: Any) -> None:
    """Wait until the page's Streamlit run has ended (its status widget is gone)."""
    page.wait_for_function("!document.querySelector('[data-testid=stStatusWidget]')")


def sign_in(browser: Any, url: str, name: str, password: str, path: str = "") -> Any:
    """A page of a new browser context, signed in as `name` with the app's sign-in form at `url` and then
    at `url/path`, once its run has ended."""
    page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{url}/{path}")
    page.get_by_role("heading", name="Đăng nhập", exact=True).wait_for()
    page.get_by_label("Tên đăng nhập").fill(name)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_text(f"Đăng nhập: {name}").wait_for()
    idle(page)
    return page
