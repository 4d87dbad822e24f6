"""The structure parser on the 16 real laws of the ALQAC benchmark (../shared/external/alqac, evaluation data,
not bundled): every chunk inside an article carries that article's label, and law names keep their commas.
Skipped where the benchmark is not beside the project."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.chunking import chunk_document
from ingest.loaders import load_document
from tests.conftest import PROJECT

ALQAC = PROJECT.parent / "shared" / "external" / "alqac" / "corpus"
LAWS = sorted(ALQAC.glob("*.txt")) if ALQAC.is_dir() else []
# Lines that end an article: the next article, a heading above articles, the signature.
_ARTICLE_ENDS = re.compile(
    r"(?m)^(Điều\s+(\d+[a-z]?)\b|Phần\s|PHẦN\s|Chương\s|CHƯƠNG\s|Mục\s+\d|MỤC\s|Tiểu mục\s+\d|\(Đã ký\))"
)

pytestmark = pytest.mark.skipif(not LAWS, reason="the ALQAC benchmark is not beside the project")


@pytest.mark.parametrize("path", LAWS, ids=lambda p: p.stem)
def test_every_chunk_inside_an_article_carries_its_label(path: Path) -> None:
    doc = load_document(path, max_bytes=50_000_000)
    _, _, chunks = chunk_document(doc, 160)
    marks = list(_ARTICLE_ENDS.finditer(doc.text, doc.body_start))
    articles = [
        (m.start(), nxt.start() if nxt else len(doc.text), m[2])
        for m, nxt in zip(marks, [*marks[1:], None], strict=True)
    ]
    articles = [(a, b, n) for a, b, n in articles if n]
    assert len(articles) >= 30
    misplaced = []
    for chunk in chunks:
        inside = next((n for a, b, n in articles if a <= chunk.start and chunk.end <= b), None)
        if inside and not re.match(rf"Điều {inside}(,|$)", chunk.clause_label):
            misplaced.append((inside, chunk.clause_label, chunk.text[:50]))
    assert not misplaced, misplaced[:5]


def test_law_names_keep_their_commas() -> None:
    shorts = {p.stem: chunk_document(load_document(p, max_bytes=50_000_000), 160)[1] for p in LAWS}
    assert shorts["luat-phong-chong-ma-tuy"].startswith("Luật Phòng, chống ma túy")
    assert shorts["luat-vien-chuc"].startswith("Luật Viên chức")


REAL = PROJECT.parent / "shared" / "external" / "real-docs"


@pytest.mark.skipif(not REAL.is_dir(), reason="the real documents are not beside the project")
@pytest.mark.parametrize(
    ("stem", "short", "labels"),
    [
        (
            "kh-199-kh-ubnd-2026-hung-yen-phong-chong-ma-tuy",
            "KH 199/KH-UBND",
            ["Mục I, khoản 1", "Mục III, khoản 17"],
        ),
        ("nd-30-2020-nd-cp-cong-tac-van-thu", "NĐ 30/2020/NĐ-CP", ["Chương I", "Điều 4, khoản 2, điểm a"]),
        ("nd-161-2026-nd-cp-luong-co-so-tien-thuong", "NĐ 161/2026/NĐ-CP", ["Điều 2, khoản 1, điểm đ"]),
        (
            "nq-12-nq-cp-2023-chuong-trinh-hanh-dong-thu-do-trich",
            "NQ 12/NQ-CP",
            ["Điều 3", "Mục II, khoản 2, điểm a"],
        ),
    ],
)
def test_real_documents_in_the_standard_layout(stem: str, short: str, labels: list[str]) -> None:
    # Their TITLE lines are set aside: the header block alone must name them.
    doc = load_document(REAL / f"{stem}.txt")
    doc.meta.pop("TITLE", None)
    title, found, chunks = chunk_document(doc, 160)
    assert found == short and short.split(" ", 1)[1] in title
    seen = {c.clause_label for c in chunks}
    assert {"Thông tin văn bản", "Phần căn cứ", "Nơi nhận", "Phần ký"} <= seen and set(labels) <= seen
    assert not any("Độc lập" in label or "Số:" in label for label in seen)
