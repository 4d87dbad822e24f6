"""Split an answer into claims: its sentences, each with the [n] markers that cite it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.language.markup import FLAG_MARK
from assistant.language.text import sentence_spans

# A lead such as "Theo KH 32-KH/BCSĐ (Nhiệm vụ thứ tư):" (an English question's: "According to …:") at the
# start of a line attributes what follows; it is not a claim of its own.
LEAD = re.compile(r"^[ \t]*(?:Theo|According to) [^:\n]{1,160}:[ \t]*", re.MULTILINE)
MARKERS = re.compile(r"(?:[ \t]*\[\d+\])+")
_NUMBER = re.compile(r"\d+")
_WORD = re.compile(r"\w", re.UNICODE)
# A bare list marker ("1.", "a)") or an ellipsis carries no claim.
_NOT_A_CLAIM = re.compile(r"[\W\d_]*|[a-zđ][.)]|[IVXLC]+\.", re.IGNORECASE)


@dataclass(frozen=True)
class Claim:
    """One sentence of an answer and the citation numbers written after it (in order, no repeats)."""

    text: str
    markers: tuple[int, ...]


def strip_leads(text: str) -> str:
    """The answer without its attribution leads ("Theo …:" at the start of a line)."""
    return LEAD.sub("", text)


def split_claims(text: str) -> list[Claim]:
    """The claims of an answer text.

    The text is cut after each group of markers; every sentence before a group (back to the previous
    group) is cited by that group's markers. Sentences after the last group have no citation.
    """
    body = strip_leads(text)
    claims: list[Claim] = []
    position = 0
    pieces = [(m.start(), m.end(), m.group()) for m in MARKERS.finditer(body)]
    pieces.append((len(body), len(body), ""))
    for start, end, group in pieces:
        markers = tuple(dict.fromkeys(int(n) for n in _NUMBER.findall(group)))
        segment = body[position:start]
        for a, b in sentence_spans(segment):
            sentence = segment[a:b].strip()
            if _WORD.search(sentence) and not _NOT_A_CLAIM.fullmatch(sentence):
                # A sentence the answer itself marks as unchecked (⚠) cites nothing.
                flagged = sentence.startswith(FLAG_MARK)
                claims.append(Claim(sentence.removeprefix(FLAG_MARK).strip(), () if flagged else markers))
        position = end
    return claims
