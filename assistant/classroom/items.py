"""A quiz item: what the trainee is shown, the answer, why (the document's own sentence) and where from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["blank", "true_false", "choice"]
KINDS: tuple[Kind, ...] = ("blank", "true_false", "choice")
BLANK = "_____"
TRUE, FALSE = "Đúng", "Sai"
LETTERS = "ABCD"
INSTRUCTIONS = {
    "blank": "Điền vào chỗ trống",
    "true_false": "Đúng hay sai?",
    "choice": "Chọn một phương án đúng",
}


@dataclass(frozen=True)
class QuizQuestion:
    """One question: the statement shown (with its choices "A. …" for multiple choice), the expected answer,
    the verbatim sentence it came from and its citation ("KH 32-KH/BCSĐ, Nhiệm vụ thứ tư")."""

    kind: Kind
    prompt: str
    answer: str
    source: str
    citation: str
    chunk_id: str
    explanation: str = ""
    choices: tuple[str, ...] = ()
    doc_id: str = ""
    label: str = ""  # the clause's label within its document ("Nhiệm vụ thứ tư")
    fact: str = field(default="", compare=False)  # what the item tests, folded: no two items test the same

    @property
    def instruction(self) -> str:
        """What the learner is asked to do, in Vietnamese."""
        return INSTRUCTIONS[self.kind]

    @property
    def stem(self) -> str:
        """The prompt without its choices."""
        return self.prompt.split("\nA. ", 1)[0] if self.choices else self.prompt

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "prompt": self.prompt,
            "choices": list(self.choices),
            "answer": self.answer,
            "explanation": self.explanation,
            "citation": {"doc": self.doc_id, "label": self.citation, "text": self.source},
        }


def with_choices(stem: str, options: list[str]) -> str:
    """A stem and its options, one a line ("A. …"), as the trainee-answer check reads them."""
    return stem + "\n" + "\n".join(f"{LETTERS[i]}. {o}" for i, o in enumerate(options))
