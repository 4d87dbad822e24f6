"""What the claim says beside words it shares with its sources, read against the source's own words there.

The places of `claim_places` lie between tiles that follow each other in the source. A rewrite that reorders
the sentence, moves a phrase, or puts its own words at the sentence's opening leaves places no such pair of
tiles frames; there the source's word is read from one side only. Words of the claim found nowhere in its
sources (nor in what their documents say of themselves), standing right beside words the sources have, are
read against what the sources say right beside those same words: when, at every place the sources have them,
the sources say there something the claim says nowhere, the claim has put its own words in place of the
source's ("Nhà nước giữ bí mật, minh bạch" where the source says "công khai, minh bạch"). And a short tile
the claim puts between two tiles that follow each other in the source, taken from elsewhere, stands in the
place of the source's words between them ("trụ cột chính: nâng cao bộ máy" where the source says "trụ cột
chính: tổ chức bộ máy" and "nâng cao" elsewhere), or opens the claim in place of the words before the tile
after it ("Quốc gia cán bộ chủ trì" of "Vụ Tổ chức cán bộ chủ trì, … Quốc gia"). Where the source says a
noun and a pointer ("quyết định đó"), a claim that names what it points at keeps the noun. No word list is
read: the source's word at the place decides.
"""

from __future__ import annotations

from itertools import pairwise

from assistant.answering.claim_places import MAX_GAP, MAX_SWAP, Tile, places, sentence_of
from assistant.answering.claim_tokens import SENTINEL, Token
from assistant.answering.place_differences import differs_at, is_pointer, negation_in, shown
from assistant.retrieval.matching import is_stopword

Run = tuple[int, int]  # [start, end) in the claim's tokens
# What the source says beside a neighbour, on the run's side: its tokens with the one before them (None when
# there is nothing to compare).
There = tuple[list[Token], list[Token]] | None


def as_written(t: Token) -> str:
    """The token as written, in lower case ("đề" and "để" apart, though both fold to "de")."""
    return t.raw.lower() if t.raw else t.word


def replaced_beside(
    claim: list[Token], source: list[Token], tiles: list[Tile], known: set[str]
) -> str | None:
    """Why a run of the claim's own words (found nowhere in the sources) says something else than the
    source's words beside the same neighbours (None when no such run does): on one side all the places
    the sources have its neighbour there say something else, and on neither side does one agree."""
    aligned = {t.claim + k: t.source + k for t in tiles for k in range(t.size)}
    wanted = {sentence_of(source, t.source) for t in tiles}
    for start, end in _own_runs(claim, source, known):
        said, led = claim[start:end], claim[max(0, start - 1) : end]
        if not any(t.content for t in said):
            continue  # function words of its own are read only where tiles frame them (alignment)
        sides = [[_read(said, led, there, claim, source, known) for there in side]
                 for side in _beside(claim, source, start, end, aligned, wanted)]  # fmt: skip
        if any(side and all(side) for side in sides) and not any("" in side for side in sides):
            return next(r for side in sides if side and all(side) for r in side if r)
    return None


def _own_runs(claim: list[Token], source: list[Token], known: set[str]) -> list[Run]:
    """Runs of the claim's tokens (MAX_SWAP or fewer) whose words the sources and their documents' own words
    never use (numbers are read elsewhere); not a run that follows only the document's own words at the
    claim's opening: that is the claim's lead, what the document does ("Kế hoạch yêu cầu …")."""
    words = {t.word for t in source}
    runs: list[Run] = []
    start = None
    for i, t in enumerate([*claim, Token(SENTINEL, "", True)]):
        own = t.word != SENTINEL and t.number is None and t.word not in known
        if own and start is None:
            start = i
        elif not own and start is not None:
            lead = start > 0 and not any(x.word in words for x in claim[:start])
            if i - start <= MAX_SWAP and not lead:
                runs.append((start, i))
            start = None
    return runs


def _beside(
    claim: list[Token],
    source: list[Token],
    start: int,
    end: int,
    aligned: dict[int, int],
    wanted: set[int],
) -> list[list[There]]:
    """For each neighbour of the run (its next words, its words before): at each place the sources have
    that neighbour (where a tile aligns it, that place; else those in the sentences the tiles stand in,
    when there are some), what the source says on the run's side of it."""
    said = _Said(claim)
    out: list[list[There]] = []
    for at, step in ((end, 1), (start - 1, -1)):
        anchor = _neighbour(claim, at, step)
        if not anchor:
            continue
        first = at if step > 0 else at - len(anchor) + 1
        if first in aligned:
            spots = [aligned[first]]
        else:
            spots = _occurrences(source, anchor)
            spots = [p for p in spots if sentence_of(source, p) in wanted] or spots
        far = start - 1 if step > 0 else end  # the claim's word on the run's other side
        beyond = as_written(claim[far]) if 0 <= far < len(claim) else None
        # a clause of the source the claim does not break there is not the run's place
        opens = claim[at].boundary if step > 0 else claim[start].boundary
        out.append([_unsaid(source, p - 1 if step > 0 else p + len(anchor), -step, said, beyond, opens)
                    for p in spots])  # fmt: skip
    return out


def _neighbour(claim: list[Token], at: int, step: int) -> list[str]:
    """The claim's words next to position `at` going `step` (1: its next words, -1: its words before): two
    within one clause, or one; nothing when none of them is a content word."""
    if not 0 <= at < len(claim):
        return []
    pair = (at, at + 1) if step > 0 else (at - 1, at)
    two = pair[0] >= 0 and pair[1] < len(claim) and not claim[pair[1]].boundary
    run = claim[pair[0] : pair[1] + 1] if two else [claim[at]]
    return [t.word for t in run] if any(t.content for t in run) else []


def _occurrences(source: list[Token], anchor: list[str]) -> list[int]:
    n = len(anchor)
    return [k for k in range(len(source) - n + 1) if [t.word for t in source[k : k + n]] == anchor]


class _Said:
    """What the claim says, as written: its words, and its pairs of words that follow each other."""

    def __init__(self, claim: list[Token]) -> None:
        written = [as_written(t) for t in claim]
        self.words = set(written)
        self.pairs = set(pairwise(written))

    def __call__(self, source: list[Token], k: int) -> bool:
        """Whether the claim says source token k: a function word anywhere; a syllable of a word of two or
        more ("công" of "công khai") only with a syllable next to it there ("công chức" says no "công
        khai")."""
        word = as_written(source[k])
        if word not in self.words or not source[k].content:
            return word in self.words
        near = [j for j in (k - 1, k + 1) if 0 <= j < len(source) and source[j].content]
        pairs = [(as_written(source[j]), word) if j < k else (word, as_written(source[j])) for j in near]
        return not near or any(p in self.pairs for p in pairs)


def _unsaid(source: list[Token], k: int, step: int, said: _Said, beyond: str | None, opens: bool) -> There:
    """The source's tokens from position k going `step` while the claim says them nowhere, within the
    clause (a list marker at the sentence's start left out): what the claim's run stands in place of.
    Nothing when the source goes on right away with the claim's word beyond the run (the run is put in,
    nothing taken out); None when there is nothing to compare (a clause's edge, a clause break the claim
    does not make there, a word the claim says elsewhere, more than MAX_SWAP tokens)."""
    edge = k if step > 0 else k + 1  # the token that opens a clause if the source breaks one there
    if 0 <= edge < len(source) and source[edge].boundary and not opens:
        return None
    out: list[Token] = []
    at = k
    while 0 <= at < len(source) and source[at].word != SENTINEL and not said(source, at):
        if step > 0 and out and source[at].boundary:
            break
        out.append(source[at])
        if step < 0 and source[at].boundary:
            break
        at += step
    if step < 0:
        out.reverse()
    if out and (at < 0 or source[at].word == SENTINEL) and step < 0:
        out = [t for t in out if t.number is None and len(t.word) > 1]  # "2.", "a)" open the sentence
    if not out:
        inside = 0 <= at < len(source) and source[at].word != SENTINEL
        return ([], []) if inside and beyond is not None and as_written(source[at]) == beyond else None
    if len(out) > MAX_SWAP:
        return None
    span = (at, k + 1) if step < 0 else (k - 1, at)  # the words read, with the one before them
    return out, [t for t in source[max(0, span[0]) : span[1]] if t.word != SENTINEL]


def _read(
    said: list[Token],
    led: list[Token],
    there: There,
    claim: list[Token],
    source: list[Token],
    known: set[str],
) -> str | None:
    """Empty when the claim's run, at this place, says what the source there says (or the source says nothing
    the claim lacks); the problem when it says something else; None when it cannot be compared. `led` is the
    run with the claim's word before it, to read a negation in place of a negation ("không cần" of "không
    có") as one."""
    if there is None:
        return None
    words, context = there
    if not words or (negation_in(led) and negation_in(context)):
        return ""
    if not any(t.content for t in words):
        return ""  # only function words or numbers there: the claim's words stand in no place of the source's
    return differs_at(said, words, False, source, known, claim) or ""


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


def pointer_renamed(claim: list[Token], source: list[Token], tiles: list[Tile]) -> str | None:
    """Where the source says a noun and a pointer ("quyết định đó"), a claim that names what it points at
    keeps the noun ("quyết định của cấp trên"); one that puts there, without the noun, a word the sources
    never use ("đề nghị của cấp trên") names something else. A name with a number ("số 22/2008/QH12")
    names the document a pointer points at ("Luật này")."""
    words = {as_written(t) for t in source}
    for said, candidates, _, _ in places(claim, source, tiles):
        if not said or as_written(said[0]) in words or any(not t.word.isalpha() for t in said):
            continue
        mine = {as_written(t) for t in said}
        for there in candidates:
            nouns = {as_written(there[i - 1]) for i in range(1, len(there))
                     if _points(there[i]) and not _points(there[i - 1])}  # fmt: skip
            if nouns and not nouns & mine:
                return f"nêu '{shown(said)}' thay cho '{shown(there)}' của nguồn"
    return None


def _points(t: Token) -> bool:
    """A pointer as written, a function word with its diacritics ("đó", "này"; not "độ" of "trình độ",
    which folds alike)."""
    return is_pointer(t) and (not t.raw or is_stopword(as_written(t), accented=True))
