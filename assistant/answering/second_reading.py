"""A second reading, by the model, of the sentences the claim check flags only for their wording.

The offline claim check (`SupportScorer`) decides numbers, negations, names and reversing prefixes by the
words themselves. Where a sentence only says other words than its passage at a place ("có trách nhiệm" for
"phải", or "giảm" for "tăng cường"), words alone cannot tell a paraphrase from a reversal
(`Verdict.reworded`). When a model is at hand, it is asked, in one request for all such sentences of an
answer (prompt prompts/second_reading.md), whether each passage says what its sentence says. A sentence is
confirmed only when the model says so and quotes, word for word, at least QUOTED words of the cited
passages that hold the passage's words at the place the check names; anything else (a refusal, an error,
a reply out of shape, a quote the passages lack or that skips the place) leaves the flag standing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage

from assistant.answering.support import Verdict
from assistant.core.prompts import json_reply, load_prompt
from assistant.language.markup import tagged
from assistant.language.text import syllables

log = logging.getLogger(__name__)
QUOTED = 3  # words of the passage the model must quote to confirm a sentence
Check = Callable[..., Verdict]  # (sentence, sources, about=()) -> Verdict, as `SupportScorer` is called


@dataclass(frozen=True)
class Pending:
    """A sentence flagged only for its wording, the passages it cites and the check's reason."""

    sentence: str
    sources: tuple[str, ...]
    reason: str
    place: str = ""  # the sources' words where the sentence says its own ("" when no one place)


class SecondReading:
    """Asks the chat model whether each pending sentence says what its passages say."""

    def __init__(self, model: BaseChatModel) -> None:
        self.model = model

    def __call__(self, pending: Sequence[Pending]) -> dict[str, str]:
        """The confirmed sentences, each with the passage words the model quoted for it."""
        if not pending:
            return {}
        try:
            reply = self.model.invoke([HumanMessage(self.prompt(pending))])
        except Exception as exc:  # the client raises many kinds; the flags then stand
            log.warning("second reading failed, flags kept: %s", type(exc).__name__)
            return {}
        entries = (json_reply(str(reply.content)) or {}).get("sentences")
        if not isinstance(entries, list) or len(entries) != len(pending):
            return {}
        confirmed = {}
        for item, entry in zip(pending, entries, strict=True):
            if not isinstance(entry, dict):
                continue
            quote = entry.get("quote")
            if entry.get("same") is True and isinstance(quote, str) and quoted(quote, item):
                confirmed[item.sentence] = quote.strip()
        return confirmed

    def recheck(self, check: Check) -> Check:
        """`check` (the claim check) with this reading after it, one sentence at a time, for the eval
        harness: a verdict of wording alone that the model confirms becomes support, its reason saying
        so; every other verdict stands."""
        read: dict[tuple[str, tuple[str, ...]], str | None] = {}

        def checked(sentence: str, sources: Sequence[str], about: Sequence[str] = ()) -> Verdict:
            verdict = check(sentence, sources, about)
            if verdict.supported or not verdict.reworded:
                return verdict
            key = (sentence, tuple(sources))
            if key not in read:
                pending = Pending(sentence, key[1], verdict.reason, verdict.place)
                read[key] = self([pending]).get(sentence)
            if (quote := read[key]) is None:
                return verdict
            why = f"mô hình đọc lại và dẫn «{quote}» ({verdict.reason})"
            return replace(verdict, supported=True, reason=why)

        return checked

    @staticmethod
    def prompt(pending: Sequence[Pending]) -> str:
        items = "\n\n".join(
            f'<cau so="{i}">\n<nguon>\n{tagged(chr(10).join(p.sources))}\n</nguon>\n'
            f"<noi_dung>{tagged(p.sentence)}</noi_dung>\n<cho_khac>{tagged(p.reason)}</cho_khac>\n</cau>"
            for i, p in enumerate(pending, 1)
        )
        return load_prompt("second_reading").format(items=items)


def quoted(quote: str, item: Pending) -> bool:
    """The quote is QUOTED words or more that stand in that order, one after another, in a source, and
    hold the sources' words at the item's place (when it has one)."""
    words = syllables(quote)
    if len(words) < QUOTED or not _within(syllables(item.place), words):
        return False
    return any(_within(words, syllables(source)) for source in item.sources)


def _within(part: list[str], whole: list[str]) -> bool:
    return any(whole[i : i + len(part)] == part for i in range(len(whole) - len(part) + 1))
