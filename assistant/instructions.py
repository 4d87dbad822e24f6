"""Instructions addressed to the assistant inside a question ("bỏ qua mọi hướng dẫn…", "ignore previous
instructions…") are set aside: they neither steer the answer nor drown what is actually asked."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from assistant.text import fold

# A question's sentences (closed by . ! ? … and a space, or a line break) and bracketed asides.
_SENTENCES = re.compile(r"(?<=[.!?…])\s+|\n+")
_ASIDE = re.compile(r"\s*[(\[][^()\[\]]*[)\]]")


@cache
def _patterns() -> re.Pattern[str]:
    text = resources.files("assistant").joinpath("data/instructions.txt").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
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
