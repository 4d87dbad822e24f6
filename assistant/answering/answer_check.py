"""A trainee's answer to a true/false or multiple-choice question, checked against the verdict the documents
give (the answerer's: assistant/answering/extractive/verdicts.py, assistant/answering/choice_verdict.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.core.errors import InputError
from assistant.core.models import Answer
from assistant.language.choices import parse_choices
from assistant.language.shapes import Shape, shape_of
from assistant.language.text import fold

MATCH, MISMATCH, UNDECIDED = "match", "mismatch", "undecided"
# What a trainee may write for a verdict, folded, and the verdict it means.
_WORDS = {
    "dung": "Đúng",
    "d": "Đúng",
    "sai": "Sai",
    "s": "Sai",
    "co": "Có",
    "khong": "Không",
}
_SHAPE_VERDICTS = {Shape.TRUE_FALSE: ("Đúng", "Sai"), Shape.YES_NO: ("Có", "Không")}
_LETTER = re.compile(r"^(?:(?:dap an|phuong an|chon|cau)\s+)?([a-d])$")


@dataclass(frozen=True)
class AnswerCheck:
    """The trainee's answer (normalised), the documents' verdict (None when they do not decide), the outcome
    (MATCH, MISMATCH or UNDECIDED) and the assistant's answer with the deciding quote and its citations."""

    given: str
    verdict: str | None
    outcome: str
    answer: Answer

    @property
    def message(self) -> str:
        """What the trainer reads (Vietnamese)."""
        if self.outcome == MATCH:
            return f"Đúng với văn bản: văn bản cho đáp án {self.verdict}, học viên trả lời {self.given}."
        if self.outcome == MISMATCH:
            return f"Sai so với văn bản: văn bản cho đáp án {self.verdict}, học viên trả lời {self.given}."
        return (
            "Văn bản không tự quyết định đáp án: hãy đối chiếu câu trả lời của học viên "
            f"({self.given}) với điều khoản được trích."
        )


def checkable(question: str, given: str) -> tuple[str, str]:
    """The question as the assistant is to be asked it, and the trainee's answer as a verdict ("Đúng", "Sai",
    "Có", "Không" or a choice's letter); an InputError says why when the two do not fit together.

    A bare statement answered "Đúng"/"Sai" is asked as "…, đúng hay sai?"."""
    words = " ".join(re.sub(r"[^\w\s]", " ", fold(given)).split())
    if not words:
        raise InputError("Chưa có câu trả lời của học viên: hãy nhập Đúng/Sai hoặc chữ cái của phương án.")
    if choices := parse_choices(question):
        letter = _LETTER.match(words)
        if not letter or letter[1].upper() not in choices.letters:
            raise InputError(
                "Câu trắc nghiệm: câu trả lời của học viên phải là chữ cái của một phương án "
                f"({', '.join(choices.letters)})."
            )
        return question, letter[1].upper()
    verdict = _WORDS.get(words)
    shape = shape_of(question)
    if verdict in ("Đúng", "Sai") and shape not in _SHAPE_VERDICTS:
        return f"{question.rstrip(' ?.!')}, đúng hay sai?", verdict
    if verdict is None or verdict not in _SHAPE_VERDICTS.get(shape, ("Đúng", "Sai")):
        expected = "/".join(_SHAPE_VERDICTS.get(shape, ("Đúng", "Sai")))
        raise InputError(f"Câu trả lời của học viên phải là {expected} (hoặc chữ cái, với câu trắc nghiệm).")
    return question, verdict


def judged(answer: Answer, given: str) -> AnswerCheck:
    """The trainee's verdict against the one the answer gives."""
    if answer.verdict is None:
        return AnswerCheck(given, None, UNDECIDED, answer)
    return AnswerCheck(given, answer.verdict, MATCH if answer.verdict == given else MISMATCH, answer)
