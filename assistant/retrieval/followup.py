"""Follow-up questions: carry the clause a conversation is about into the next question."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.core.models import Turn
from assistant.language.references import Reference, find_references
from assistant.language.text import fold

# "nhiệm vụ đó", "điều này", "khoản trên"… (folded): the question points back at an earlier clause.
_ANAPHORA = re.compile(
    r"\b(nhiem vu|giai phap|dieu|khoan|muc|phan|noi dung|van ban|ke hoach)\s+(do|nay|ay|tren)\b"
)
_FOLLOW_UP = re.compile(r"^(con|vay|the con|va)\b|\bthi sao\b|\b(do|nay|ay)\s*\??$|^(what|how) about\b")


@dataclass(frozen=True)
class FollowUp:
    """A question with the clauses it inherits from the conversation."""

    question: str
    scope: list[Reference] = field(default_factory=list)
    strict: bool = False
    standalone: str | None = None
    earlier: str | None = None  # the user's question it follows up, whose documents it is about


def resolve(question: str, history: list[Turn]) -> FollowUp:
    """Scope a follow-up to the clause named by the latest earlier user question that named one."""
    if find_references(question) or not history:
        return FollowUp(question)
    folded = fold(question)
    anaphoric = bool(_ANAPHORA.search(folded))
    if not (anaphoric or _FOLLOW_UP.search(folded)):
        return FollowUp(question)
    asked = [turn.content for turn in reversed(history) if turn.role == "user"]
    for content in asked:
        refs = find_references(content)
        if refs:
            labels = ", ".join(r.label for r in refs)
            standalone = f"{question} (ngữ cảnh: {labels} — “{content}”)"
            return FollowUp(question, refs, anaphoric, standalone, asked[0])
    return FollowUp(question, earlier=asked[0] if asked else None)
