"""The clause parser on the bundled corpus and on small legal texts."""

from __future__ import annotations

import re
from itertools import pairwise

from ingest.loaders import load_document
from ingest.structure import parse_clauses
from tests.conftest import CORPUS


def _clauses(name: str) -> list:
    doc = load_document(CORPUS / name)
    return doc, parse_clauses(doc.text, doc.body_start)


def test_plan_has_purpose_seven_tasks_and_requirements_in_order() -> None:
    doc, clauses = _clauses("ke-hoach-32-KH-BCSD.txt")
    labels = [c.label for c in clauses]
    tasks = [c for c in clauses if re.search(r"/thu-\d$", c.key)]
    assert [c.label for c in tasks] == [
        f"Nhiệm vụ thứ {w}" for w in ["nhất", "hai", "ba", "tư", "năm", "sáu", "bảy"]
    ]
    assert labels == [
        "Phần mở đầu",
        "Mục đích",
        "Nhiệm vụ và giải pháp",
        *[t.label for t in tasks],
        "Yêu cầu",
    ]
    fourth = next(c for c in tasks if c.key.endswith("thu-4"))
    first_span = doc.text[fourth.spans[0][0] : fourth.spans[0][1]]
    assert first_span.startswith("Thứ tư, tiếp tục tham mưu đổi mới")
    assert len(fourth.spans) == 3  # the task's three paragraphs


def test_plan_chrome_and_byline_are_not_clauses() -> None:
    doc, clauses = _clauses("ke-hoach-32-KH-BCSD.txt")
    text = "\n".join(doc.text[a:b] for c in clauses for a, b in c.spans)
    for chrome in [
        "Xem với cỡ chữ",
        "Lượt xem",
        "Đọc bài viết",
        "Thay đổi tương phản",
        "in trang",
        "Thanh Tuấn",
    ]:
        assert chrome not in text
    seventh = next(c for c in clauses if c.key.endswith("thu-7"))
    assert doc.text[seventh.spans[0][0] : seventh.spans[0][1]].startswith("Thứ bảy,\ntăng cường")
    requirements = next(c for c in clauses if c.label == "Yêu cầu")
    assert doc.text[requirements.spans[-1][0] :].startswith("Đồng thời, việc tổ chức triển khai")


def test_constitution_has_120_articles_with_their_khoan() -> None:
    doc, clauses = _clauses("hien-phap-2013.txt")
    articles = {m[1] for c in clauses if (m := re.search(r"dieu-(\d+)", c.key))}
    assert articles == {str(n) for n in range(1, 121)}
    by_label = {c.label: c for c in clauses}
    assert {"Điều 2, khoản 1", "Điều 2, khoản 2", "Điều 2, khoản 3", "Điều 1", "Lời nói đầu"} <= set(by_label)
    assert "Điều 2, khoản 4" not in by_label
    khoan = by_label["Điều 2, khoản 3"]
    assert doc.text[khoan.spans[0][0] : khoan.spans[0][1]].startswith("3. Quyền lực nhà nước là thống nhất")
    assert "Chương I. Chế độ chính trị" in khoan.context
    chapters = [c.label for c in clauses if re.fullmatch(r"chuong-[ivx]+", c.key)]
    assert len(chapters) == 11


def test_excerpts_get_their_named_parts() -> None:
    _, clauses = _clauses("nghi-quyet-27-NQ-TW_trich-phan-tinh-hinh.txt")
    assert [c.label for c in clauses] == ["Phần mở đầu", "Tình hình"]
    _, clauses = _clauses("nghi-quyet-27-NQ-TW_trich-quan-diem.txt")
    assert [c.label for c in clauses] == ["Phần mở đầu", "Quan điểm"]
    _, clauses = _clauses("ke-hoach-11-KH-TW_tin-tom-tat.txt")
    assert [c.label for c in clauses] == ["Phần mở đầu", "Mục đích"]


def test_law_with_titled_articles_khoan_and_diem() -> None:
    text = (
        "LUẬT MẪU\n\nChương I\n\nNHỮNG QUY ĐỊNH CHUNG\n\nĐiều 1. Phạm vi điều chỉnh\n\n"
        "Luật này quy định về mẫu.\n\nĐiều 2. Giải thích từ ngữ\n\n1. Mẫu là cái để theo.\n\n"
        "2. Các loại mẫu gồm:\n\na) Mẫu giấy;\n\nb) Mẫu điện tử.\n\nPhần cuối của điều.\n"
    )
    clauses = parse_clauses(text)
    labels = [c.label for c in clauses]
    assert labels == [
        "Phần mở đầu",
        "Chương I",
        "Điều 1",
        "Điều 2",  # the article's title line: "Điều 2. Giải thích từ ngữ"
        "Điều 2, khoản 1",
        "Điều 2, khoản 2",
        "Điều 2, khoản 2, điểm a",
        "Điều 2, khoản 2, điểm b",
    ]
    article = next(c for c in clauses if c.label == "Điều 1")
    assert "Điều 1. Phạm vi điều chỉnh" in article.context
    assert text[article.spans[-1][0] : article.spans[-1][1]] == "Luật này quy định về mẫu."
    # An unnumbered paragraph after the last point stays with it (the parser cannot tell them apart).
    diem_b = clauses[-1]
    assert text[diem_b.spans[-1][0] : diem_b.spans[-1][1]] == "Phần cuối của điều."


def test_spans_point_into_the_text_and_do_not_overlap() -> None:
    for name in ["ke-hoach-32-KH-BCSD.txt", "hien-phap-2013.txt"]:
        doc, clauses = _clauses(name)
        spans = sorted(s for c in clauses for s in c.spans)
        for (a, b), (c, _) in pairwise(spans):
            assert doc.body_start <= a < b <= c


def test_markdown_headings_are_read_without_their_marks() -> None:
    text = (
        "# Quy chế mẫu\n\n## Điều 1. Phạm vi\n\nQuy chế này áp dụng cho cán bộ.\n\n"
        "## Điều 2. Hiệu lực\n\nCó hiệu lực ngay.\n"
    )
    assert [c.label for c in parse_clauses(text)] == ["Phần mở đầu", "Điều 1", "Điều 2"]
