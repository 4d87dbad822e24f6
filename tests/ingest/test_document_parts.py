"""The standard parts of a document in the layout of Nghị định 30/2020/NĐ-CP, as structure with the labels
people use: "Phần căn cứ" (legal bases and proposal), "Nơi nhận", "Phần ký" (capacity lines, title and name,
whatever the capacity: TM., KT., TL., or none at all), the effect article under its own number; and a line
that cites another document never becomes a label (issue 23, item 12)."""

from __future__ import annotations

import pytest

from ingest.structure import parse_clauses

HEADER = """SỞ GIÁO DỤC VÀ ĐÀO TẠO
-------
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: 77/QĐ-SGDĐT
Cần Thơ, ngày 3 tháng 1 năm 2025
QUYẾT ĐỊNH
Về việc ban hành quy chế thi đua

"""
BODY = """Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;

Theo đề nghị của Trưởng phòng Tổ chức cán bộ.

QUYẾT ĐỊNH:

Điều 1. Ban hành kèm theo Quyết định này Quy chế thi đua của Sở.

Điều 2. Hiệu lực thi hành

Quyết định này có hiệu lực kể từ ngày ký.

Nơi nhận:
- Như Điều 2;
- Lưu: VT.

"""


def _labels(text: str) -> dict[str, str]:
    """Each paragraph's clause label."""
    return {text[a:b]: c.label for c in parse_clauses(text) for a, b in c.spans}


@pytest.mark.parametrize(
    "signature",
    [
        ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC THƯỜNG TRỰC", "Lê Văn Bình"],  # a title of four words
        ["TM. HỘI ĐỒNG NHÂN DÂN", "CHỦ TỊCH", "(Đã ký)", "Phan Thị Ngọc Ánh"],
        ["TL. GIÁM ĐỐC", "KT. CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG", "Vũ Minh"],
        ["Q. GIÁM ĐỐC", "Ngô Xuân Trường"],
    ],
)
def test_the_signature_block_is_one_part_with_capacity_title_and_name(signature: list[str]) -> None:
    text = HEADER + BODY + "\n\n".join(signature) + "\n"
    labels = _labels(text)
    assert [labels[line] for line in signature] == ["Phần ký"] * len(signature)
    assert labels["- Lưu: VT."] == "Nơi nhận"
    assert labels["Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;"] == "Phần căn cứ"
    assert labels["Theo đề nghị của Trưởng phòng Tổ chức cán bộ."] == "Phần căn cứ"
    assert labels["Quyết định này có hiệu lực kể từ ngày ký."] == "Điều 2"


def test_a_signature_without_a_capacity_mark_and_a_text_attached_after_it() -> None:
    law = (
        "QUỐC HỘI\n\nLuật số: 12/2025/QH15\n\nLUẬT\n\nTHANH TRA\n\n"
        "Căn cứ Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam;\n\n"
        "Điều 1. Phạm vi điều chỉnh\n\nLuật này quy định về thanh tra.\n\n"
        "CHỦ TỊCH QUỐC HỘI\n\nTrần Thanh Mẫn\n\n"
        "QUY CHẾ PHỐI HỢP THANH TRA\n\nĐiều 1. Phối hợp\n\nNội dung.\n"
    )
    labels = _labels(law)
    assert labels["CHỦ TỊCH QUỐC HỘI"] == labels["Trần Thanh Mẫn"] == "Phần ký"
    assert labels["Luật này quy định về thanh tra."] == "Điều 1"
    assert labels["QUY CHẾ PHỐI HỢP THANH TRA"] == "Quy chế phối hợp thanh tra"  # attached, after the name


def test_a_preamble_that_states_no_legal_basis_stays_an_opening() -> None:
    text = HEADER + "Ngày 2/1, Sở họp bàn về thi đua.\n\nĐiều 1. Nội dung\n\nSở tổ chức thi đua.\n"
    assert _labels(text)["Ngày 2/1, Sở họp bàn về thi đua."] == "Phần mở đầu"
    plain = "Căn cứ kết quả họp, Sở tổ chức thi đua.\n\nĐiều 1. Nội dung\n\nSở tổ chức thi đua.\n"
    assert _labels(plain)["Căn cứ kết quả họp, Sở tổ chức thi đua."] == "Phần mở đầu"  # no header block


@pytest.mark.parametrize(
    "line",
    ["(KH 32-KH/BCSĐ, Nhiệm vụ thứ nhất)", "THEO KẾ HOẠCH SỐ 32-KH/BCSĐ", "Nghị định 30/2020/NĐ-CP, Điều 8"],
)
def test_a_line_that_cites_another_document_is_never_a_label(line: str) -> None:
    text = HEADER + f"I. MỤC ĐÍCH\n\n1. Bảo đảm thực hiện tốt.\n\n{line}\n\nCác đơn vị tăng cường kỷ luật.\n"
    labels = _labels(text)
    assert labels[line] == labels["Các đơn vị tăng cường kỷ luật."] == "Mục I, khoản 1"
    numbered = HEADER + f"I. MỤC ĐÍCH\n\n1. {line}\n\nCác đơn vị tăng cường kỷ luật.\n"
    clauses = parse_clauses(numbered)
    assert not any(line in c.label or line in c.path or line in c.context for c in clauses)
