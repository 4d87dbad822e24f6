"""What the claim says differently at one place of its sources, against the source's own words there.

A negation or a reversing prefix the source has not there, one function word in place of another, a number
or a content word of its own in place of the source's. Words that are the same thing in other words (a
synonym, an OCR slip, a part of the source's words, what "đó" or "này" points at) change nothing. No word
list of swaps or reversals is read: the source's word at the place decides.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from assistant.answering.claim_places import MAX_SWAP
from assistant.answering.claim_tokens import Token, sentences_of, tokens
from assistant.answering.paraphrases import (
    bound_phrases,
    carried_denials,
    led_ban,
    measured,
    nominalized,
    same_kind_rests,
    without_ban,
)
from assistant.language.datafiles import data_lines
from assistant.language.names import body_head, is_acronym
from assistant.language.shapes import negations, restrictions, same_words
from assistant.language.synonyms import synonyms
from assistant.language.text import fold, has_diacritics
from assistant.retrieval.matching import is_stopword

# Words that only point at something the passage named before ("quyết định đó"): a claim may name it.
POINTERS = frozenset({"do", "nay", "ay", "kia", "tren"})


class Reworded(str):
    """A reason that is only a difference of wording: the claim says its own words at a place where the
    source says others (`there`, as written), and no number, negation, name or reversing prefix is at stake
    there. Whether the two say the same thing takes a reader of meaning; every other reason is a fact the
    words decide."""

    there: str

    def __new__(cls, reason: str, there: str) -> Reworded:
        made = super().__new__(cls, reason)
        made.there = there
        return made


def substituted(said: Sequence[Token], there: Sequence[Token], opening: bool = False) -> str:
    """'nêu X thay cho Y của nguồn': a plain reason when the two sides name someone else (`_names`: "Chính
    phủ" for "Quốc hội", "UBND" for "HĐND"), else a `Reworded` one: a name said in common words, made
    explicit or said with other words around it is a restatement to read ("được miễn" for "Nhà nước không
    thu", "mà Bộ phụ trách" for "của Bộ")."""
    reason = f"nêu '{shown(said)}' thay cho '{shown(there)}' của nguồn"
    names = [_names(side, opening) for side in (said, there)]
    return reason if all(names) and names[0] != names[1] else Reworded(reason, shown(there))


def _names(ts: Sequence[Token], opening: bool) -> set[str]:
    """The words of a name among the tokens: acronyms, capitalised words but a sentence's first, and that
    one too when it opens a body's name ("Hội đồng nhân dân tỉnh chủ trì")."""
    first = opening and body_head([t.raw for t in ts]) is None
    return {
        t.word
        for k, t in enumerate(ts)
        if is_acronym(t.raw) or (t.raw[:1].isupper() and not (first and k == 0))
    }


def is_pointer(t: Token) -> bool:
    """A word that points back, read as written ("này", "đó"; "do" is no pointer)."""
    return t.word in POINTERS and (not t.raw or t.raw.lower() != t.word or t.word in ("nay", "ay", "kia"))


def joined_words(ts: Sequence[Token]) -> str:
    return f" {' '.join(t.word for t in ts)} "


@cache
def _markers() -> tuple[str, ...]:
    return tuple(f" {' '.join(fold(w) for w in m)} " for m in negations())


def negation_in(ts: Sequence[Token]) -> str | None:
    """The first negation the tokens hold, as written ("không được"), or None."""
    words = [t.word for t in ts]
    for marker in sorted(_markers(), key=len, reverse=True):
        key = marker.split()
        at = next((i for i in range(len(words) - len(key) + 1) if words[i : i + len(key)] == key), None)
        if at is not None:
            return shown(ts[at : at + len(key)])
    return None


@cache
def _prefixes() -> frozenset[str]:
    """Folded syllables that reverse the word they are put before ("bất", "vô": `prefix` of polarity.tsv)."""
    rows = (line.partition("\t") for line in data_lines("polarity.tsv"))
    return frozenset(fold(w.strip()) for kind, _, w in rows if kind == "prefix")


def prefixed(said: Sequence[Token], next_word: str | None, source: list[Token]) -> str | None:
    """A reversing prefix the claim puts right before the source's next word, where the source has the word
    without it ("bất hợp pháp" of "hợp pháp"; not "bất kỳ" when the sources say "bất kỳ")."""
    if not said or next_word is None or said[-1].word not in _prefixes():
        return None
    pair = [said[-1].word, next_word]
    if any([t.word for t in source[k : k + 2]] == pair for k in range(len(source) - 1)):
        return None
    if _denied_before(next_word, source):
        return None  # "vô tội" of "không có tội": the prefix says the source's negation
    return said[-1].raw


def _denied_before(word: str, source: list[Token]) -> bool:
    """The source says the word right after a negation ("không có tội", "không hợp pháp")."""
    words = [t.word for t in source]
    return any(
        words[k] == word and joined_words(source[max(0, k - len(m.split())) : k]) == m
        for k in range(len(words))
        for m in _markers()
    )


def function_swap(
    said: Sequence[Token], there: Sequence[Token], claim: list[Token], sentence: list[Token]
) -> bool:
    """Function words of the claim in place of as many words of the source ("hết hiệu lực" of "có hiệu
    lực", "dưới" of "trên", "trong dự toán" of "ngoài dự toán", "cho đến ngày" of "kể từ ngày"): one or two
    words each side, none shared, when the claim has the source's words nowhere and the source sentence has
    the claim's nowhere: what the place says has changed, not its wording."""
    if not 1 <= len(said) == len(there) <= 2 or {t.word for t in said} & {t.word for t in there}:
        return False
    if any(t.content or t.number is not None for t in said) or any(t.number is not None for t in there):
        return False
    if any(not a and not b for a, b in same_kind_rests(said, there)):
        return False  # "mỗi" of "hằng", "chưa đủ" of "dưới": words that say the same there
    # Read with diacritics where written with them: "mới" is not "mọi".
    mine, theirs = {_as_written(t) for t in claim}, {_as_written(t) for t in sentence}
    return not {_as_written(t) for t in there} & mine and not {_as_written(t) for t in said} & theirs


def _as_written(t: Token) -> str:
    return t.raw.lower() if t.raw else t.word


@cache
def _equivalents() -> tuple[tuple[str, ...], ...]:
    groups = [tuple(joined_words(tokens(m)) for m in g) for g in synonyms().groups]
    groups += [tuple(joined_words(tokens(" ".join(k))) for k in g) for g in same_words()]
    return tuple(groups)


def restated_positively(said: Sequence[Token], there: Sequence[Token], source: list[Token]) -> bool:
    """A "không … nếu không …" rule said as "chỉ … khi …": the source's place denies, the claim's restricts,
    and the source's sentence denies twice."""
    if not negation_in(there) or not any(f" {' '.join(r)} " in joined_words(said) for r in restrictions()):
        return False
    joined = joined_words(source)
    return sum(joined.count(m) for m in _markers()) >= 2


def _same_thing(said: Sequence[Token], there: Sequence[Token], known: set[str]) -> bool:
    """The claim's words say what the source's words at the place say: only function words of its own, a
    part of the source's words, a synonym of them, the same words with an OCR slip, or, where the source
    says only function words ("quyết định đó"), words of the sources that name what it points at."""
    own = [t.word for t in said if t.content]
    accented = any(t.raw and has_diacritics(t.raw) for t in said)
    if not own and any(t.content for t in there) and not any(_function_word(t, accented) for t in said):
        own = [t.word for t in said]  # no function word read with its diacritics ("bảo vệ", folded "bao ve")
    theirs = {t.word for t in there}
    if not own or set(own) <= theirs:
        return True
    if any(_same_thing(a, b, known) for a, b in same_kind_rests(said, there) if not negation_in(a)):
        return True  # "Hiến pháp cấm" of "Không ai được", "được miễn" of "không phải nộp"
    if all(t.word in _prefixes() for t in said) and (denied := negation_in(there)):
        rest = joined_words(there).replace(joined_words(tokens(denied)), " ", 1).split()
        return not any(t.content for t in tokens(" ".join(rest)))  # "vô" (tội) of "không có" (tội)
    if all(_function_word(t) or t.word in POINTERS for t in there) and set(own) <= known:
        return True  # "quyết định đó … thì" said with what it points at
    numbering = there and all(t.number is not None or len(t.word) == 1 for t in there)  # "2.", "a)"
    unbanned = without_ban(said, known) if numbering else None
    if unbanned is not None and not negation_in(unbanned):
        return {t.word for t in unbanned if t.content} <= known  # an item's opening: its lead bans
    if any(t.word in POINTERS for t in there) and set(own) <= known:
        return True  # "Luật này" said with the law's name
    a, b = joined_words(said), joined_words(there)
    if any(any(m in a for m in g) and any(m in b for m in g) for g in _equivalents()):
        return True
    if len(said) == len(there):
        return all(_slip(x.word, y.word) for x, y in zip(said, there, strict=True))
    return False


def _function_word(t: Token, accented: bool = False) -> bool:
    """A function word, read with its diacritics when written with them ("mới" is none, though "moi" is
    "mọi"); a word written without any among words written with them (`accented`) is read as written too:
    "dang" of "dang dở" is not "đang"."""
    if t.content:
        return False
    if t.raw and " " not in t.raw and (accented or has_diacritics(t.raw)):
        return is_stopword(t.raw.lower(), accented=True)
    return True


def _slip(a: str, b: str) -> bool:
    """One character apart (an OCR slip: "chât" for "chất", "tô chức" for "tổ chức"), words of 3+ letters."""
    if a == b:
        return True
    if len(a) < 3 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def shown(ts: Sequence[Token]) -> str:
    return " ".join(t.raw for t in ts if t.raw)


def trimmed(said: Sequence[Token], there: Sequence[Token]) -> tuple[list[Token], list[Token]]:
    """The two places' words (as written, each word a token again) without the words they share at their
    start and at their end: "hết hiệu lực thi hành" and "có hiệu lực thi hành" differ in "hết" and "có"."""
    a, b = tokens(shown(said)), tokens(shown(there))
    while a and b and a[0].word == b[0].word:
        a, b = a[1:], b[1:]
    while a and b and a[-1].word == b[-1].word:
        a, b = a[:-1], b[:-1]
    return a, b


def unpointed(ts: Sequence[Token]) -> list[Token]:
    """The words without those that only point back ("Nghị định này có hiệu lực" said "Nghị định có hiệu
    lực"): a claim may leave them out."""
    return [t for t in ts if t.word not in POINTERS]


def differs_at(
    said: list[Token],
    there: list[Token],
    opening: bool,
    source: list[Token],
    known: set[str],
    claim: Sequence[Token] = (),
) -> str | None:
    """Why the claim's words at a place say something else than the source's there (None when they do not,
    or when the place is too long to compare word for word). With the `claim`, a measure named where the
    source says the doing it measures (`paraphrases.measured`) is the same thing."""
    if len(there) > MAX_SWAP and opening and len(said) <= MAX_SWAP:
        there = there[-len(said) :]  # the words right before the tile the claim's lead leads into

    if not there:
        return None
    if len(said) > MAX_SWAP or len(there) > MAX_SWAP:
        # a long place compared without words that say the same on both sides ("Trong trường hợp" of "Khi")
        shorter = ((a, b) for a, b in same_kind_rests(said, there, denials=False) if a and b)
        a, b = next(shorter, ([], []))
        if (
            a
            and max(len(a), len(b)) <= MAX_SWAP
            and (problem := differs_at(a, b, opening, source, known, claim))
        ):
            return problem
        return None
    if restated_positively(said, there, source):
        return None
    numbers = [t for t in said if t.number is not None]
    theirs = [t for t in there if t.number is not None]
    if numbers and theirs and {t.number for t in numbers} != {t.number for t in theirs}:
        return f"số {shown(numbers)} thay cho {shown(theirs)} của nguồn"
    mine, other = [t.number for t in numbers], [t.number for t in theirs]
    if len(mine) >= 2 and sorted(mine) == sorted(other) and mine != other:
        return f"đổi chỗ các số {shown(theirs)} của nguồn thành {shown(numbers)}"  # "tháng 2024 năm 5"
    if not (
        _same_thing(said, there, known)
        or measured(said, there, claim, known)
        or nominalized(said, there, claim, known)
    ):
        return substituted(said, there, opening)
    return None


def denials(ts: Sequence[Token], against: Sequence[Token] = ()) -> int:
    """How many negations the tokens hold (a longer marker counted once, not with the shorter in it); a
    bound said in other words than `against` says it ("chưa đủ" of "dưới") is no negation, and a word that
    carries one ("miễn") is one."""
    joined, count = joined_words(ts), carried_denials([t.word for t in ts])
    words, sentences = [t.word for t in ts], [[t.word for t in s] for s in sentences_of(against)]
    for at in (i for i in range(len(words)) if against and led_ban(words, i, sentences)):
        joined = joined.replace(f" {' '.join(words[at : at + 2])} ", " ", 1)  # a lead's ban, not the claim's
    for bound in bound_phrases(ts, against):
        joined = joined.replace(f" {' '.join(bound)} ", " ")
    for marker in sorted(_markers(), key=len, reverse=True):
        count += joined.count(marker)
        joined = joined.replace(marker, " ")
    return count
