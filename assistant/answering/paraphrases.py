"""What a faithful paraphrase says in other words at one place of its sources, read from word lists of the
language (data): a denial said with another word of the same kind ("cấm" for "không được", "được miễn" for
"không phải nộp"), a bound on a number said another way ("chưa đủ độ tuổi" for "dưới độ tuổi"), and the
measure of a number named where the source names the doing it measures ("thời lượng bồi dưỡng … là 24 giờ"
for "tham gia bồi dưỡng … 24 giờ", "học trong 05 ngày" for "thời gian mỗi lớp 05 ngày"), a doing made a noun
("Việc tiếp công dân của Giám đốc Sở" for "Giám đốc Sở tiếp công dân"), and words that say the same where
they stand ("mỗi tháng" for "hằng tháng", "trong vòng 60 ngày" for "chậm nhất là 60 ngày", "Trong trường
hợp" for "Khi"). The counts of negations use it too: a word that carries a denial ("miễn") counts as one, a
bound ("chưa đủ") and a lead's ban said of one of its items ("Cán bộ, công chức bị cấm …" under "Những việc
cán bộ, công chức không được làm") do not count as the claim's own.

Each pair of places is only the same thing of its kind: a forbidding word against a source that forbids, an
exempting word against one that exempts ("được miễn" stays flagged against "phải nộp" or "không được nộp"),
a bound against the same bound, a measure against a number the claim goes on to give.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache

from assistant.answering.claim_tokens import SENTINEL, Token, tokens
from assistant.language.datafiles import data_lines
from assistant.language.shapes import negations
from assistant.language.text import fold

Phrase = tuple[str, ...]
DENIALS = ("forbid", "exempt")  # kinds of polarity.tsv: words that forbid, words that free of a duty
NUMBER_REACH = 12  # words after a measure, in its clause, within which the claim must give its number
MEASURED_WORDS = 2  # content words the other side may use for the doing a measure measures


def _rows(name: str) -> list[tuple[str, str]]:
    return [(kind, words) for kind, _, words in (line.partition("\t") for line in data_lines(name))]


def _phrase(words: str) -> Phrase:
    return tuple(fold(words).split())


@cache
def denial_words() -> dict[str, tuple[Phrase, ...]]:
    """The words of each kind of denial (`forbid`, `exempt` of polarity.tsv), folded, longest first."""
    return {
        kind: tuple(
            sorted({_phrase(w) for k, w in _rows("polarity.tsv") if k == kind}, key=len, reverse=True)
        )
        for kind in DENIALS
    }


def _groups(name: str, kind: str) -> tuple[tuple[Phrase, ...], ...]:
    """The groups of one kind of a data file (a comma list a line), each group longest first."""
    groups = [{_phrase(w) for w in ws.split(",") if w.strip()} for k, ws in _rows(name) if k == kind]
    return tuple(tuple(sorted(g, key=len, reverse=True)) for g in groups)


@cache
def bounds() -> tuple[tuple[Phrase, ...], ...]:
    """Groups of words that set the same bound on a number (`below` of polarity.tsv)."""
    return _groups("polarity.tsv", "below")


@cache
def alike() -> tuple[tuple[Phrase, ...], ...]:
    """Groups of words that say the same where they stand (`alike` of paraphrase_words.tsv)."""
    return _groups("paraphrase_words.tsv", "alike")


@cache
def measures() -> tuple[tuple[Phrase, ...], frozenset[str]]:
    """Nouns naming the measure of a number ("thời gian", "thời lượng", "số lượng"), longest first, and the
    words that say how long something lasts ("kéo dài", "trong vòng"): paraphrase_words.tsv."""
    rows = _rows("paraphrase_words.tsv")
    nouns = sorted({_phrase(w) for k, w in rows if k == "measure"}, key=len, reverse=True)
    spans = frozenset(s for k, w in rows if k == "span" for s in _phrase(w))
    return tuple(nouns), spans


@cache
def _carriers() -> tuple[Phrase, ...]:
    """Denial words with no negation's word in them ("miễn", "được miễn"): they carry the negation."""
    markers = {tuple(fold(w) for w in m) for m in negations()}
    found = {
        p
        for phrases in denial_words().values()
        for p in phrases
        if not any(p[i : i + len(m)] == m for m in markers for i in range(len(p)))
    }
    return tuple(sorted(found, key=len, reverse=True))


def carried_denials(words: Sequence[str]) -> int:
    """How many denials the words say with a word that carries one ("được miễn học phí" says "không phải
    nộp"): counted with the negations, so that a negation added next to one is still one too many."""
    count, i = 0, 0
    while i < len(words):
        p = next((p for p in _carriers() if tuple(words[i : i + len(p)]) == p), None)
        count += p is not None
        i += len(p) if p else 1
    return count


LEAD_SUBJECT = 2  # words before a ban that must name whom a lead's ban binds ("công chức" bị cấm)
LEAD_GAP = 2  # words a lead may put between whom it binds and its ban ("công chức không được làm")


def led_ban(words: Sequence[str], at: int, sentences: Sequence[Sequence[str]]) -> bool:
    """The ban of the claim at `at` is a lead's ban of the sources: a sentence there says whom it binds (the
    claim's words right before it) and then a ban of the same kind, and another sentence holds what the
    claim bans ("Cán bộ, công chức bị cấm tự ý bỏ việc" under "Những việc cán bộ, công chức không được
    làm" and its item "Tự ý bỏ việc …")."""
    phrases = denial_words()["forbid"]
    # the ban may open a word before the negation's word ("bị cấm", "bị nghiêm cấm")
    start, ban = next(
        (
            (k, p)
            for k in (at - 1, at)
            if k >= 0
            for p in phrases
            if tuple(words[k : k + len(p)]) == p and k + len(p) > at
        ),
        (at, None),
    )
    subject = tuple(words[max(0, start - LEAD_SUBJECT) : start])
    banned = tuple(words[start + len(ban) : start + len(ban) + 2]) if ban else ()
    if ban is None or len(subject) < LEAD_SUBJECT or len(banned) < 2:
        return False
    for k, lead in enumerate(sentences):
        for i in range(len(lead) - len(subject) + 1):
            if tuple(lead[i : i + len(subject)]) != subject:
                continue
            rest = lead[i + len(subject) : i + len(subject) + LEAD_GAP + max(map(len, phrases))]
            if _find(rest[: LEAD_GAP + 1], phrases) is not None and any(
                _find(other, [banned]) is not None for j, other in enumerate(sentences) if j != k
            ):
                return True
    return False


def without_ban(said: Sequence[Token], known: set[str]) -> list[Token] | None:
    """The place without its ban, when the sources can say one (all words of a ban of theirs): what an item's
    opening leaves to a lead ("Viên chức bị cấm" where the item opens "2." under "… không được làm")."""
    phrases = denial_words()["forbid"]
    at = _find([t.word for t in said], phrases)
    if at is None or not any(set(p) <= known for p in phrases):
        return None
    return _without(said, at)


def _find(words: Sequence[str], phrases: Sequence[Phrase]) -> tuple[int, int] | None:
    """Where the first of the phrases (longest first at each position) stands in the words."""
    for i in range(len(words)):
        for p in phrases:
            if tuple(words[i : i + len(p)]) == p:
                return i, i + len(p)
    return None


def _without(ts: Sequence[Token], span: tuple[int, int]) -> list[Token]:
    return [*ts[: span[0]], *ts[span[1] :]]


def same_kind_rests(
    said: Sequence[Token], there: Sequence[Token], denials: bool = True
) -> Iterator[tuple[list[Token], list[Token]]]:
    """The two places without their words of one kind, when both hold one: both forbid ("Hiến pháp cấm" and
    "Không ai được"), both free of a duty ("được miễn" and "không phải nộp"), or both set the same bound
    ("chưa đủ" and "dưới"), or hold words that say the same where they stand ("mỗi" and "hằng"). What is
    left is compared as any other words of the place."""
    said, there = _as_written(said), _as_written(there)  # not as a synonym's group reads them
    a, b = [t.word for t in said], [t.word for t in there]
    for kind in DENIALS if denials else ():
        phrases = denial_words()[kind]
        if (x := _find(a, phrases)) and (y := _find(b, phrases)):
            yield _without(said, x), _without(there, y)
    for group in (*bounds(), *alike()):
        if (x := _find(a, group)) and (y := _find(b, group)) and a[x[0] : x[1]] != b[y[0] : y[1]]:
            mine, theirs = _without(said, x), _without(there, y)
            if theirs or not any(t.content for t in mine):  # "trừ khi" is not "nếu"
                yield mine, theirs


def _as_written(ts: Sequence[Token]) -> list[Token]:
    """The tokens read again from their words as written."""
    return tokens(" ".join(t.raw for t in ts if t.raw))


def bound_phrases(ts: Sequence[Token], against: Sequence[Token]) -> list[Phrase]:
    """The bounds the tokens set in other words than those of `against` ("chưa đủ" where the source says
    "dưới"): words of a bound, not a denial, though they hold a negation's word."""
    return bounds_said_otherwise([t.word for t in ts], [t.word for t in against])


def bounds_said_otherwise(words: Sequence[str], other: Sequence[str]) -> list[Phrase]:
    """`bound_phrases` over folded words."""
    found = []
    for group in bounds():
        # a bound the other side also says in these words ("không đủ" on both sides) is said alike
        if _find(other, group):
            found += [p for p in group if _find(words, [p]) and not _find(other, [p])]
    return found


def measured(said: Sequence[Token], there: Sequence[Token], claim: Sequence[Token], known: set[str]) -> bool:
    """One place names the measure of a number ("thời lượng", "thời gian mỗi lớp") where the other says the
    doing it measures in at most MEASURED_WORDS words of the sources or words of how long it lasts ("tham
    gia", "học trong", "kéo dài"), and the claim gives a number in the clause after its place (within
    NUMBER_REACH words): the number, its unit and what it counts are the same (they are compared apart), only
    the wording is not.
    The measure's other words must stand elsewhere in the claim ("mỗi lớp")."""
    nouns, spans = measures()
    end = _end_of(said, claim)
    if end is None or not any(t.number is not None for t in _clause(claim, end)):
        return False
    mentioned = {t.word for t in claim}
    # read as written: a synonym read as its group's first word ("thời hạn") is still the measure
    written = [_as_written(side) for side in (said, there)]
    for measure, doing in (written, written[::-1]):
        words = [t.word for t in measure]
        if (at := _find(words, nouns)) is None:
            continue
        others = [t.word for t in _without(measure, at) if t.content]
        done = {t.word for t in doing if t.content and t.word not in spans}
        if done & set(words[at[0] : at[1]]):
            continue  # another measure ("chất lượng" of "số lượng"), not the doing measured
        if set(others) <= mentioned and len(done) <= MEASURED_WORDS and done <= known:
            return True
    return False


@cache
def _phrases_of(kind: str) -> frozenset[Phrase]:
    """The content words of each phrase of one kind of paraphrase_words.tsv ("diễn ra": "diễn")."""
    phrases = (
        tuple(t.word for t in tokens(w) if t.content) for k, w in _rows("paraphrase_words.tsv") if k == kind
    )
    return frozenset(p for p in phrases if p)


def nominalized(
    said: Sequence[Token], there: Sequence[Token], claim: Sequence[Token], known: set[str]
) -> bool:
    """The claim's place says only a word that makes the doing a noun ("Việc") or says that it takes place
    ("diễn ra") where the source names who does it or what ("Giám đốc Sở", "tiếp công dân"), or the
    source's place says only such a noun where the claim names them, when the claim makes a doing a noun
    and the side of the noun names those words elsewhere: "Việc tiếp công dân của Giám đốc Sở diễn ra vào
    …" of "Giám đốc Sở tiếp công dân vào …"."""
    nominals, happen = _phrases_of("nominal"), _phrases_of("happen")
    if _find([t.word for t in claim], list(nominals)) is None:
        return False
    sides = ((said, there, {t.word for t in claim}, nominals | happen), (there, said, known, nominals))
    for noun, named, elsewhere, phrases in sides:
        words = tuple(t.word for t in noun if t.content)
        who = {t.word for t in named if t.content and len(t.word) > 1}  # not a list's label ("c)")
        if words in phrases and who <= elsewhere - set(words) and (who or noun is said):
            return True  # (a claim's "Việc" where the source opens with a number: "1.2. Đăng tải …")
    return False


def _end_of(said: Sequence[Token], claim: Sequence[Token]) -> int | None:
    """Where the place ends in the claim: the end of its run of the claim's tokens, else of the first run of
    the claim's words that are its words (a place read without the words it shares at its ends)."""
    if not said:
        return None
    if (same := next((i + 1 for i, t in enumerate(claim) if t is said[-1]), None)) is not None:
        return same
    words, mine = [t.word for t in said], [t.word for t in claim]
    return next((i + len(words) for i in range(len(mine)) if mine[i : i + len(words)] == words), None)


def _clause(claim: Sequence[Token], start: int) -> list[Token]:
    """Up to NUMBER_REACH tokens of the claim from `start`, stopping where its clause ends (punctuation)."""
    out: list[Token] = []
    for t in claim[start : start + NUMBER_REACH]:
        if t.word == SENTINEL or (out and t.boundary):
            break
        out.append(t)
    return out
