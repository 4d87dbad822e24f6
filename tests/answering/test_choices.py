"""Multiple-choice questions: the choices read the ways users type or paste them, and the letter decided by
the claim check only when a sentence decides it (shown able to refuse and to fail on bad readings)."""

from __future__ import annotations

import pytest

from assistant.answering.choice_verdict import BACKED, CONTRADICTED, UNKNOWN, Candidate, decide
from assistant.answering.support import SupportScorer
from assistant.language.choices import ALL_FALSE, ALL_TRUE, list_items, parse_choices, with_choices
from assistant.language.shapes import Shape, shape_of

STEM = "Mỗi lớp bồi dưỡng tập trung có tối đa bao nhiêu học viên?"
CHOICES = {"A": "40 học viên", "B": "50 học viên", "C": "60 học viên", "D": "70 học viên"}
SENTENCE = (
    "Học viện Hành chính Quốc gia tổ chức 06 lớp bồi dưỡng tập trung, mỗi lớp không quá 60 học viên, "
    "thời gian mỗi lớp 05 ngày."
)


@pytest.mark.parametrize(
    "question",
    [
        f"{STEM}\nA. 40 học viên\nB. 50 học viên\nC. 60 học viên\nD. 70 học viên",
        f"{STEM}\nA) 40 học viên\nB) 50 học viên\nC) 60 học viên\nD) 70 học viên",
        f"{STEM}\na. 40 học viên\nb. 50 học viên\nc. 60 học viên\nd. 70 học viên",
        f"{STEM}\n  A - 40 học viên\n  B - 50 học viên\n  C - 60 học viên\n  D - 70 học viên",
        f"{STEM} A. 40 học viên B. 50 học viên C. 60 học viên D. 70 học viên",
        f"{STEM}\nPhương án A: 40 học viên\nPhương án B: 50 học viên\nC: 60 học viên\nD: 70 học viên",
        with_choices(STEM, CHOICES),
    ],
)
def test_choices_are_read_however_they_are_written(question: str) -> None:
    parsed = parse_choices(question)
    assert parsed is not None and parsed.stem == STEM and not parsed.exception
    assert {c.letter: c.text for c in parsed.choices} == CHOICES
    assert shape_of(question) is Shape.MULTIPLE_CHOICE


def test_choices_typed_without_diacritics() -> None:
    parsed = parse_choices("Dieu nao khong dung?\nphuong an a: mot\nphuong an b: hai")
    assert parsed and parsed.letters == ("A", "B") and parsed.exception


@pytest.mark.parametrize(
    "question",
    [
        "Nhiệm vụ thứ tư của kế hoạch là gì?",
        "Điều 5. B. quy định gì?",  # one marker is no choice
        "Các trường hợp a) và b) của khoản 2 có khác nhau không? a) một b) hai",  # lower case inside a line
        "A. một\nB. hai",  # choices without a stem
        "Học viên được cấp giấy chứng nhận, đúng hay sai?",
    ],
)
def test_a_question_without_choices_is_not_read_as_one(question: str) -> None:
    assert parse_choices(question) is None
    assert shape_of(question) is not Shape.MULTIPLE_CHOICE


def test_choices_about_the_others_and_stems_asking_for_the_exception() -> None:
    parsed = parse_choices("Ai?\nA. Một\nB. Hai\nC. Cả A và B\nD. Tất cả đều sai")
    assert parsed is not None
    assert [(c.combines, c.others) for c in parsed.choices] == [
        (None, ()),
        (None, ()),
        (ALL_TRUE, ("A", "B")),
        (ALL_FALSE, ("A", "B", "C")),
    ]
    assert parse_choices("Việc nào? A. x B. y C. Cả 3 phương án trên.").choices[2].others == ("A", "B")
    for stem in ("Điều nào sau đây KHÔNG đúng?", "Đâu không phải là điều kiện?", "Tất cả đều đúng, trừ:"):
        assert parse_choices(f"{stem}\nA. x\nB. y").exception, stem
    # "thường trú" is no "trừ"; "trừ trường hợp" quotes a law, it does not ask for the exception
    for stem in ("Nơi thường trú là gì?", "Thỏa thuận có hiệu lực, trừ trường hợp nào?"):
        assert not parse_choices(f"{stem}\nA. x\nB. y").exception, stem


def _decide(question: str, *sentences: str, scorer: SupportScorer):
    parsed = parse_choices(question)
    assert parsed is not None
    return decide(parsed, [Candidate(s) for s in sentences], scorer)


def test_the_one_backed_choice_is_the_answer(scorer: SupportScorer) -> None:
    verdict = _decide(with_choices(STEM, CHOICES), SENTENCE, scorer=scorer)
    assert verdict.letter == "C" and verdict.deciding == (0,)
    assert verdict.readings["C"].status == BACKED
    assert {verdict.readings[x].status for x in "ABD"} == {CONTRADICTED}  # 40, 50, 70: numbers it lacks


def test_no_sentence_no_letter(scorer: SupportScorer) -> None:
    unrelated = "Cơ quan, đơn vị công khai quy trình giải quyết công việc."
    assert _decide(with_choices(STEM, CHOICES), unrelated, scorer=scorer).letter is None
    assert _decide(with_choices(STEM, CHOICES), scorer=scorer).letter is None


def test_a_sentence_not_about_the_stem_decides_nothing(scorer: SupportScorer) -> None:
    parsed = parse_choices(with_choices(STEM, CHOICES))
    assert parsed is not None
    assert decide(parsed, [Candidate(SENTENCE, about=0.1)], scorer).letter is None


def test_two_backed_choices_decide_nothing_unless_a_choice_says_both(scorer: SupportScorer) -> None:
    question = "Học viên làm gì?\nA. Làm bài kiểm tra viết\nB. Được cấp giấy chứng nhận\nC. Nghỉ học"
    sources = (
        "Kết thúc mỗi lớp, học viên làm bài kiểm tra viết theo hình thức trắc nghiệm.",
        "Học viên đạt yêu cầu được cấp giấy chứng nhận hoàn thành chương trình bồi dưỡng.",
    )
    assert _decide(question, *sources, scorer=scorer).letter is None
    both = _decide(f"{question}\nD. Cả A và B đều đúng", *sources, scorer=scorer)
    assert both.letter == "D" and set(both.deciding) == {0, 1}


def test_one_backed_choice_leaves_an_all_true_choice_open(scorer: SupportScorer) -> None:
    question = "Học viên làm gì?\nA. Làm bài kiểm tra viết\nB. Nghỉ học có lương\nC. Cả A và B đều đúng"
    source = "Kết thúc mỗi lớp, học viên làm bài kiểm tra viết theo hình thức trắc nghiệm."
    assert _decide(question, source, scorer=scorer).letter is None


def test_a_choice_that_repeats_the_stem_backs_nothing(scorer: SupportScorer) -> None:
    question = "Ai báo cáo Thẩm phán về sự có mặt?\nA. Thẩm phán\nB. Thư ký phiên họp\nC. Cả A và B"
    source = "Trước khi khai mạc, Thư ký phiên họp báo cáo Thẩm phán về sự có mặt của những người tham gia."
    verdict = _decide(question, source, scorer=scorer)
    assert verdict.readings["A"].status == UNKNOWN and verdict.readings["B"].status == BACKED
    assert verdict.letter is None  # "Cả A và B" stays possible: A is not contradicted


def test_a_negation_added_or_dropped_contradicts(scorer: SupportScorer) -> None:
    question = (
        "Nghị định áp dụng thế nào?\nA. Nghị định này áp dụng đối với người làm việc trong tổ chức cơ yếu"
        "\nB. Nghị định này không áp dụng đối với người làm việc trong tổ chức cơ yếu"
    )
    source = "Nghị định này không áp dụng đối với người làm việc trong tổ chức cơ yếu và lực lượng vũ trang."
    verdict = _decide(question, source, scorer=scorer)
    assert verdict.readings["A"].status == CONTRADICTED and verdict.letter == "B"


def test_the_exception_is_the_one_choice_not_backed(scorer: SupportScorer) -> None:
    question = (
        "Điều nào sau đây KHÔNG đúng về học viên?\nA. Làm bài kiểm tra viết\n"
        "B. Được cấp giấy chứng nhận hoàn thành chương trình bồi dưỡng\nC. Được nghỉ học có lương"
    )
    sources = (
        "Kết thúc mỗi lớp, học viên làm bài kiểm tra viết theo hình thức trắc nghiệm.",
        "Học viên đạt yêu cầu được cấp giấy chứng nhận hoàn thành chương trình bồi dưỡng.",
    )
    verdict = _decide(question, *sources, scorer=scorer)
    assert verdict.letter == "C" and set(verdict.deciding) == {0, 1}
    # With only one of the others backed, two choices stay possible: no letter.
    assert _decide(question, sources[0], scorer=scorer).letter is None


def test_a_short_choice_needs_a_sentence_about_the_whole_stem(scorer: SupportScorer) -> None:
    parsed = parse_choices("Quyền lực nhà nước thuộc về ai?\nA. Quốc hội\nB. Nhân dân\nC. Chính phủ")
    assert parsed is not None
    passing = Candidate(
        "Nhân dân thực hiện quyền lực nhà nước thông qua Quốc hội và Hội đồng nhân dân.", 0.65
    )
    deciding = Candidate("Tất cả quyền lực nhà nước thuộc về Nhân dân.", 1.0)
    assert decide(parsed, [passing], scorer).letter is None  # "Quốc hội" is only mentioned in passing
    verdict = decide(parsed, [passing, deciding], scorer)
    assert verdict.letter == "B" and verdict.deciding == (1,)


@pytest.mark.parametrize(
    ("stem", "topic"),
    [
        ("Điều nào sau đây KHÔNG đúng về tài sản bảo đảm?", "tài sản bảo đảm?"),
        ("Đâu không phải là điều kiện cấp thẻ hướng dẫn viên?", "điều kiện cấp thẻ hướng dẫn viên?"),
        ("Chất hướng thần được định nghĩa là gì?", "chất hướng thần gì?"),
        ("Cha mẹ KHÔNG có nghĩa vụ chăm sóc con khi nào?", "cha mẹ có nghĩa vụ chăm sóc con khi nào?"),
        ("Dieu nao sau day khong dung ve tai san bao dam?", "tai san bao dam?"),
    ],
)
def test_the_topic_of_a_stem_leaves_its_question_frame_out(stem: str, topic: str) -> None:
    parsed = parse_choices(f"{stem}\nA. x\nB. y")
    assert parsed is not None and parsed.topic == topic


def test_a_choice_listing_items_is_backed_by_a_sentence_holding_them_all(scorer: SupportScorer) -> None:
    assert list_items("Trình độ sơ cấp và trung cấp") == ["Trình độ sơ cấp", "trung cấp"]
    assert list_items("Ngày, tháng; năm hoặc giờ") == ["Ngày", "tháng", "năm", "giờ"]
    question = (
        "Giáo dục nghề nghiệp đào tạo những trình độ nào?\nA. Trình độ sơ cấp và trung cấp\n"
        "B. Trình độ cao đẳng\nC. Cả A và B đều đúng"
    )
    source = "Giáo dục nghề nghiệp đào tạo trình độ sơ cấp, trình độ trung cấp, trình độ cao đẳng."
    verdict = _decide(question, source, scorer=scorer)
    assert verdict.readings["A"].status == BACKED and verdict.letter == "C"
    # An item the sentence lacks ("đại học") backs nothing.
    assert (
        _decide(question.replace("trung cấp", "đại học"), source, scorer=scorer).readings["A"].status
        != BACKED
    )
