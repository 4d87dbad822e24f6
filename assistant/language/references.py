"""Structural references in a question: "nhiệm vụ thứ tư", "Điều 2", "khoản 3 Điều 8", "Mục đích"…"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from assistant.language.names import kinds
from assistant.language.text import fold, has_diacritics

_ORDINALS = {
    "nhat": 1,
    "hai": 2,
    "ba": 3,
    "tu": 4,
    "nam": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
    "muoi": 10,
}
_ORDINALS_ACCENTED = {
    "nhất": 1,
    "hai": 2,
    "ba": 3,
    "tư": 4,
    "năm": 5,
    "sáu": 6,
    "bảy": 7,
    "tám": 8,
    "chín": 9,
}
_ENGLISH_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
    "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
    "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "6th": 6, "7th": 7,
}  # fmt: skip
_ROMAN = {
    "i": 1,
    "ii": 2,
    "iii": 3,
    "iv": 4,
    "v": 5,
    "vi": 6,
    "vii": 7,
    "viii": 8,
    "ix": 9,
    "x": 10,
    "xi": 11,
}
_ITEM_NOUN = r"(?:nhiem vu|giai phap|noi dung|quan diem|muc tieu)"
_SECTIONS = {
    "muc dich": "muc-dich",
    "yeu cau": "yeu-cau",
    "loi noi dau": "loi-noi-dau",
    "tinh hinh": "tinh-hinh",
    "quan diem": "quan-diem",
    "purpose": "muc-dich",
    "requirements": "yeu-cau",
    "preamble": "loi-noi-dau",
    "mo dau": "mo-dau",
}


# The last item of a list ("nhiệm vụ cuối cùng"): resolved against the stored clauses.
LAST_ITEM = "(^|/)thu-last$"


@dataclass(frozen=True)
class Reference:
    """A pointer into a document's structure: a clause-key pattern and an optional document hint."""

    pattern: str
    label: str
    doc_hint: str | None = None
    title: str = ""  # folded heading words ("to chuc thuc hien"), matched against the clause's context
    fallback: str = ""  # heading words to look for when no clause has the pattern's key ("1. Mục đích")
    whole: bool = False  # the title is a whole heading ("Mục đích"), not the first words of one

    def matches(self, clause_key: str, doc_short: str, context: str = "") -> bool:
        if self.doc_hint and not doc_short.startswith(self.doc_hint):
            return False
        if self.title:
            return self.depth(context) >= 0
        return re.search(self.pattern, clause_key) is not None

    def depth(self, context: str) -> int:
        """How deep in a clause's heading path the title stands (-1: not at all)."""
        return _title_depth(self.title, context, self.whole)


@lru_cache(maxsize=1 << 16)
def _title_depth(title: str, context: str, whole: bool) -> int:
    """Reference.depth, remembered: a question's title is looked for in every stored clause's context."""
    # The first part of a context is its document's name, not a heading.
    found = [i for i, part in enumerate(context.split(" — ")) if i and title in heading_names(part, whole)]
    return found[-1] if found else -1


# A heading's label: "Điều 43.", "Chương II", "Phần thứ tư.", "Mục 2.", "I.", "2.1.", "a)" (folded).
_HEADING_LABEL = re.compile(
    r"^(?:(?:dieu|chuong|phan|muc|tieu muc)\s+(?:thu\s+\w+|\d+[a-z]?|[ivxlc]+)\b[.:]?"
    r"|(?:[ivxlc]+|\d+(?:\.\d+)*|[a-z])[.)])\s*"
)


@lru_cache(maxsize=1 << 16)
def heading_names(heading: str, whole: bool = False) -> frozenset[str]:
    """The folded titles a heading answers to: its title without its label ("Điều 43. Mục đích của Quỹ…"
    is "muc dich cua quy…"), and for a part, each title it lists ("I. MỤC ĐÍCH, YÊU CẦU" is "muc dich"
    and "yeu cau" too); with `whole` False, instead every run of a part's first words (a part named by
    its first words: "phần tổ chức thực hiện"). An article ("Điều 480. … công dụng, mục đích") is named
    by its whole title only, and never by its first words."""
    folded = fold(heading).strip()
    label = _HEADING_LABEL.match(folded)
    title = folded[label.end() :] if label else folded
    if label and label[0].startswith("dieu"):
        # "Phần kháng cáo" is part of an appeal, not "Điều 208. Kháng cáo quá hạn".
        return frozenset({" ".join(re.findall(r"\w+", title))} if whole else ())
    titles = [title, *re.split(r"\s*[,;]\s*|\s+va\s+", title)]
    words = [re.findall(r"\w+", t) for t in titles]
    names = {" ".join(w) for w in words}
    if not whole:
        names |= {" ".join(w[:n]) for w in words for n in range(1, len(w))}
    return frozenset(n for n in names if n)


def find_references(question: str, doc_hint: str | None = None) -> list[Reference]:
    """Structural references in a question, accented or not, Vietnamese or English.

    `doc_hint`: the citation name of the one document the question names, if it names one.
    """
    folded = fold(question)
    hint = doc_hint
    refs: list[Reference] = []

    def add(pattern: str, label: str) -> None:
        refs.append(Reference(pattern, label, hint))

    for m in re.finditer(rf"\b{_ITEM_NOUN}\s+(?:thu\s+(\w+)|so\s+(\d+)|(dau tien)|(cuoi cung))", folded):
        if m[4]:
            add(LAST_ITEM, m[0])
            continue
        number = 1 if m[3] else _ordinal(m[1], question, m.start(1)) if m[1] else int(m[2])
        if number:
            add(rf"(^|/)thu-{number}$", m[0])
    for m in re.finditer(r"\b(\w+)\s+(?:task|solution|item)s?\b", folded):
        if m[1] in _ENGLISH_ORDINALS:
            add(rf"(^|/)thu-{_ENGLISH_ORDINALS[m[1]]}$", m[0])
    for m in re.finditer(r"\b(?:task|item)\s+(?:no\.?\s*)?(\d+)\b", folded):
        add(rf"(^|/)thu-{m[1]}$", m[0])

    articles = list(re.finditer(r"\b(?:dieu|article|art\.)\s*(\d+)\b", folded))
    clauses = list(re.finditer(r"\b(?:khoan|clause|paragraph)\s*(\d+)\b", folded))
    points = list(re.finditer(r"\b(?:diem|point)\s+([a-z])\b(?!\w)", folded))
    for article in articles:
        pattern = rf"(^|/)dieu-{article[1]}"
        if clauses:
            pattern += rf"/khoan-{clauses[0][1]}"
            if points:
                pattern += rf"/diem-{points[0][1]}"
        add(pattern + r"(/|$)", article[0])
    for ref in _path_references(question, folded, clauses, points, bool(articles)):
        refs.append(Reference(ref.pattern, ref.label, hint, ref.title))
    for m in re.finditer(r"\b(?:chuong|chapter)\s+([ivx]+|\d+)\b", folded):
        number = _ROMAN.get(m[1]) or (int(m[1]) if m[1].isdigit() else 0)
        roman = next((r for r, n in _ROMAN.items() if n == number), m[1])
        add(rf"(^|/)chuong-({roman}|{number})(/|$)", m[0])
    for phrase, key in _SECTIONS.items():
        if re.search(rf"\b{phrase}\b", folded) and not _is_generic(folded, phrase):
            refs.append(Reference(rf"(^|/){key}(/|$)", phrase, hint, fallback=phrase))
    return refs


_SUBITEM = re.compile(r"\b(?:tieu muc|muc|section|item)\s+(\d{1,2}\.\d{1,2}(?:\.\d{1,2})?)(?![.\d])")
_PART = re.compile(r"\b(?:muc|phan|part|section)\s+([ivx]{1,5}|\d{1,2})\b(?![.\d])")
# "phần tổ chức thực hiện", "mục kinh phí": a part named by its heading's words, up to a question word;
# not the words "mục tiêu", "mục đích", "phần lớn", "phần mềm"….
_TITLED = re.compile(
    r"\b(?:phan|muc)\s+(?!(?:tieu|dich|luc|lon|mem|tram|nhieu|nao)\b)"
    r"((?:(?!(?:noi|quy|co|gom|la|de|duoc|ghi|neu|the|trong|cua|ve|nhu|gi|nao)\b)[a-z]+\b\s*){2,6})"
)

# The syllables before "phần" / "mục" that make one word with it ("thành phần", "danh mục").
_COMPOUNDS = {
    "phan": frozenset({"thanh", "mot", "tung", "co", "bo", "cac", "nhung", "moi"}),
    "muc": frozenset({"danh", "hang", "tiet", "chuyen", "de"}),
}


def _path_references(
    question: str, folded: str, clauses: list[re.Match[str]], points: list[re.Match[str]], in_article: bool
) -> list[Reference]:
    """References by a plan's path: "mục 2.2", "khoản 2 mục III", "điểm b khoản 1 mục I", "phần tổ chức…".

    Typed with diacritics, "mức" or "múc" is not "mục": the word must be written as a part's name.
    """
    point = rf"/diem-{points[0][1]}" if points else ""
    refs = []

    def named_part(m: re.Match[str]) -> bool:
        word = question[m.start() : m.end()].split()[0].lower()
        before = folded[: m.start()].split()[-1:]
        if before and before[0] in _COMPOUNDS.get(fold(word), ()):
            return False  # "thành phần", "một phần", "danh mục": a word, not a part's name
        return not has_diacritics(question) or word in {"mục", "phần", "tiểu", "section", "part", "item"}

    for m in filter(named_part, _SUBITEM.finditer(folded)):
        refs.append(Reference(rf"(^|/)tieu-muc-{m[1].replace('.', '-')}{point}(/|$)", m[0]))
    if refs or in_article:
        return refs
    for m in filter(named_part, _PART.finditer(folded)):
        number = _ROMAN.get(m[1]) or (int(m[1]) if m[1].isdigit() else 0)
        roman = next((r for r, n in _ROMAN.items() if n == number), m[1])
        inner = rf"/khoan-{clauses[0][1]}{point}" if clauses else ""
        refs.append(Reference(rf"(^|/)(muc|phan)-({roman}|{number}){inner}(/|$)", m[0]))
    if not refs:
        for m in filter(named_part, _TITLED.finditer(folded)):
            title = m[1].strip()
            if not any(m[0].startswith(phrase) or title.startswith(phrase) for phrase in _SECTIONS):
                refs.append(Reference("", m[0], title=title))
    return refs


def _ordinal(word: str, question: str, at: int) -> int:
    """Number of an ordinal word; 'thu tu' without diacritics is read as 'thứ tư' (not 'thứ tự')."""
    accented = question[at : at + len(word)].lower()
    if accented in _ORDINALS_ACCENTED:
        return _ORDINALS_ACCENTED[accented]
    if accented in ("tự",):
        return 0
    return _ORDINALS.get(word, 0) if not word.isdigit() else int(word)


def _is_generic(folded: str, phrase: str) -> bool:
    """'yêu cầu' and 'quan điểm' are also ordinary words; count them only when they name a part."""
    if phrase in ("muc dich", "loi noi dau", "tinh hinh", "purpose", "preamble"):
        return bool(re.search(rf"\b(nham|voi|co)\s+{phrase}\b", folded))
    # "các yêu cầu của Kế hoạch", "phần yêu cầu": the part; "theo yêu cầu của cơ quan nhà nước", "các yêu
    # cầu về bảo vệ môi trường": the word.
    return not re.search(
        rf"\b(phan|muc)\s+{phrase}\b|\b(cac|nhung)\s+{phrase}\b(?!\s+ve\b)"
        rf"|\b{phrase}\s+(?:(?:cua|trong|tai)\s+(?:{_kind_names()})\b|chi dao\b)",
        folded,
    )


@cache
def _kind_names() -> str:
    """The folded names of the kinds of documents, as alternatives of a pattern ("ke hoach|luat|…")."""
    return "|".join(re.escape(fold(k.name)) for k in kinds())
