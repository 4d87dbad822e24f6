"""The version of the chunking (ingest.version) is derived from what decides the chunks, so nobody has to
remember to bump it: it moves when the chunking's code, a data file it reads or the chunk size changes, and
stays put for comments, docstrings, formatting, the file loaders and data files the chunking never reads."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import ingest.version as version
from assistant import Settings
from ingest.loaders import load_document
from ingest.pipeline import prepared_document
from tests.conftest import CORPUS, PROJECT


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the project's code and data that ingest.version reads instead of the real one."""
    root = tmp_path / "project"
    for package in ("assistant", "ingest"):
        shutil.copytree(
            PROJECT / package, root / package, ignore=shutil.ignore_patterns("__pycache__", "corpus")
        )
    monkeypatch.setattr(version, "PROJECT_ROOT", root)
    monkeypatch.setattr(version, "DATA", root / "assistant" / "data")
    version.code_fingerprint.cache_clear()
    yield root
    version.code_fingerprint.cache_clear()


def _after(project: Path, path: str, change: Callable[[str], str]) -> str:
    """The version once the project file `path` is changed by `change`."""
    before = version.chunker_version(300)
    file = project / path
    file.write_text(change(file.read_text(encoding="utf-8")), encoding="utf-8")
    version.code_fingerprint.cache_clear()
    after = version.chunker_version(300)
    assert len(after) == 16
    return "moved" if after != before else "same"


@pytest.mark.parametrize(
    ("path", "change", "expected"),
    [
        # the chunking's own code, and code it imports two steps away
        ("ingest/chunking.py", lambda s: s.replace("max_tokens: int", "max_tokens: int = 300", 1), "moved"),
        ("assistant/language/parts.py", lambda s: s + "\nEXTRA = 1\n", "moved"),
        ("ingest/structure.py", lambda s: s.replace("\n\n\ndef ", "\n\n\n# a new comment\ndef ", 1), "same"),
        ("ingest/structure.py", lambda s: s.replace('"""', '"""Reworded. ', 1), "same"),
        ("ingest/loaders.py", lambda s: s + "\nEXTRA = 1\n", "same"),  # the source text, not the chunking
        ("ingest/pipeline.py", lambda s: s + "\nEXTRA = 1\n", "same"),  # not imported by the chunking
        ("assistant/data/document_parts.tsv", lambda s: s + "\n# x\nthêm\tdòng\n", "moved"),  # read by parts
        ("assistant/data/answer_decision.json", lambda s: s + " ", "same"),  # never read by the chunking
    ],
)
def test_the_version_moves_with_what_decides_the_chunks(
    project: Path, path: str, change: Callable[[str], str], expected: str
) -> None:
    assert _after(project, path, change) == expected


def test_the_chunk_size_is_part_of_the_version() -> None:
    assert version.chunker_version(300) != version.chunker_version(200)


def test_chunks_carry_the_version_and_another_version_gives_other_ids(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The chunks of one text cut by two versions never share an id, so the old ones stay committed until
    the new ones replace them."""
    settings = Settings()
    loaded = load_document(CORPUS / "ke-hoach-32-KH-BCSD.txt")
    now = prepared_document(loaded, settings)
    assert (
        {c.chunker for c in now.chunks} == {version.chunker_version(settings.chunk_tokens)} == {now.chunker}
    )
    monkeypatch.setattr("ingest.chunking.chunker_version", lambda tokens: "khac")
    other = prepared_document(loaded, settings)
    assert [c.text for c in other.chunks] == [c.text for c in now.chunks]
    assert not {c.id for c in other.chunks} & {c.id for c in now.chunks}
