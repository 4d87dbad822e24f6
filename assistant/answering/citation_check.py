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
from assistant.answering.support import SupportScorer, Verdict, unsupported_numbers
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
    """One sentence of the answer, read once against the passages it cites: its text without markers, the
    markers, those that point at a passage, the set-aside instruction it restates, the numbers its passages
    lack, and the claim check's verdict (None when not asked: no valid marker, a planted instruction or a
    missing number decides first, or an English answer)."""

    plain: str
    cited: list[int]
    valid: list[int]
    sources: tuple[str, ...]
    planted: str | None
    missing: str
    verdict: Verdict | None


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
    cut = [_read(raw, passages, scorer, lexical) for raw in sentences_of(text)]
    pending = [Pending(s.plain, s.sources, s.verdict.reason, s.verdict.place)
               for s in cut if s.verdict and not s.verdict.supported and s.verdict.reworded]  # fmt: skip
    confirmed = reread(pending) if reread and pending else {}
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
        if s.planted:  # a planted instruction obeyed: never shown as cited
            flags.append({"sentence": plain, "reason": "restates_set_aside", "detail": s.planted})
            sentences.append(plain)
            continue
        if not valid:
            if syllables(plain):
                flags.append({"sentence": plain, "reason": "uncited"})
                plain = f"{FLAG_MARK} {plain}"
            sentences.append(plain)
            continue
        cited_as = "; ".join(passages[n - 1].chunk.citation for n in valid)
        if s.missing:
            flags.append(
                {"sentence": plain, "reason": "unsupported_number", "detail": s.missing, "cited": cited_as}
            )
        elif s.verdict and not s.verdict.supported:
            if plain in confirmed:
                supported += 1
                readings.append({"sentence": plain, "detail": s.verdict.reason, "quote": confirmed[plain]})
            else:
                flags.append(
                    {
                        "sentence": plain,
                        "reason": "unsupported",
                        "detail": s.verdict.reason,
                        "cited": cited_as,
                    }
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


def _read(raw: str, passages: list[ScoredChunk], scorer: SupportScorer, lexical: bool) -> _Sentence:
    """The sentence with its markers, read against the passages it cites (each check once)."""
    cited = [int(n) for n in MARKER.findall(raw)]
    valid = [n for n in dict.fromkeys(cited) if 1 <= n <= len(passages)]
    plain = MARKER.sub("", raw).strip()
    sources = tuple(without_instructions(passages[n - 1].chunk.text) for n in valid)
    # What the cited documents say of themselves ("Theo Hiến pháp 2013, …" names the document).
    about = [f for n in valid for f in passages[n - 1].chunk.facts]
    planted = restated(plain, passages)
    missing = ", ".join(sorted(unsupported_numbers(plain, sources, about))) if valid and not planted else ""
    checked = bool(valid) and lexical and not planted and not missing
    verdict = scorer(plain, sources, about) if checked else None
    return _Sentence(plain, cited, valid, sources, planted, missing, verdict)


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
