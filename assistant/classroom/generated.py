"""Multiple-choice questions written by an LLM, each kept only when its source sentence is verbatim in the
chosen clauses and its right option states no number that sentence lacks (the offline quiz needs none)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage

from assistant.answering.support import unsupported_numbers
from assistant.classroom.items import LETTERS, QuizQuestion, with_choices
from assistant.core.errors import InputError, LLMError
from assistant.core.models import Chunk
from assistant.core.prompts import load_prompt


def multiple_choice(chunks: Sequence[Chunk], model: BaseChatModel, count: int = 5) -> list[QuizQuestion]:
    """Multiple-choice questions written by an LLM, each kept only if its source sentence is verbatim in
    the chosen clauses and its right option states no number that sentence lacks."""
    if count < 1:
        raise InputError("Số câu hỏi phải từ 1 trở lên.")
    text = "\n\n".join(f"({c.citation})\n{c.text}" for c in chunks)
    prompt = load_prompt("quiz_mcq").format(count=count, text=text)
    try:
        reply = model.invoke([HumanMessage(prompt)]).content
        items = json.loads(re.sub(r"^```(?:json)?|```$", "", str(reply).strip()).strip())
    except Exception as exc:  # a dead endpoint or unparsable output: the caller offers the offline quiz
        raise LLMError(
            "Mô hình ngôn ngữ không tạo được câu hỏi trắc nghiệm; hãy dùng đề ngoại tuyến."
        ) from exc
    questions = [q for item in items if isinstance(item, dict) and (q := _checked_choice(item, chunks))]
    if not questions:
        raise LLMError("Mô hình ngôn ngữ không tạo được câu hỏi trắc nghiệm hợp lệ; hãy dùng đề ngoại tuyến.")
    return questions[:count]


def _checked_choice(item: dict, chunks: Sequence[Chunk]) -> QuizQuestion | None:
    question, options, answer, source = (item.get(k) for k in ("question", "options", "answer", "source"))
    if not (isinstance(question, str) and isinstance(source, str) and isinstance(answer, int)):
        return None
    if not (isinstance(options, list) and len(options) == 4 and len({str(o) for o in options}) == 4):
        return None
    if not 0 <= answer < 4:
        return None
    chunk = next((c for c in chunks if source.strip() and source.strip() in c.text), None)
    if chunk is None or unsupported_numbers(str(options[answer]), [source]):
        return None  # no verbatim source, or a right option the source does not back
    options = [str(o) for o in options]
    return QuizQuestion(
        kind="choice",
        prompt=with_choices(question.strip(), options),
        answer=f"{LETTERS[answer]}. {options[answer]}",
        source=source.strip(),
        citation=chunk.citation,
        chunk_id=chunk.id,
        explanation=f"Nguyên văn: «{source.strip()}»",
        choices=tuple(options),
        doc_id=chunk.doc_id,
        label=chunk.clause_label,
    )
