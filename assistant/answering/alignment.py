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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

from assistant.answering.claim_tokens import SENTINEL, Token, tokens
from assistant.language.datafiles import data_lines
from assistant.language.shapes import negations, restrictions, same_words
from assistant.language.synonyms import synonyms
from assistant.language.text import fold, has_diacritics, sentence_spans
from assistant.retrieval.matching import is_stopword

# Words that only point at something the passage named before ("quyết định đó"): a claim may name it.
POINTERS = frozenset({"do", "nay", "ay", "kia", "tren"})
MIN_TILE = 2  # shared tokens to anchor on (one of them a content word)
MAX_GAP = 6  # source tokens between two tiles that still follow each other
MAX_SWAP = 4  # tokens of a place compared word for word; longer is free paraphrase, left to the score
NUMBER_WINDOW = 4  # content words each side that bind a number to what it counts


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


def _distance(tiles: list[Tile], i: int, j: int, sentences: list[int]) -> int:
    """How far source position j is from where the nearest tile placed so far puts claim position i (another
    sentence than that tile's is farther than any place in its own)."""
    if not tiles:
        return 0
    near = min(tiles, key=lambda t: abs(t.claim - i))
    apart = abs(near.source + (i - near.claim) - j)
    return apart + (len(sentences) if sentences[j] != sentences[near.source] else 0)


def _sentence_of(source: list[Token], at: int) -> int:
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
        sentence = _sentence_of(source, t.source)
        fits_before = before is not None and (
            _sentence_of(source, before.source) == sentence and t.source >= before.source + before.size
        )
        fits_after = after is not None and (
            _sentence_of(source, after.source) == sentence and t.source + t.size <= after.source
        )
        if before and after and before.source + before.size <= after.source:
            keep = fits_before and fits_after  # the long tiles keep their order: it must stand between
        else:
            keep = fits_before or fits_after
        if keep:
            kept.append(t)
    return kept


def _words(ts: Sequence[Token]) -> str:
    return f" {' '.join(t.word for t in ts)} "


@cache
def _markers() -> tuple[str, ...]:
    return tuple(f" {' '.join(fold(w) for w in m)} " for m in negations())


def _negation(ts: Sequence[Token]) -> str | None:
    """The first negation the tokens hold, as written ("không được"), or None."""
    words = [t.word for t in ts]
    for marker in sorted(_markers(), key=len, reverse=True):
        key = marker.split()
        at = next((i for i in range(len(words) - len(key) + 1) if words[i : i + len(key)] == key), None)
        if at is not None:
            return _shown(ts[at : at + len(key)])
    return None


@cache
def _prefixes() -> frozenset[str]:
    """Folded syllables that reverse the word they are put before ("bất", "vô": `prefix` of polarity.tsv)."""
    rows = (line.partition("\t") for line in data_lines("polarity.tsv"))
    return frozenset(fold(w.strip()) for kind, _, w in rows if kind == "prefix")


def _prefixed(said: Sequence[Token], next_word: str | None, source: list[Token]) -> str | None:
    """A reversing prefix the claim puts right before the source's next word, where the source has the word
    without it ("bất hợp pháp" of "hợp pháp"; not "bất kỳ" when the sources say "bất kỳ")."""
    if not said or next_word is None or said[-1].word not in _prefixes():
        return None
    pair = [said[-1].word, next_word]
    if any([t.word for t in source[k : k + 2]] == pair for k in range(len(source) - 1)):
        return None
    return said[-1].raw


def _function_swap(
    said: Sequence[Token], there: Sequence[Token], claim: list[Token], sentence: list[Token]
) -> bool:
    """One function word of the claim in place of another of the source ("hết hiệu lực" of "có hiệu lực",
    "dưới" of "trên"), when the claim has the source's word nowhere and the source sentence has the claim's
    nowhere: what the place says has changed, not its wording."""
    if len(said) != 1 or len(there) != 1 or said[0].word == there[0].word:
        return False
    if said[0].content or there[0].content or said[0].number is not None or there[0].number is not None:
        return False
    # Read with diacritics where written with them: "mới" is not "mọi".
    return _as_written(there[0]) not in {_as_written(t) for t in claim} and _as_written(said[0]) not in {
        _as_written(t) for t in sentence
    }


def _as_written(t: Token) -> str:
    return t.raw.lower() if t.raw else t.word


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


@cache
def _equivalents() -> tuple[tuple[str, ...], ...]:
    groups = [tuple(_words(tokens(m)) for m in g) for g in synonyms().groups]
    groups += [tuple(_words(tokens(" ".join(k))) for k in g) for g in same_words()]
    return tuple(groups)


def restated_positively(said: Sequence[Token], there: Sequence[Token], source: list[Token]) -> bool:
    """A "không … nếu không …" rule said as "chỉ … khi …": the source's place denies, the claim's restricts,
    and the source's sentence denies twice."""
    if not _negation(there) or not any(f" {' '.join(r)} " in _words(said) for r in restrictions()):
        return False
    joined = _words(source)
    return sum(joined.count(m) for m in _markers()) >= 2


def _same_thing(said: Sequence[Token], there: Sequence[Token], known: set[str]) -> bool:
    """The claim's words say what the source's words at the place say: only function words of its own, a
    part of the source's words, a synonym of them, the same words with an OCR slip, or, where the source
    says only function words ("quyết định đó"), words of the sources that name what it points at."""
    own = [t.word for t in said if t.content]
    if not own and any(t.content for t in there) and not any(_function_word(t) for t in said):
        own = [t.word for t in said]  # no function word read with its diacritics ("bảo vệ", folded "bao ve")
    theirs = {t.word for t in there}
    if not own or set(own) <= theirs:
        return True
    if all(_function_word(t) or t.word in POINTERS for t in there) and set(own) <= known:
        return True  # "quyết định đó … thì" said with what it points at
    if any(t.word in POINTERS for t in there) and set(own) <= known:
        return True  # "Luật này" said with the law's name
    a, b = _words(said), _words(there)
    if any(any(m in a for m in g) and any(m in b for m in g) for g in _equivalents()):
        return True
    if len(said) == len(there):
        return all(_slip(x.word, y.word) for x, y in zip(said, there, strict=True))
    return False


def _function_word(t: Token) -> bool:
    """A function word, read with its diacritics when written with them ("mới" is none, though "moi" is
    "mọi")."""
    if t.content:
        return False
    if t.raw and " " not in t.raw and has_diacritics(t.raw):
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


def _shown(ts: Sequence[Token]) -> str:
    return " ".join(t.raw for t in ts if t.raw)


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


def _lead(source: list[Token], at: int, used: set[int]) -> list[Token]:
    """The source's words before token `at`: back to its sentence's start, or its clause's when longer;
    nothing when another tile holds some of them (no place to compare)."""
    start = at
    while start > 0 and source[start - 1].word != SENTINEL:
        start -= 1
    if at - start > MAX_SWAP:
        start = _clause_start(source, at)
    return [] if any(k in used for k in range(start, at)) else source[start:at]


def _tail(source: list[Token], at: int, used: set[int]) -> list[Token]:
    """The source's words from token `at` to its clause's end; nothing when another tile holds some."""
    end = _clause_end(source, at)
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
            candidates = [_tail(source, end, used), _lead(source, b.source, used)]
            if any(t.content and t.word not in words for t in said):
                candidates.append(_item_before(source, b.source, used))
            out.append((said, candidates, True, claim[b.claim].word))
    if tiles:
        first, last = tiles[0], tiles[-1]
        out.append((claim[: first.claim], [_lead(source, first.source, used)], True, claim[first.claim].word))
        end = last.source + last.size
        out.append((claim[last.claim + last.size :], [_tail(source, end, used)], False, None))
    return out


def misaligned(claim_text: str, sources: Sequence[str], about: Sequence[str] = ()) -> str | None:
    """Why the claim, aligned to its sources, says something else in one of their places (None when it
    does not): a negation where the source has none, a number or a content word of its own in place of the
    source's, two names or numbers traded across a predicate, a number bound to what another one counts."""
    claim = canonical(tokens(claim_text))
    source = canonical(source_tokens(sources))
    tiles = tile(claim, source)
    if not tiles:
        return None
    known = {t.word for t in source} | {t.word for text in about for t in tokens(text)}
    sentence = _sentence(source, tiles)
    for said, candidates, opening, after in places(claim, source, tiles):
        if not said:
            continue
        if prefix := _prefixed(said, after, source):
            return f"thêm tiền tố '{prefix}' làm ngược nghĩa từ của nguồn"
        negation = _negation(said)
        if (
            negation
            and not any(_negation(there) for there in candidates)
            and _denials(claim) > _denials(_sentence(source, tiles))
        ):
            # (a paraphrase may move a negation within its sentence: "không áp dụng đối với X" said as
            # "X không thuộc phạm vi áp dụng")
            return f"phủ định '{negation}' mà nguồn không có ở chỗ tương ứng"
        if opening and _opens_a_sentence(said, source):
            continue  # two sentences merged: the claim opens with another sentence's opening words
        # A place the source leaves empty (a sentence's start) says nothing to compare with.
        problems = [_differs(said, there, opening, source, known) for there in candidates if there]
        for there in candidates if not opening else ():
            for a, b in ((said, there), _trimmed(said, there)):
                if _function_swap(a, b, claim, sentence):
                    return f"nêu '{_shown(a)}' thay cho '{_shown(b)}' của nguồn"
        if problems and all(problems):
            return problems[0]
    return (
        reframed(claim, source, tiles, known)
        or moved(claim, source, tiles, known)
        or traded(claim, source, tiles)
        or rebound_number(claim, source)
    )


def _trimmed(said: Sequence[Token], there: Sequence[Token]) -> tuple[list[Token], list[Token]]:
    """The two places' words (as written, each word a token again) without the words they share at their
    start and at their end: "hết hiệu lực thi hành" and "có hiệu lực thi hành" differ in "hết" and "có"."""
    a, b = tokens(_shown(said)), tokens(_shown(there))
    while a and b and a[0].word == b[0].word:
        a, b = a[1:], b[1:]
    while a and b and a[-1].word == b[-1].word:
        a, b = a[:-1], b[:-1]
    return a, b


def _used(tiles: Sequence[Tile]) -> set[int]:
    return {t.source + k for t in tiles for k in range(t.size)}


def reframed(claim: list[Token], source: list[Token], tiles: list[Tile], known: set[str]) -> str | None:
    """Two tiles that follow each other in the claim but come from two sentences of the sources, where the
    second one's sentence says, right before it, the same frame with another filler than the claim's words
    before it ("Đơn vị phối hợp: Vụ Pháp chế" where the source says "Đơn vị chủ trì: Vụ Pháp chế" and
    "Đơn vị phối hợp" of another sentence)."""
    used = _used(tiles)
    for a, b in pairwise(tiles):
        if b.claim != a.claim + a.size or _sentence_of(source, a.source) == _sentence_of(source, b.source):
            continue
        lead = _lead(source, b.source, used)
        if not lead or len(lead) > MAX_SWAP or len(lead) > b.claim:
            continue
        said = claim[b.claim - len(lead) : b.claim]
        shared = {t.word for t in said if t.content} & {t.word for t in lead if t.content}
        if shared and (problem := _differs(said, lead, False, source, known)):
            return problem
    return None


def moved(claim: list[Token], source: list[Token], tiles: list[Tile], known: set[str]) -> str | None:
    """The claim's words before its first tile or after its last, read against the words of the tiles'
    sentences that no tile holds, when they start or end alike (a phrase moved to the front or the back):
    "Ngoài dự toán đã thu hồi, Bộ …" where the source says "Bộ … ngoài dự toán đã giao …"."""
    used = _used(tiles)
    wanted = {_sentence_of(source, t.source) for t in tiles}
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
            a, b = _trimmed(said, there)
            kept = len(tokens(_shown(said))) - len(a)
            if kept < 2 or not a or not b or len(a) > MAX_SWAP or len(b) > MAX_SWAP:
                continue
            if problem := _differs(a, b, False, source, known):
                return problem
    return None


def _opens_a_sentence(said: list[Token], source: list[Token]) -> bool:
    """The words (three or more) open a sentence of the sources ("Việc thực hiện …")."""
    words = [t.word for t in said]
    if len(words) < 3:
        return False
    starts = [0] + [k + 1 for k, t in enumerate(source) if t.word == SENTINEL]
    return any([t.word for t in source[k : k + len(words)]] == words for k in starts)


def _differs(
    said: list[Token], there: list[Token], opening: bool, source: list[Token], known: set[str]
) -> str | None:
    """Why the claim's words at a place say something else than the source's there (None when they do not,
    or when the place is too long to compare word for word)."""
    if len(there) > MAX_SWAP and opening and len(said) <= MAX_SWAP:
        there = there[-len(said) :]  # the words right before the tile the claim's lead leads into
    if not there:
        return None
    if len(said) > MAX_SWAP or len(there) > MAX_SWAP:
        return None
    if restated_positively(said, there, source):
        return None
    numbers = [t for t in said if t.number is not None]
    theirs = [t for t in there if t.number is not None]
    if numbers and theirs and {t.number for t in numbers} != {t.number for t in theirs}:
        return f"số {_shown(numbers)} thay cho {_shown(theirs)} của nguồn"
    if not _same_thing(said, there, known):
        return f"nêu '{_shown(said)}' thay cho '{_shown(there)}' của nguồn"
    return None


def _denials(ts: Sequence[Token]) -> int:
    """How many negations the tokens hold (a longer marker counted once, not with the shorter in it)."""
    joined, count = _words(ts), 0
    for marker in sorted(_markers(), key=len, reverse=True):
        count += joined.count(marker)
        joined = joined.replace(marker, " ")
    return count


def _sentence(source: list[Token], tiles: list[Tile]) -> list[Token]:
    """The source sentences the claim's tiles stand in."""
    wanted = {_sentence_of(source, t.source) for t in tiles}
    out, sentence = [], 0
    for t in source:
        if t.word == SENTINEL:
            sentence += 1
        elif sentence in wanted:
            out.append(t)
    return out


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
                        f"đổi chỗ '{_shown(claim[a.claim : a.claim + a.size])}' và "
                        f"'{_shown(claim[b.claim : b.claim + b.size])}' so với nguồn"
                    )
    return None


def _context(ts: list[Token], at: int, step: int) -> set[str]:
    """The content words within NUMBER_WINDOW of token `at` on one side (step -1 before, 1 after), in its
    sentence."""
    out: list[str] = []
    k = at + step
    while 0 <= k < len(ts) and ts[k].word != SENTINEL and len(out) < NUMBER_WINDOW:
        if ts[k].content:
            out.append(ts[k].word)
        k += step
    return set(out)


def rebound_number(claim: list[Token], source: list[Token]) -> str | None:
    """A number of the claim whose words after it (and around it) are those of another number of the
    sources, more than those of its own value there ("đủ 21 tuổi trở lên có quyền bầu cử" where the source
    says "đủ mười tám tuổi trở lên có quyền bầu cử và đủ hai mươi mốt tuổi trở lên có quyền ứng cử")."""
    numbers = [(t.number, _context(source, j, -1), _context(source, j, 1), t.raw)
               for j, t in enumerate(source) if t.number is not None]  # fmt: skip
    for i, t in enumerate(claim):
        if t.number is None:
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
