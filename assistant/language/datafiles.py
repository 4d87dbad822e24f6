"""The one loader of the knowledge kept as data (assistant/data/): word lists, patterns, fitted models."""

from __future__ import annotations

from importlib import resources


def data_bytes(name: str) -> bytes:
    """A data file's bytes ("common_vi.txt", "answer_decision.json")."""
    return resources.files("assistant").joinpath("data", name).read_bytes()


def data_text(name: str) -> str:
    """A data file's text (UTF-8)."""
    return data_bytes(name).decode("utf-8")


def data_lines(name: str) -> list[str]:
    """A data file's lines that say something: blank lines and comments (lines starting with #) left out."""
    return [line for line in data_text(name).splitlines() if line.strip() and not line.startswith("#")]
