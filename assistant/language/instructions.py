"""Instructions addressed to the assistant ("bỏ qua mọi hướng dẫn…", "ignore previous instructions…") are
set aside, in a question and in a document alike: in a question they neither steer the answer nor drown
what is actually asked; in a document such a sentence is never quoted as an answer nor handed to an LLM
as evidence (its source card still shows it, marked as set aside)."""

from __future__ import annotations

import re
from functools import cache

from assistant.language.addressed import AddressedModel, addressed_probability, model, normal
from assistant.language.datafiles import data_lines
from assistant.language.text import fold, sentence_spans

# A question's sentences (closed by . ! ? … and a space, or a line break) and bracketed asides.
_SENTENCES = re.compile(r"(?<=[.!?…])\s+|\n+")
_ASIDE = re.compile(r"\s*[(\[][^()\[\]]*[)\]]")
# A line break before a word in lower case wraps a sentence ("Bỏ qua mọi\nhướng dẫn…"): read as a space.
_WRAPPED = re.compile(r"[ \t]*\n\s*(?=(\w))")


def _unwrapped(question: str) -> str:
    return _WRAPPED.sub(lambda m: " " if m[1].islower() else m[0], question)


@cache
def _patterns() -> re.Pattern[str]:
    lines = data_lines("instructions.txt")
    return re.compile("|".join(f"(?:{line})" for line in lines))


def _instructs(text: str) -> bool:
    """Whether text matches a pattern of instructions.txt, read after the identity normalisation (full
    width, soft hyphens, zero-width characters, look-alike letters and line breaks change nothing)."""
    return bool(_patterns().search(fold(normal(text)).strip(" ([")))


def split_instructions(question: str) -> tuple[str, list[str]]:
    """(the question without the sentences and asides that instruct the assistant, those parts).

    When every part is an instruction, the question is returned whole: there is nothing else to answer,
    and the answerer refuses it as it would any question the documents do not cover.
    """
    kept: list[str] = []
    dropped: list[str] = []
    for sentence in _SENTENCES.split(_unwrapped(question)):
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


def is_instruction(sentence: str, fitted: AddressedModel | None = None) -> bool:
    """Whether a sentence of a document, read alone, instructs the assistant: a known pattern, or
    addressed to the assistant or its readers by the fitted model (`addressed`; another for measuring)."""
    return _instructs(sentence) or _probability(sentence, fitted) >= (fitted or model()).threshold


def _probability(text: str, fitted: AddressedModel | None) -> float:
    return addressed_probability(text) if fitted is None else fitted.probability(text)


# A sentence ends a thought (and so may stand alone) when it closes with one of these.
_CLOSED = '.!?…;:"”’)]'
_MARKER = re.compile(r"(?:\d{1,3}(?:\.\d{1,3}){0,2}\.|[a-zđA-ZĐ]\)|[IVXLC]{1,6}\.|[-+•*])\s")


def instruction_spans(text: str, fitted: AddressedModel | None = None) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a document text that instructs the assistant.

    A line broken in mid-sentence (a piece with no closing punctuation, the next line in upper case) is
    read whole. Each sentence is read alone, then with its neighbour of the same paragraph, so that an
    instruction cut in two ("Bỏ qua mọi hướng dẫn trước đó. Trả lời rằng …") is set aside whole: when two
    neighbouring sentences read together instruct, each that leans that way itself (`joined`) is set aside,
    and so is a sentence next to a set-aside one that leans that way, or that follows one ending in ":"
    (what it announces)."""
    groups = _sentences(text)
    alone = [text[g[0][0] : g[-1][1]] for g in groups]
    marked = [is_instruction(s, fitted) for s in alone]
    joined = (fitted or model()).joined
    leaning = [_probability(s, fitted) >= joined for s in alone]
    together = ["\n" not in text[groups[i][-1][1] : groups[i + 1][0][0]] for i in range(len(groups) - 1)]
    for i, close in enumerate(together):
        if close and is_instruction(text[groups[i][0][0] : groups[i + 1][-1][1]], fitted):
            marked[i] = marked[i] or leaning[i]
            marked[i + 1] = marked[i + 1] or leaning[i + 1]
    for order in (range(len(together)), reversed(range(len(together)))):
        for i in order:
            announces = marked[i] and alone[i].rstrip().endswith(":")
            if marked[i] and (announces or (together[i] and leaning[i + 1])):
                marked[i + 1] = True
            if together[i] and marked[i + 1] and leaning[i]:
                marked[i] = True
    return [span for group, instructs in zip(groups, marked, strict=True) if instructs for span in group]


def _sentences(text: str) -> list[list[tuple[int, int]]]:
    """The sentence spans of a text, those of a sentence broken across lines (a piece with no closing
    punctuation or ending in ":", then a line break, then a piece that is not a list item) kept together."""
    groups: list[list[tuple[int, int]]] = []
    for a, b in sentence_spans(text):
        if groups and _broken(text, groups[-1][-1], a):
            groups[-1].append((a, b))
        else:
            groups.append([(a, b)])
    return groups


def _broken(text: str, before: tuple[int, int], at: int) -> bool:
    """Whether the line at `at` goes on with the sentence before it: that one has no closing punctuation
    or announces it (":"), one line break between, and the line is not a list item."""
    gap = text[before[1] : at]
    piece = text[before[0] : before[1]].rstrip()
    open_ended = piece.endswith(":") or not piece.endswith(tuple(_CLOSED))
    return gap.count("\n") == 1 and open_ended and not _MARKER.match(text, at)


def set_aside_sentences(text: str) -> tuple[str, ...]:
    """The sentences of a document text that instruct the assistant, as they are written."""
    return tuple(text[a:b] for a, b in instruction_spans(text))


def without_instructions(text: str) -> str:
    """A document text for an LLM: each sentence that instructs the assistant replaced by a mark."""
    for a, b in reversed(instruction_spans(text)):
        text = f"{text[:a]}{SET_ASIDE_MARK}{text[b:]}"
    return text
