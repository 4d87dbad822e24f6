"""Document names: the kinds of documents (data/document_kinds.tsv) and how a citation names one."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from assistant.language.datafiles import data_lines
from assistant.language.text import canonical, fold

# Documents cited by name rather than number ("Luật Viên chức 2010").
BY_NAME = "-"
# The national motto and the Party's name on the right of a header block, folded: no document's content.
MOTTOS = ("cong hoa xa hoi chu nghia viet nam", "doc lap - tu do - hanh phuc", "dang cong san viet nam")


@dataclass(frozen=True)
class Kind:
    """A kind of document: its name ("Kế hoạch") and citation abbreviation ("KH", or "-" for by name)."""

    name: str
    abbreviation: str
    english: str = ""
    common: bool = False  # the name is an everyday word too ("quy định"): a question's content, not a name

    @property
    def by_name(self) -> bool:
        return self.abbreviation == BY_NAME


@cache
def kinds() -> tuple[Kind, ...]:
    """Every known kind, longest name first (so "Thông tư liên tịch" wins over "Thông tư")."""
    rows = [line.split("\t") for line in data_lines("document_kinds.tsv")]
    found = (
        Kind(
            name.strip(),
            abbr.strip(),
            "" if en.strip() == BY_NAME else en.strip(),
            common.strip() == "common",
        )
        for name, abbr, en, common in rows
    )
    return tuple(sorted(found, key=lambda k: -len(k.name)))


def kind_named(text: str) -> Kind | None:
    """The kind whose name the text is (any case, with or without diacritics): "KẾ HOẠCH" -> Kế hoạch."""
    folded = " ".join(fold(text).split())
    return next((k for k in kinds() if fold(k.name) == folded), None)


@cache
def _numbered() -> re.Pattern[str]:
    names = "|".join(re.escape(k.name) for k in kinds() if not k.by_name)
    return re.compile(rf"\b({names})\s+(?:số\s*:?\s*)?(\d+[/\-][\wĐđÐ/\-]*\w)", re.IGNORECASE)


# A document's number and symbol on its own: "32-KH/BCSĐ", "30/2020/NĐ-CP", "09-NQ/TU" (not a date).
_SYMBOL = r"\d+(?:/\d{4})?\s?[-–/]\s?[A-ZĐÐ][A-ZĐÐa-zđ]{0,7}(?:[-–/][A-ZĐÐ0-9][A-ZĐÐa-zđ0-9]{0,7})*\b"


@cache
def _reference() -> re.Pattern[str]:
    """A document named by kind and number ("Kế hoạch số 32", "KH 32-KH/BCSĐ", "Nghị định 30/2020/NĐ-CP"),
    or by its number and symbol alone. A kind whose name is an everyday word ("Báo cáo 6 tháng") names a
    document only with "số" or a symbol after it."""
    named = "|".join(re.escape(k.name) for k in kinds() if not k.common)
    common = "|".join(re.escape(k.name) for k in kinds() if k.common)
    abbreviations = "|".join(re.escape(k.abbreviation) for k in kinds() if not k.by_name)
    tail = r"(?:\s?[-–/]\s?[\wĐđÐ]+)*"  # the rest of a number and symbol after its digits
    return re.compile(
        rf"(?i:\b(?:{named}))\s+(?i:số\s*:?\s*)?\d+{tail}"
        rf"|(?i:\b(?:{named}|{common}))\s+(?:(?i:số\s*:?\s*)\d+{tail}|{_SYMBOL})"
        rf"|\b(?:{abbreviations})\s+\d+{tail}|(?<![\w/]){_SYMBOL}"
    )


def document_references(text: str) -> list[tuple[int, int]]:
    """Where the text names documents by number (kind and number, or number and symbol)."""
    return [(m.start(), m.end()) for m in _reference().finditer(text)]


def names_document(text: str) -> bool:
    """The text names a document by its number: "(KH 32-KH/BCSĐ, Nhiệm vụ thứ nhất)", "Nghị định số 30",
    "theo 09-NQ/TU". Such a line is a citation of that document, never a heading of the one it stands in."""
    return bool(_reference().search(text))


_CONSTITUTION = re.compile(r"\bHiến pháp\b.*?\b(1946|1959|1980|1992|2013)\b", re.IGNORECASE | re.DOTALL)
# A law's name runs to a bracket, a semicolon, a number or a date ("Luật Phòng, chống ma túy 2021").
_LAW = re.compile(r"^(Luật|Bộ luật|Pháp lệnh)\s+(.{3,80}?)\s*(?:[(;]|\bsố\b|\bngày\b|\bnăm\b|\d|$)")
_YEAR = re.compile(r"\b(19[4-9]\d|20\d\d)\b")


def cite_number(kind: Kind, number: str) -> str:
    """'KH 45/KH-BNV' from Kế hoạch and '45/KH-BNV'."""
    return f"{kind.abbreviation} {number.replace('Ð', 'Đ')}"


def cite_law(kind_name: str, name: str, year: str = "") -> str:
    """'Luật Viên chức 2010' from Luật, 'Viên chức' and the year of its number."""
    name = name.strip(" ,.;:")
    return f"{kind_name} {name[:1].upper()}{name[1:]}" + (f" {year}" if year else "")


def short_name(title: str) -> str:
    """How a citation names a document from its title: 'KH 32-KH/BCSĐ', 'Hiến pháp 2013', 'Luật Viên chức'…"""
    if m := _numbered().search(title):
        kind = kind_named(m[1])
        if kind:
            return cite_number(kind, m[2])
    if m := _CONSTITUTION.search(title):
        return f"Hiến pháp {m[1]}"
    if m := _LAW.match(title):
        year = _YEAR.search(title[m.end(2) :])
        return cite_law(m[1], m[2], year[1] if year else "")
    return title if len(title) <= 60 else title[:57].rsplit(" ", 1)[0] + "…"


@dataclass(frozen=True)
class StoredDocument:
    """A document in the store as names see it: its id, citation name and title."""

    doc_id: str
    short: str
    title: str


@dataclass(frozen=True)
class NamedDocument:
    """A document a question names, and where in the folded question the name stands."""

    short: str
    start: int
    end: int


def _kind_of(short: str, title: str) -> Kind | None:
    folded = fold(f"{short} {title}")
    for kind in kinds():
        if folded.startswith(fold(kind.abbreviation) + " ") and not kind.by_name:
            return kind
        if folded.startswith(fold(kind.name) + " "):
            return kind
    return None


def _alias_patterns(doc: StoredDocument) -> list[str]:
    """Folded regexes for the ways a question names a document: its citation name, number and symbol,
    kind and number ("nghi quyet 27", "nq so 27"), a law by its name ("luat vien chuc")."""
    kind = _kind_of(doc.short, doc.title)
    short = fold(doc.short)
    patterns = [re.escape(short)]
    if kind and not kind.by_name:
        number = short.split(" ", 1)[1] if " " in short else ""
        lead = re.match(r"\d+", number)
        words = [fold(kind.name), fold(kind.abbreviation), *([kind.english] if kind.english else [])]
        said = rf"\b(?:{'|'.join(map(re.escape, words))})\s*(?:so\s*)?"
        if number:
            patterns.append(rf"{said}{re.escape(number)}(?![\w/])")
            patterns.append(rf"(?<![\w/]){re.escape(number)}(?![\w/])")
        if lead:
            patterns.append(rf"{said}{lead[0]}(?![\d])")
    elif kind:
        # "Luật Viên chức 2010" -> "luat vien chuc" (year optional); "Hiến pháp 2013" needs its year.
        name = re.sub(r"\s+\d{4}$", "", short)
        year = short[len(name) :].strip()
        if name != fold(kind.name):
            # Punctuation is optional in a question: "luat can bo cong chuc" names "Luật Cán bộ, công chức".
            said_name = r"[\s,;.-]+".join(map(re.escape, re.findall(r"\w+", name)))
            patterns.append(rf"\b{said_name}\b")
        elif year:
            patterns.append(rf"\b(?:{re.escape(name)}|{kind.english})\s*(?:nam\s*)?{year}\b")
    return patterns


class NameRegistry:
    """The names of the documents in the store, and which of them a question uses.

    A question names a document only by one of its own names ("Kế hoạch 32", "32-KH/BCSĐ",
    "Hiến pháp 2013", "Luật Viên chức"); a bare kind word ("Hiến pháp", "nghị quyết") is a topic, and
    counts only beside a clause reference ("Điều 2 Hiến pháp") when one stored document has that kind.
    """

    def __init__(self, documents: Iterable[StoredDocument]) -> None:
        self.documents = sorted({d.short: d for d in documents}.values(), key=lambda d: d.short)
        self._aliases = [
            (doc, re.compile("|".join(f"(?:{p})" for p in _alias_patterns(doc)))) for doc in self.documents
        ]
        by_kind: dict[Kind, list[StoredDocument]] = {}
        for doc in self.documents:
            if kind := _kind_of(doc.short, doc.title):
                by_kind.setdefault(kind, []).append(doc)
        words = {
            w
            for kind in by_kind
            if not kind.common
            for w in (*_kind_words(kind), fold(kind.abbreviation))
            if w
        } - {BY_NAME}
        alternatives = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
        self._kind_words = re.compile(rf"\b(?:{alternatives})\b") if words else None
        self._kinds = [
            (docs[0], re.compile(rf"\b(?:{'|'.join(map(re.escape, _kind_words(kind)))})\b"))
            for kind, docs in by_kind.items()
            if len(docs) == 1
        ]

    def named(self, question: str, with_reference: bool = False) -> list[NamedDocument]:
        """The documents the question names, in the order they are named."""
        folded = fold(question)
        found = [
            NamedDocument(doc.short, m.start(), m.end())
            for doc, rx in self._aliases
            for m in [rx.search(folded)]
            if m
        ]
        if with_reference and not found:
            found = [
                NamedDocument(doc.short, m.start(), m.end())
                for doc, rx in self._kinds
                for m in [rx.search(folded)]
                if m
            ]
        return sorted(found, key=lambda n: n.start)

    def kind_mentions(self, question: str) -> list[tuple[int, int]]:
        """Where the folded question says the kind of a stored document ("kế hoạch", "hiến pháp", "nq"):
        words that say which document, not what about (kinds whose names are everyday words aside)."""
        return (
            [(m.start(), m.end()) for m in self._kind_words.finditer(fold(question))]
            if self._kind_words
            else []
        )

    def of_kinds_mentioned(self, question: str) -> list[str]:
        """Citation names of the stored documents whose kind the question says ("kế hoạch" -> the plans)."""
        folded = fold(question)
        return [
            doc.short
            for doc in self.documents
            if (kind := _kind_of(doc.short, doc.title))
            and not kind.common
            and any(re.search(rf"\b{re.escape(w)}\b", folded) for w in _kind_words(kind))
        ]

    def subjects(self, question: str) -> list[str]:
        """Citation names of the stored documents a question is about by kind: the kind opens the question
        or follows "theo", "trong", "của" ("Kế hoạch có …", "Theo Hiến pháp, …"); a kind word elsewhere
        is a topic ("lối sống thượng tôn Hiến pháp")."""
        folded = " ".join(re.findall(r"\w+", fold(question)))
        about = []
        for doc in self.documents:
            kind = _kind_of(doc.short, doc.title)
            if not kind or kind.common:
                continue
            words = "|".join(re.escape(w) for w in (*_kind_words(kind), fold(kind.abbreviation)))
            # … or, in English, follows an article or a preposition ("What does the plan say about …?").
            english = rf"\b(?:the|this|of|in|under|by)\s+{re.escape(kind.english)}\b" if kind.english else ""
            if (
                re.search(rf"^(?:(?:theo|trong|tai|according to|in|the)\s+)?(?:{words})\b", folded)
                or re.search(rf"\b(?:theo|trong|cua)\s+(?:{words})\b", folded)
                or (english and re.search(english, folded))
            ):
                about.append(doc.short)
        return about

    def listing(self, limit: int = 6) -> str:
        """The stored documents' names for a message: 'KH 32-KH/BCSĐ, Hiến pháp 2013 và 3 văn bản khác'."""
        names = [d.short for d in self.documents]
        if len(names) > limit:
            return f"{', '.join(names[:limit])} và {len(names) - limit} văn bản khác"
        return ", ".join(names[:-1]) + (f" và {names[-1]}" if len(names) > 1 else names[-1] if names else "")


def _kind_words(kind: Kind) -> list[str]:
    return [w for w in (fold(kind.name), kind.english) if w]


_WORD = re.compile(r"\w+")
# Between two words, anything but spaces and a comma ends a sentence or a phrase: the next capital is
# the start of a sentence or list item, not (necessarily) a name.
_SOFT_GAP = re.compile(r"[ \t\u00a0,;]*")


@dataclass(frozen=True)
class Entity:
    """A name a text uses ("Bộ Nội vụ" gives "Bộ Nội" and "Nội vụ"): as written and as folded syllables."""

    text: str
    key: tuple[str, ...]


def entities(text: str) -> list[Entity]:
    """The names a text uses: each capitalised word that is not merely the first of its sentence, with
    the word after it (when nothing but spaces separates them); a sentence's first word counts when the
    next word is capitalised too ("Bộ Nội vụ chủ trì" names "Bộ Nội"). Upper-case headings name nothing."""
    words = list(_WORD.finditer(text))
    found: list[Entity] = []
    for i, word in enumerate(words):
        if not word.group()[0].isupper() or _heading(words, i):
            continue
        joined = i + 1 < len(words) and not text[word.end() : words[i + 1].start()].strip()
        initial = i == 0 or not _SOFT_GAP.fullmatch(text[words[i - 1].end() : word.start()])
        if initial and not (joined and words[i + 1].group()[0].isupper()):
            continue
        end = words[i + 1].end() if joined else word.end()
        key = tuple(fold(text[word.start() : end]).split())
        found.append(Entity(_whole_name(text, words, i), key))
    return found


def _heading(words: list[re.Match[str]], i: int) -> bool:
    """Word i is in a run of upper-case words (a heading: its capitals name nothing), not a lone acronym."""

    def shouting(j: int) -> bool:
        return 0 <= j < len(words) and len(words[j].group()) > 1 and words[j].group().isupper()

    return shouting(i) and (shouting(i - 1) or shouting(i + 1))


def _whole_name(text: str, words: list[re.Match[str]], i: int) -> str:
    """The name around word i as written: its run of capitalised words and one lower-case word after."""

    def adjacent(a: int) -> bool:  # words a and a + 1 are separated by spaces only
        return not text[words[a].end() : words[a + 1].start()].strip()

    first = i
    while first > 0 and adjacent(first - 1) and words[first - 1].group()[0].isupper():
        first -= 1
    last = i
    while last + 1 < len(words) and adjacent(last) and words[last + 1].group()[0].isupper():
        last += 1
    if last + 1 < len(words) and adjacent(last) and not words[last + 1].group()[0].isdigit():
        last += 1
    return text[words[first].start() : words[last].end()]


@cache
def body_heads() -> tuple[tuple[tuple[str, ...], bool], ...]:
    """The words a body's name starts with (data/bodies.txt), as canonical syllables, longest first, each
    with whether it names a body by itself ("Quốc hội")."""
    heads = []
    for line in data_lines("bodies.txt"):
        alone = line.startswith("=")
        heads.append((tuple(canonical(line.lstrip("= ")).split()), alone))
    return tuple(sorted(heads, key=lambda h: -len(h[0])))


def body_head(words: Sequence[str]) -> tuple[int, bool] | None:
    """(how many words, whether it names a body by itself) of the head word of data/bodies.txt that the
    words, as written, open with, capitalised: "Hội đồng nhân dân" (2, False), "Chính phủ" (2, True); None
    when they open with none."""
    if not words or not words[0][:1].isupper():
        return None
    for head, alone in body_heads():
        if tuple(canonical(w) for w in words[: len(head)]) == head:
            return len(head), alone
    return None


def is_acronym(word: str) -> bool:
    """A word written in capitals, two letters or more, not a Roman numeral ("UBND", "HĐND"): a name's
    initials."""
    return len(word) >= 2 and word.isalpha() and word.isupper() and not _ROMAN.fullmatch(word)


def spells(acronym: str, words: Sequence[str]) -> bool:
    """The acronym is the first letters of the words, diacritics aside: "UBND" of "Ủy ban nhân dân",
    "HĐND" of "Hội đồng nhân dân"."""
    letters = fold(acronym)
    return len(letters) == len(words) and all(fold(w)[:1] == c for w, c in zip(words, letters, strict=True))


def named_as_sources(sentence: str, sources: str) -> str:
    """The sentence with each acronym that the sources only write out put in their words ("UBND tỉnh" read
    "Ủy ban nhân dân tỉnh" against "… Ủy ban nhân dân tỉnh …"), and each name written out that the sources
    only give as an acronym put as it: a name is checked however it is abbreviated. An acronym inside a
    document's number ("32-KH/BCSĐ") is no name."""
    used, theirs = _acronyms(sentence), _acronyms(sources)
    for acronym in used - theirs:
        if span := _written_out(acronym, sources):
            sentence = re.sub(rf"(?<![\w/-]){acronym}(?![\w/-])", sources[slice(*span)], sentence)
    for acronym in theirs - used:
        if not _written_out(acronym, sources) and (span := _written_out(acronym, sentence)):
            sentence = f"{sentence[: span[0]]}{acronym}{sentence[span[1] :]}"
    return sentence


_ROMAN = re.compile(r"[IVXLCDM]+")
_ACRONYM = re.compile(r"(?<![\w/-])([^\W\d_]{2,})(?![\w/-])")


def _acronyms(text: str) -> set[str]:
    return {m for m in _ACRONYM.findall(text) if m.isupper() and is_acronym(m)}


def _written_out(acronym: str, text: str) -> tuple[int, int] | None:
    """Where the text writes the acronym out as a name (start, end): words it spells, the first one
    capitalised."""
    words, n = list(_WORD.finditer(text)), len(fold(acronym))
    for i in range(len(words) - n + 1):
        run = [w.group() for w in words[i : i + n]]
        if run[0][:1].isupper() and spells(acronym, run) and not is_acronym(run[0]):
            return words[i].start(), words[i + n - 1].end()
    return None


def entity_names(texts: Iterable[str]) -> frozenset[tuple[str, ...]]:
    """The two-word names the texts use (folded): what a claim is checked against however it is written."""
    return frozenset(e.key for text in texts for e in entities(text) if len(e.key) == 2)
