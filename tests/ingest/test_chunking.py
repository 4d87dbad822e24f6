"""Chunks: inside one clause, token-bounded, whole sentences, exact spans, stable ids."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from assistant.language.names import short_name
from assistant.language.text import sentence_spans
from assistant.language.tokens import count_tokens
from ingest.chunking import chunk_document, pack
from ingest.loaders import load_document
from ingest.structure import parse_clauses
from tests.conftest import CORPUS


@pytest.fixture(scope="module")
def corpus_chunks() -> list:
    chunks = []
    for path in sorted(CORPUS.glob("*.txt")):
        doc = load_document(path)
        chunks.append((doc, chunk_document(doc, 160)[2]))
    return chunks


def test_chunks_are_exact_spans_of_the_source_within_the_token_bound(corpus_chunks: list) -> None:
    for doc, chunks in corpus_chunks:
        assert chunks
        for chunk in chunks:
            assert doc.text[chunk.start : chunk.end] == chunk.text
            assert chunk.tokens == count_tokens(chunk.text) <= 161  # tiktoken may land one over
            assert chunk.doc_hash == doc.content_hash


def test_chunks_never_cut_a_sentence(corpus_chunks: list) -> None:
    for doc, chunks in corpus_chunks:
        clauses = parse_clauses(doc.text, doc.body_start)
        sentences = [
            (p + a, p + b) for c in clauses for p, e in c.spans for a, b in sentence_spans(doc.text[p:e])
        ]
        starts, ends = {a for a, _ in sentences}, {b for _, b in sentences}
        for chunk in chunks:
            if chunk.start in starts and chunk.end in ends:
                continue
            # Only a sentence longer than the bound is split (at "; " or ", "), and only inside itself.
            a, b = next((a, b) for a, b in sentences if a <= chunk.start < b)
            assert chunk.end <= b and count_tokens(doc.text[a:b]) > 160, chunk.text[:80]


def test_plan_chunks_carry_citation_labels(corpus_chunks: list) -> None:
    plan = next(chunks for doc, chunks in corpus_chunks if doc.path.stem == "ke-hoach-32-KH-BCSD")
    fourth = [c for c in plan if c.clause_label == "Nhiệm vụ thứ tư"]
    assert fourth and all(c.citation == "KH 32-KH/BCSĐ, Nhiệm vụ thứ tư" for c in fourth)
    assert fourth[0].text.startswith("Thứ tư, tiếp tục tham mưu")
    assert any("03 trụ cột chính" in c.text for c in fourth)
    assert len({c.clause_key for c in plan if "/thu-" in c.clause_key}) == 7
    assert [c.order for c in plan] == list(range(len(plan)))


def test_constitution_chunk_labels(corpus_chunks: list) -> None:
    constitution = next(chunks for doc, chunks in corpus_chunks if doc.path.stem == "hien-phap-2013")
    labels = {c.citation for c in constitution}
    assert "Hiến pháp 2013, Điều 2, khoản 1" in labels
    assert "Hiến pháp 2013, Điều 120, khoản 5" in labels


def test_ids_are_content_hashes(tmp_path: Path) -> None:
    path = tmp_path / "quy-che.txt"
    path.write_text("Điều 1. Phạm vi\n\nQuy chế này áp dụng cho cán bộ.\n", encoding="utf-8")
    first = [c.id for c in chunk_document(load_document(path), 160)[2]]
    assert first == [c.id for c in chunk_document(load_document(path), 160)[2]]
    path.write_text("Điều 1. Phạm vi\n\nQuy chế này áp dụng cho công chức.\n", encoding="utf-8")
    assert set(first).isdisjoint(c.id for c in chunk_document(load_document(path), 160)[2])


def test_an_over_long_sentence_is_split_at_clause_boundaries() -> None:
    sentence = "; ".join(f"nội dung thứ {i} về cải cách hành chính" for i in range(60)) + "."
    runs = pack(sentence, [(0, len(sentence))], 64)
    assert len(runs) > 1
    assert runs[0][0] == 0 and runs[-1][1] == len(sentence)
    assert all(sentence[end:start].strip() == "" for (_, end), (start, _) in pairwise(runs))
    assert all(count_tokens(sentence[a:b]) <= 65 for a, b in runs)
    assert all(sentence[a:b].endswith((";", ".")) for a, b in runs)


def test_short_names() -> None:
    assert short_name("Kế hoạch số 32-KH/BCSĐ của Ban Cán sự đảng Bộ Nội vụ") == "KH 32-KH/BCSĐ"
    assert short_name("Quan điểm… (giới thiệu Nghị quyết số 27-NQ/TW)") == "NQ 27-NQ/TW"
    assert short_name("Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam năm 2013") == "Hiến pháp 2013"
    assert short_name("Luật Viên chức (sửa đổi)") == "Luật Viên chức"
    assert short_name("Ghi chú họp") == "Ghi chú họp"
