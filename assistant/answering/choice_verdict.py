"""The letter of a multiple-choice question, decided by the claim check against the cited sentences.

Each choice is read against the sentences about the stem: backed when one of them holds nearly all its
terms and the claim check finds nothing against it (numbers, negations, directions, names), contradicted
when the sentence it follows says otherwise. The letter is given only when the sentences decide it; a wrong
letter is worse than none.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.answering.support import (
    TRUE_COVERAGE,
    SupportScorer,
    in_source_words,
    restates,
    unsupported_numbers,
)
from assistant.language.choices import ALL_TRUE, Choice, MultipleChoice, list_items
from assistant.language.text import syllables

BACKED, CONTRADICTED, UNKNOWN = "backed", "contradicted", "unknown"
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# A chunk is about the stem when it (with its clause and headings) covers this much of the stem's terms; a
# sentence of its article can back or contradict a choice when it (with its headings and its clause's lead
# sentence) covers ABOUT_STEM of them.
STEM_COVERAGE = 0.5
ABOUT_STEM = 0.5
# A short choice (fewer syllables than SHORT_CHOICE: "Quốc hội") is found in many sentences about the stem:
# only one that covers ABOUT_STEM_SHORT of the stem backs or contradicts it.
SHORT_CHOICE, ABOUT_STEM_SHORT = 5, 0.7
# A choice follows a sentence, and can be contradicted by it, when the sentence holds this much of its terms.
ALIGNED_COVERAGE = 0.6


@dataclass(frozen=True)
class Candidate:
    """A sentence that may decide a choice, and how much of the stem's terms it covers."""

    text: str
    about: float = 1.0
    article: str = ""  # the article it stands in (its khoản and điểm are read together), "" when unknown

    def __post_init__(self) -> None:
        object.__setattr__(self, "about", round(self.about, 3))  # 0.7 is 0.7, not 0.6999…


@dataclass(frozen=True)
class Reading:
    """What the sentences say of one choice: backed, contradicted or unknown, by which sentence, and why."""

    letter: str
    status: str
    source: int | None = None  # index of the deciding sentence among the candidates
    why: str = ""
    also: tuple[int, ...] = ()  # … and of the others that decide it with it (one item of a list each)


@dataclass(frozen=True)
class ChoiceVerdict:
    """The decided letter (None when undecided), each choice's reading, the deciding sentences' indexes."""

    letter: str | None
    readings: dict[str, Reading]
    deciding: tuple[int, ...] = ()


def read_choice(choice: Choice, stem: str, sentences: Sequence[Candidate], scorer: SupportScorer) -> Reading:
    """A plain choice read against the sentences about the stem, the one covering most of it (then most of
    the stem) first; a choice that only repeats words of the stem ("Thẩm phán" in "… báo cáo Thẩm phán …")
    says nothing to check."""
    if scorer.coverage(choice.text, [stem]) >= TRUE_COVERAGE:
        return Reading(choice.letter, UNKNOWN, why="phương án chỉ lặp lại lời câu hỏi")
    short = len(syllables(choice.text)) < SHORT_CHOICE
    needed = ABOUT_STEM_SHORT if short else ABOUT_STEM
    # The choice in each sentence's words where it says the same with others ("tối đa" for "không quá").
    said = {i: in_source_words(choice.text, s.text) for i, s in enumerate(sentences) if s.about >= needed}
    covered = sorted(
        ((scorer.coverage(said[i], [sentences[i].text]), sentences[i].about, i) for i in said),
        key=lambda c: (-c[0], -c[1], c[2]),
    )
    for coverage, _, i in covered:
        if coverage < TRUE_COVERAGE and not restates(said[i], sentences[i].text):
            continue
        if reason := _backs(said[i], sentences[i].text, scorer):
            return Reading(choice.letter, BACKED, i, reason)
    # A choice listing items is backed by a sentence that holds every one of them ("sơ cấp và trung cấp" by
    # "trình độ sơ cấp, trình độ trung cấp").
    if len(items := list_items(choice.text)) >= 2:
        for _, _, i in covered:
            source = [sentences[i].text]
            if all(scorer.coverage(item, source) >= TRUE_COVERAGE for item in items) and (
                reason := _backs(said[i], sentences[i].text, scorer)
            ):
                return Reading(choice.letter, BACKED, i, reason)
        # … or by the points of one article, one item each ("…; xây dựng thao trường mạng" of điểm a and g).
        for article in dict.fromkeys(sentences[i].article for _, _, i in covered if sentences[i].article):
            members = [i for _, _, i in covered if sentences[i].article == article]
            backing = [
                next((i for i in members if _backs_item(item, sentences[i].text, scorer)), None)
                for item in items
            ]
            if None not in backing and len(set(backing)) > 1:
                first, *rest = dict.fromkeys(backing)
                why = "mỗi ý có trong một khoản, điểm của điều luật"
                return Reading(choice.letter, BACKED, first, why, tuple(rest))
    # The sentence it follows: the one holding most of its words, its numbers aside ("40 học viên" follows
    # "… không quá 60 học viên").
    aligned = max(
        ((max(c, scorer.coverage(_NUMBER.sub(" ", said[i]), [sentences[i].text])), i) for c, _, i in covered),
        default=(0.0, 0),
    )
    if aligned[0] >= ALIGNED_COVERAGE:
        i = aligned[1]
        source = [sentences[i].text]
        if why := scorer.contradiction(said[i], source):
            return Reading(choice.letter, CONTRADICTED, i, why)
        if numbers := unsupported_numbers(said[i], source):
            return Reading(
                choice.letter, CONTRADICTED, i, f"số {', '.join(sorted(numbers))} không có trong nguồn"
            )
    return Reading(choice.letter, UNKNOWN)


def _backs_item(item: str, sentence: str, scorer: SupportScorer) -> bool:
    """One item of a choice's list is in the sentence, and nothing in it is against the sentence."""
    source = [sentence]
    return scorer.coverage(item, source) >= TRUE_COVERAGE and not scorer.contradiction(item, source)


def _backs(claim: str, sentence: str, scorer: SupportScorer) -> str | None:
    """Why the sentence backs the claim (None when it does not): the claim check finds nothing against it and
    the support scorer finds it supported."""
    if scorer.contradiction(claim, [sentence]) or unsupported_numbers(claim, [sentence]):
        return None
    verdict = scorer(claim, [sentence])
    return verdict.reason if verdict.supported else None


def _combined(choice: Choice, readings: dict[str, Reading]) -> Reading:
    """A choice about the others, read from their readings."""
    statuses = [readings[o].status for o in choice.others if o in readings]
    if len(statuses) < len(choice.others):
        return Reading(choice.letter, UNKNOWN)
    yes, no = (BACKED, CONTRADICTED) if choice.combines == ALL_TRUE else (CONTRADICTED, BACKED)
    if all(s == yes for s in statuses):
        return Reading(choice.letter, BACKED)
    return Reading(choice.letter, CONTRADICTED if no in statuses else UNKNOWN)


def decide(question: MultipleChoice, sentences: Sequence[Candidate], scorer: SupportScorer) -> ChoiceVerdict:
    """The letter the sentences decide: the one backed choice, the others not backed (a choice about the
    others counts as backed when they all are); for a stem asking for the exception, the one choice not
    backed while all the others are."""
    readings = {c.letter: read_choice(c, question.stem, sentences, scorer) for c in question.plain}
    combining = [c for c in question.choices if not c.plain]
    readings |= {c.letter: _combined(c, readings) for c in combining}
    backed = [c for c in question.choices if readings[c.letter].status == BACKED]
    letter = None
    if question.exception:
        unbacked = [c for c in question.plain if readings[c.letter].status != BACKED]
        if not combining and len(question.plain) >= 3 and len(unbacked) == 1:
            letter = unbacked[0].letter
    elif len(combined := [c for c in backed if not c.plain]) == 1:
        letter = combined[0].letter
    elif len(backed) == 1 and backed[0].plain and not _left_open(backed[0], combining, readings):
        letter = backed[0].letter
    return ChoiceVerdict(letter, readings, _deciding(question, letter, readings))


def _left_open(choice: Choice, combining: list[Choice], readings: dict[str, Reading]) -> bool:
    """A choice saying "all of them are true" that includes this one stays possible unless another of its
    letters is contradicted: one backed choice does not rule it out."""
    return any(
        c.combines == ALL_TRUE
        and choice.letter in c.others
        and not any(readings[o].status == CONTRADICTED for o in c.others if o != choice.letter)
        for c in combining
    )


def _deciding(question: MultipleChoice, letter: str | None, readings: dict[str, Reading]) -> tuple[int, ...]:
    """The sentences that decide the letter: its own (or those of the choices it speaks of); for an
    exception, what contradicts it, then what backs the others."""
    if letter is None:
        return ()
    chosen = question.choice(letter)
    assert chosen is not None
    if question.exception:
        letters = [letter, *(c.letter for c in question.plain if c.letter != letter)]
    else:
        letters = [letter] if chosen.plain else list(chosen.others)
    found = [i for x in letters if x in readings for i in (readings[x].source, *readings[x].also)]
    return tuple(dict.fromkeys(i for i in found if i is not None))
