"""Where a claim and its sources correspond: the tiles of tokens they share and the places between them.

The claim and its cited sources are read as tokens (folded syllables; a number, in digits or in words, is one
token with its value), each synonym as its group's first member. Runs of tokens they share are tiled
greedily, longest first, in any order, so that a reordered or merged claim still finds its source words; a
short tile that stands away from where the longer tiles around it put it is let go. Between two tiles that
follow each other in the source too, what the claim says stands where the source says something else: the
source's own words at the aligned position, a place. Before the first tile and after the last, the place
reaches to the edge of the source's sentence or clause.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

from assistant.answering.claim_tokens import SENTINEL, Token, tokens
from assistant.language.shapes import same_words
from assistant.language.synonyms import synonyms
from assistant.language.text import sentence_spans

MIN_TILE = 2  # shared tokens to anchor on (one of them a content word)
MAX_GAP = 6  # source tokens between two tiles that still follow each other
MAX_SWAP = 4  # tokens of a place compared word for word; longer is free paraphrase, left to the score


@dataclass(frozen=True)
class Tile:
    claim: int  # start in the claim's tokens
    source: int  # start in the sources' tokens
    size: int


def source_tokens(sources: Sequence[str]) -> list[Token]:
    """The tokens of every sentence of the sources, a sentinel between sentences."""
    out: list[Token] = []
    for source in sources:
        for a, b in sentence_spans(source):
            out += [*tokens(source[a:b]), Token(SENTINEL, "", True)]
    return out


def tile(claim: list[Token], source: list[Token]) -> list[Tile]:
    """Greedy tiling: the longest run the claim and the sources share, then the next among the tokens left,
    each holding a content word (or three tokens)."""
    where: dict[str, list[int]] = {}
    for j, t in enumerate(source):
        where.setdefault(t.word, []).append(j)
    used_c, used_s = [False] * len(claim), [False] * len(source)
    tiles: list[Tile] = []
    sentences, count = [], 0
    for t in source:
        sentences.append(count)
        count += t.word == SENTINEL
    while True:
        best: Tile | None = None
        for i, t in enumerate(claim):
            if used_c[i]:
                continue
            for j in where.get(t.word, ()):
                k = 0
                while (
                    i + k < len(claim)
                    and j + k < len(source)
                    and not used_c[i + k]
                    and not used_s[j + k]
                    and claim[i + k].word == source[j + k].word != SENTINEL
                    and not _number_against_word(claim[i + k], source[j + k])
                ):
                    k += 1
                anchors = k >= 3 or any(c.content or c.number for c in claim[i : i + k])
                # Of equal runs, the one where the tiles placed so far expect it.
                if k < MIN_TILE or not anchors:
                    continue
                if best is None or (k, -_distance(tiles, i, j, sentences)) > (
                    best.size,
                    -_distance(tiles, best.claim, best.source, sentences),
                ):
                    best = Tile(i, j, k)
        if best is None:
            return _without_strays(sorted(tiles, key=lambda t: t.claim), source)
        for k in range(best.size):
            used_c[best.claim + k] = used_s[best.source + k] = True
        tiles.append(best)


def _number_against_word(a: Token, b: Token) -> bool:
    """A number written in digits against a word that only reads like it: "5" is not "năm" (year) of
    "tháng 5 năm 2024", though "5" and "năm" read alike."""
    digits = [t for t in (a, b) if t.raw.isdigit()]
    return bool(digits) and (a.number is None or b.number is None)


def _distance(tiles: list[Tile], i: int, j: int, sentences: list[int]) -> int:
    """How far source position j is from where the nearest tile placed so far puts claim position i (another
    sentence than that tile's is farther than any place in its own)."""
    if not tiles:
        return 0
    near = min(tiles, key=lambda t: abs(t.claim - i))
    apart = abs(near.source + (i - near.claim) - j)
    return apart + (len(sentences) if sentences[j] != sentences[near.source] else 0)


def sentence_of(source: list[Token], at: int) -> int:
    """Which sentence of the sources token `at` stands in (the number of sentinels before it)."""
    return sum(1 for t in source[:at] if t.word == SENTINEL)


def _without_strays(tiles: list[Tile], source: list[Token]) -> list[Tile]:
    """The tiles without short ones (MAX_SWAP tokens or fewer) that stand, in the sources, away from where
    the longer tiles around them put them: a name or a verb the claim shares with another sentence of the
    sources is then read at the place it fills ("của Nhân dân" where this sentence says "của Nhà nước")."""
    long = [t for t in tiles if t.size > MAX_SWAP]
    if not long:
        return tiles
    kept = []
    for t in tiles:
        if t.size > MAX_SWAP:
            kept.append(t)
            continue
        before = next((x for x in reversed(long) if x.claim < t.claim), None)
        after = next((x for x in long if x.claim > t.claim), None)
        sentence = sentence_of(source, t.source)
        fits_before = before is not None and (
            sentence_of(source, before.source) == sentence and t.source >= before.source + before.size
        )
        fits_after = after is not None and (
            sentence_of(source, after.source) == sentence and t.source + t.size <= after.source
        )
        if before and after and before.source + before.size <= after.source:
            keep = fits_before and fits_after  # the long tiles keep their order: it must stand between
        else:
            keep = fits_before or fits_after
        if keep:
            kept.append(t)
    return kept


@cache
def _members() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Every member of a synonym group (synonyms.txt, and the `same` groups of polarity.tsv) as folded
    words, and the group's first member it reads as."""
    groups = [[tuple(t.word for t in tokens(m)) for m in g] for g in synonyms().groups]
    groups += [[tuple(t.word for t in tokens(" ".join(k))) for k in g] for g in same_words()]
    return {m: g[0] for g in groups for m in g if m}


def canonical(ts: list[Token]) -> list[Token]:
    """The tokens with each synonym read as its group's first member ("người dân" and "nhân dân" alike),
    the longest member first: the same thing in other words aligns as the same words."""
    members = _members()
    longest = max((len(m) for m in members), default=0)
    out: list[Token] = []
    i = 0
    while i < len(ts):
        for n in range(min(longest, len(ts) - i), 0, -1):
            words = tuple(t.word for t in ts[i : i + n])
            if words in members and members[words] != words:
                first = members[words]
                raw = " ".join(t.raw for t in ts[i : i + n])
                out += [
                    Token(w, raw if k == 0 else "", ts[i].boundary and k == 0) for k, w in enumerate(first)
                ]
                i += n
                break
        else:
            out.append(ts[i])
            i += 1
    return out


def _clause_start(source: list[Token], at: int) -> int:
    """Where the clause holding source token `at` starts (punctuation before it, or a sentence start)."""
    while at > 0 and not source[at].boundary and source[at - 1].word != SENTINEL:
        at -= 1
    return at


def _clause_end(source: list[Token], at: int) -> int:
    while at < len(source) and source[at].word != SENTINEL and not (at and source[at].boundary):
        at += 1
    return at


# (what the claim says, what the source may say there, whether the place opens the claim, the claim's
# word right after the place)
Place = tuple[list[Token], list[list[Token]], bool, str | None]


def clause_lead(source: list[Token], at: int, used: set[int]) -> list[Token]:
    """The source's words before token `at`: back to its sentence's start, or its clause's when longer;
    nothing when another tile holds some of them (no place to compare)."""
    start = at
    while start > 0 and source[start - 1].word != SENTINEL:
        start -= 1
    if at - start > MAX_SWAP:
        start = _clause_start(source, at)
    return [] if any(k in used for k in range(start, at)) else source[start:at]


def _tail(source: list[Token], at: int, used: set[int], item: bool = False) -> list[Token]:
    """The source's words from token `at` to its clause's end (to the end of the clause `at` opens, when the
    claim goes on with an item of its own: "…, tập thể." where the source ends "…, cá nhân."); nothing when
    another tile holds some."""
    end = _clause_end(source, at + 1 if item and at < len(source) and source[at].boundary else at)
    return [] if any(k in used for k in range(at, end)) else source[at:end]


def _item_before(source: list[Token], at: int, used: set[int]) -> list[Token]:
    """The clause before the one token `at` opens ("công khai" of "…; công khai, minh bạch"), when no tile
    holds it and it is short; else nothing."""
    if not at or not source[at].boundary or source[at - 1].word == SENTINEL:
        return []
    start = _clause_start(source, at - 1)
    if at - start > MAX_SWAP or any(k in used for k in range(start, at)):
        return []
    return source[start:at]


def places(claim: list[Token], source: list[Token], tiles: list[Tile]) -> list[Place]:
    """(what the claim says, what the source may say at that place, whether the place opens the claim):
    between two tiles that follow each other in the source; else, between two tiles the claim reorders,
    after the one or before the other (or, when the claim's words there are words the sources lack, the
    list item before the other); before the first tile and after the last up to the edge of the source's
    sentence or clause."""
    out: list[Place] = []
    used = {t.source + k for t in tiles for k in range(t.size)}
    words = {t.word for t in source}
    for a, b in pairwise(tiles):
        end = a.source + a.size
        said = claim[a.claim + a.size : b.claim]
        between = source[end : b.source]
        if 0 <= b.source - end <= MAX_GAP and all(t.word != SENTINEL for t in between):
            out.append((said, [between], False, claim[b.claim].word))
        elif said:
            candidates = [_tail(source, end, used), clause_lead(source, b.source, used)]
            if any(t.content and t.word not in words for t in said):
                candidates.append(_item_before(source, b.source, used))
            out.append((said, candidates, True, claim[b.claim].word))
    if tiles:
        first, last = tiles[0], tiles[-1]
        out.append(
            (claim[: first.claim], [clause_lead(source, first.source, used)], True, claim[first.claim].word)
        )
        end = last.source + last.size
        said = claim[last.claim + last.size :]
        # an item of its own after the last tile: one the sources lack, not theirs reordered
        item = bool(said) and said[0].boundary and any(t.content and t.word not in words for t in said)
        out.append((said, [_tail(source, end, used, item)], False, None))
    return out


def used_positions(tiles: Sequence[Tile]) -> set[int]:
    return {t.source + k for t in tiles for k in range(t.size)}


def opens_a_sentence(said: list[Token], source: list[Token]) -> bool:
    """The words (three or more) open a sentence of the sources ("Việc thực hiện …")."""
    words = [t.word for t in said]
    if len(words) < 3:
        return False
    starts = [0] + [k + 1 for k, t in enumerate(source) if t.word == SENTINEL]
    return any([t.word for t in source[k : k + len(words)]] == words for k in starts)


def tiled_sentence(source: list[Token], tiles: list[Tile]) -> list[Token]:
    """The source sentences the claim's tiles stand in."""
    wanted = {sentence_of(source, t.source) for t in tiles}
    out, sentence = [], 0
    for t in source:
        if t.word == SENTINEL:
            sentence += 1
        elif sentence in wanted:
            out.append(t)
    return out
