"""Tiles out of place (issue 22, round three): a short tile from elsewhere put between two tiles that follow
each other in the source, or opening the claim; a phrase moved to the front with one function word changed.
Each corruption has a faithful twin of the same shape that stands. The sentences are written for these tests
(no corpus document, no dataset question)."""

from __future__ import annotations

import pytest

from assistant.answering.alignment import misaligned

THỦ_QUỸ = (
    "Thủ quỹ có trách nhiệm đối chiếu sổ quỹ để nâng cao tính chính xác, kịp thời của số liệu kế toán trong "
    "đơn vị."
)
HỌC_PHÍ = (
    "Đơn vị sự nghiệp tự bảo đảm chi thường xuyên từ mức phí đã giao cho đơn vị. Nhà trường không thu thêm "
    "khoản phí nào ngoài mức phí đã giao cho học sinh nội trú."
)
QUYẾT_TOÁN = (
    "a) Phòng Kế toán chủ trì, phối hợp với Trung tâm Dữ liệu Quốc gia lập báo cáo quyết toán năm, gửi Sở "
    "Tài chính trước ngày 15 tháng 1 năm sau."
)
TRỤ_CỘT = (
    "Tiếp tục nâng cao chất lượng giảng dạy với ba trụ cột: Đào tạo giáo viên; cơ sở vật chất, thiết bị; "
    "chuyển đổi số trong nhà trường."
)

CASES = [
    # a phrase moved to the front, its function word traded for another the source has not there
    (
        HỌC_PHÍ,
        "{} mức phí đã giao, nhà trường không thu thêm khoản phí nào cho học sinh nội trú.",
        ("Trong", "Ngoài"),
        "Trong",
    ),
    (
        HỌC_PHÍ,
        "Ngoài mức phí {} giao, nhà trường không thu thêm khoản phí nào cho học sinh nội trú.",
        ("sẽ", "đã"),
        "sẽ",
    ),
    # a name's head swapped for a name word from further on in the sentence, which then opens the claim
    (
        QUYẾT_TOÁN,
        "{} toán chủ trì lập báo cáo quyết toán năm, gửi Sở Tài chính trước ngày 15 tháng 1 năm sau.",
        ("Quốc gia", "Phòng Kế"),
        "Quốc gia",
    ),
    # a verb of the sources, from elsewhere, put between two tiles that follow each other in the source
    (
        TRỤ_CỘT,
        "Với ba trụ cột: {} giáo viên; cơ sở vật chất, thiết bị; chuyển đổi số trong nhà trường.",
        ("nâng cao", "đào tạo"),
        "nâng cao",
    ),
]


@pytest.mark.parametrize(("source", "shape", "words", "why"), CASES)
def test_a_word_beside_the_sources_words_that_says_something_else_is_flagged(
    source: str, shape: str, words: tuple[str, str], why: str
) -> None:
    reason = misaligned(shape.format(words[0]), [source])
    assert reason is not None and why in reason, reason


@pytest.mark.parametrize(("source", "shape", "words", "why"), CASES)
def test_the_same_shape_with_the_sources_word_stands(
    source: str, shape: str, words: tuple[str, str], why: str
) -> None:
    assert misaligned(shape.format(words[1]), [source]) is None


@pytest.mark.parametrize(
    "claim",
    [
        # the document named in a lead before the source's words
        "Kế hoạch yêu cầu thủ quỹ đối chiếu sổ quỹ để nâng cao tính chính xác của số liệu kế toán.",
        # a negation in place of a negation ("không cần" of "không có")
        "Khi có văn bản đồng ý thì không cần biên bản của hội đồng.",
    ],
)
def test_a_lead_or_a_negation_said_otherwise_stands(claim: str) -> None:
    sources = {
        "Kế hoạch": [THỦ_QUỸ],
        "Khi": ["Không ai được nhận tài sản nếu không có biên bản của hội đồng, trừ khi có văn bản đồng ý."],
    }
    source = next(v for k, v in sources.items() if claim.startswith(k))
    assert misaligned(claim, source) is None


def test_a_word_that_only_folds_like_a_pointer_is_no_pointer() -> None:
    """ "độ" of "trình độ" folds like "đó" but points at nothing: a list said with "và" stands."""
    source = "Giáo dục nghề nghiệp đào tạo trình độ sơ cấp, trình độ trung cấp, trình độ cao đẳng."
    assert misaligned("Giáo dục nghề nghiệp đào tạo trình độ sơ cấp và trung cấp.", [source]) is None
