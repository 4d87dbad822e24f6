"""What a question asks for (its answer shape), and the polarity words that decide a yes/no answer."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from enum import StrEnum
from functools import cache

from assistant.language.choices import parse_choices
from assistant.language.datafiles import data_lines
from assistant.language.english import is_english
from assistant.language.text import canonical, fold, has_diacritics, syllables


class Shape(StrEnum):
    """The shapes an answer can take."""

    FACT = "fact"  # the supporting sentences
    CLAUSE_CONTENT = "clause-content"  # a clause's sentences in order, within a budget
    ENUMERATION = "enumeration"  # one line per clause that holds an item
    COUNT = "count"  # a sentence that states the number
    MULTIPLE_CHOICE = "multiple-choice"  # a stem and choices A–D: "Đáp án: B." when a cited sentence decides
    TRUE_FALSE = "true-false"  # "…, đúng hay sai?": "Đúng." / "Sai." when a cited sentence decides
    YES_NO = "yes-no"  # "Có." / "Không." when a cited sentence decides, then the quote
    DOCUMENT_INFO = "document-info"  # who issued a document, its number, place and date: its header block
    DEFINITION = "definition"  # "X là gì?": the sentence that defines X ("X là …") first, else a fact
    # A standard part of the one document asked about (language/parts.py), asked for on its own:
    SIGNER = "signer"  # who signed, in what capacity: the signature block ("Phần ký")
    LEGAL_BASIS = "legal-basis"  # on what legal bases it was issued: "Căn cứ …" of "Phần căn cứ"
    PROPOSER = "proposer"  # on whose proposal: "Theo đề nghị của …" of "Phần căn cứ"
    EFFECT = "effect"  # from when it takes effect: "… này có hiệu lực thi hành từ …"
    RECIPIENTS = "recipients"  # to whom it is sent: "Nơi nhận"


# The shapes whose answer opens with a verdict (Có/Không, Đúng/Sai, a letter) when a sentence decides.
VERDICT_SHAPES = frozenset({Shape.YES_NO, Shape.TRUE_FALSE, Shape.MULTIPLE_CHOICE})

_ORDER = (
    Shape.TRUE_FALSE,
    Shape.YES_NO,
    Shape.DOCUMENT_INFO,
    Shape.COUNT,
    Shape.DEFINITION,
    Shape.ENUMERATION,
    Shape.CLAUSE_CONTENT,
)
_PARTS = (Shape.SIGNER, Shape.PROPOSER, Shape.LEGAL_BASIS, Shape.EFFECT, Shape.RECIPIENTS)


def _rows(name: str) -> list[list[str]]:
    return [line.split("\t", 1) for line in data_lines(name)]


@cache
def _patterns(folded: bool, english: bool) -> dict[Shape, list[re.Pattern[str]]]:
    """The shapes' patterns for a question typed with or without diacritics; those written for English
    questions (marked "en") only for an English one: "Do ai ký …?" and "can bo …" ("cán bộ") ask nothing
    of "Do …?" or "Can …?"."""
    patterns: dict[Shape, list[re.Pattern[str]]] = {shape: [] for shape in Shape}
    for line in data_lines("question_shapes.tsv"):
        shape, pattern, *language = line.split("\t")
        if language == ["en"] and not english:
            continue
        pattern = fold(pattern.strip()).replace("(?p<", "(?P<") if folded else pattern.strip()
        patterns[Shape(shape)].append(re.compile(pattern))
    return patterns


def _matching(question: str) -> tuple[str, dict[Shape, list[re.Pattern[str]]]]:
    """The question as the patterns read it (folded when typed without diacritics), and the patterns."""
    folded = not has_diacritics(question)
    text = " ".join((fold(question) if folded else canonical(question)).split())
    return text, _patterns(folded, is_english(fold(question)))


def shape_of(question: str) -> Shape:
    """The shape of answer a question asks for (read with its diacritics when it has them); a question
    with choices (assistant/language/choices.py) is a multiple-choice one, whatever its stem."""
    if parse_choices(question):
        return Shape.MULTIPLE_CHOICE
    text, patterns = _matching(question)
    for shape in _ORDER:
        if any(p.search(text) for p in patterns[shape]):
            return shape
    return Shape.FACT


def part_asked(question: str) -> Shape | None:
    """The standard part of a document a question asks for by its wording ("Ai ký …?", "… căn cứ vào những
    văn bản nào?", "… có hiệu lực từ ngày nào?", "… gửi cho những ai?"), in the order of _PARTS; None for
    any other question. Whether it asks only that (no other content word) is the answerer's to check."""
    text, patterns = _matching(question)
    return next((part for part in _PARTS if any(p.search(text) for p in patterns[part])), None)


@cache
def restrictions() -> tuple[tuple[str, ...], ...]:
    """Words that narrow what follows to itself ("chỉ", "chỉ cần"), folded syllable tuples, longest first."""
    words = {tuple(fold(s) for s in syllables(w)) for kind, w in _rows("polarity.tsv") if kind == "only"}
    return tuple(sorted(words, key=len, reverse=True))


@cache
def _units() -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(canonical(m.strip()) for m in line.split(",")) for line, *_ in _rows("units.txt"))


def unit_spellings(words: str) -> tuple[str, ...]:
    """The spellings of the unit that `words` (what a question says after "bao nhiêu", with or without
    diacritics) begin with ("phần trăm tăng thu…": "phần trăm", "%"), from data/units.txt; none when
    they name no unit."""
    folded = fold(words).lstrip()
    for spellings in _units():
        for spelling in map(fold, spellings):
            needs_space = spelling[-1].isalnum()  # "%" needs none
            if folded == spelling or folded.startswith(f"{spelling} " if needs_space else spelling):
                return spellings
    return ()


@cache
def negations() -> tuple[tuple[str, ...], ...]:
    """Negation markers as syllable tuples, longest first ("không được" before "không")."""
    words = {tuple(syllables(w)) for kind, w in _rows("polarity.tsv") if kind == "negation"}
    return tuple(sorted(words, key=len, reverse=True))


def markers_in(
    words: Sequence[str], markers: Sequence[tuple[str, ...]]
) -> Iterator[tuple[int, tuple[str, ...]]]:
    """(position, marker) of each marker in words, left to right, the longest first where several start at
    one place; a marker's words are not searched again."""
    i = 0
    while i < len(words):
        marker = next((m for m in markers if tuple(words[i : i + len(m)]) == m), None)
        if marker is None:
            i += 1
            continue
        yield i, marker
        i += len(marker)


def negated_terms(text: str, reach: int = 3) -> set[str]:
    """The folded syllables that a negation in text denies: up to `reach` syllables after each marker, within
    its phrase ("các thủ tục không cần thiết, gây phiền hà" denies "thiết", not "gây")."""
    return {
        fold(w)
        for phrase in re.split(r"[;:()]|[,.](?!\d)", text)
        for words in [syllables(phrase)]
        for i, marker in markers_in(words, negations())
        for w in words[i + len(marker) : i + len(marker) + reach]
    }


Terms = tuple[tuple[str, ...], ...]


@cache
def directions() -> tuple[tuple[Terms, Terms], ...]:
    """Oppositions of direction ("tăng cường" against "hạn chế"): pairs of sides, each side a tuple of
    folded syllable tuples."""
    pairs = []
    for kind, words in _rows("polarity.tsv"):
        if kind == "direction":
            left, right = words.split("\t")
            pairs.append((_terms(left), _terms(right)))
    return tuple(pairs)


@cache
def opposites() -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """The oppositions of `directions` as written (with diacritics): pairs of sides, each a tuple of words."""
    pairs = []
    for kind, words in _rows("polarity.tsv"):
        if kind == "direction":
            left, right = words.split("\t")
            pairs.append(
                tuple(tuple(w.strip() for w in side.split(",") if w.strip()) for side in (left, right))
            )
    return tuple(pairs)  # type: ignore[return-value]


@cache
def same_words() -> tuple[Terms, ...]:
    """Groups of words that say the same ("tối đa", "không quá"): folded syllable tuples."""
    return tuple(_terms(words) for kind, words in _rows("polarity.tsv") if kind == "same")


def defined_term(question: str) -> str | None:
    """The term a definition question asks about ("Theo Luật …, công chức là ai?" -> "công chức"), folded;
    None for any other question."""
    text, patterns = _matching(question)
    for pattern in patterns[Shape.DEFINITION]:
        if m := pattern.search(text):
            # The subject is the last part before "là gì": after "theo luật X," or "… thì", without a
            # follow-up's "còn", "thế còn".
            parts = [p for p in re.split(r",|;|:|\bthi\b", fold(m["term"])) if p.strip()]
            term = re.sub(r"^(the con|con|vay|va)\s+", "", parts[-1].strip()) if parts else ""
            return term or None
    return None


def main_clause(question: str) -> str:
    """What a question asks about its premises: the part after its last "thì" or comma ("Công chức đã báo
    cáo mà cấp trên vẫn bắt thi hành thì công chức có phải chịu trách nhiệm không?" -> "công chức có phải
    chịu trách nhiệm không?"); the whole question when it has no such break."""
    parts = re.split(r",|\bthì\b|\bthi\b", question)
    return next((p.strip() for p in reversed(parts) if len(p.split()) >= 2), question)


def _terms(side: str) -> Terms:
    return tuple(tuple(fold(w).split()) for w in side.split(",") if w.strip())


def statement_of(question: str) -> str:
    """The statement a true/false question asks to judge: without "…, đúng hay sai?" or "Khẳng định sau
    đúng hay sai:"."""
    text = re.sub(
        r"[,;:]?\s*(là\s+)?(đúng|sai)\s+hay\s+(sai|đúng)\s*[?.!]*\s*$", "", question.strip(), flags=re.I
    )
    text = re.sub(
        r"^khẳng định (sau|này|dưới đây)\s+(là\s+)?(đúng|sai) hay (sai|đúng)\s*[?:.]*\s*",
        "",
        text,
        flags=re.I,
    )
    return text.strip()
