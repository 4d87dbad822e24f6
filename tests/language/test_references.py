"""Structural references and follow-up resolution."""

from __future__ import annotations

import pytest

from assistant.core.models import Turn
from assistant.language.references import find_references, heading_names
from assistant.retrieval.followup import resolve


def _keys(question: str) -> list[str]:
    return [r.pattern for r in find_references(question)]


@pytest.mark.parametrize(
    ("question", "pattern"),
    [
        ("Nhiệm vụ thứ tư của kế hoạch là gì?", r"(^|/)thu-4$"),
        ("nhiem vu thu tu la gi", r"(^|/)thu-4$"),
        ("Nhiệm vụ đầu tiên là gì?", r"(^|/)thu-1$"),
        ("What is the fourth task of Plan 32?", r"(^|/)thu-4$"),
        ("Điều 2 Hiến pháp quy định gì?", r"(^|/)dieu-2(/|$)"),
        ("khoản 3 Điều 8", r"(^|/)dieu-8/khoan-3(/|$)"),
        ("Article 119 of the Constitution", r"(^|/)dieu-119(/|$)"),
        ("Mục đích của Kế hoạch 32 là gì?", r"(^|/)muc-dich(/|$)"),
        ("Chương II Hiến pháp", r"(^|/)chuong-(ii|2)(/|$)"),
    ],
)
def test_references(question: str, pattern: str) -> None:
    assert _keys(question) == [pattern]


@pytest.mark.parametrize(
    "question",
    [
        "Thứ tự các nhiệm vụ ra sao?",
        "Kế hoạch nhằm mục đích gì?",
        "Ai yêu cầu các đơn vị bám sát?",
        "Cơ quan cung cấp thông tin theo yêu cầu của công dân, đúng hay sai?",
        "Quy hoạch phải lồng ghép các yêu cầu về bảo vệ môi trường?",
    ],
)
def test_ordinary_words_are_not_references(question: str) -> None:
    assert _keys(question) == []


HISTORY = [
    Turn("user", "Nhiệm vụ thứ tư của kế hoạch là gì?"),
    Turn("assistant", "Thứ tư, tiếp tục tham mưu đổi mới tổ chức… [1]"),
]


def test_follow_up_inherits_the_clause() -> None:
    follow = resolve("Trong nhiệm vụ đó, cải cách hành chính có mấy trụ cột?", HISTORY)
    assert [r.pattern for r in follow.scope] == [r"(^|/)thu-4$"]
    assert follow.strict
    assert "nhiệm vụ thứ tư" in (follow.standalone or "").lower() or "Nhiệm vụ thứ tư" in (
        follow.standalone or ""
    )


def test_follow_up_without_diacritics() -> None:
    follow = resolve("trong nhiem vu do, cai cach hanh chinh co may tru cot", HISTORY)
    assert follow.scope and follow.strict


def test_a_question_naming_its_own_clause_or_unrelated_is_standalone() -> None:
    assert resolve("Còn nhiệm vụ thứ năm thì sao?", HISTORY).scope == []
    assert resolve("Hiến pháp 2013 có bao nhiêu chương?", HISTORY).scope == []
    assert resolve("Trong nhiệm vụ đó có gì?", []).scope == []


def _patterns(question: str) -> list[str]:
    return [r.pattern or f"title:{r.title}" for r in find_references(question)]


def test_references_by_a_plans_path() -> None:
    assert _patterns("Mục 2.2 nói gì?") == [r"(^|/)tieu-muc-2-2(/|$)"]
    assert _patterns("tiểu mục 2.2.1 quy định gì") == [r"(^|/)tieu-muc-2-2-1(/|$)"]
    assert _patterns("khoản 2 mục III nói gì?") == [r"(^|/)(muc|phan)-(iii|3)/khoan-2(/|$)"]
    assert _patterns("điểm b khoản 2 mục I") == [r"(^|/)(muc|phan)-(i|1)/khoan-2/diem-b(/|$)"]
    assert _patterns("Phần tổ chức thực hiện giao việc cho ai?") == ["title:to chuc thuc hien giao viec"]
    assert _patterns("Mục đích của kế hoạch là gì?") == [r"(^|/)muc-dich(/|$)"]
    assert _patterns("điểm b khoản 2 Điều 5") == [r"(^|/)dieu-5/khoan-2/diem-b(/|$)"]


@pytest.mark.parametrize(
    "question",
    [
        "Chương trình giáo dục cần phải thể hiện mục tiêu giáo dục, đúng hay sai?",
        "Mục đích của việc đánh giá viên chức là gì?",
        "Phần lớn kinh phí do ai bảo đảm?",
        "Thành phần môi trường nào phải được quan trắc?",
        "Người kháng cáo rút một phần kháng cáo thì Tòa án xử lý thế nào?",
        "Danh mục chất ma túy do cơ quan nào ban hành?",
    ],
)
def test_words_that_begin_with_muc_or_phan_are_not_parts(question: str) -> None:
    # "mục tiêu", "mục đích", "phần lớn" are words, not "Mục"/"Phần" + a heading's words.
    assert [r for r in find_references(question) if r.title] == []


def test_the_requirements_of_a_document_are_its_part() -> None:
    assert _patterns("Các yêu cầu của Kế hoạch 32 là gì?") == [r"(^|/)yeu-cau(/|$)"]
    assert _patterns("Kế hoạch đặt ra những yêu cầu nào?") == [r"(^|/)yeu-cau(/|$)"]


@pytest.mark.parametrize(
    ("heading", "whole", "first_words"),
    [
        ("I. MỤC ĐÍCH, YÊU CẦU", {"muc dich yeu cau", "muc dich", "yeu cau"}, {"muc", "muc dich yeu"}),
        ("2. Yêu cầu", {"yeu cau"}, {"yeu"}),
        ("IV. TỔ CHỨC THỰC HIỆN", {"to chuc thuc hien"}, {"to chuc", "to chuc thuc"}),
        ("Phần thứ tư. Thừa kế", {"thua ke"}, {"thua"}),
    ],
)
def test_the_names_a_part_answers_to(heading: str, whole: set[str], first_words: set[str]) -> None:
    assert heading_names(heading, whole=True) == whole
    assert first_words <= heading_names(heading)


NGHIA_VU_480 = "nghia vu su dung tai san thue dung cong dung muc dich"


@pytest.mark.parametrize(
    ("heading", "title"),
    [
        ("Điều 480. Nghĩa vụ sử dụng tài sản thuê đúng công dụng, mục đích", NGHIA_VU_480),
        ("Điều 43. Mục đích của Quỹ hỗ trợ", "muc dich cua quy ho tro"),
    ],
)
def test_an_article_answers_to_its_whole_title_only(heading: str, title: str) -> None:
    # Neither to a title it lists ("mục đích") nor to its first words ("phần nghĩa vụ sử dụng").
    assert heading_names(heading, whole=True) == {title}
    assert heading_names(heading) == frozenset()
