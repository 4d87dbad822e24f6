"""Document names: the kinds table, citation names, and the registry of what the store holds."""

from __future__ import annotations

import pytest

from assistant.language.names import (
    NameRegistry,
    StoredDocument,
    kind_named,
    named_as_sources,
    short_name,
    spells,
)
from assistant.language.text import fold

STORE = [
    StoredDocument("kh32", "KH 32-KH/BCSĐ", "Kế hoạch số 32-KH/BCSĐ của Ban Cán sự đảng Bộ Nội vụ"),
    StoredDocument("kh11", "KH 11-KH/TW", "Kế hoạch số 11-KH/TW"),
    StoredDocument("nq27", "NQ 27-NQ/TW", "Nghị quyết số 27-NQ/TW"),
    StoredDocument("hp", "Hiến pháp 2013", "Hiến pháp nước Cộng hòa xã hội chủ nghĩa Việt Nam năm 2013"),
    StoredDocument("lvc", "Luật Viên chức 2010", "Luật Viên chức, số 58/2010/QH12"),
    StoredDocument("nd30", "NĐ 30/2020/NĐ-CP", "Nghị định số 30/2020/NĐ-CP ngày 5/3/2020 của Chính phủ"),
    StoredDocument("pcmt", "Luật Phòng, chống ma túy 2021", "Luật Phòng, chống ma túy, số 73/2021/QH14"),
]
REGISTRY = NameRegistry(STORE)


def _named(question: str, with_reference: bool = False) -> list[str]:
    return [n.short for n in REGISTRY.named(question, with_reference)]


def test_short_names() -> None:
    assert short_name("Kế hoạch số 32-KH/BCSĐ của Ban Cán sự đảng Bộ Nội vụ") == "KH 32-KH/BCSĐ"
    assert short_name("Nghị định số 30/2020/NĐ-CP ngày 05/3/2020 của Chính phủ") == "NĐ 30/2020/NĐ-CP"
    assert short_name("Luật Phòng, chống ma túy 2021") == "Luật Phòng, chống ma túy 2021"
    assert short_name("Luật Viên chức số 58/2010/QH12") == "Luật Viên chức 2010"
    assert kind_named("THÔNG TƯ LIÊN TỊCH").abbreviation == "TTLT"
    assert kind_named("NGHI DINH").abbreviation == "NĐ"
    assert kind_named("Hướng dẫn thi hành") is None


def test_a_document_is_named_by_its_own_names() -> None:
    assert _named("ke hoach 32 va nghi quyet 27") == ["KH 32-KH/BCSĐ", "NQ 27-NQ/TW"]
    assert _named("Kế hoạch số 32-KH/BCSĐ giao việc gì?") == ["KH 32-KH/BCSĐ"]
    assert _named("Điều 2 Hiến pháp 2013") == ["Hiến pháp 2013"]
    assert _named("Hiến pháp năm 2013 quy định gì?") == ["Hiến pháp 2013"]
    assert _named("Theo Luật Viên chức, viên chức là ai?") == ["Luật Viên chức 2010"]
    assert _named("Nghị định 30 quy định thể thức gì?") == ["NĐ 30/2020/NĐ-CP"]
    assert _named("What does plan 32 say?") == ["KH 32-KH/BCSĐ"]
    # Punctuation is optional where the question is typed loosely.
    assert _named("theo luat phong chong ma tuy thi sao") == ["Luật Phòng, chống ma túy 2021"]


def test_a_topic_word_is_not_a_name() -> None:
    assert _named("Kế hoạch yêu cầu gì để cán bộ có lối sống thượng tôn Hiến pháp?") == []
    assert _named("Cần cụ thể hóa cơ chế gì để bảo vệ Hiến pháp và pháp luật?") == []
    assert _named("các nghị quyết của Đảng về nhà nước pháp quyền") == []
    assert _named("Kế hoạch có bao nhiêu nhiệm vụ?") == []
    assert _named("Nghị quyết 270 nói gì?") == []  # another number is another document


def test_a_kind_word_beside_a_clause_reference_names_the_only_document_of_that_kind() -> None:
    assert _named("Điều 2 Hiến pháp nói gì?", with_reference=True) == ["Hiến pháp 2013"]
    assert _named("Article 2 of the Constitution", with_reference=True) == ["Hiến pháp 2013"]
    # Two plans in the store: "kế hoạch" alone names neither.
    assert _named("nhiệm vụ thứ tư của kế hoạch", with_reference=True) == []


def test_listing_names_what_the_store_holds() -> None:
    assert NameRegistry(STORE[:2]).listing() == "KH 11-KH/TW và KH 32-KH/BCSĐ"
    assert NameRegistry(STORE).listing(limit=3).endswith("và 4 văn bản khác")
    assert NameRegistry([]).listing() == ""


def test_kind_words_of_stored_documents_say_which_document_not_what_about() -> None:
    question = "Kế hoạch và Hiến pháp quy định gì về báo cáo?"
    spans = REGISTRY.kind_mentions(question)
    assert [fold(question)[a:b] for a, b in spans] == ["ke hoach", "hien phap"]  # "quy định", "báo cáo" stay
    assert NameRegistry([]).kind_mentions(question) == []


def test_the_document_a_question_is_about_by_kind() -> None:
    plans = ["KH 11-KH/TW", "KH 32-KH/BCSĐ"]
    assert REGISTRY.subjects("Kế hoạch yêu cầu gì để có lối sống thượng tôn Hiến pháp?") == plans
    assert REGISTRY.subjects("Theo Hiến pháp, việc đi học là quyền hay nghĩa vụ?") == ["Hiến pháp 2013"]
    assert REGISTRY.subjects("Nội dung của kế hoạch này là gì?") == plans
    assert REGISTRY.subjects("Cần cơ chế gì để cán bộ bảo vệ Hiến pháp?") == []


@pytest.mark.parametrize(
    ("acronym", "words", "spelled"),
    [
        ("UBND", "Ủy ban nhân dân", True),
        ("HĐND", "Hội đồng nhân dân", True),
        ("HĐND", "Hành động nhân dân", True),  # initials only: the texts decide which name it is
        ("UBND", "Hội đồng nhân dân", False),
        ("UBND", "Ủy ban nhân", False),
    ],
)
def test_an_acronym_spells_the_initials_of_its_words(acronym: str, words: str, spelled: bool) -> None:
    assert spells(acronym, words.split()) is spelled


@pytest.mark.parametrize(
    ("sentence", "sources", "read"),
    [
        # an acronym the sources write out is read in their words, and the other way round
        (
            "Phó Chủ tịch UBND tỉnh làm Tổ trưởng.",
            "Phó Chủ tịch Ủy ban nhân dân tỉnh làm Tổ trưởng.",
            "Phó Chủ tịch Ủy ban nhân dân tỉnh làm Tổ trưởng.",
        ),
        ("Hội đồng nhân dân tỉnh giám sát.", "HĐND tỉnh giám sát.", "HĐND tỉnh giám sát."),
        # an acronym the sources do not write out, or also use, stays as written
        ("HĐND tỉnh giám sát.", "Ủy ban nhân dân tỉnh giám sát.", "HĐND tỉnh giám sát."),
        ("UBND tỉnh giám sát.", "UBND tỉnh, tức Ủy ban nhân dân tỉnh, giám sát.", "UBND tỉnh giám sát."),
        # no name: a document's number, a Roman numeral, words in lower case
        ("Kế hoạch số 32-KH/BCSĐ.", "Kế hoạch số 32 của Ban cán sự đảng.", "Kế hoạch số 32-KH/BCSĐ."),
        ("Mục II nêu nhiệm vụ.", "Mục Ích Ích nêu nhiệm vụ.", "Mục II nêu nhiệm vụ."),
        ("UBND giám sát.", "ủy ban nhân dân giám sát.", "UBND giám sát."),
    ],
)
def test_a_name_is_read_as_its_sources_abbreviate_it(sentence: str, sources: str, read: str) -> None:
    assert named_as_sources(sentence, sources) == read
