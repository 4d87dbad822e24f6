"""A short tile of the claim taken from elsewhere in its source and put where the source says something else.

The places of `claim_places` lie between tiles that follow each other in the source, in the claim's order. A
short tile the claim puts between two tiles that follow each other in the source, taken from elsewhere,
stands in the place of the source's words between them ("trụ cột chính: nâng cao bộ máy" where the source
says "trụ cột chính: tổ chức bộ máy" and "nâng cao" elsewhere), or opens the claim in place of the words
before the tile after it ("Quốc gia cán bộ chủ trì" of "Vụ Tổ chức cán bộ chủ trì, … Quốc gia"). No word list
is read: the source's words at the place decide.

(This round also tried reading the claim's own words against what the sources say beside the same
neighbours, and a pointer's noun said otherwise; on sentences their developers had not seen, the first
flagged 3 of 24 faithful paraphrases more for 9 of 981 corruptions more, and the second caught nothing more:
neither was kept. See evals/README.md.)
"""

from __future__ import annotations

from assistant.answering.claim_places import MAX_GAP, MAX_SWAP, Tile, sentence_of
from assistant.answering.claim_tokens import SENTINEL, Token
from assistant.answering.place_differences import differs_at


def stray_between(claim: list[Token], source: list[Token], tiles: list[Tile], known: set[str]) -> str | None:
    """A short tile the claim puts between two tiles that follow each other in the source (within MAX_GAP,
    in one sentence), itself from elsewhere: the claim's words there are read against the source's between
    the two."""
    for k in range(len(tiles) - 2):
        a, t, b = tiles[k], tiles[k + 1], tiles[k + 2]
        end = a.source + a.size
        if t.size > MAX_SWAP or not 0 < b.source - end <= MAX_GAP or end <= t.source < b.source:
            continue
        between = source[end : b.source]
        if any(x.word == SENTINEL for x in between):
            continue
        said = claim[a.claim + a.size : b.claim]
        if problem := differs_at(said, between, False, source, known, claim):
            return problem
    return stray_opening(claim, source, tiles, known)


def stray_opening(claim: list[Token], source: list[Token], tiles: list[Tile], known: set[str]) -> str | None:
    """A short tile that opens the claim, from further on in the source sentence of the tile after it: the
    claim's words before that tile are read against the source's before it, back to its clause's start
    (a list marker left out), when the claim says none of the source's content words there ("Quốc gia cán
    bộ chủ trì" where the source says "Vụ Tổ chức cán bộ chủ trì, phối hợp với Học viện … Quốc gia")."""
    if len(tiles) < 2:
        return None
    t, b = tiles[0], tiles[1]
    if (
        t.size > MAX_SWAP
        or t.source <= b.source
        or sentence_of(source, t.source) != sentence_of(source, b.source)
    ):
        return None
    start = b.source
    while start > 0 and source[start - 1].word != SENTINEL and not source[start].boundary:
        start -= 1
    lead = [x for x in source[start : b.source] if x.number is None and len(x.word) > 1]
    words = {x.word for x in claim}
    if not lead or len(lead) > MAX_SWAP or any(x.word in words for x in lead if x.content):
        return None
    return differs_at(claim[: b.claim], lead, False, source, known, claim)
