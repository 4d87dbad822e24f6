"""Ingest: idempotent, replaces changed documents, removes, refuses bad files without touching the store."""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

import pytest

from assistant import Assistant, DocumentError, InputError, Settings, Store
from assistant.language.text import duration
from ingest.pipeline import (
    TEXTS_PER_CHUNK,
    TEXTS_PER_SECOND,
    bundled_corpus,
    embedding_seconds,
    ensure_corpus,
    expand_paths,
    ingest,
    prepare,
    progress_note,
    remaining_seconds,
    remove,
    sentence_texts,
)
from tests.conftest import CORPUS, FakeEmbeddings

RULES = "Điều 1. Phạm vi\n\n1. Quy chế này áp dụng cho cán bộ, công chức.\n\n2. Quy chế có hiệu lực ngay.\n"


def _snapshot(store: Store) -> list[tuple[str, str, str]]:
    got = store.collection.get(include=["documents", "metadatas"])
    return sorted(zip(got["ids"], got["documents"], [m["doc_hash"] for m in got["metadatas"]], strict=True))


def _ingest(store: Store, *paths: Path) -> list:
    settings = Settings(data_dir=store.settings.data_dir)
    return ingest(store, prepare(paths, settings))


def test_bundled_corpus_ingests_once(fake_store: Store) -> None:
    settings = Settings(data_dir=fake_store.settings.data_dir)
    first = ensure_corpus(fake_store, settings)
    assert {r.doc_id for r in first} == {p.stem for p in bundled_corpus(settings)}
    assert all(r.status == "added" for r in first)
    assert ensure_corpus(fake_store, settings) == []  # not empty any more
    docs = {d.doc_id: d for d in fake_store.documents()}
    assert docs["ke-hoach-32-KH-BCSD"].short == "KH 32-KH/BCSĐ"
    assert sum(d.chunks for d in docs.values()) == fake_store.count()


def test_progress_counts_every_embedding_once(fake_store: Store) -> None:
    settings = Settings(data_dir=fake_store.settings.data_dir)
    documents = prepare(bundled_corpus(settings), settings)
    seen: list[tuple[int, int]] = []
    ingest(fake_store, documents, lambda done, total: seen.append((done, total)))
    chunks = [c for d in documents for c in d.chunks]
    texts = {c.passage for c in chunks} | set(sentence_texts(chunks))
    assert seen[0] == (0, len(texts))  # known up front: the time left is estimated from the start
    assert seen[-1] == (len(texts), len(texts)) == (fake_store.embeddings.embedded_count,) * 2
    assert len(texts) > len(chunks)  # the sentences the answerer weighs are counted too
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    seen.clear()
    ingest(fake_store, documents, lambda done, total: seen.append((done, total)))  # all unchanged
    assert seen == [(0, 0)]


def test_progress_note_says_how_long_is_left() -> None:
    assert (
        progress_note(0, 400, 0.0)
        == f"0/400 đoạn và câu đã tính embedding, còn khoảng {duration(400 / TEXTS_PER_SECOND)}"
    )
    assert progress_note(100, 400, 60.0).endswith("còn khoảng 3 phút")  # at the rate seen so far
    assert progress_note(400, 400, 200.0) == "400/400 đoạn và câu đã tính embedding"
    assert progress_note(0, 0, 0.0) == "đang ghi vào kho"
    assert embedding_seconds(100) == remaining_seconds(0, round(100 * TEXTS_PER_CHUNK), 0.0)


def test_ingest_embeds_the_sentences_an_answer_weighs(
    fake_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "quy-che.txt"
    path.write_text(RULES, encoding="utf-8")
    (result,) = _ingest(fake_store, path)
    sentences = sentence_texts(prepare([path], fake_store.settings)[0].chunks)
    assert sentences and set(sentences) <= set(fake_store.embeddings.encoder.calls)
    assert result.embedded == fake_store.embeddings.embedded_count
    asked: list[str] = []
    embed = fake_store.embeddings.embed_passages
    monkeypatch.setattr(
        fake_store.embeddings, "embed_passages", lambda t, **kw: asked.extend(t) or embed(t, **kw)
    )
    settings = Settings(data_dir=fake_store.settings.data_dir, answer_mode="extractive")
    Assistant(settings, store=fake_store).ask("Quy chế áp dụng cho cán bộ nào?")
    assert set(sentences) & set(asked)  # the answer weighed the document's sentences…
    assert fake_store.embeddings.embedded_count == result.embedded  # … and embedded none of them


def test_unchanged_documents_get_the_sentence_vectors_they_lack(fake_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "quy-che.txt"
    path.write_text(RULES, encoding="utf-8")
    _ingest(fake_store, path)
    sentences = set(sentence_texts(prepare([path], fake_store.settings)[0].chunks))
    cache = fake_store.embeddings.cache
    assert cache is not None
    with cache._db:  # a store ingested before ingest embedded sentences: their vectors are missing
        cache._db.executemany(
            "DELETE FROM vectors WHERE key = ?", [(fake_store.embeddings.key(t),) for t in sentences]
        )
    seen: list[tuple[int, int]] = []
    calls = len(fake_store.embeddings.encoder.calls)
    (result,) = ingest(fake_store, prepare([path], fake_store.settings), lambda d, t: seen.append((d, t)))
    assert (result.status, result.embedded) == ("unchanged", len(sentences))
    assert set(fake_store.embeddings.encoder.calls[calls:]) == sentences
    assert seen[0] == (0, len(sentences)) and seen[-1] == (len(sentences), len(sentences))
    assert _ingest(fake_store, path)[0].embedded == 0  # topped up once


def test_reingesting_unchanged_files_changes_and_embeds_nothing(fake_store: Store) -> None:
    _ingest(fake_store, CORPUS)
    before = _snapshot(fake_store)
    calls = len(fake_store.embeddings.encoder.calls)
    results = _ingest(fake_store, CORPUS)
    assert {r.status for r in results} == {"unchanged"}
    assert _snapshot(fake_store) == before
    assert len(fake_store.embeddings.encoder.calls) == calls


def test_a_fresh_store_reuses_cached_embeddings(fake_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "quy-che.txt"
    path.write_text(RULES, encoding="utf-8")
    _ingest(fake_store, path)
    embedded = len(fake_store.embeddings.encoder.calls)
    assert embedded > 0
    other = Store(
        Settings(data_dir=tmp_path / "other", collection="other"),
        FakeEmbeddings(fake_store.settings.data_dir / "embeddings.sqlite"),
    )
    assert _ingest(other, path)[0].embedded == 0
    assert other.embeddings.encoder.calls == []


def test_a_changed_file_replaces_its_chunks(fake_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "quy-che.txt"
    path.write_text(RULES, encoding="utf-8")
    _ingest(fake_store, path)
    path.write_text(RULES + "\n3. Khoản mới được bổ sung.\n", encoding="utf-8")
    (result,) = _ingest(fake_store, path)
    assert result.status == "updated"
    texts = [text for _, text, _ in _snapshot(fake_store)]
    assert any("Khoản mới" in t for t in texts)
    assert len({h for _, _, h in _snapshot(fake_store)}) == 1  # no chunk of the old version is left
    assert [d.chunks for d in fake_store.documents()] == [result.chunks]


def test_duplicate_content_under_another_name_is_not_stored_twice(fake_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "quy-che.txt"
    path.write_text(RULES, encoding="utf-8")
    _ingest(fake_store, path)
    twin = tmp_path / "ban-sao.txt"
    shutil.copy(path, twin)
    (result,) = _ingest(fake_store, twin)
    assert (result.status, result.duplicate_of) == ("duplicate", "quy-che")
    assert [d.doc_id for d in fake_store.documents()] == ["quy-che"]


def test_remove(fake_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "quy-che.txt"
    path.write_text(RULES, encoding="utf-8")
    _ingest(fake_store, path)
    assert remove(fake_store, "quy-che") > 0
    assert fake_store.count() == 0
    with pytest.raises(InputError, match="Không có tài liệu 'quy-che'"):
        remove(fake_store, "quy-che")


def test_remove_takes_the_id_in_any_unicode_form(fake_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "quy-chế.txt"
    path.write_text(RULES, encoding="utf-8")
    _ingest(fake_store, path)
    assert remove(fake_store, unicodedata.normalize("NFD", "quy-chế")) > 0
    assert fake_store.documents() == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("rong.txt", b"", "không có nội dung"),
        ("khoang-trang.md", b"  \n\t\n", "không có nội dung"),
        ("cp1258.txt", "Nhà nước".encode("cp1258", errors="replace") + b"\xff", "UTF-8"),
        ("hong.pdf", b"%PDF-1.4 garbage", "PDF"),
        ("hong.docx", b"not a zip", "Word"),
        ("bang.xlsx", b"PK\x03\x04", "chưa được hỗ trợ"),
    ],
)
def test_a_bad_file_stops_the_batch_and_leaves_the_store_unchanged(
    fake_store: Store, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    good = tmp_path / "quy-che.txt"
    good.write_text(RULES, encoding="utf-8")
    _ingest(fake_store, good)
    before = _snapshot(fake_store)
    bad = tmp_path / name
    bad.write_bytes(content)
    changed = tmp_path / "quy-che-moi.txt"
    changed.write_text(RULES + "\n3. Mới.\n", encoding="utf-8")
    with pytest.raises(DocumentError, match=message) as caught:
        _ingest(fake_store, changed, bad)
    assert "\n" not in caught.value.message
    assert _snapshot(fake_store) == before


def test_folders_expand_to_supported_files(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("x", encoding="utf-8")
    (tmp_path / "c.xyz").write_text("x", encoding="utf-8")
    (tmp_path / "README.md").write_text("x", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("x", encoding="utf-8")
    assert [p.name for p in expand_paths([tmp_path])] == ["a.txt", "b.md"]
    with pytest.raises(DocumentError, match="Không tìm thấy"):
        expand_paths([tmp_path / "missing"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="Không có tệp nào"):
        expand_paths([tmp_path / "empty"])


def test_two_files_with_the_same_name_in_one_batch(tmp_path: Path) -> None:
    for folder in ("x", "y"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "quy-che.txt").write_text(RULES + folder, encoding="utf-8")
    with pytest.raises(InputError, match="cùng tên"):
        prepare([tmp_path / "x", tmp_path / "y"], Settings())
