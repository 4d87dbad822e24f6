"""The offline quiz (assistant/classroom/): what is blanked, which false statements are made, offline multiple
choice, coverage, seeds and proportions, each rule pinned with the examples of issue 24; and, over every
bundled document and two documents of the standard-layout corpus, every false statement is flagged by the
claim check and every true one passes it."""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from assistant import Assistant, Chunk, InputError, LLMError, Settings, get_settings
from assistant.answering.llm import chat_model
from assistant.answering.support import SupportScorer
from assistant.classroom.generated import multiple_choice
from assistant.classroom.items import BLANK, FALSE, TRUE, QuizQuestion
from assistant.classroom.quiz import build_quiz, parse_kinds, schedule, select_clauses
from assistant.classroom.spans import Stats, bodies, normal, numbers
from assistant.classroom.statements import reversed_directions
from assistant.language.choices import parse_choices
from assistant.language.text import fold
from ingest.chunking import chunk_document
from ingest.loaders import load_document
from tests.conftest import CORPUS, PROJECT, FakeEmbeddings
from tests.fake_openai import FakeOpenAI

STANDARD = PROJECT / "evals" / "corpora" / "standard"
BUNDLED = sorted(p.stem for p in CORPUS.glob("*.txt"))
TWO_STANDARD = ["ke-hoach-45-KH-BNV", "luat-can-bo-cong-chuc-trich"]


@cache
def corpus() -> tuple[Chunk, ...]:
    """The bundled documents and the standard-layout ones, chunked as ingest does (no store needed)."""
    paths = [*sorted(CORPUS.glob("*.txt")), *sorted(STANDARD.glob("*.txt"))]
    tokens = get_settings().chunk_tokens
    return tuple(c for p in paths for c in chunk_document(load_document(p), tokens)[2])


@cache
def check():  # the claim check over that corpus: SupportScorer.meaning (it needs no embedding)
    return SupportScorer(FakeEmbeddings(), [c.text for c in corpus()]).meaning


def quiz(chunks, count=20, seed=0, kinds=None) -> list[QuizQuestion]:
    return build_quiz(chunks, count, seed, corpus(), kinds, check=check())


def chunk(
    text: str, order: int = 0, key: str = "nhiem-vu/thu-2", label: str = "Nhiệm vụ thứ hai", **kw
) -> Chunk:
    fields = (
        dict(
            doc_id="kh32",
            doc_title="Kế hoạch số 32-KH/BCSĐ của Ban Cán sự đảng Bộ Nội vụ thực hiện Nghị quyết số 27-NQ/TW",
            doc_short="KH 32-KH/BCSĐ",
            clause_path=label,
        )
        | kw
    )
    return Chunk(id=f"c{order}", clause_key=key, clause_label=label, order=order, text=text, start=0,
                 end=len(text), tokens=0, **fields)  # fmt: skip


def doc(doc_id: str) -> list[Chunk]:
    return select_clauses(corpus(), doc_id)


# --- what is blanked (issue 24: "Why") -----------------------------------------------------------------

HIEN_PHAP_2 = "1. Nhà nước Cộng hòa xã hội chủ nghĩa Việt Nam là nhà nước pháp quyền xã hội chủ nghĩa của Nhân dân, do Nhân dân, vì Nhân dân."  # noqa: E501
FIRST_TASK = (
    "Thứ nhất, đẩy mạnh tuyên truyền, phổ biến, giáo dục, nâng cao nhận thức về Nhà nước pháp quyền xã hội "
    "chủ nghĩa Việt Nam."
)
OWN_TITLE = (
    "Ngày 16/02, Ban Cán sự đảng Bộ Nội vụ ban hành Kế hoạch số 32-KH/BCSĐ thực hiện Nghị quyết số 27-NQ/TW "
    "ngày 09/11/2022 của Hội nghị Trung ương 6 khóa XIII về tiếp tục xây dựng và hoàn thiện "
    "Nhà nước pháp quyền xã hội chủ nghĩa Việt Nam trong giai đoạn mới."
)
TITLE_LINE = (
    "Kế hoạch thực hiện Nghị quyết số 27-NQ/TW của Hội nghị Trung ương 6 khóa XIII "
    "của Ban Cán sự đảng Bộ Nội vụ"
)


def blanks_of(text: str, **kw) -> list[QuizQuestion]:
    return [q for seed in range(6) for q in quiz([chunk(text, **kw)], 3, seed, ["blank", "choice"])]


def test_no_blank_on_a_list_marker_and_the_sentence_shown_without_it() -> None:
    made = blanks_of(HIEN_PHAP_2, key="chuong-i/dieu-2/khoan-1", label="Điều 2, khoản 1")
    assert made
    for q in made:
        assert normal(q.answer) not in ("1", "1."), q
        assert not q.prompt.startswith(("1.", BLANK + ".")) and q.source == HIEN_PHAP_2[3:]
        assert q.prompt.replace(BLANK, q.answer, 1).split("\nA. ")[0] == q.source


def test_no_blank_on_an_ordinal() -> None:
    made = blanks_of(FIRST_TASK, key="nhiem-vu/thu-1", label="Nhiệm vụ thứ nhất")
    assert made
    assert all(fold(q.answer) not in ("thu nhat", "nhat") and not q.prompt.startswith(BLANK) for q in made)


def test_no_blank_on_a_document_number_nor_on_the_documents_own_title_in_a_sentence_naming_it() -> None:
    made = blanks_of(OWN_TITLE, key="mo-dau", label="Phần mở đầu")
    answers = {normal(q.answer) for q in made}
    assert not answers & {"32", "27", "6", "ban can su dang bo noi vu", "bo noi vu"}, answers
    assert all("_____-" not in q.prompt and "số _____" not in q.prompt for q in made)


def test_no_item_from_a_title_line_or_page_chrome() -> None:
    with pytest.raises(InputError, match="không có câu nào"):
        quiz(
            [chunk(TITLE_LINE, key="mo-dau", label="Phần mở đầu"), chunk("Lượt xem : 2036", 1, key="mo-dau")]
        )


def test_bodies_numbers_with_units_and_deadlines_are_blanked() -> None:
    sentence = (
        "Vụ Tổ chức cán bộ chủ trì, phối hợp với Học viện Hành chính Quốc gia xây dựng khung chương trình "
        "bồi dưỡng, trình Bộ trưởng phê duyệt trước ngày 30 tháng 6 năm 2024."
    )
    answers = {
        q.answer for q in blanks_of(sentence, doc_id="x", doc_short="KH 9/KH-X", doc_title="Kế hoạch 9")
    }
    assert {"Vụ Tổ chức cán bộ", "Học viện Hành chính Quốc gia", "30 tháng 6 năm 2024"} & answers
    bodies = {"Vụ Tổ chức cán bộ", "Học viện Hành chính Quốc gia", "Bộ trưởng", "30 tháng 6 năm 2024"}
    assert answers <= bodies | {"phê duyệt", "chương trình", "bồi dưỡng", "khung chương trình"}
    months = "Kế hoạch không áp dụng đối với công chức được cử đi học tập ở nước ngoài từ 12 tháng trở lên."
    assert "12 tháng" in {
        q.answer for q in blanks_of(months, doc_id="y", doc_short="KH 8/KH-Y", doc_title="")
    }


def test_bodies_are_read_whole() -> None:
    text = (
        "Ban Cán sự đảng Bộ Nội vụ đề nghị Ban Thường vụ Đảng ủy Bộ phối hợp với Ủy ban nhân dân cấp tỉnh, "
        "các tổ chức của Đảng và đảng viên, Học viện Hành chính Quốc gia."
    )
    stats = Stats(c.text for c in corpus())  # where a name ends is read from how the corpus writes it
    assert [s.text for s in bodies(text, stats)] == [
        "Ban Cán sự đảng Bộ Nội vụ",
        "Ban Thường vụ Đảng ủy Bộ",
        "Ủy ban nhân dân cấp tỉnh",
        "Đảng",
        "Học viện Hành chính Quốc gia",
    ]


def test_a_number_is_blanked_with_its_unit_and_a_reference_never() -> None:
    text = (
        "Theo Điều 5 và khoản 2, đơn vị trồng thêm 120 héc-ta rừng, đạt 80% kế hoạch, xong trong 05 ngày làm "
        "việc, với 03 trụ cột chính."
    )
    found = {s.text: s.type for s in numbers(text)}
    assert found == {"120 héc-ta": "hec-ta", "80%": "%", "05 ngày làm việc": "ngay lam viec", "03": "tru cot"}


def test_the_same_fact_is_never_asked_twice() -> None:
    made = quiz(doc("ke-hoach-32-KH-BCSD"), 20, 3)
    facts = [q.fact for q in made]
    assert len(facts) == len(set(facts))
    assert len({q.source for q in made}) == len(made)  # one item a sentence: no item shows another's answer
    numbers = [q.answer for q in made if q.kind == "blank" and re.fullmatch(r"\d+", q.answer)]
    assert len(numbers) == len(set(numbers))


# --- statements: whole sentences, false ones by the claim check's own rules -----------------------------


def test_statements_are_whole_sentences_never_fragments() -> None:
    for name in ("hien-phap-2013", "ke-hoach-32-KH-BCSD"):
        clauses = {}
        for c in doc(name):
            clauses.setdefault(c.clause_key, []).append(c.text)
        for q in quiz(doc(name), 20, 1, ["true_false"]):
            clause = " ".join(
                " ".join(clauses[next(c.clause_key for c in doc(name) if c.id == q.chunk_id)]).split()
            )
            assert q.source in clause and q.source[0].isupper() and q.source.endswith((".", "!", "?", "…"))
            assert not q.prompt[0].islower()  # never "không bị tra tấn, bạo lực, …"
            if q.answer == TRUE:
                assert q.prompt == q.source


def test_false_statements_change_what_the_sentence_says_not_a_document_number() -> None:
    made = [q for seed in range(4) for q in quiz(doc("ke-hoach-32-KH-BCSD"), 20, seed, ["true_false"])]
    false = [q for q in made if q.answer == FALSE]
    assert len(false) >= 8
    for q in false:
        ids = re.compile(r"\d+[-/][\wĐđ/-]+")
        assert ids.findall(q.prompt) == ids.findall(q.source), q.prompt  # "Nghị quyết số 29-NQ/TW": never
        assert "Văn bản ghi «" in q.explanation and q.source in q.explanation


QUOC_HOI = (
    "Quốc hội là cơ quan đại biểu cao nhất của Nhân dân, cơ quan quyền lực nhà nước cao nhất của nước ta."
)
NOT_APPLIED = (
    "Kế hoạch không áp dụng đối với công chức đang được cử đi học tập ở nước ngoài từ 12 tháng trở lên."
)
TERRITORY = (
    "Nước Cộng hòa xã hội chủ nghĩa Việt Nam là một nước độc lập, có chủ quyền, bao gồm đất liền, hải đảo, "
    "vùng biển và vùng trời."
)


@pytest.mark.parametrize(
    ("sentence", "changed"),
    [
        (QUOC_HOI, ("Chính phủ là cơ quan", "Nhân dân là cơ quan", "của Chính phủ,", "của Quốc hội,")),
        (NOT_APPLIED, ("Kế hoạch áp dụng đối với", "không được cử", "trở xuống", "tháng trở lên.")),
        (TERRITORY, ("chỉ bao gồm đất liền.",)),
    ],
)
def test_a_false_statement_is_made_by_a_rule_of_the_claim_check(
    sentence: str, changed: tuple[str, ...]
) -> None:
    other = chunk(
        "Chính phủ là cơ quan hành chính nhà nước cao nhất, thực hiện quyền hành pháp.", 1, key="k2"
    )
    made = [
        q
        for seed in range(12)
        for q in quiz([chunk(sentence, key="k1"), other], 2, seed, ["true_false"])
        if q.source == sentence and q.answer == FALSE
    ]
    assert made
    assert all(check()(q.prompt, [sentence]) for q in made)
    assert any(any(part in q.prompt for part in changed) for q in made), [q.prompt for q in made]


def test_a_direction_is_reversed_as_a_whole_word() -> None:
    made = {c.was: c.text for c in reversed_directions("Tăng cường tham mưu, giảm hợp lý số lượng các bộ.")}
    assert made == {
        "Tăng cường": "Hạn chế tham mưu, giảm hợp lý số lượng các bộ.",
        "giảm": "Tăng cường tham mưu, tăng hợp lý số lượng các bộ.",
    }  # never "Giảm cường tham mưu"


def test_true_and_false_statements_are_balanced() -> None:
    for seed in range(3):
        made = quiz(doc("hien-phap-2013"), 12, seed, ["true_false"])
        answers = Counter(q.answer for q in made)
        assert len(made) == 12 and abs(answers[TRUE] - answers[FALSE]) <= 1, answers


# --- multiple choice ---------------------------------------------------------------------------------


def test_multiple_choice_offline_has_four_distinct_options_of_one_type() -> None:
    made = [q for seed in range(3) for q in quiz(doc("ke-hoach-45-KH-BNV"), 20, seed, ["choice"])]
    assert len(made) >= 30
    for q in made:
        assert len(q.choices) == 4 and len({normal(o) for o in q.choices}) == 4, q.choices
        letter, right = q.answer.split(". ", 1)
        assert q.choices["ABCD".index(letter)] == right
        assert q.stem.replace(BLANK, right) == q.source and f"\nA. {q.choices[0]}" in q.prompt
        read = parse_choices(q.prompt)  # as the trainee-answer check reads a pasted question
        assert read and read.letters == ("A", "B", "C", "D") and read.choice(letter).text == right
        if re.fullmatch(r"\d+( \w+)?", right):  # a number: all options numbers of the same unit
            unit = right.split(" ")[1:]
            assert all(o.split(" ")[1:] == unit and o.split(" ")[0].isdigit() for o in q.choices), q.choices
    bodies = [q for q in made if q.answer.split(". ", 1)[1][0].isupper()]
    assert bodies and all(all(o[0].isupper() for o in q.choices) for q in bodies)


def test_options_equal_once_normalised_are_never_both_offered() -> None:
    for q in quiz(doc("hien-phap-2013"), 20, 5, ["choice"]):
        keys = [normal(o) for o in q.choices]
        assert len(set(keys)) == 4, q.choices  # "03" and "3", "Quốc hội" and "quốc hội" are one option


# --- coverage, seeds, proportions, citations ---------------------------------------------------------


def test_the_same_seed_gives_the_same_quiz_and_another_seed_another() -> None:
    chunks = doc("luat-can-bo-cong-chuc-trich")
    assert quiz(chunks, 10, 7) == quiz(chunks, 10, 7)
    assert quiz(chunks, 10, 7) != quiz(chunks, 10, 8)


def test_kinds_in_the_chosen_proportions() -> None:
    made = quiz(doc("hien-phap-2013"), 12, 1, parse_kinds("blank:2,true_false:1,choice:1"))
    assert Counter(q.kind for q in made) == {"blank": 6, "true_false": 3, "choice": 3}
    assert [q.kind for q in quiz(doc("hien-phap-2013"), 4, 1, ["choice"])] == ["choice"] * 4
    assert schedule(4, {"blank": 1, "choice": 1}) == ["blank", "choice", "blank", "choice"]
    for bad in ("essay", "blank:0", "blank:x", ""):
        with pytest.raises(InputError):
            parse_kinds(bad)


def test_items_are_spread_over_the_chosen_clauses_and_cited() -> None:
    chunks = select_clauses(corpus(), "hien-phap-2013", ["Điều 2", "Điều 6", "Điều 9"])
    made = quiz(chunks, 6, 2)
    labels = {q.label for q in made}
    assert {"Điều 6"} <= labels and any(label.startswith("Điều 2") for label in labels)
    assert any(label.startswith("Điều 9") for label in labels)
    for q in made:
        assert q.doc_id == "hien-phap-2013" and q.citation == f"Hiến pháp 2013, {q.label}"
        assert json.loads(json.dumps(q.to_json()))["citation"] == {
            "doc": "hien-phap-2013", "label": q.citation, "text": q.source
        }  # fmt: skip


def test_unknown_documents_and_clauses_and_bad_counts_are_clear_errors() -> None:
    with pytest.raises(InputError, match="Không có tài liệu mã 'khong-co'"):
        select_clauses(corpus(), "khong-co")
    with pytest.raises(InputError, match="không có điều khoản 'Điều 999'"):
        select_clauses(corpus(), "hien-phap-2013", ["Điều 999"])
    with pytest.raises(InputError):
        quiz(doc("hien-phap-2013"), 0)


# --- done when: the claim check agrees with every statement of a 20-item quiz --------------------------


@pytest.mark.parametrize("name", [*BUNDLED, *TWO_STANDARD])
def test_every_false_statement_is_flagged_and_every_true_one_passes(name: str) -> None:
    meaning = SupportScorer(FakeEmbeddings(), [c.text for c in corpus()]).meaning  # a check of its own
    made = quiz(doc(name), 20, 3)
    assert len(made) >= (20 if len(doc(name)) > 30 else 3), len(made)
    statements = [q for q in made if q.kind == "true_false"]
    assert statements
    for q in statements:
        verdict = meaning(q.prompt, [q.source])
        assert (verdict is not None) == (q.answer == FALSE), (q.prompt, q.answer, verdict)


# --- multiple choice through an LLM (the fake OpenAI-compatible server) ------------------------------

PILLARS_SOURCE = (
    "với 03 trụ cột chính: Tổ chức bộ máy; công vụ, công chức; hành chính điện tử và chuyển đổi số"
)


def _multiple_choice(chunks: list[Chunk], reply: str, count: int) -> list[QuizQuestion]:
    with FakeOpenAI() as server:
        server.enqueue(reply)
        return multiple_choice(
            chunks, chat_model(Settings(llm_base_url=server.url, llm_max_retries=0)), count
        )


def test_multiple_choice_keeps_only_questions_backed_by_a_verbatim_source(
    corpus_assistant: Assistant,
) -> None:
    chunks = [c for c in corpus_assistant.store.chunks() if c.clause_label == "Nhiệm vụ thứ tư"]
    good = {
        "question": "Cải cách hành chính có mấy trụ cột chính?",
        "options": ["02", "03", "04", "05"],
        "answer": 1,
        "source": PILLARS_SOURCE,
    }
    invented = {**good, "source": "Cải cách hành chính có 9 trụ cột.", "question": "Câu bịa?"}
    wrong_number = {**good, "options": ["03", "07", "04", "05"], "question": "Số sai?"}
    questions = _multiple_choice(chunks, json.dumps([good, invented, wrong_number], ensure_ascii=False), 3)
    assert [q.kind for q in questions] == ["choice"]
    (question,) = questions
    assert question.answer == "B. 03" and "A. 02" in question.prompt and "D. 05" in question.prompt
    assert question.citation == "KH 32-KH/BCSĐ, Nhiệm vụ thứ tư"
    assert question.instruction == "Chọn một phương án đúng"


def test_multiple_choice_with_unusable_output_is_a_clear_error(corpus_assistant: Assistant) -> None:
    with pytest.raises(LLMError, match="không tạo được câu hỏi trắc nghiệm"):
        _multiple_choice(corpus_assistant.store.chunks()[:3], "Xin lỗi, tôi không thể.", 2)


assert Path(CORPUS).is_dir()
