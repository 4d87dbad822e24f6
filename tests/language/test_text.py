"""Text primitives: NFC, folding, sentences, diacritic restoration."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from assistant.language.diacritics import DiacriticRestorer
from assistant.language.text import (
    D_LOOKALIKES,
    file_size,
    fold,
    has_diacritics,
    nfc,
    sentence_spans,
    syllables,
    vi_number,
)


def test_nfc_joins_decomposed_letters_and_drops_zero_width() -> None:
    decomposed = unicodedata.normalize("NFD", "Điều 2. Nhà nước")
    assert nfc(decomposed) == "Điều 2. Nhà nước"
    assert nfc("e\u200b\u0301") == "é"


@given(st.text())
def test_nfc_always_returns_nfc(text: str) -> None:
    assert unicodedata.is_normalized("NFC", nfc(text))


def test_fold_removes_diacritics_and_maps_d_lookalikes() -> None:
    assert fold("Đổi mới, khẩn trương") == "doi moi, khan truong"
    assert fold("Ðảng") == fold("Đảng") == "dang"  # U+00D0 as in the NQ 27 excerpts


@given(st.text())
def test_fold_is_nfd_without_combining_marks(text: str) -> None:
    # The definition, spelled out slowly; fold() gets there with a per-character table.
    lowered = unicodedata.normalize("NFD", text.translate(D_LOOKALIKES).lower())
    expected = "".join(ch for ch in lowered if unicodedata.category(ch) != "Mn").replace("đ", "d")
    assert fold(text) == expected
    assert fold(unicodedata.normalize("NFD", text)) == fold(unicodedata.normalize("NFC", text))


def test_ocr_slips_fold_to_the_same_form() -> None:
    for slip, right in [("kể thừa", "kế thừa"), ("khan trương", "khẩn trương"), ("đối mới", "đổi mới")]:
        assert fold(slip) == fold(right)


def test_syllables_are_lower_case_and_canonical() -> None:
    assert syllables("Ðảng Cộng sản, 27-NQ/TW") == ["đảng", "cộng", "sản", "27", "nq", "tw"]


def test_has_diacritics() -> None:
    assert has_diacritics("nhiệm vụ")
    assert not has_diacritics("nhiem vu thu tu")


def _sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


def test_sentences_split_on_final_punctuation_before_a_capital() -> None:
    text = (
        "Thứ năm, hoàn thiện cơ chế; đẩy mạnh phòng, chống tham nhũng. Trong đó tập trung… Kết hợp chặt chẽ."
    )
    assert _sentences(text) == [
        "Thứ năm, hoàn thiện cơ chế; đẩy mạnh phòng, chống tham nhũng.",
        "Trong đó tập trung…",
        "Kết hợp chặt chẽ.",
    ]


def test_sentences_keep_numbering_with_their_text() -> None:
    assert _sentences("1. Nhà nước pháp quyền. Quyền lực thống nhất.\n\na) Điểm một.") == [
        "1. Nhà nước pháp quyền.",
        "Quyền lực thống nhất.",
        "a) Điểm một.",
    ]


def test_sentences_do_not_split_before_lower_case_or_numbers_in_text() -> None:
    text = "Ngày 16/02, Ban ban hành Kế hoạch số 32-KH/BCSĐ. với 03 trụ cột chính: Tổ chức bộ máy."
    assert len(_sentences(text)) == 1


@given(st.text(alphabet="ab. \nCĐ1)", max_size=60))
def test_sentence_spans_are_ordered_trimmed_and_non_empty(text: str) -> None:
    last = 0
    for a, b in sentence_spans(text):
        assert last <= a < b <= len(text)
        assert text[a:b] == text[a:b].strip()
        last = b


def test_restorer_uses_corpus_words() -> None:
    restorer = DiacriticRestorer(["Nhiệm vụ thứ tư của kế hoạch", "cải cách hành chính với 03 trụ cột"])
    assert restorer.restore("nhiem vu thu tu cua ke hoach la gi") == "nhiệm vụ thứ tư của kế hoạch là gì"
    assert restorer.restore("cai cach hanh chinh co may tru cot") == "cải cách hành chính có mấy trụ cột"
    assert restorer.restore("xyz abc") == "xyz abc"


def test_a_question_is_restored_as_questions_open() -> None:
    # The corpus says "con" (con người) far more than "còn"; a follow-up opens with "còn", "thế còn", "vậy".
    restorer = DiacriticRestorer(["Con người là vốn quý nhất; quyền con người được bảo đảm."] * 5 + [
        "Nhiệm vụ thứ năm của kế hoạch", "Công dân có quyền nhận con nuôi."])  # fmt: skip
    assert restorer.restore("con nhiem vu thu nam thi sao") == "còn nhiệm vụ thứ năm thì sao"
    assert restorer.restore("the con nhiem vu thu tam") == "thế còn nhiệm vụ thứ tám"
    assert restorer.restore("vay nhiem vu thu nam") == "vậy nhiệm vụ thứ năm"
    # … but the corpus's own pairs still win: "con người", "con nuôi".
    assert restorer.restore("con nguoi co quyen gi") == "con người có quyền gì"
    assert restorer.restore("con nuoi co quyen gi") == "con nuôi có quyền gì"


def test_a_wrapped_line_continues_its_sentence() -> None:
    assert _sentences("Thứ bảy,\ntăng cường sự lãnh đạo.\nLãnh đạo, chỉ đạo.") == [
        "Thứ bảy,\ntăng cường sự lãnh đạo.",
        "Lãnh đạo, chỉ đạo.",
    ]


def test_file_size_and_numbers_as_vietnamese_writes_them() -> None:
    sizes = [0, 41, 1024, 41_000, 1024 * 1024, 21 * 1024 * 1024, 5 * 1024**3, 400_000]
    assert [file_size(n) for n in sizes] == [
        "0 byte", "41 byte", "1 KB", "40 KB", "1 MB", "21 MB", "5.120 MB", "390,6 KB"
    ]  # fmt: skip
    assert vi_number(20000) == "20.000"
