"""Multiple choice without an LLM: the sentence as the stem with one blank, the right option and three
distractors of the same type (other bodies for a body, other durations for a duration, other terms for a
term) from the same document or documents of the same kind, no two equal once normalised, each one wrong
by the text (the claim check flags the sentence it makes, or the clause never says it)."""

from __future__ import annotations

import random
from collections.abc import Sequence

from assistant.classroom.items import BLANK, LETTERS, QuizQuestion, with_choices
from assistant.classroom.sentences import Sentence
from assistant.classroom.spans import DEADLINE, QUANTITY, Span, normal
from assistant.classroom.statements import Check, shifted

OPTIONS = len(LETTERS)


def distractors(
    span: Span, sentence: Sentence, pools: Sequence[Sequence[str]], check: Check, rng: random.Random
) -> list[str]:
    """Three options of the span's type that the text makes wrong, from the pools in order (the document's
    own first), then, for numbers, values near the right one."""
    taken = {span.key}
    said = f" {normal(sentence.text)} "
    clause = f" {normal(sentence.clause)} "
    chosen: list[str] = []
    for pool in pools:
        options = list(dict.fromkeys(pool))
        rng.shuffle(options)
        for option in options:
            if len(chosen) == OPTIONS - 1:
                return chosen
            key = normal(option)
            if not key or f" {key} " in said or any(_within(key, k) or _within(k, key) for k in taken):
                continue  # the same option, or one naming the same thing ("Ban Cán sự đảng Bộ [Nội vụ]")
            filled = sentence.text[: span.start] + option + sentence.text[span.end :]
            if f" {key} " in clause and check(filled, [sentence.clause]) is None:
                continue  # the clause may say this too: not clearly wrong
            taken.add(key)
            chosen.append(option)
    if span.kind in (QUANTITY, DEADLINE):
        for _ in range(20):
            option = shifted(span.text if not chosen else rng.choice([span.text, *chosen]), rng)
            if len(chosen) == OPTIONS - 1:
                break
            if option and normal(option) not in taken and f" {normal(option)} " not in clause:
                taken.add(normal(option))
                chosen.append(option)
    return chosen if len(chosen) == OPTIONS - 1 else []


def choice_item(sentence: Sentence, span: Span, wrong: Sequence[str], rng: random.Random) -> QuizQuestion:
    """The stem, the four options in a seeded order, the answer letter with its option, and the quote."""
    options = [span.text, *wrong]
    rng.shuffle(options)
    letter = LETTERS[options.index(span.text)]
    text, chunk = sentence.text, sentence.chunk
    stem = text[: span.start] + BLANK + text[span.end :]
    return QuizQuestion(
        kind="choice",
        prompt=with_choices(stem, options),
        answer=f"{letter}. {span.text}",
        source=text,
        citation=chunk.citation,
        chunk_id=chunk.id,
        explanation=f"Đáp án {letter}. Nguyên văn: «{text}»",
        choices=tuple(options),
        doc_id=chunk.doc_id,
        label=chunk.clause_label,
        fact=span.key,
    )


def _within(a: str, b: str) -> bool:
    return f" {a} " in f" {b} "
