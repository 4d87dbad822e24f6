"""Document names: the kinds of documents (data/document_kinds.tsv) and how a citation names one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from assistant.text import fold

# Documents cited by name rather than number ("Luật Viên chức 2010").
BY_NAME = "-"


@dataclass(frozen=True)
class Kind:
    """A kind of document: its name ("Kế hoạch") and citation abbreviation ("KH", or "-" for by name)."""

    name: str
    abbreviation: str

    @property
    def by_name(self) -> bool:
        return self.abbreviation == BY_NAME


@cache
def kinds() -> tuple[Kind, ...]:
    """Every known kind, longest name first (so "Thông tư liên tịch" wins over "Thông tư")."""
    text = resources.files("assistant").joinpath("data/document_kinds.tsv").read_text(encoding="utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return tuple(
        sorted((Kind(name.strip(), abbr.strip()) for name, abbr in rows), key=lambda k: -len(k.name))
    )


def kind_named(text: str) -> Kind | None:
    """The kind whose name the text is (any case, with or without diacritics): "KẾ HOẠCH" -> Kế hoạch."""
    folded = " ".join(fold(text).split())
    return next((k for k in kinds() if fold(k.name) == folded), None)


@cache
def _numbered() -> re.Pattern[str]:
    names = "|".join(re.escape(k.name) for k in kinds() if not k.by_name)
    return re.compile(rf"\b({names})\s+(?:số\s*:?\s*)?(\d+[/\-][\wĐđÐ/\-]*\w)", re.IGNORECASE)


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
