"""Fixtures of the write side's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import Assistant, Settings
from ingest.pipeline import ensure_corpus


@pytest.fixture
def shared(tmp_path: Path) -> Assistant:
    """The real assistant over a fresh copy of the bundled corpus (vectors from the shipped cache)."""
    settings = Settings(data_dir=tmp_path / "kho")
    assistant = Assistant(settings)
    ensure_corpus(assistant.store, settings)
    return assistant
