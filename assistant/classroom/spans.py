"""What a sentence says that a trainee should know: the bodies it names, its numbers with their units and its
deadlines, its key terms (rare in the corpus, words of their own, not stopwords). Never a list marker, an
ordinal, a heading word, a reference ("Điều 5"), a document's name or number, or a piece of the document's
own title in a sentence that names that document."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from assistant.language.names import kinds
from assistant.language.quizwords import folded
from assistant.language.shapes import unit_spellings
from assistant.language.text import fold, folded_syllables, sentence_spans, syllables
from assistant.retrieval.matching import is_stopword

BODY, QUANTITY, DEADLINE, TERM = "body", "quantity", "deadline", "term"
COHESION = 0.3  # a term's words stand together at least this often where its rarest word stands
PART_OF = 0.5  # a name whose next words stand after it this often is the start of a longer term
GOES_ON = 0.3  # a name whose last word is followed this often by the same lower-case word goes on in it
MAX_SHARE = 0.01  # a term found in more of the corpus's sentences is common wording, not a key term

_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"(?<![\w/.,-])\d+(?:[.,]\d+)?(?:\s?%)?(?![\w/-]|[.,]\d)")
_DATES = (
    re.compile(r"(?<!\w)(?:ngày\s+)?(\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4})(?!\w)", re.I),
    re.compile(r"(?<![\w/])(?:ngày\s+)?(\d{1,2}/\d{1,2}/\d{4})(?![\w/])", re.I),
    re.compile(r"(?<!\w)(tháng\s+\d{1,2}\s+năm\s+\d{4})(?!\w)", re.I),
    re.compile(r"(?<!\w)năm\s+(\d{4})(?!\w)", re.I),
)


@dataclass(frozen=True)
class Span:
    """A piece of a sentence worth asking about: where it stands, what kind it is, and its type (a unit, or
    the number of words of a term) that options of a multiple choice must share."""

    start: int
    end: int
    kind: str
    text: str
    type: str = ""

    @property
    def key(self) -> str:
        return normal(self.text)


def normal(text: str) -> str:
    """Text compared as a trainee reads it: folded, punctuation dropped, numbers without leading zeros."""
    words = re.findall(r"\w+|%", fold(text))
    return " ".join(w.lstrip("0") or "0" if w.isdigit() else w for w in words)


class Stats:
    """How often words and runs of words occur in a corpus: lower-cased with their diacritics (for key terms:
    "hình thức" is not "hình thực"), and as written (for names: "Nhà nước pháp quyền" is not "nhà nước")."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.counts: Counter[tuple[str, ...]] = Counter()
        self.written: Counter[tuple[str, ...]] = Counter()
        self.sentences: Counter[tuple[str, ...]] = Counter()
        self.n = 0
        for text in texts:
            for a, b in sentence_spans(text):
                raw = _WORD.findall(text[a:b])
                words = syllables(text[a:b])
                grams = [tuple(words[i : i + k]) for k in (1, 2, 3) for i in range(len(words) - k + 1)]
                self.counts.update(grams)
                self.sentences.update(set(grams))
                self.written.update(tuple(raw[i : i + k]) for k in (2, 3) for i in range(len(raw) - k + 1))
                self.n += 1

    def cohesion(self, key: tuple[str, ...]) -> float:
        least = min(self.counts[(w,)] for w in key) or 1
        return self.counts[key] / least

    def rarity(self, key: tuple[str, ...]) -> float:
        return math.log((self.n + 1) / (self.sentences[key] + 0.5))


def _adjacent(text: str, a: re.Match[str], b: re.Match[str]) -> bool:
    return text[a.end() : b.start()] == " "


def _match(words: list[re.Match[str]], i: int, terms: Sequence[tuple[str, ...]]) -> tuple[str, ...] | None:
    """The longest of terms that the words from i say (folded), when only spaces separate them."""
    for term in terms:
        if tuple(fold(w.group()) for w in words[i : i + len(term)]) == term:
            return term
    return None


def _capital(word: str) -> bool:
    return word[:1].isupper() and not word[:1].isdigit()


def bodies(text: str, stats: Stats | None = None) -> Iterator[Span]:
    """The bodies a sentence names: a body's first words (data), then capitalised words, the rest of a
    capitalised word, and the lower-case words of names ("Ban Cán sự đảng Bộ Nội vụ", "Ủy ban nhân dân")."""
    words = _WORD.finditer(text)
    words = list(words)
    i = 0
    while i < len(words):
        head = _match(words, i, folded("body")) if _capital(words[i].group()) else None
        shouting = words[i].group().isupper() and len(words[i].group()) > 1
        if head is None or shouting or not _joined(text, words, i, len(head)):
            i += 1
            continue
        j = i + len(head)
        if len(head) == 1 and i == 0 and not (j < len(words) and _capital(words[j].group())):
            i += 1  # "Ban hành …" opens a sentence; "Bộ Nội vụ …" names a body
            continue
        after_capital = _capital(words[j - 1].group())
        while j < len(words) and _adjacent(text, words[j - 1], words[j]):
            word = words[j].group()
            part = _match(words, j, folded("name-part")) if word.islower() else None
            if part and _joined(text, words, j, len(part)):
                j, after_capital = j + len(part), False
            elif _capital(word):
                j, after_capital = j + 1, True
            elif (
                after_capital
                and word.islower()
                and _together(text, words, j, stats)
                and (not is_stopword(word, True) or _continued(text, words, j + 1))
            ):
                j, after_capital = j + 1, False
            else:
                break
        alone = j == i + len(head) and head not in folded("body-name")  # "Ủy ban", "thuộc Bộ": which one?
        if not alone and not _starts_term(text, words, i, j, stats) and not _goes_on(text, words, j, stats):
            yield Span(
                words[i].start(), words[j - 1].end(), BODY, text[words[i].start() : words[j - 1].end()]
            )
        i = j


def _continued(text: str, words: list[re.Match[str]], j: int) -> bool:
    """A lower-case part of a name stands at word j and the name goes on to a capital after it ("sự" of "Cán
    sự đảng Bộ"; not "Đảng và Nhà nước", "Việt Nam do Chủ tịch")."""
    if j >= len(words) or not _adjacent(text, words[j - 1], words[j]) or not words[j].group().islower():
        return False
    part = _match(words, j, folded("name-part"))
    after = j + len(part) if part else len(words)
    return (
        after < len(words)
        and _adjacent(text, words[after - 1], words[after])
        and _capital(words[after].group())
    )


def _together(text: str, words: list[re.Match[str]], j: int, stats: Stats | None) -> bool:
    """The lower-case word j is the rest of the capitalised word before it ("Nội vụ", "Quốc gia"): the corpus
    writes the two together again, and the word does not rather begin a word with the next ("Việt Nam xây
    dựng")."""
    if stats is None or _match(words, j - 1, folded("name-part")):  # "Thường vụ"
        return True
    pair = stats.written[(words[j - 1].group(), words[j].group())]
    nxt = words[j + 1] if j + 1 < len(words) and _adjacent(text, words[j], words[j + 1]) else None
    plain = nxt is not None and nxt.group().islower() and not _match(words, j + 1, folded("name-part"))
    following = stats.counts[(words[j].group().lower(), nxt.group())] if plain and nxt else 0
    return pair >= 2 and following < pair


def _goes_on(text: str, words: list[re.Match[str]], j: int, stats: Stats | None) -> bool:
    """The name before word j goes on in a lower-case word the corpus often writes after its last word
    ("Chủ tịch nước"): where the name ends is not clear."""
    if stats is None or j >= len(words) or not _adjacent(text, words[j - 1], words[j]):
        return False
    last, nxt = words[j - 1].group().lower(), words[j].group()
    if not nxt.islower() or is_stopword(nxt, True):
        return False
    then = (
        words[j + 1].group().lower() if j + 1 < len(words) and _adjacent(text, words[j], words[j + 1]) else ""
    )
    pair = stats.counts[(last, nxt)]
    return pair >= GOES_ON * stats.counts[(last,)] and stats.counts[(nxt, then)] < pair  # not "… xây dựng"


def _starts_term(text: str, words: list[re.Match[str]], i: int, j: int, stats: Stats | None) -> bool:
    """The name words[i:j] begins a longer term: the lower-case words after it mostly stand after its last
    words in the corpus ("Nhà nước pháp quyền", not "Bộ Nội vụ ban hành")."""
    if stats is None or j + 1 >= len(words) or not _joined(text, words, j - 1, 3):
        return False
    after = tuple(w.group().lower() for w in words[j : j + 2])
    if not all(w.islower() for w in after) or is_stopword(after[0], True):
        return False
    joined = (words[j - 1].group().lower(), after[0])
    return (
        stats.counts[(*joined, after[1])] >= 2
        and stats.counts[(*joined, after[1])] >= PART_OF * stats.counts[after]
    )


def _joined(text: str, words: list[re.Match[str]], i: int, n: int) -> bool:
    return all(_adjacent(text, words[k], words[k + 1]) for k in range(i, min(i + n, len(words)) - 1))


@cache
def _kind_pattern() -> re.Pattern[str]:
    names = "|".join(re.escape(k.name) for k in kinds())
    return re.compile(rf"(?<!\w)(?:{names})(?:\s+số)?(?:\s*:?\s*\d+[/\-][\wĐđ/\-]*\w)?", re.I)


def document_names(text: str) -> list[tuple[int, int]]:
    """Where a sentence names a document: its kind, number and symbol, and the capitalised words of its name
    ("Nghị quyết số 27-NQ/TW", "Luật Cán bộ", "Hiến pháp năm 2013")."""
    found = []
    for m in _kind_pattern().finditer(text):
        if not m.group()[0].isupper():
            continue
        end = m.end()
        rest = re.match(
            r"(?:\s+(?:[A-ZĐÀ-Ỹ][\w]*|năm\s+\d{4}|\d{4})(?:\s+[a-zà-ỹđ]\w*(?=\s+[A-ZĐÀ-Ỹ]))?)+", text[end:]
        )
        if rest:
            end += rest.end()
        found.append((m.start(), end))
    return found


def _before(text: str, at: int, n: int = 3) -> tuple[str, ...]:
    return tuple(folded_syllables(text[:at])[-n:])


def _ends_with(words: tuple[str, ...], terms: Sequence[tuple[str, ...]]) -> bool:
    return any(len(t) <= len(words) and words[len(words) - len(t) :] == t for t in terms)


def numbers(text: str, taken: Sequence[tuple[int, int]] = ()) -> Iterator[Span]:
    """Deadlines (a date, a month or a year after "trước", "đến"…) and numbers with their units ("12 tháng",
    "03 trụ cột"); not a reference ("Điều 5", "khóa XIII"), a number in a name, a date that is no deadline."""
    dated: list[tuple[int, int]] = []
    for pattern in _DATES:
        for m in pattern.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in [*dated, *taken]):
                continue
            dated.append(m.span())
            before = _before(text, m.start(), 4)
            if any(_ends_with(before[:k], folded("deadline")) for k in range(len(before), 0, -1)):
                yield Span(
                    m.start(1), m.end(1), DEADLINE, m.group(1), "date" if pattern is not _DATES[3] else "year"
                )
    words = list(_WORD.finditer(text))
    for m in _NUMBER.finditer(text):
        if m.start() == 0 or any(a < m.end() and m.start() < b for a, b in [*dated, *taken]):
            continue
        value = m.group()
        if len(value) == 4 and value[:2] in ("19", "20"):
            continue  # a year that is no deadline
        prior = [w for w in words if w.end() <= m.start()]
        if (
            prior
            and text[prior[-1].end() : m.start()] == " "
            and (_capital(prior[-1].group()) or (len(prior) > 1 and _capital(prior[-2].group())))
        ):
            continue  # "Điều 2", "Trung ương 6": part of a name or a reference
        if _ends_with(_before(text, m.start(), 2), folded("reference")):
            continue
        if value.endswith("%"):
            yield Span(m.start(), m.end(), QUANTITY, value, "%")
            continue
        after = [w for w in words if w.start() >= m.end()]
        if not after or text[m.end() : after[0].start()] != " " or not after[0].group().islower():
            continue
        if _match(after, 0, folded("reference")):
            continue  # "6 khóa XIII"
        measure = _match(after, 0, folded("measure"))
        spelled = unit_spellings(text[m.end() :])  # a unit of data/units.txt ("héc-ta", "km")
        if measure and _joined(text, after, 0, len(measure)):
            end = after[len(measure) - 1].end()
            yield Span(m.start(), end, QUANTITY, text[m.start() : end], " ".join(measure))
        elif spelled:
            unit = next(u for u in spelled if fold(text[m.end() :]).lstrip().startswith(fold(u)))
            end = m.end() + len(text[m.end() :]) - len(text[m.end() :].lstrip()) + len(unit)
            yield Span(m.start(), end, QUANTITY, text[m.start() : end], fold(spelled[0]))
        else:
            unit = " ".join(fold(w.group()) for w in after[:2])
            yield Span(m.start(), m.end(), QUANTITY, value, unit)


def terms(text: str, stats: Stats, heading: frozenset[str] = frozenset()) -> Iterator[Span]:
    """Key terms: runs of two or three lower-case content words that stand together in the corpus (a word of
    their own, not a chance pair, not cut from a longer one) and are rare in it; never heading words."""
    words = list(_WORD.finditer(text))
    plain = [w.group().islower() and w.group().isalpha() and not is_stopword(w.group(), True) for w in words]
    keys = [w.group().lower() for w in words]
    for n in (3, 2):
        for i in range(len(words) - n + 1):
            if not all(plain[i : i + n]) or not _joined(text, words, i, n):
                continue
            key = tuple(keys[i : i + n])
            count = stats.counts[key]
            if count < n or stats.cohesion(key) < COHESION or {fold(w) for w in key} <= heading:
                continue
            if stats.sentences[key] > MAX_SHARE * stats.n:
                continue
            j = i + n
            before = (
                i > 0
                and _adjacent(text, words[i - 1], words[i])
                and stats.counts[(keys[i - 1], keys[i])] >= count
            )
            after = (
                j < len(words)
                and _adjacent(text, words[j - 1], words[j])
                and stats.counts[(keys[j - 1], keys[j])] >= count
            )
            if before or after:
                continue  # a neighbour stands with an end word as often: the term is cut from a longer one
            yield Span(
                words[i].start(),
                words[j - 1].end(),
                TERM,
                text[words[i].start() : words[j - 1].end()],
                str(n),
            )


def testable(text: str, stats: Stats, heading: frozenset[str] = frozenset(), own: str = "") -> list[Span]:
    """Every span of a sentence worth asking about, bodies and numbers first, then key terms by rarity;
    none overlapping, none inside a document's name, none whose answer the sentence says again elsewhere,
    and, in a sentence that names its own document, no piece of that document's title (`own`)."""
    names = document_names(text)
    found: list[Span] = []
    candidates = [
        *bodies(text, stats),
        *numbers(text, names),
        *sorted(terms(text, stats, heading), key=lambda s: -stats.rarity(tuple(s.text.lower().split()))),
    ]
    title = f" {normal(own)} " if own else ""
    for span in candidates:
        if any(a < span.end and span.start < b for a, b in names):
            continue
        if any(s.start < span.end and span.start < s.end for s in found):
            continue
        rest = normal(text[: span.start] + " | " + text[span.end :])
        if f" {span.key} " in f" {rest} ":
            continue  # the prompt would give the answer away
        if title and names and span.kind != TERM and f" {span.key} " in title:
            continue
        found.append(span)
    return found
