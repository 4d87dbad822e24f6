"""A generated answer read sentence by sentence against the passages each sentence cites.

A marker that points at no passage is dropped, a sentence without support is flagged and marked where it
stands (its [n] taken away), the citations left are renumbered 1…m. A sentence the claim check flags only
for its wording is read again by the model when a `SecondReading` is given: confirmed, it keeps its
citation and is listed among the answer's `readings` with the passage words the model quoted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from assistant.answering.restated import restated
from assistant.answering.second_reading import Pending
from assistant.answering.support import SupportScorer, unsupported_numbers
from assistant.core.models import Citation, ScoredChunk
from assistant.language.instructions import without_instructions
from assistant.language.markup import FLAG_MARK
from assistant.language.text import sentence_spans, syllables

MARKER = re.compile(r"\s*\[(\d{1,3})\]")
# The flags that mark their sentence as not backed by its citation (an extra invalid marker alone does not).
MARKING = ("uncited", "unsupported", "unsupported_number")


@dataclass(frozen=True)
class Checked:
    """A generated answer after its citations were checked against the passages."""

    text: str
    citations: list[Citation]
    flags: list[dict[str, str]]
    supported: int
    readings: list[dict[str, str]]  # sentences flagged for wording only that the model confirmed


@dataclass(frozen=True)
class _Sentence:
    """One sentence of the answer: its text without markers, the markers, those that point at a passage."""

    plain: str
    cited: list[int]
    valid: list[int]

    def sources(self, passages: Sequence[ScoredChunk]) -> list[str]:
        return [without_instructions(passages[n - 1].chunk.text) for n in self.valid]

    def about(self, passages: Sequence[ScoredChunk]) -> list[str]:
        """What the cited documents say of themselves ("Theo Hiến pháp 2013, …" names the document)."""
        return [f for n in self.valid for f in passages[n - 1].chunk.facts]


def check_citations(
    text: str,
    passages: list[ScoredChunk],
    scorer: SupportScorer,
    lexical: bool = True,
    reread: Callable[[Sequence[Pending]], dict[str, str]] | None = None,
) -> Checked:
    """Drop markers that point at no passage, flag sentences without support, renumber citations 1…m.

    `lexical=False` (an English answer citing Vietnamese passages) checks only the numbers it states.
    `reread` (a `SecondReading`) is asked once about every sentence flagged only for its wording.
    """
    cut = [_cut(raw, len(passages)) for raw in sentences_of(text)]
    confirmed = reread(_reworded(cut, passages, scorer)) if reread and lexical else {}
    numbers: dict[int, int] = {}  # passage number → citation number, in order of first use
    quotes: dict[int, list[str]] = {}
    flags: list[dict[str, str]] = []
    readings: list[dict[str, str]] = []
    sentences: list[str] = []
    supported = 0
    for s in cut:
        plain, valid = s.plain, s.valid
        if len(valid) < len(set(s.cited)):
            flags.append({"sentence": plain, "reason": "invalid_citation"})
        if planted := restated(plain, passages):  # a planted instruction obeyed: never shown as cited
            flags.append({"sentence": plain, "reason": "restates_set_aside", "detail": planted})
            sentences.append(plain)
            continue
        if not valid:
            if syllables(plain):
                flags.append({"sentence": plain, "reason": "uncited"})
                plain = f"{FLAG_MARK} {plain}"
            sentences.append(plain)
            continue
        sources, about = s.sources(passages), s.about(passages)
        cited_as = "; ".join(passages[n - 1].chunk.citation for n in valid)
        if missing := unsupported_numbers(plain, sources, about):
            detail = ", ".join(sorted(missing))
            flags.append(
                {"sentence": plain, "reason": "unsupported_number", "detail": detail, "cited": cited_as}
            )
        elif lexical and not (verdict := scorer(plain, sources, about)).supported:
            if plain in confirmed:
                supported += 1
                readings.append({"sentence": plain, "detail": verdict.reason, "quote": confirmed[plain]})
            else:
                flags.append(
                    {"sentence": plain, "reason": "unsupported", "detail": verdict.reason, "cited": cited_as}
                )
        else:
            supported += 1
        if flags and flags[-1]["sentence"] == plain and flags[-1]["reason"] in MARKING:
            # Marked where it stands, its [n] taken away: the passage it cites does not say it.
            sentences.append(f"{FLAG_MARK} {plain}")
            continue
        for n in valid:
            numbers.setdefault(n, len(numbers) + 1)
            quotes.setdefault(n, []).append(plain)
        marks = "".join(f"[{numbers[n]}]" for n in valid)
        sentences.append(f"{plain} {marks}")
    citations = [
        Citation(
            n=numbers[n],
            doc=passages[n - 1].chunk.doc_id,
            title=passages[n - 1].chunk.doc_title,
            clause=passages[n - 1].chunk.clause_label,
            label=passages[n - 1].chunk.citation,
            text=passages[n - 1].chunk.text,
            chunk_id=passages[n - 1].chunk.id,
            start=passages[n - 1].chunk.start,
            end=passages[n - 1].chunk.end,
            quotes=tuple(quotes[n]),
        )
        for n in numbers
    ]
    return Checked(" ".join(sentences), citations, flags, supported, readings)


def _cut(raw: str, passages: int) -> _Sentence:
    cited = [int(n) for n in MARKER.findall(raw)]
    valid = [n for n in dict.fromkeys(cited) if 1 <= n <= passages]
    return _Sentence(MARKER.sub("", raw).strip(), cited, valid)


def _reworded(cut: Sequence[_Sentence], passages: list[ScoredChunk], scorer: SupportScorer) -> list[Pending]:
    """The cited sentences the claim check flags only for their wording (`Verdict.reworded`)."""
    pending = []
    for s in cut:
        if not s.valid or restated(s.plain, passages):
            continue
        sources, about = s.sources(passages), s.about(passages)
        if unsupported_numbers(s.plain, sources, about):
            continue
        verdict = scorer(s.plain, sources, about)  # cached: the check below asks again for free
        if not verdict.supported and verdict.reworded:
            pending.append(Pending(s.plain, tuple(sources), verdict.reason, verdict.place))
    return pending


def sentences_of(text: str) -> list[str]:
    """The answer's sentences, each with the markers that follow it: "… toàn bộ. [1]" is one sentence
    citing [1], not an uncited sentence and an empty one that cites."""
    sentences: list[str] = []
    for start, end in sentence_spans(text):
        raw = text[start:end]
        if sentences and not MARKER.sub("", raw).strip():
            sentences[-1] = f"{sentences[-1]} {raw}"
        else:
            sentences.append(raw)
    return sentences
