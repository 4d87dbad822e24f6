"""`python -m evals ARGS` run in the test's own process, over a given assistant."""

from __future__ import annotations

import sys

import pytest

from assistant import Assistant
from evals import cli


def evals_main(monkeypatch: pytest.MonkeyPatch, assistant: Assistant | None, *args: str) -> int:
    """`python -m evals ARGS` in this process (over `assistant` when given); its exit code."""
    if assistant is not None:
        monkeypatch.setattr(cli, "_assistant", lambda: assistant)
    monkeypatch.setattr(sys, "argv", ["evals", *args])
    try:
        cli.main()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0
