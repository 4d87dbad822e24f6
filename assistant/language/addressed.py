"""Whether a sentence is addressed to the assistant or to its readers (a planted instruction), scored by a
fitted model over what the sentence says, not over a list of phrasings.

A sentence is read after the identity normalisation (`lookalike.skeleton`: NFKC, so full-width letters are
plain; zero-width characters and soft hyphens dropped; every dash a hyphen; Cyrillic or Greek look-alikes
as Latin; line breaks and runs of spaces one space), in lower case. What it says is a set of concepts
(`assistant/data/instruction_cues.tsv`): who is addressed (the assistant or an AI model, the readers, "you"),
a verb of answering or telling, an imperative or modal word, an override of earlier instructions, the
moment of being asked ("Khi được hỏi…"), a note addressed to someone, a complement ("rằng", "that"), and
the frame of a legal sentence (an agency, in writing, within a time limit), a plan acting on an AI (built,
applied). The features are those concepts, where the sentence begins, and each pair of them; only a sentence
of an addressed shape (`addressed_shape`) is weighed, by a logistic model fitted by `python -m
evals.fit_instructions` (`assistant/data/instruction_model.json`), so "Cơ quan … phải trả lời công dân bằng
văn bản" (an agency answering, in a legal frame) stays a law's sentence and "Trợ lý ảo cần trả lời người
hỏi rằng…" does not. Nothing is fitted at run time.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import combinations

from assistant.language.datafiles import data_bytes, data_lines
from assistant.language.lookalike import VIETNAMESE_MARKS, skeleton
from assistant.language.text import canonical, fold, has_diacritics

MODEL_FILE = "instruction_model.json"
_WORD = re.compile(r"\w+")
# What may stand before a sentence's first word without changing what it says: a list marker ("2.", "b)",
# "-"), a note's heading ("Lưu ý:", "Note to AI assistants:"), opening quotes and brackets.
_LEAD = re.compile(r"^(?:[\s\"'“‘(\[*•+-]|\d{1,3}[.)]|[a-zđ]\)|[ivxlc]{1,6}\.)*")
_HEADING = re.compile(r"^[^:]{1,60}:\s*")


def normal(text: str) -> str:
    """The text as the detector reads it: the identity skeleton (invisible characters, widths, dashes and
    look-alikes folded, whitespace collapsed), in lower case, Vietnamese letters kept."""
    return canonical(_skeleton(text))


@cache
def _cues() -> dict[bool, dict[str, tuple[str, ...]]]:
    """{folded?: {concept: its phrases}}: as written, and with diacritics removed (for a sentence typed
    without diacritics). A phrase's words are joined by one space; "…" stands for a gap of a few words."""
    by_concept: dict[str, list[str]] = {}
    for line in data_lines("instruction_cues.tsv"):
        concept, phrase = line.split("\t")
        words = " … ".join(" ".join(_WORD.findall(part)) for part in phrase.lower().split("…"))
        by_concept.setdefault(concept, []).append(words)
    return {
        folded: {
            c: tuple(dict.fromkeys(fold(p) if folded else p for p in ps)) for c, ps in by_concept.items()
        }
        for folded in (False, True)
    }


@dataclass(frozen=True)
class _Concept:
    """A concept's phrases: those of consecutive words (looked up among a sentence's word n-grams) and
    those with a gap (one pattern over the space-joined words)."""

    phrases: frozenset[str]
    gapped: re.Pattern[str] | None

    def found(self, grams: set[str], words: str) -> bool:
        return not self.phrases.isdisjoint(grams) or bool(self.gapped and self.gapped.search(words))

    def starts(self, words: str) -> bool:
        first = words.split(" ")
        return any(" ".join(first[:n]) in self.phrases for n in range(1, _LONGEST + 1)) or bool(
            self.gapped and self.gapped.match(words)
        )


_LONGEST = 5  # words in the longest phrase without a gap


@cache
def _concepts(folded: bool) -> dict[str, _Concept]:
    made = {}
    for concept, phrases in _cues()[folded].items():
        plain = frozenset(p for p in phrases if "…" not in p)
        assert all(len(p.split()) <= _LONGEST for p in plain), plain
        gaps = [
            r"(?: \S+){1,4} ".join(re.escape(g.strip()) for g in p.split("…")) for p in phrases if "…" in p
        ]
        gapped = re.compile(r"(?<!\S)(?:" + "|".join(gaps) + r")(?!\S)") if gaps else None
        made[concept] = _Concept(plain, gapped)
    return made


def _grams(words: list[str]) -> set[str]:
    return {" ".join(words[i : i + n]) for n in range(1, _LONGEST + 1) for i in range(len(words) - n + 1)}


# Characters the detector reads as they are: printable ASCII, the precomposed letters of Vietnamese,
# whitespace and common punctuation. Text of these alone needs no look-alike folding (the common case).
_PLAIN = frozenset(
    [chr(c) for c in range(0x20, 0x7F)]
    + [
        chr(c)
        for c in range(0xC0, 0x1F00)
        if unicodedata.normalize("NFD", chr(c))[0].isascii()
        and set(unicodedata.normalize("NFD", chr(c))[1:]) <= set(VIETNAMESE_MARKS)
        and unicodedata.normalize("NFD", chr(c))[0].isalpha()
    ]
    + list("đĐ\n\t\r\u00a0“”‘’…–—«»°§")
)


@lru_cache(maxsize=1 << 16)
def _skeleton(text: str) -> str:
    """lookalike.skeleton, with a shortcut for plain text (only whitespace to collapse)."""
    return " ".join(text.split()) if _PLAIN.issuperset(text) else skeleton(text)


@lru_cache(maxsize=1 << 16)
def features(sentence: str) -> frozenset[str]:
    """The features of one sentence: each concept it holds, "start:<concept>" for the concept its first
    words are (after a list marker or a note's heading), and each pair of concepts ("a&b")."""
    skeletal = _skeleton(sentence)
    text = canonical(skeletal)
    folded = not has_diacritics(text)
    cues, concepts = _cues()[folded], _concepts(folded)
    tokens = _WORD.findall(fold(text) if folded else text)
    words, grams = " ".join(tokens), _grams(tokens)
    found = {name for name, concept in concepts.items() if concept.found(grams, words)}
    if re.search(r"(?<![\w.])A\.?I\b", skeletal):
        found.add("machine")
    lead = _LEAD.sub("", text)
    starts = [lead]
    if (heading := _HEADING.match(lead)) and heading.end() < len(lead):
        starts.append(lead[heading.end() :])
    found.discard("henceforth")
    pairs = {f"{a}&{b}" for a, b in combinations(sorted(found), 2)}
    for start in starts:
        first = " ".join(_WORD.findall(fold(start) if folded else start)[:6])
        for opener in sorted(cues["henceforth"], key=len, reverse=True):  # "Từ nay, hãy …" is "Hãy …"
            if f"{first} ".startswith(f"{opener} "):
                first = first[len(opener) :]
                break
        first = " ".join(first.split()[:3])
        for concept in ("say", "must", "override", "asked"):
            if concepts[concept].starts(first):
                found.add(f"start:{concept}")
    return frozenset(found | pairs)


def addressed_shape(found: frozenset[str]) -> bool:
    """Whether a sentence has the shape of words addressed to someone, which the model then weighs: an
    addressee (the assistant or an AI, the readers, "you") with a verb of telling, an imperative or an
    override; an override of instructions; a bare imperative to tell ("Trả lời rằng …", "Hãy cho biết …",
    "Ignore …"); or a verb of telling at the moment of being asked ("Khi được hỏi …, hãy cho biết …").
    A sentence of any other shape (an agency that must notify a party, a heading "Tuyên bố mất tích") is
    never taken for an instruction, whatever its words weigh."""
    addressee = bool(found & {"machine", "reader", "you"})
    return (
        (addressee and bool(found & {"say", "override", "must"}))
        or "override&meta" in found
        or "start:override" in found
        or ("start:say" in found and "that" in found)
        or ("start:must" in found and "say" in found)
        or ("asked" in found and "say" in found)
    )


@dataclass(frozen=True)
class AddressedModel:
    """The fitted weights: a sentence is addressed to the assistant when its probability reaches
    `threshold`; a sentence next to one (in the same paragraph) is part of it from `joined` on."""

    weights: dict[str, float]
    bias: float
    threshold: float
    joined: float

    def probability(self, sentence: str) -> float:
        found = features(sentence)
        if not addressed_shape(found):
            return 0.0
        z = self.bias + sum(self.weights.get(f, 0.0) for f in found)
        return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))


@cache
def model() -> AddressedModel:
    """The fitted model of assistant/data/instruction_model.json."""
    data = json.loads(data_bytes(MODEL_FILE))
    return AddressedModel(data["weights"], data["bias"], data["threshold"], data["joined"])


@lru_cache(maxsize=1 << 16)
def addressed_probability(sentence: str) -> float:
    """How likely a sentence is addressed to the assistant or its readers (0–1)."""
    return model().probability(sentence)
