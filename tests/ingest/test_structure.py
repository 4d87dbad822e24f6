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


PLAN = """BỘ NỘI VỤ
-------
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
---------------

Số: 123/KH-BNV

Hà Nội, ngày 05 tháng 3 năm 2024

KẾ HOẠCH

TRIỂN KHAI CÔNG TÁC BỒI DƯỠNG CÁN BỘ, CÔNG CHỨC NĂM 2024

Thực hiện Quyết định số 10/QĐ-TTg, Bộ Nội vụ ban hành Kế hoạch như sau:

I. MỤC ĐÍCH, YÊU CẦU

1. Mục đích

Nâng cao năng lực của đội ngũ cán bộ, công chức.

2. Yêu cầu

a) Bám sát nhiệm vụ chính trị của Bộ.

b) Bảo đảm tiết kiệm, hiệu quả.

II. NHIỆM VỤ

2.1. Bồi dưỡng theo vị trí việc làm

Vụ Tổ chức cán bộ chủ trì xây dựng chương trình.

2.2. Bồi dưỡng kỹ năng số

2.2.1. Tổ chức lớp chuyển đổi số

Học viện Hành chính Quốc gia tổ chức 04 lớp trong năm 2024.

III. TỔ CHỨC THỰC HIỆN

1. Văn phòng Bộ bảo đảm kinh phí.

2. Các đơn vị báo cáo kết quả trước ngày 15 tháng 12 năm 2024.

Nơi nhận:
- Bộ trưởng (để b/c);
- Lưu: VT, TCCB.

KT. BỘ TRƯỞNG
THỨ TRƯỞNG

Nguyễn Văn A
"""


def test_standard_layout_plan_header_gives_title_kind_number_date_and_issuer() -> None:
    from ingest.structure import parse_document

    header, _ = parse_document(PLAN)
    assert header is not None
    assert (header.kind.name, header.number, header.date, header.issuer) == (
        "Kế hoạch", "123/KH-BNV", "5/3/2024", "Bộ Nội vụ"
    )  # fmt: skip
    assert header.short == "KH 123/KH-BNV"
    assert header.title.startswith("Kế hoạch số 123/KH-BNV ngày 5/3/2024 của Bộ Nội vụ triển khai công tác")
    assert "cán bộ, công chức" in header.title  # the body's spelling, not the header's capitals


def test_standard_layout_plan_labels_carry_the_full_path() -> None:
    clauses = parse_clauses(PLAN)
    by_text = {PLAN[c.spans[-1][0] : c.spans[-1][1]]: c.label for c in clauses}
    assert by_text["b) Bảo đảm tiết kiệm, hiệu quả."] == "Mục I, khoản 2, điểm b"
    assert by_text["Nâng cao năng lực của đội ngũ cán bộ, công chức."] == "Mục I, khoản 1"
    assert by_text["Vụ Tổ chức cán bộ chủ trì xây dựng chương trình."] == "Mục II, tiểu mục 2.1"
    assert by_text["Học viện Hành chính Quốc gia tổ chức 04 lớp trong năm 2024."] == "Mục II, tiểu mục 2.2.1"
    assert by_text["2. Các đơn vị báo cáo kết quả trước ngày 15 tháng 12 năm 2024."] == "Mục III, khoản 2"
    labels = [c.label for c in clauses]
    assert labels[:3] == ["Thông tin văn bản", "Phần căn cứ", "Mục I"]  # "Thực hiện Nghị định …"
    assert labels[-2:] == ["Nơi nhận", "Phần ký"]
    assert not any("Độc lập" in label or label == "Bộ Nội vụ" for label in labels)


def test_a_sentence_opening_with_a_named_word_inside_an_article_stays_in_it() -> None:
    text = (
        "Điều 39. Đánh giá viên chức\n\n1. Việc đánh giá viên chức được thực hiện hằng năm.\n\n"
        "Mục đích của đánh giá viên chức là làm rõ kết quả công tác.\n\nĐiều 40. Khen thưởng\n\nNội dung.\n"
    )
    labels = {text[a:b]: c.label for c in parse_clauses(text) for a, b in c.spans}
    assert labels["Mục đích của đánh giá viên chức là làm rõ kết quả công tác."] == "Điều 39, khoản 1"
