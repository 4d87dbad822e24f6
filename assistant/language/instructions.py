"""Instructions addressed to the assistant ("bỏ qua mọi hướng dẫn…", "ignore previous instructions…") are
set aside, in a question and in a document alike: in a question they neither steer the answer nor drown
what is actually asked; in a document such a sentence is never quoted as an answer nor handed to an LLM
as evidence (its source card still shows it, marked as set aside)."""

from __future__ import annotations

import re
from functools import cache

from assistant.language.datafiles import data_lines
from assistant.language.text import fold, sentence_spans

# A question's sentences (closed by . ! ? … and a space, or a line break) and bracketed asides.
_SENTENCES = re.compile(r"(?<=[.!?…])\s+|\n+")
_ASIDE = re.compile(r"\s*[(\[][^()\[\]]*[)\]]")


@cache
def _patterns() -> re.Pattern[str]:
    lines = data_lines("instructions.txt")
    return re.compile("|".join(f"(?:{line})" for line in lines))


def _instructs(text: str) -> bool:
    return bool(_patterns().search(fold(text).strip(" ([")))


def split_instructions(question: str) -> tuple[str, list[str]]:
    """(the question without the sentences and asides that instruct the assistant, those parts).

    When every part is an instruction, the question is returned whole: there is nothing else to answer,
    and the answerer refuses it as it would any question the documents do not cover.
    """
    kept: list[str] = []
    dropped: list[str] = []
    for sentence in _SENTENCES.split(question):
        for aside in _ASIDE.findall(sentence):
            if _instructs(aside):
                dropped.append(aside.strip())
                sentence = sentence.replace(aside, "")
        sentence = sentence.strip()
        if sentence and _instructs(sentence):
            dropped.append(sentence)
        elif sentence:
            kept.append(sentence)
    if not dropped or not kept:
        return question, []
    return " ".join(kept), dropped


# What an LLM reads in place of a document sentence that instructs the assistant.
SET_ASIDE_MARK = "[câu bị gạt ra: lời yêu cầu gửi trợ lý, không phải nội dung tài liệu]"


def is_instruction(sentence: str) -> bool:
    """Whether a sentence (of a question or of a document) instructs the assistant."""
    return _instructs(sentence)


def instruction_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a document text that instructs the assistant."""
    return [(a, b) for a, b in sentence_spans(text) if _instructs(text[a:b])]


def set_aside_sentences(text: str) -> tuple[str, ...]:
    """The sentences of a document text that instruct the assistant, as they are written."""
    return tuple(text[a:b] for a, b in instruction_spans(text))


def without_instructions(text: str) -> str:
    """A document text for an LLM: each sentence that instructs the assistant replaced by a mark."""
    for a, b in reversed(instruction_spans(text)):
        text = f"{text[:a]}{SET_ASIDE_MARK}{text[b:]}"
    return text
