"""The same ingest and answer code against a Chroma server (HttpClient) started on 127.0.0.1."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import Assistant, Settings, Store
from evals.bench import chroma_server
from ingest.pipeline import ensure_corpus, ingest, prepare, remove
from tests.conftest import FakeEmbeddings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def chroma_server_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    with chroma_server(tmp_path_factory.mktemp("chroma-server")) as port:
        yield port


def test_ingest_and_answer_through_the_server(chroma_server_port: int, tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, chroma_host="127.0.0.1", chroma_port=chroma_server_port, collection="srv"
    )
    assistant = Assistant(settings)
    assert {r.status for r in ensure_corpus(assistant.store, settings)} == {"added"}
    answer = assistant.ask("Nhiệm vụ thứ tư của kế hoạch là gì?")
    assert answer.citations[0].label == "KH 32-KH/BCSĐ, Nhiệm vụ thứ tư"
    # A second client (as another process would have) sees the same documents.
    other = Store(settings)
    assert [d.doc_id for d in other.documents()] == [d.doc_id for d in assistant.store.documents()]


def test_a_write_through_one_client_is_seen_by_another(chroma_server_port: int, tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, chroma_host="127.0.0.1", chroma_port=chroma_server_port, collection="two"
    )
    writer = Store(settings, FakeEmbeddings())
    reader = Store(settings, FakeEmbeddings())
    assert reader.chunks() == []
    path = tmp_path / "quy-che.txt"
    path.write_text("Điều 1. Phạm vi\n\nQuy chế này áp dụng cho cán bộ.\n", encoding="utf-8")
    ingest(writer, prepare([path], settings))
    assert [c.doc_id for c in reader.chunks()] == ["quy-che"]
    remove(writer, "quy-che")
    assert reader.chunks() == []


def test_a_dead_server_is_a_clear_store_error(tmp_path: Path) -> None:
    from assistant import StoreError

    settings = Settings(data_dir=tmp_path, chroma_host="127.0.0.1", chroma_port=_free_port())
    with pytest.raises(StoreError, match="Không mở được kho dữ liệu Chroma"):
        Store(settings)
