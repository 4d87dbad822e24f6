"""The header block of a Vietnamese administrative document (Nghị định 30/2020/NĐ-CP): who issued it, its
number and symbol, place and date, kind and summary; from these its title and citation name."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.language.lookalike import DASHES, skeleton
from assistant.language.names import MOTTOS, Kind, cite_law, cite_number, kind_named
from assistant.language.text import fold

# How far into a document a header block may reach.
MAX_HEADER_LINES = 40
_RULE = re.compile(r"^[-_=–—.*\s]{3,}$")
# The number and symbol as written: any dash may join its parts, with spaces around ("32 – KH/BCSĐ").
_DASH = "[" + re.escape("-" + DASHES) + "]"
_NUMBER = re.compile(
    rf"^(?:(?:Luật|Bộ luật|Pháp lệnh)\s+)?Số\s*:?\s*"
    rf"(\d+(?:[\w/ĐđÐ]|{_DASH}|\s+(?={_DASH})|(?<={_DASH})\s+(?=\w))*)",
    re.IGNORECASE,
)
_DATE = re.compile(r"^([^,\d]{2,50}),\s*ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
_YEAR_IN_NUMBER = re.compile(r"/((?:19|20)\d\d)/")
# Where the body starts: the legal bases, a first heading, the enacting formula.
_BODY = re.compile(
    r"^(Căn cứ|Thực hiện|Theo đề nghị|Xét đề nghị|Trên cơ sở|Điều\s+\d|Chương\s|Phần\s|Mục\s+\d|"
    r"[IVX]{1,5}[.\-–]\s|\d{1,2}\.\s)",
    re.IGNORECASE,
)
# An issuing body's second line that continues its first ("ỦY BAN NHÂN DÂN" / "TỈNH HƯNG YÊN").
_UNIT = re.compile(r"^(TỈNH|THÀNH PHỐ|HUYỆN|QUẬN|THỊ XÃ|XÃ|PHƯỜNG|THỊ TRẤN)\b")
_WORD = re.compile(r"\w+|\W+")


@dataclass(frozen=True)
class Header:
    """What a document's header block says, and where in the text the block ends."""

    end: int
    kind: Kind | None = None
    number: str = ""
    issuer: str = ""
    place: str = ""
    date: str = ""  # d/m/yyyy
    summary: str = ""

    @property
    def title(self) -> str:
        """'Kế hoạch số 45/KH-BNV ngày 12/4/2024 của Bộ Nội vụ về …', 'Luật Viên chức, số 58/2010/QH12'."""
        if self.kind and self.kind.by_name:
            name = cite_law(self.kind.name, self.summary)
            return f"{name}, số {self.number}" if self.number else name
        parts = [self.kind.name if self.kind else "Văn bản"]
        if self.number:
            parts.append(f"số {self.number}")
        if self.date:
            parts.append(f"ngày {self.date}")
        if self.issuer:
            parts.append(f"của {self.issuer}")
        if self.summary:
            parts.append(self.summary[:1].lower() + self.summary[1:])
        return " ".join(parts)

    @property
    def short(self) -> str:
        """'KH 45/KH-BNV', 'NĐ 30/2020/NĐ-CP', 'Luật Viên chức 2010'."""
        if self.kind and self.kind.by_name:
            year = _YEAR_IN_NUMBER.search(f"{self.number}/")
            return cite_law(self.kind.name, self.summary, year[1] if year else self.date[-4:])
        if self.kind and self.number:
            return cite_number(self.kind, self.number)
        return self.title


def find_header(text: str, body_start: int = 0) -> Header | None:
    """The header block at the start of text[body_start:], or None when the text does not open with one.

    A block is recognised by at least two of: the national motto, a "Số:" line, a place-and-date line,
    a line that names a kind of document.
    """
    lines = _lines(text, body_start)
    issuer: list[str] = []
    found: dict[str, str] = {}
    kind: Kind | None = None
    summary: list[str] = []
    end = body_start
    for start, stop in lines:
        line = text[start:stop]
        folded = fold(line)
        if _RULE.match(line) or not any(c.isalpha() for c in line):
            end = stop if found or issuer else end
            continue
        if kind is not None:
            # After the kind: its summary, until the body starts (a body line, or mixed case after upper).
            if _BODY.match(line) or (summary and not line.isupper()) or _is_issuer_again(line, issuer):
                if _is_issuer_again(line, issuer):
                    end = stop
                break
            summary.append(line)
            end = stop
            continue
        # A line that is only recognised once look-alikes are folded (a Cyrillic "К" in "KẾ HOẠCH", a
        # full-width colon after "Số") still counts: a header must not hide what it claims. (Its number
        # is then taken as it reads, from the folded line.)
        plain = skeleton(line)
        if any(f.startswith(m) for f in (folded, fold(plain)) for m in MOTTOS):
            found["motto"] = line
        elif m := _NUMBER.match(line) or _NUMBER.match(plain):
            found["number"] = m[1].rstrip(".,;")
        elif m := _DATE.match(line):
            found["place"] = m[1].strip()
            found["date"] = f"{int(m[2])}/{int(m[3])}/{m[4]}"
        elif k := kind_named(line) or kind_named(plain):
            kind = k
            found["kind"] = k.name
        elif line.isupper() and not found and len(line) <= 120:
            issuer.append(line)
        else:
            break
        end = stop
    if len(found) < 2:
        return None
    case = _CaseMap(text[end:])
    return Header(
        end=end,
        kind=kind,
        number=found.get("number", "").replace("Ð", "Đ"),
        issuer=case.restore(_issuer(issuer)),
        place=found.get("place", ""),
        date=found.get("date", ""),
        summary=_sentence(case.restore(" ".join(summary))) if summary else "",
    )


def _lines(text: str, start: int) -> list[tuple[int, int]]:
    """(start, end) of the first non-blank lines of text[start:], trimmed."""
    spans: list[tuple[int, int]] = []
    offset = start
    for raw in text[start:].splitlines(keepends=True):
        body = raw.strip()
        if body:
            at = offset + raw.index(body)
            spans.append((at, at + len(body)))
            if len(spans) >= MAX_HEADER_LINES:
                break
        offset += len(raw)
    return spans


def _issuer(lines: list[str]) -> str:
    """The issuing body: its last line, joined to the one before when it continues it."""
    if not lines:
        return ""
    if len(lines) >= 2 and _UNIT.match(lines[-1]):
        return f"{lines[-2]} {lines[-1]}"
    return lines[-1]


def _is_issuer_again(line: str, issuer: list[str]) -> bool:
    """A resolution repeats its issuer ("CHÍNH PHỦ") between the summary and the legal bases."""
    return bool(issuer) and fold(line) in {fold(i) for i in issuer}


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


class _CaseMap:
    """Restores the case of an upper-case header line from how the body writes the same words."""

    def __init__(self, body: str) -> None:
        self.body = body
        self.lower = body.lower()

    def restore(self, line: str) -> str:
        if not line.isupper():
            return line
        tokens = _WORD.findall(line)
        words = [i for i, t in enumerate(tokens) if t[0].isalnum()]
        out = list(tokens)
        i = 0
        while i < len(words):
            # The longest run of words, from this one, that the body writes in mixed case.
            for j in range(min(len(words), i + 8), i, -1):
                phrase = "".join(tokens[words[i] : words[j - 1] + 1])
                at = self._find(phrase)
                if at is not None:
                    written = self.body[at : at + len(phrase)]
                    out[words[i] : words[j - 1] + 1] = _WORD.findall(written)
                    i = j
                    break
            else:
                token = tokens[words[i]]
                out[words[i]] = token if re.search(r"\d|/", token) else token.lower()
                i += 1
        restored = "".join(out)
        return restored[:1].upper() + restored[1:] if line[:1].isupper() else restored

    def _find(self, phrase: str) -> int | None:
        """Where the body writes the phrase not all in capitals, not opening a sentence when it can."""
        needle = phrase.lower()
        best = None
        start = self.lower.find(needle)
        while start >= 0:
            written = self.body[start : start + len(phrase)]
            if not written.isupper() or not any(c.isalpha() for c in written):
                opening = start == 0 or self.body[max(0, start - 2) : start].strip() in ("", ".", ":")
                if not opening:
                    return start
                best = start if best is None else best
            start = self.lower.find(needle, start + 1)
        return best
