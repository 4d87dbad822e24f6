"""A store whose chunks an older version of the chunking made gets the new structure and labels without
anyone uploading its documents again: `python -m assistant docs` (as every start) cuts them again from the
text the store keeps, or from the bundled corpus's file; a document with neither stays as it was, with a
notice; a failure halfway leaves the old chunks; `docs --rechunk` rebuilds every document by hand.

"An older version" is simulated: the chunking as it was before it knew the signature block (no "Phần ký";
the signer's lines fall into the last clause), with a version marker of its own.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from assistant import Settings
from assistant.store.chroma import Store
from assistant.store.embeddings import E5Embeddings
from ingest.structure import StructureParser
from tests.cli.test_cli import assert_ok, listing, run_cli
from tests.conftest import PROJECT

SOURCE = PROJECT / "evals" / "corpora" / "standard" / "quyet-dinh-215-QD-UBND.txt"
DOC = "quyet-dinh-215"
SIGNER = "Ai ký Quyết định 215/QĐ-UBND?"
NO_BUNDLE = {"KH32_AUTO_INGEST": "false"}


@contextmanager
def older_chunking() -> Iterator[None]:
    """The chunking as an older version made it: no signature block, and another version marker."""
    with (
        mock.patch.object(StructureParser, "_opens_signature", lambda self, para: False),
        mock.patch("ingest.chunking.chunker_version", lambda tokens: "phien-ban-cu", create=True),
    ):
        yield


def _file(folder: Path) -> Path:
    """The decision in the standard layout, as an admin would upload it (no TITLE line)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{DOC}.txt"
    path.write_text(SOURCE.read_text(encoding="utf-8").split("---\n", 1)[1], encoding="utf-8")
    return path


def _labels(store: Path) -> dict[str, str]:
    """Chunk id -> clause label of the committed chunks."""
    return {c.id: c.clause_label for c in Store(Settings(data_dir=store)).chunks()}


def _listed(store: Path) -> str:
    """What `docs` lists, taken as the older version would (a `docs` of this version rebuilds first)."""
    with older_chunking():
        return listing(store)


def _old_store(tmp_path: Path, keep_source: bool = True) -> Path:
    """A store with the decision uploaded under the older chunking; its file gone afterwards."""
    store = tmp_path / "store"
    path = _file(tmp_path / "upload")
    with older_chunking():
        assert_ok(run_cli("ingest", str(path), data_dir=store, env=NO_BUNDLE))
        before = run_cli("ask", SIGNER, data_dir=store, env=NO_BUNDLE)
    assert_ok(before)
    assert "Phần ký" not in before.stdout  # the older chunking had no such part
    path.unlink()
    if not keep_source:  # a store written before the texts were kept
        shutil.rmtree(store / "sources", ignore_errors=True)
    return store


def test_docs_rebuilds_an_uploaded_document_from_its_kept_text(tmp_path: Path) -> None:
    store = _old_store(tmp_path)
    old = _labels(store)
    docs = run_cli("docs", data_dir=store, env=NO_BUNDLE)
    assert_ok(docs)
    assert f"{DOC}: đã dựng lại các đoạn theo phiên bản mới" in docs.stderr
    assert "Phần ký" in set(_labels(store).values()) and "Phần ký" not in set(old.values())
    asked = run_cli("ask", SIGNER, data_dir=store, env=NO_BUNDLE)
    assert_ok(asked)
    assert "Phần ký" in asked.stdout and "Trần Thị Minh Hà" in asked.stdout
    audit = run_cli("audit", data_dir=store, env=NO_BUNDLE)
    assert "Dựng lại các đoạn" in audit.stdout and DOC in audit.stdout
    again = run_cli("docs", data_dir=store, env=NO_BUNDLE)  # done once: the next start has nothing to do
    assert_ok(again)
    assert "dựng lại" not in again.stderr


def test_start_up_rebuilds_a_bundled_document_from_its_file(tmp_path: Path) -> None:
    """A store filled by the auto-ingest of an older version (which kept no texts) is rebuilt from the
    corpus folder's file, whose text is the one stored."""
    store = tmp_path / "store"
    corpus = {"KH32_CORPUS_DIR": str(_file(tmp_path / "corpus").parent)}
    with older_chunking():
        assert_ok(run_cli("docs", data_dir=store, env=corpus))
    shutil.rmtree(store / "sources", ignore_errors=True)
    assert "Phần ký" not in set(_labels(store).values())
    asked = run_cli("ask", SIGNER, data_dir=store, env=corpus)  # any start rebuilds first
    assert_ok(asked)
    assert f"{DOC}: đã dựng lại các đoạn" in asked.stderr
    assert "Phần ký" in asked.stdout and "Trần Thị Minh Hà" in asked.stdout


def test_a_document_with_no_source_left_is_kept_with_a_notice(tmp_path: Path) -> None:
    store = _old_store(tmp_path, keep_source=False)
    old = _labels(store)
    listed = _listed(store)
    docs = run_cli("docs", data_dir=store, env=NO_BUNDLE)
    assert_ok(docs)
    assert f"Lưu ý: Tài liệu '{DOC}' vẫn giữ các đoạn do phiên bản cũ" in docs.stderr
    assert "Traceback" not in docs.stderr
    assert _labels(store) == old and _listed(store) == listed  # nothing lost, nothing changed
    # Uploading the same file again (unchanged text) now rebuilds it instead of skipping it.
    again = run_cli("ingest", str(_file(tmp_path / "upload")), data_dir=store, env=NO_BUNDLE)
    assert_ok(again)
    assert f"{DOC}: đã dựng lại các đoạn" in again.stdout
    assert "Phần ký" in set(_labels(store).values())
    assert "Nạp lại cùng tệp: dựng lại các đoạn" in run_cli("audit", data_dir=store, env=NO_BUNDLE).stdout
    assert "Lưu ý" not in run_cli("docs", data_dir=store, env=NO_BUNDLE).stderr


class _NoCommit:
    """The manifest collection, whose writes fail (the disk died after the new chunks were written)."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def upsert(self, **_: Any) -> None:
        raise RuntimeError("ổ đĩa lỗi")


def _failing_embedding(*_: Any, **__: Any) -> Any:
    raise RuntimeError("ổ đĩa lỗi")


@pytest.mark.parametrize("where", ["embedding", "commit"])
def test_a_failed_rebuild_keeps_the_old_chunks_and_says_so(where: str, tmp_path: Path) -> None:
    store = _old_store(tmp_path)
    old = _labels(store)
    listed = _listed(store)
    failure = (
        mock.patch.object(E5Embeddings, "embed_passages", _failing_embedding)
        if where == "embedding"
        else mock.patch.object(Store, "manifest", property(lambda self: _NoCommit(self._connection.manifest)))
    )
    with failure:
        failed = run_cli("docs", data_dir=store, env=NO_BUNDLE)
    assert failed.returncode != 0
    message = failed.stderr.splitlines()[-1]  # after the progress bar
    assert message.startswith("Lỗi: Không dựng lại được các đoạn theo phiên bản mới")
    assert "Các đoạn cũ" in message and "Traceback" not in failed.stderr
    assert _labels(store) == old and _listed(store) == listed
    # The next start finishes the job (and collects what the failed one wrote).
    assert_ok(run_cli("docs", data_dir=store, env=NO_BUNDLE))
    assert "Phần ký" in set(_labels(store).values())
    assert Store(Settings(data_dir=store)).uncommitted() == 0


def test_docs_rechunk_rebuilds_every_document_by_hand(tmp_path: Path) -> None:
    """After a change the version does not see (a library's new release), an admin rebuilds all."""
    store = tmp_path / "store"
    assert_ok(run_cli("ingest", str(_file(tmp_path / "upload")), data_dir=store, env=NO_BUNDLE))
    before = _labels(store)
    assert "dựng lại" not in run_cli("docs", data_dir=store, env=NO_BUNDLE).stderr  # current already
    forced = run_cli("docs", "--rechunk", data_dir=store, env=NO_BUNDLE)
    assert_ok(forced)
    assert f"{DOC}: đã dựng lại các đoạn" in forced.stderr
    assert _labels(store) == before  # the same chunking makes the same chunks
    audit = run_cli("audit", data_dir=store, env=NO_BUNDLE)
    assert "Dựng lại các đoạn" in audit.stdout and "cli:" in audit.stdout
