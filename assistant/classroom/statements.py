"""False statements worth asking: a sentence changed the way the claim check reads a change (a body swapped
for another body of the same document, a direction reversed, a negation added or dropped, a number or
deadline changed, a list narrowed with "chỉ"), kept only when the claim check flags it against its source."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from assistant.classroom.spans import BODY, DEADLINE, QUANTITY, Span, normal
from assistant.language.quizwords import word, written
from assistant.language.shapes import negations, opposites
from assistant.language.text import fold

# The claim check: why a statement says something its sources do not (None when they back it).
Check = Callable[[str, Sequence[str]], str | None]
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Change:
    """A statement changed from its sentence: the new text, the words replaced and the words put instead."""

    text: str
    was: str
    now: str
    how: str  # "body", "direction", "negation", "number", "narrow"


def _replace(text: str, start: int, end: int, new: str) -> str:
    old = text[start:end]
    if old[:1].isupper() and new[:1].islower() and start == 0:
        new = new[:1].upper() + new[1:]
    return text[:start] + new + text[end:]


def _phrase(text: str, phrase: str) -> Iterator[re.Match[str]]:
    yield from re.finditer(rf"(?<!\w){re.escape(phrase)}(?!\w)", text, flags=re.IGNORECASE)


def swapped_bodies(text: str, spans: Sequence[Span], others: Sequence[str]) -> Iterator[Change]:
    """A body of the sentence replaced by another body of the same document that the sentence lacks."""
    for span in (s for s in spans if s.kind == BODY):
        for other in others:
            if normal(other) not in normal(text):
                yield Change(_replace(text, span.start, span.end, other), span.text, other, "body")


def reversed_directions(text: str) -> Iterator[Change]:
    """A direction word replaced by its opposite ("tăng cường" by "hạn chế"); the longest direction word
    where several overlap ("tăng cường", never its "tăng")."""
    found = [
        (m, other[min(at, len(other) - 1)])  # "trở lên" -> "trở xuống", "tối thiểu" -> "tối đa"
        for left, right in opposites()
        for side, other in ((left, right), (right, left))
        for at, phrase in enumerate(side)
        for m in _phrase(text, phrase)
    ]
    found.sort(key=lambda f: f[0].start() - f[0].end())
    kept: list[tuple[re.Match[str], str]] = []
    for m, new in found:
        if not any(k.start() < m.end() and m.start() < k.end() for k, _ in kept):
            kept.append((m, new))
    for m, new in sorted(kept, key=lambda f: f[0].start()):
        new = new[:1].upper() + new[1:] if m.group()[:1].isupper() else new
        yield Change(text[: m.start()] + new + text[m.end() :], m.group(), new, "direction")


def _negated_before(text: str, at: int) -> bool:
    before = tuple(fold(w) for w in _WORD.findall(text[:at])[-3:])
    markers = [tuple(fold(w) for w in m) for m in negations()]
    return any(m[-1] in before for m in markers)


def added_negations(text: str) -> Iterator[Change]:
    """ "không" put before a modal ("phải", "được", "có quyền") that no negation stands before."""
    negation = word("negate")
    for modal in written("modal"):
        for m in _phrase(text, modal):
            if m.start() == 0 or _negated_before(text, m.start()):
                continue
            new = f"{negation} {m.group()}"
            yield Change(text[: m.start()] + new + text[m.end() :], m.group(), new, "negation")
            break


def dropped_negations(text: str) -> Iterator[Change]:
    """The sentence's "không" taken out before a lower-case word ("không áp dụng" -> "áp dụng")."""
    negation = word("negate")
    for m in _phrase(text, negation):
        rest = text[m.end() :]
        after = _WORD.match(rest.lstrip())
        if m.start() == 0 or not after or not after.group().islower():
            continue
        if fold(after.group()) in {fold(w) for n in negations() for w in n}:
            continue  # "không chỉ", "không không": not a plain negation
        bound = fold(f"{m.group()} {after.group()}")
        if any(fold(w) == bound for pair in opposites() for side in pair for w in side):
            continue  # "không quá 60": a bound, reversed as a direction, not dropped to "quá 60"
        words = " ".join(_WORD.findall(rest)[:2])
        yield Change(text[: m.start()] + rest.lstrip(), f"{m.group()} {words}", words, "negation")


def changed_numbers(
    text: str, spans: Sequence[Span], rng: random.Random, others: dict[str, list[str]]
) -> Iterator[Change]:
    """A number or a deadline replaced by another of the same type: one the document uses, else a near one."""
    for span in (s for s in spans if s.kind in (QUANTITY, DEADLINE)):
        candidates = [o for o in others.get(span.type, []) if o != span.key]
        new = rng.choice(candidates) if candidates else shifted(span.text, rng)
        if new and fold(new) != fold(span.text):
            yield Change(_replace(text, span.start, span.end, new), span.text, new, "number")


def shifted(value: str, rng: random.Random) -> str:
    """The value with its first number moved a little (a year by 5, a day of month stays a day)."""
    m = re.search(r"\d+", value)
    if not m:
        return ""
    n = int(m.group())
    if len(m.group()) == 4:
        new = n + rng.choice([-5, 5])
    elif re.match(r"\d+\s+tháng", value, re.I):
        new = n - 10 if n > 15 else n + 10  # a day of the month
    else:
        new = n + rng.choice([1, 2]) if n < 10 else n * 2 if rng.random() < 0.5 else max(1, n // 2)
    return value[: m.start()] + str(new).zfill(len(m.group())) + value[m.end() :]


def narrowed_lists(text: str) -> Iterator[Change]:
    """ "chỉ" put before a word that opens a list, and the statement stopped after the list's first item."""
    narrow = word("narrow")
    for opener in written("list"):
        for m in _phrase(text, opener):
            rest = text[m.end() :]
            item = re.match(r"\s+([^,;:.]+?)(?=\s*(?:,|\svà\s|\shoặc\s))", rest)
            if not item or m.start() == 0 or _WORD.findall(text[: m.start()])[-1:] == [narrow]:
                continue
            end = m.end() + item.end()
            new = f"{narrow} {m.group()}"
            yield Change(
                text[: m.start()] + new + text[m.end() : end] + ".",
                text[m.start() :].rstrip(".;"),
                new + text[m.end() : end],
                "narrow",
            )
            break


def false_statements(
    text: str, spans: Sequence[Span], bodies: Sequence[str], numbers: dict[str, list[str]], rng: random.Random
) -> list[Change]:
    """Every change of the sentence the rules give, in a seeded order, one per kind of change first."""
    makers = [
        list(swapped_bodies(text, spans, bodies)),
        list(reversed_directions(text)),
        list(added_negations(text)),
        list(dropped_negations(text)),
        list(changed_numbers(text, spans, rng, numbers)),
        list(narrowed_lists(text)),
    ]
    for made in makers:
        rng.shuffle(made)
    rng.shuffle(makers)
    return [c for made in makers for c in made[:1]] + [c for made in makers for c in made[1:]]


def flagged(change: Change, sentence: str, clause: str, check: Check) -> str | None:
    """Why the claim check says the changed statement is false, against its sentence and its whole clause;
    None when it does not flag it against both, or the clause says it word for word."""
    if fold(change.text.rstrip(".")) in fold(clause):
        return None
    against_sentence = check(change.text, [sentence])
    against_clause = check(change.text, [clause])
    return against_clause if against_sentence and against_clause else None


def describe(change: Change) -> str:
    """What the changed statement got wrong, in Vietnamese."""
    return f"Văn bản ghi «{change.was}», không phải «{change.now}»."
