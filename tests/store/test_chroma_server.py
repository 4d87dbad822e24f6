"""The same ingest and answer code against a Chroma server (HttpClient) started on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from assistant import Assistant, Settings, Store, StoreError
from evals.bench import chroma_server
from ingest.pipeline import ensure_corpus, ingest, prepare, remove
from tests.browser_app import free_port
from tests.conftest import FakeEmbeddings
from tests.store.token_proxy import ProxyLog, token_proxy


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

    port = free_port()
    settings = Settings(data_dir=tmp_path, chroma_host="127.0.0.1", chroma_port=port)
    with pytest.raises(StoreError) as info:
        Store(settings)
    assert str(info.value) == (
        f"Không kết nối được máy chủ Chroma 127.0.0.1:{port}: không có máy chủ nào trả lời ở địa chỉ này "
        "(kiểm tra KH32_CHROMA_HOST, KH32_CHROMA_PORT)."
    )


# --- an auth token, checked by a proxy in front of the server (Chroma 1.x leaves auth to one) ---------

TOKEN = "kh32-Secret_token.42"


@pytest.fixture(scope="module")
def guarded_port(chroma_server_port: int) -> Iterator[tuple[int, ProxyLog]]:
    with token_proxy(chroma_server_port, TOKEN) as guarded:
        yield guarded


def _guarded(tmp_path: Path, port: int, token: str | None) -> Settings:
    return Settings(
        data_dir=tmp_path,
        chroma_host="127.0.0.1",
        chroma_port=port,
        collection="guarded",
        chroma_auth_token=SecretStr(token) if token else None,
    )


def test_the_token_is_sent_with_every_request(guarded_port: tuple[int, ProxyLog], tmp_path: Path) -> None:
    port, log = guarded_port
    settings = _guarded(tmp_path, port, TOKEN)
    store = Store(settings, FakeEmbeddings())
    path = tmp_path / "quy-che.txt"
    path.write_text("Điều 1. Phạm vi\n\nQuy chế này áp dụng cho cán bộ.\n", encoding="utf-8")
    before = len(log.authorizations)
    ingest(store, prepare([path], settings))
    assert [c.doc_id for c in Store(settings, FakeEmbeddings()).chunks()] == ["quy-che"]
    sent = log.authorizations[before:]
    assert len(sent) > 3 and set(sent) == {f"Bearer {TOKEN}"}


@pytest.mark.parametrize("token", [None, "wrong-token"], ids=["no-token", "wrong-token"])
def test_a_refused_token_is_a_clear_error_that_does_not_show_the_token(
    guarded_port: tuple[int, ProxyLog], tmp_path: Path, token: str | None
) -> None:
    port, log = guarded_port
    refused = log.refused
    with pytest.raises(StoreError) as info:
        Store(_guarded(tmp_path, port, token), FakeEmbeddings())
    assert log.refused > refused
    assert str(info.value) == (
        f"Không kết nối được máy chủ Chroma 127.0.0.1:{port}: máy chủ từ chối truy cập (HTTP 401); "
        "kiểm tra KH32_CHROMA_AUTH_TOKEN."
    )
    assert "wrong-token" not in str(info.value)


def test_a_token_chroma_cannot_send_is_refused_without_echoing_it(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="KH32_CHROMA_AUTH_TOKEN chỉ được gồm") as info:
        Store(_guarded(tmp_path, free_port(), "mật khẩu bí mật"), FakeEmbeddings())
    assert "bí mật" not in str(info.value)


def test_the_token_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KH32_CHROMA_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("KH32_CHROMA_SSL", "true")
    settings = Settings()
    assert settings.chroma_auth_token is not None
    assert settings.chroma_auth_token.get_secret_value() == TOKEN
    assert settings.chroma_ssl is True
    assert TOKEN not in repr(settings)


def test_a_server_that_goes_away_is_a_clear_store_error(tmp_path: Path) -> None:
    with chroma_server(tmp_path / "short-lived") as port:
        settings = Settings(data_dir=tmp_path, chroma_host="127.0.0.1", chroma_port=port, collection="gone")
        store = Store(settings, FakeEmbeddings())
        assert store.documents() == []
    for read in (store.documents, store.chunks):
        with pytest.raises(StoreError) as info:
            read()
        assert str(info.value) == (
            "Không đọc được kho dữ liệu: không có máy chủ nào trả lời ở địa chỉ này "
            "(kiểm tra KH32_CHROMA_HOST, KH32_CHROMA_PORT)."
        )
