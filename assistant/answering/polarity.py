"""Negations and directions of a claim against its sources: a negation added or dropped, a direction word
reversed (negation and direction lists of assistant/data/polarity.tsv)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from assistant.answering.folded import Folded
from assistant.answering.paraphrases import bounds_said_otherwise, carried_denials, denial_words, led_ban
from assistant.language.shapes import directions, markers_in, negations
from assistant.language.text import fold, sentence_spans

# A negation covers the words up to this far after its marker ("không được tự ý ban hành").
NEGATION_REACH = 3


@cache
def _markers() -> tuple[tuple[str, ...], ...]:
    """Folded negation markers, longest first."""
    return tuple(tuple(fold(w) for w in m) for m in negations())


def _marker_at(words: list[str], i: int) -> tuple[str, ...] | None:
    return next((m for m in _markers() if tuple(words[i : i + len(m)]) == m), None)


def _negated(words: list[str], at: int) -> bool:
    """A negation marker ends within NEGATION_REACH words before position `at`."""
    for start in range(max(0, at - NEGATION_REACH - 2), at):
        marker = _marker_at(words, start)
        if marker and at - NEGATION_REACH <= start + len(marker) <= at:
            return True
    return False


def added_negation(claim: Folded, sources: Sequence[str], headings: Sequence[str] = ()) -> str | None:
    """A negation of the claim over words a source sentence states without one, when that sentence
    has fewer negations than the claim (a paraphrase may move a negation within its sentence). A ban may
    be its sources' lead's, in a sentence or, when the passage denies nothing itself, in the headings above
    it ("Điều 18. Những việc cán bộ, công chức không được làm" over an item cited alone)."""
    sentences = [Folded(source[a:b]) for source in sources for a, b in sentence_spans(source)]
    # a bound the sources set with another word ("chưa đủ" of "dưới") is no negation
    source_words = [w for s in sentences for w in s.words]
    count = _count_markers(claim.words) - len(bounds_said_otherwise(claim.words, source_words))
    count += carried_denials(claim.words)  # "được miễn" says a negation in one word
    found = list(markers_in(claim.words, _markers()))
    leads = [s.words for s in sentences]
    if found and headings and not any(_count_markers(s.words) for s in sentences):
        leads += [Folded(h).words for h in headings]  # an item cited without the ban over it
    led = [i for i, _ in found if led_ban(claim.words, i, leads)]
    count -= len(led)  # "bị cấm" of a lead's "không được": the sources' ban, not the claim's own
    for i, marker in found:
        if i in led:
            continue
        after = tuple(claim.words[i + len(marker) : i + len(marker) + 2])
        holding = [s for s in sentences if len(after) == 2 and s.positions(after)]
        if holding and not any(
            any(_negated(s.words, p) for p in s.positions(after))
            or _count_markers(s.words) + carried_denials(s.words) >= count
            for s in holding
        ):
            return f"phủ định '{' '.join(claim.raw[i : i + len(marker)])}' mà nguồn không có"
    return None


def _count_markers(words: list[str]) -> int:
    return sum(1 for _ in markers_in(words, _markers()))


def dropped_negation(claim: Folded, sources: Sequence[str]) -> str | None:
    """A negation of a source sentence whose words the claim states without it."""
    for source in sources:
        for a, b in sentence_spans(source):
            words = Folded(source[a:b])
            for i, marker in markers_in(words.words, _markers()):
                after = words.words[i + len(marker) : i + len(marker) + 2]
                before = words.words[max(0, i - 2) : i]
                # The claim has the words around the marker with the marker, or its first words, gone.
                kept = [list(marker[k:]) for k in range(1, len(marker) + 1)]
                if len(after) == 2 and any(
                    (
                        before
                        and tuple(before + rest + after) in claim
                        and not moved_denial(claim, before + rest + after, marker)
                    )
                    or (not before and tuple(claim.words[: len(rest) + 2]) == tuple(rest + after))
                    for rest in kept
                ):
                    return f"bỏ phủ định '{' '.join(words.raw[i : i + len(marker)])}' của nguồn"
    return None


def moved_denial(claim: Folded, words: list[str], marker: tuple[str, ...]) -> bool:
    """The claim denies right after the words, with a word of the marker's kind: "nghiêm cấm cán bộ cản
    trở" said "cán bộ không được cản trở" (the ban moved after whom it binds, not dropped)."""
    kinds = [phrases for phrases in denial_words().values() if marker in phrases]
    for at in claim.positions(tuple(words)):
        follows = tuple(claim.words[at + len(words) : at + len(words) + 3])
        if any(follows[: len(p)] == p for phrases in kinds for p in phrases):
            return True
    return False


def reversed_direction(claim: Folded, text: Folded) -> str | None:
    """A direction word of the claim the sources lack while they have its opposite."""
    for left, right in directions():
        for side, other in ((left, right), (right, left)):
            said = next((t for t in side if t in claim), None)
            if said is None or any(t in text for t in side):
                continue
            if opposite := next((t for t in other if t in text), None):
                written = text.written(opposite).lower()
                return f"đảo nghĩa: nêu '{claim.written(said)}' nhưng nguồn nói '{written}'"
    return None
