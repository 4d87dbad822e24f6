"""A claim aligned to its sources, role by role: what fills each place of the source sentence it follows.

The claim and its cited sources are read as tokens (folded syllables; a number, in digits or in words, is one
token with its value). Runs of tokens they share are tiled greedily, longest first, in any order, so that a
reordered or merged claim still finds its source words. Between two tiles that follow each other in the
source too, what the claim says stands where the source says something else: the source's own word at the
aligned position. A content word put there that is not the same thing in other words (a synonym, an OCR
slip, words the source has there too) changes who acts, what action, on whom, or which number; so does a
name or a number that trades places with another across the same predicate, and a number bound to what
another number counts in the source ("đủ 18 tuổi … quyền bầu cử"). No word list of swaps or reversals is
read: the source's word at the place decides.

The tiles and places are `claim_places`; what differs at one place is `place_differences`. Here: the check
that reads every place (`misaligned`), and what shows only across places: a frame filled from another
sentence, a phrase moved to the front or the back, names or numbers traded, a number bound to another's words.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from assistant.answering.claim_places import (
    MAX_SWAP,
    Tile,
    canonical,
    clause_lead,
    opens_a_sentence,
    places,
    sentence_of,
    source_tokens,
    tile,
    tiled_sentence,
    used_positions,
)
from assistant.answering.claim_tokens import SENTINEL, Token, sentences_of, tokens
from assistant.answering.place_differences import (
    Reworded,
    denials,
    differs_at,
    function_swap,
    is_pointer,
    negation_in,
    prefixed,
    shown,
    substituted,
    trimmed,
    unpointed,
)
from assistant.answering.stray_tiles import stray_between

NUMBER_WINDOW = 4  # content words each side that bind a number to what it counts


def misaligned(claim_text: str, sources: Sequence[str], about: Sequence[str] = ()) -> str | None:
    """Why the claim, aligned to its sources, says something else in one of their places (None when it
    does not): a negation where the source has none, a number or a content word of its own in place of the
    source's, two names or numbers traded across a predicate, a number bound to what another one counts."""
    claim = canonical(tokens(claim_text))
    source = canonical(source_tokens(sources))
    tiles = tile(claim, source)
    if not tiles:
        return None
    if points_back(claim, source):
        return None
    known = {t.word for t in source} | {t.word for text in about for t in tokens(text)}
    sentence = tiled_sentence(source, tiles)
    reworded: str | None = None
    for said, candidates, opening, after in places(claim, source, tiles):
        if not said:
            continue
        if prefix := prefixed(said, after, source):
            return f"thêm tiền tố '{prefix}' làm ngược nghĩa từ của nguồn"
        negation = negation_in(said)
        if (
            negation
            and not any(negation_in(there) for there in candidates)
            and denials(claim, [*source, *_headings(source, about)]) > denials(tiled_sentence(source, tiles))
        ):
            # (a paraphrase may move a negation within its sentence: "không áp dụng đối với X" said as
            # "X không thuộc phạm vi áp dụng")
            return f"phủ định '{negation}' mà nguồn không có ở chỗ tương ứng"
        if opening and opens_a_sentence(said, source):
            continue  # two sentences merged: the claim opens with another sentence's opening words
        # A place the source leaves empty (a sentence's start) says nothing to compare with.
        problems = [differs_at(said, there, opening, source, known, claim) or (
            # a long place that differs only between words both sides share at its ends ("độc lập với
            # trung ương" of "trực thuộc trung ương") is compared without them
            max(len(said), len(there)) > MAX_SWAP
            and all(pair := trimmed(said, there))
            and differs_at(*pair, False, source, known, claim)
        ) for there in candidates if there]  # fmt: skip
        for there in candidates if not opening else ():
            for a, b in ((said, there), trimmed(said, there), trimmed(said, unpointed(there))):
                if function_swap(a, b, claim, sentence):
                    reworded = reworded or substituted(a, b)
        if problems and all(problems):
            firm = next((p for p in problems if not isinstance(p, Reworded)), None)
            if firm:
                return firm
            reworded = reworded or problems[0]
    # A difference of fact anywhere in the claim outranks one of wording (`Reworded`) found first.
    return (
        repeated(claim, source)
        or traded(claim, source, tiles)
        or rebound_number(claim, source)
        or reworded
        or reframed(claim, source, tiles, known)
        or moved(claim, source, tiles, known)
        or stray_between(claim, source, tiles, known)
    )


def _headings(source: list[Token], about: Sequence[str]) -> list[Token]:
    """The headings over the passage (`about`), whose ban a claim's ban may be, when the passage denies
    nothing itself (an item of "Những việc … không được làm" cited alone); else none."""
    return [] if denials(source) else canonical(source_tokens(about))


def points_back(claim: list[Token], source: list[Token]) -> bool:
    """The claim says one sentence of the sources with what its pointer points at: the sentence's words
    before the pointer's noun phrase open the claim, its words after the pointer close it, and the claim's
    words between them hold the pointer's noun and only content words of the sentence before ("Việc thực
    hiện quyền bầu cử và ứng cử do luật định" of "… có quyền bầu cử và … có quyền ứng cử … Việc thực hiện
    các quyền này do luật định")."""
    sentences = sentences_of(source)
    words = [t.word for t in claim]
    for k in range(1, len(sentences)):
        sentence, earlier = sentences[k], {t.word for t in sentences[k - 1]}
        for p in range(1, len(sentence)):
            if not is_pointer(sentence[p]) or not sentence[p - 1].content:
                continue
            start = p - 1 - (p > 1 and not sentence[p - 2].content and not is_pointer(sentence[p - 2]))
            before = [t.word for t in sentence[:start]]
            after = [t.word for t in sentence[p + 1 :]]
            if len(before) < 2 or len(after) < 2 or len(words) <= len(before) + len(after):
                continue
            middle = claim[len(before) : len(words) - len(after)]
            if (
                words[: len(before)] == before
                and words[-len(after) :] == after
                and sentence[p - 1].word in {t.word for t in middle}
                and all(t.word in earlier for t in middle if t.content)
            ):
                return True
    return False


def repeated(claim: list[Token], source: list[Token]) -> str | None:
    """A list item of two words or more the claim names twice in a row ("công chức, công chức" or "… và
    công chức") where the sources never do: one of the source's items has been put in another's place."""
    for n in range(2, MAX_SWAP):  # two syllables or more: "miễn nhiệm, nhiệm kỳ" names no item twice
        for i in range(len(claim) - 2 * n + 1):
            run, then = claim[i : i + n], claim[i + n : i + 2 * n + 1]
            joined = then[1:] if then[0].word == "va" else then[:n] if then[0].boundary else []
            if (
                not any(t.content for t in run)
                or not joined
                or [t.word for t in joined] != [t.word for t in run]
            ):
                continue
            words = [t.word for t in run]
            twice = [*words, *words]
            if not any([t.word for t in source[k : k + 2 * n]] == twice for k in range(len(source))):
                return f"nêu '{shown(run)}' hai lần liền nhau mà nguồn không nêu như vậy"
    return None


def reframed(claim: list[Token], source: list[Token], tiles: list[Tile], known: set[str]) -> str | None:
    """Two tiles that follow each other in the claim but come from two sentences of the sources, where the
    second one's sentence says, right before it, the same frame with another filler than the claim's words
    before it ("Đơn vị phối hợp: Vụ Pháp chế" where the source says "Đơn vị chủ trì: Vụ Pháp chế" and
    "Đơn vị phối hợp" of another sentence)."""
    used = used_positions(tiles)
    for a, b in pairwise(tiles):
        if b.claim != a.claim + a.size or sentence_of(source, a.source) == sentence_of(source, b.source):
            continue
        lead = clause_lead(source, b.source, used)
        if not lead or len(lead) > MAX_SWAP or len(lead) > b.claim:
            continue
        said = claim[b.claim - len(lead) : b.claim]
        shared = {t.word for t in said if t.content} & {t.word for t in lead if t.content}
        if shared and (problem := differs_at(said, lead, False, source, known, claim)):
            return problem
    return None


def moved(claim: list[Token], source: list[Token], tiles: list[Tile], known: set[str]) -> str | None:
    """The claim's words before its first tile or after its last, read against the words of the tiles'
    sentences that no tile holds, when they start or end alike (a phrase moved to the front or the back):
    "Ngoài dự toán đã thu hồi, Bộ …" where the source says "Bộ … ngoài dự toán đã giao …"."""
    used = used_positions(tiles)
    wanted = {sentence_of(source, t.source) for t in tiles}
    runs: list[list[Token]] = []
    run: list[Token] = []
    sentence = 0
    for j, t in enumerate(source):
        sentence += t.word == SENTINEL
        if t.word != SENTINEL and j not in used and sentence in wanted:
            run.append(t)
        elif run:
            runs, run = [*runs, run], []
    edges = [claim[: tiles[0].claim], claim[tiles[-1].claim + tiles[-1].size :]]
    for said in (e for e in edges if e):
        for there in runs:
            a, b = trimmed(said, there)
            kept = len(tokens(shown(said))) - len(a)
            if kept < 2 or not a or not b or len(a) > MAX_SWAP or len(b) > MAX_SWAP:
                continue
            if problem := differs_at(a, b, False, source, known, claim):
                return problem
            if function_swap(a, b, claim, tiled_sentence(source, tiles)):
                return substituted(a, b)  # "Trong dự toán đã giao"
    return None


def traded(claim: list[Token], source: list[Token], tiles: list[Tile]) -> str | None:
    """Two short tiles that trade places across a predicate tile between them ("Chính phủ chịu trách nhiệm
    trước Quốc hội" said as "Quốc hội chịu trách nhiệm trước Chính phủ")."""
    for i, a in enumerate(tiles):
        for p in tiles[i + 1 :]:
            for b in tiles[tiles.index(p) + 1 :]:
                if a.size > MAX_SWAP or b.size > MAX_SWAP:
                    continue
                if b.source < p.source < a.source and not any(
                    t.word == SENTINEL for t in source[b.source : a.source]
                ):
                    return (
                        f"đổi chỗ '{shown(claim[a.claim : a.claim + a.size])}' và "
                        f"'{shown(claim[b.claim : b.claim + b.size])}' so với nguồn"
                    )
    return None


def _context(ts: list[Token], at: int, step: int) -> set[str]:
    """The content words within NUMBER_WINDOW of token `at` on one side (step -1 before, 1 after), in its
    sentence; after it, up to the next number (what follows that one is what it counts: "kéo dài 05 ngày và
    có không quá 60 học viên")."""
    out: list[str] = []
    k = at + step
    while 0 <= k < len(ts) and ts[k].word != SENTINEL and len(out) < NUMBER_WINDOW:
        if step > 0 and ts[k].number is not None:
            break
        if ts[k].content:
            out.append(ts[k].word)
        k += step
    return set(out)


def _in_date(ts: list[Token], at: int) -> bool:
    """Token `at` is one of numbers written side by side ("16/02", "16/02/2023"): a date or a code, which
    counts nothing and may move with its sentence's words."""
    return any(0 <= k < len(ts) and ts[k].number is not None for k in (at - 1, at + 1))


def rebound_number(claim: list[Token], source: list[Token]) -> str | None:
    """A number of the claim whose words after it (and around it) are those of another number of the
    sources, more than those of its own value there ("đủ 21 tuổi trở lên có quyền bầu cử" where the source
    says "đủ mười tám tuổi trở lên có quyền bầu cử và đủ hai mươi mốt tuổi trở lên có quyền ứng cử")."""
    numbers = [(t.number, _context(source, j, -1), _context(source, j, 1), t.raw)
               for j, t in enumerate(source) if t.number is not None]  # fmt: skip
    for i, t in enumerate(claim):
        if t.number is None or _in_date(claim, i):
            continue
        before, after = _context(claim, i, -1), _context(claim, i, 1)
        own = [(len(after & a), len(before & b)) for v, b, a, _ in numbers if v == t.number]
        if not own:
            continue
        mine = max(own, key=lambda x: (x[0], x[1]))
        for value, b, a, raw in numbers:
            theirs = (len(after & a), len(before & b))
            if value != t.number and theirs[0] >= 2 and theirs[0] > mine[0] and sum(theirs) > sum(mine):
                return f"số {t.raw} gắn với điều mà nguồn nói bằng số {raw}"
    return None
