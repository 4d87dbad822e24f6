"""Numbers in words are read as written: "Việt Nam không" is a name and a negation, not "năm không"."""

from __future__ import annotations

import pytest

from assistant.answering.claim_numbers import spelled_numbers, unsupported_numbers

SOURCE = "Người nước ngoài cư trú ở Việt Nam phải tuân theo Hiến pháp và pháp luật Việt Nam."


@pytest.mark.parametrize(
    "claim",
    [
        "Người nước ngoài cư trú ở Việt Nam không được làm trái Hiến pháp và pháp luật Việt Nam.",
        "NGƯỜI NƯỚC NGOÀI CƯ TRÚ Ở VIỆT NAM KHÔNG ĐƯỢC LÀM TRÁI PHÁP LUẬT.",
        "Hà Nam không thuộc phạm vi này.",
    ],
)
def test_a_name_read_as_a_number_word_is_no_number(claim: str) -> None:
    assert spelled_numbers(claim) == set()
    assert unsupported_numbers(claim, [SOURCE]) == set()


@pytest.mark.parametrize(
    ("claim", "said"),
    [
        ("Công dân đủ hai mươi tuổi trở lên có quyền ứng cử.", ("hai", "muoi")),
        ("Mỗi lớp không quá năm mươi học viên.", ("nam", "muoi")),
        # typed without diacritics: the words are read folded, as before
        ("cong dan du hai muoi tuoi tro len", ("hai", "muoi")),
        ("moi lop khong qua nam muoi hoc vien", ("nam", "muoi")),
    ],
)
def test_numbers_in_words_are_still_read(claim: str, said: tuple[str, ...]) -> None:
    assert said in spelled_numbers(claim)
    assert unsupported_numbers(claim, [SOURCE])
