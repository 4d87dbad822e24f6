"""Offline quiz generation: every question checkable against the verbatim clause text."""

from __future__ import annotations

import json

import pytest

from assistant import Assistant, Chunk, InputError, LLMError, Settings
from assistant.answering.llm import chat_model
from assistant.classroom.quiz import BLANK, FALSE, TRUE, QuizQuestion, build_quiz, multiple_choice
from tests.fake_openai import FakeOpenAI

SECOND_TASK = [
    "Thứ hai, bảo đảm quyền làm chủ của Nhân dân, thượng tôn Hiến pháp và pháp luật, tôn trọng, bảo đảm và "
    "bảo về quyền con người, quyền công dân.",
    "Xây dựng ý thức và lối sống thượng tôn Hiến pháp và pháp luật trong đội ngũ cán bộ, công chức, "
    "viên chức, người lao động Bộ Nội vụ; tiếp tục nghiên cứu, đưa nội dung phù hợp về Hiến pháp vào "
    "chương trình đào tạo.",
    "Tiếp tục đẩy mạnh cải cách hành chính với 03 trụ cột chính: tổ chức bộ máy; công vụ, công chức; "
    "hành chính điện tử và chuyển đổi số.",
]


def chunk(text: str, order: int, key: str = "nhiem-vu/thu-2", label: str = "Nhiệm vụ thứ hai") -> Chunk:
    return Chunk(
        id=f"c{order}",
        doc_id="kh32",
        doc_title="Kế hoạch 32",
        doc_short="KH 32-KH/BCSĐ",
        clause_key=key,
        clause_label=label,
        clause_path=label,
        order=order,
        text=text,
        start=0,
        end=len(text),
        tokens=0,
    )


CHUNKS = [chunk(t, i) for i, t in enumerate(SECOND_TASK)]
SOURCE = " ".join(SECOND_TASK)


def test_five_questions_of_both_kinds_with_keys_and_citations() -> None:
    questions = build_quiz(CHUNKS, 5)
    assert len(questions) == 5
    assert {q.kind for q in questions} == {"blank", "true_false"}
    assert len({q.prompt for q in questions}) == 5
    for q in questions:
        assert q.citation == "KH 32-KH/BCSĐ, Nhiệm vụ thứ hai"
        assert q.source in SOURCE  # the sentence the question was made from, verbatim


def test_blank_answer_fills_the_blank_back_to_the_source() -> None:
    blanks = [q for q in build_quiz(CHUNKS, 12) if q.kind == "blank"]
    assert blanks
    for q in blanks:
        assert q.prompt.count(BLANK) == 1
        assert q.prompt.replace(BLANK, q.answer) == q.source
    assert any(q.answer in ("03", "hai") or q.answer == "Thứ hai" for q in blanks)  # numbers and ordinals


def test_true_statements_are_verbatim_and_false_ones_differ_verifiably() -> None:
    questions = [q for q in build_quiz(CHUNKS, 12) if q.kind == "true_false"]
    assert {q.answer for q in questions} == {TRUE, FALSE}
    for q in questions:
        if q.answer == TRUE:
            assert q.prompt == q.source
        else:
            assert q.prompt != q.source and q.prompt not in SOURCE
            assert q.source in q.explanation


def test_ordinal_and_number_are_swapped_for_false_statements() -> None:
    false = {q.source: q.prompt for q in build_quiz(CHUNKS, 12) if q.answer == FALSE}
    assert false[SECOND_TASK[0]].startswith("Thứ ") and not false[SECOND_TASK[0]].startswith("Thứ hai")
    changed = false[SECOND_TASK[2]]
    assert "03 trụ cột" not in changed and ("04 trụ cột" in changed or "05 trụ cột" in changed)


def test_same_seed_same_quiz() -> None:
    assert build_quiz(CHUNKS, 5, seed=7) == build_quiz(CHUNKS, 5, seed=7)


def test_sentence_split_across_chunks_is_rejoined() -> None:
    parts = [chunk("Trong đó tập trung xây dựng các văn bản hướng dẫn thực hiện dân chủ ở cơ sở;", 0)]
    parts.append(chunk("phát huy dân chủ đi đôi với tăng cường pháp chế, đề cao đạo đức xã hội.", 1))
    sources = {q.source for q in build_quiz(parts, 10)}
    assert any("cơ sở; phát huy dân chủ" in s for s in sources)


def test_too_little_text_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="không có câu nào đủ dài"):
        build_quiz([chunk("Yêu cầu", 0)], 5)
    with pytest.raises(InputError):
        build_quiz(CHUNKS, 0)


def test_fewer_questions_when_the_clause_is_short() -> None:
    one = [chunk(SECOND_TASK[0], 0)]
    questions = build_quiz(one, 20)
    assert 1 <= len(questions) < 20
    assert len({q.prompt for q in questions}) == len(questions)


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
