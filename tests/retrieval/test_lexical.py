"""The lexical index is saved beside the store and read back by the next process, never trusted blindly."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from assistant import Store
from assistant.core.models import Chunk
from assistant.retrieval import lexical
from assistant.retrieval.lexical import LexicalIndex, index_key, load_or_build
from assistant.retrieval.matching import content_terms, term_coverage
from assistant.retrieval.retriever import HybridRetriever
from ingest.chunking import chunk_document
from ingest.loaders import load_document
from ingest.pipeline import ingest, prepare
from tests.conftest import CORPUS

QUESTIONS = ["nhiệm vụ thứ tư", "nha nuoc phap quyen xa hoi chu nghia", "cải cách hành chính"]


@pytest.fixture(scope="module")
def chunks() -> list[Chunk]:
    return chunk_document(load_document(CORPUS / "ke-hoach-32-KH-BCSD.txt"), 160)[2]


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the indexes built from scratch (rather than read from disk)."""
    counted: list[int] = []
    original = LexicalIndex.__init__

    def counting(self: LexicalIndex, chunks: list[Chunk]) -> None:
        counted.append(len(chunks))
        original(self, chunks)

    monkeypatch.setattr(LexicalIndex, "__init__", counting)
    return counted


def _same(a: LexicalIndex, b: LexicalIndex) -> None:
    assert a.chunks == b.chunks and a.position == b.position
    for question in QUESTIONS:
        for folded in (False, True):
            assert a.search(question, 10, folded) == b.search(question, 10, folded)
        assert a.restorer.restore(question) == b.restorer.restore(question)
    assert a.df == b.df
    assert a.idf("nhiem vu") == b.idf("nhiem vu")


def test_a_saved_index_is_read_back_not_rebuilt(
    chunks: list[Chunk], tmp_path: Path, builds: list[int]
) -> None:
    path = tmp_path / "lexical" / "kh32.index"
    built = load_or_build(chunks, path)
    assert path.exists() and builds == [len(chunks)]
    loaded = load_or_build(chunks, path)
    assert builds == [len(chunks)]  # no second build
    assert loaded is not built
    _same(loaded, built)
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


def test_other_chunks_rebuild_and_replace_the_saved_index(
    chunks: list[Chunk], tmp_path: Path, builds: list[int]
) -> None:
    path = tmp_path / "kh32.index"
    load_or_build(chunks, path)
    fewer = chunks[:-1]
    assert index_key(fewer) != index_key(chunks)
    index = load_or_build(fewer, path)
    assert len(builds) == 2 and len(index.chunks) == len(fewer)
    load_or_build(fewer, path)
    assert len(builds) == 2


def test_a_new_format_rebuilds(
    chunks: list[Chunk], tmp_path: Path, builds: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "kh32.index"
    load_or_build(chunks, path)
    monkeypatch.setattr(lexical, "FORMAT", lexical.FORMAT + 1)
    load_or_build(chunks, path)
    assert len(builds) == 2


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_a_damaged_file_is_rebuilt_with_a_warning(
    chunks: list[Chunk], tmp_path: Path, builds: list[int], damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "kh32.index"
    fresh = load_or_build(chunks, path)
    data = path.read_bytes()
    key_line = data[: data.index(b"\n") + 1]
    path.write_bytes(
        {"truncate": data[: len(data) // 2], "garbage": key_line + b"\x80\x05garbage", "empty": b""}[damage]
    )
    with caplog.at_level(logging.WARNING, logger="assistant.retrieval.lexical"):
        index = load_or_build(chunks, path)
    assert len(builds) == 2
    _same(index, fresh)
    if damage != "empty":  # an empty file simply has the wrong key
        assert "rebuilding" in caplog.text
    load_or_build(chunks, path)  # the rebuilt index was saved again
    assert len(builds) == 2


def test_an_unwritable_folder_keeps_the_index_in_memory(
    chunks: list[Chunk], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")  # the index's folder cannot be created: even root gets ENOTDIR
    with caplog.at_level(logging.WARNING, logger="assistant.retrieval.lexical"):
        index = load_or_build(chunks, blocker / "lexical" / "kh32.index")
    assert index.search("nhiệm vụ thứ tư", 5, folded=False)
    assert "Could not save the lexical index" in caplog.text
    assert blocker.read_text() == "x"


def test_the_retriever_saves_its_index_in_the_data_folder(fake_store: Store, isolated_data: Path) -> None:
    ingest(fake_store, prepare([CORPUS / "ke-hoach-32-KH-BCSD.txt"], fake_store.settings))
    HybridRetriever(store=fake_store).index()
    saved = isolated_data / "lexical" / f"{fake_store.settings.collection}.index"
    assert saved.read_bytes().startswith(index_key(fake_store.chunks()).encode())


def _chunk(n: int, text: str) -> Chunk:
    return Chunk(
        f"c{n}", "luat", "Luật", "Luật", f"dieu-{n}", f"Điều {n}", f"Điều {n}", n, text, 0, len(text), 20
    )


def test_the_index_knows_which_chunks_define_a_term() -> None:
    chunks = [
        _chunk(2, "2. Công chức là công dân Việt Nam, được tuyển dụng, bổ nhiệm vào ngạch."),
        _chunk(8, "Cán bộ, công chức là người đứng đầu cơ quan còn phải thực hiện các nghĩa vụ sau."),
        _chunk(3, "Thông tin được hiểu là tin, dữ liệu được chứa đựng trong văn bản."),
        _chunk(4, "5. “Bản sao điện tử” là bản chụp dưới dạng điện tử từ văn bản giấy."),
    ]
    index = LexicalIndex(chunks)
    assert index.definitions["cong chuc"] == [0]
    assert index.definitions["thong tin"] == [2]
    assert index.definitions["ban sao dien tu"] == [3]  # a term in quotation marks
    assert "can bo" not in index.definitions  # "Cán bộ, công chức là người đứng đầu…" defines neither alone


def test_a_pair_of_question_words_across_a_stopword_is_found_across_one(chunks: list[Chunk]) -> None:
    # The question "… đề nghị cấp lại thẻ" keeps "cấp thẻ" ("lại" is a stopword): a text that says "cấp lại
    # thẻ" has it as much as one that says "cấp thẻ".
    index = LexicalIndex(chunks)
    terms = content_terms("Hồ sơ đề nghị cấp lại thẻ gồm những gì?")
    assert "cấp thẻ" in terms
    again = term_coverage(terms, "Hồ sơ đề nghị cấp lại thẻ bao gồm:", index)
    assert again == term_coverage(terms, "Hồ sơ đề nghị cấp thẻ bao gồm:", index) == 1.0
    assert term_coverage(terms, "Hồ sơ đề nghị cấp giấy phép và thẻ bao gồm:", index) < 1.0
