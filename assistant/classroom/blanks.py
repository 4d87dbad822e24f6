"""Fill-in-the-blank items: one blank on what a trainee should know (a body, a number with its unit, a
deadline, a key term), the answer, and the whole sentence as the explanation."""

from __future__ import annotations

from assistant.classroom.items import BLANK, QuizQuestion
from assistant.classroom.sentences import Sentence
from assistant.classroom.spans import Span


def blank_item(sentence: Sentence, span: Span) -> QuizQuestion:
    """The sentence with the span blanked out."""
    text, chunk = sentence.text, sentence.chunk
    return QuizQuestion(
        kind="blank",
        prompt=text[: span.start] + BLANK + text[span.end :],
        answer=span.text,
        source=text,
        citation=chunk.citation,
        chunk_id=chunk.id,
        explanation=f"Nguyên văn: «{text}»",
        doc_id=chunk.doc_id,
        label=chunk.clause_label,
        fact=span.key,
    )
