"""Find the clause structure of Vietnamese plans and legal texts: headings, Điều, khoản, điểm, "Thứ nhất…"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import zip_longest

from assistant.core.models import HEADER_KEY, HEADER_LABEL
from assistant.language.names import names_document
from assistant.language.parts import (
    BASIS_KEY,
    BASIS_LABEL,
    BASIS_LINE,
    PROPOSAL_LINE,
    RECIPIENTS_HEADING,
    RECIPIENTS_KEY,
    RECIPIENTS_LABEL,
    SIGNATURE_KEY,
    SIGNATURE_LABEL,
    SIGNED_MARK,
    capacity_line,
    is_person_name,
    is_signer_title,
)
from assistant.language.text import fold
from ingest.header import Header, find_header

ORDINALS = ["nhất", "hai", "ba", "tư", "năm", "sáu", "bảy", "tám", "chín", "mười"]
_ORDINAL_WORDS = "|".join(ORDINALS)

_CHROME = re.compile(
    r"^(xem với cỡ chữ|đọc bài viết|thay đổi tương phản|từ viết tắt|in trang|in bài viết|chia sẻ|"
    r"gửi email|bản in|lượt xem\s*:?\s*[\d.,]*|[a-zđ]|[\W_]*)$",
    re.IGNORECASE,
)
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+")
_BULLETS = re.compile(r"^[\s•·*\-]+")
_PART = re.compile(r"^(Phần|PHẦN)\s+(thứ\s+\w+|[IVXLC]+|\d+)\b\.?\s*(.*)$")
_CHAPTER = re.compile(r"^(Chương|CHƯƠNG)\s+([IVXLC]+|\d+)\b\.?\s*(.*)$")
_SECTION = re.compile(r"^(Mục|MỤC)\s+(\d+|[IVXLC]+)\b\.?\s*(.*)$")
_ARTICLE = re.compile(r"^Điều\s+(\d+[a-z]?)\b\.?\s*(.*)$")
_ROMAN = re.compile(r"^([IVX]{1,5})[.\-–]\s+(.{2,150})$")
_SUBITEM = re.compile(r"^(\d{1,2}\.\d{1,2}(?:\.\d{1,2})?)\.?\s+\S")
_ORDINAL = re.compile(rf"^Thứ\s+({_ORDINAL_WORDS})\s*[,:.]", re.IGNORECASE)
_KHOAN = re.compile(r"^(\d{1,3})\.\s+\S")
_DIEM = re.compile(r"^([a-zđ])\)\s+\S")
_NAMED = re.compile(r"^(Mục đích|Mục tiêu|Yêu cầu|Quan điểm|Nhiệm vụ|Giải pháp|Tổ chức thực hiện)\b", re.I)
_NAMED_AT_END = re.compile(r"\b(mục đích|mục tiêu|yêu cầu|quan điểm|nhiệm vụ|giải pháp)\s*:\s*$", re.I)
_CLOSING_REQUEST = re.compile(r"^[^,.;:]{0,80}\byêu cầu\b", re.I)
_COUNTED_HEADING = re.compile(r"^(\d{1,2})\s+(\w+(?:\s+vụ|\s+pháp|\s+điểm|\s+tiêu)?)\b", re.I)
_NOUNS = {"nhiệm vụ": "Nhiệm vụ", "giải pháp": "Giải pháp", "quan điểm": "Quan điểm", "mục tiêu": "Mục tiêu"}

ATTACHED = "Văn bản kèm theo"  # a text attached after the signature, when its title line cites a document
# Levels of the heading stack, outermost first: item "1." is a khoản, "1.1." and "1.1.1." are tiểu mục.
PART, CHAPTER, SECTION, ARTICLE, KHOAN, SUBITEM, SUBSUBITEM, DIEM = range(8)
NUMBERED = (KHOAN, SUBITEM, SUBSUBITEM)
PREAMBLE_KEY = "mo-dau"
# The text before the first heading: the legal bases and the proposal in the standard layout, else an
# opening of some other kind.
OPENING_KEYS = (PREAMBLE_KEY, BASIS_KEY)
CLOSING_KEYS = (RECIPIENTS_KEY, SIGNATURE_KEY)
# Most characters of a heading kept as a label or context: "Điều 5. <a whole paragraph>" must not
# repeat the paragraph in front of every chunk of the clause.
MAX_HEADING_CHARS = 160


@dataclass
class Node:
    """One heading on the stack: its level, machine key, human label and the words it adds as context."""

    level: int
    key: str
    label: str
    context: str
    noun: str = ""
    count: int = 0
    ordinal: int = 0
    roman: bool = False  # a part numbered "I.", "II." (cited "Mục II")
    title: str = (
        ""  # how the path shows it when its heading has words: "II. Nhiệm vụ", "2.2. Tổ chức bồi dưỡng"
    )


@dataclass
class Clause:
    """A run of paragraphs under one heading path: the unit that chunks never cross."""

    key: str
    label: str
    path: str
    context: str
    spans: list[tuple[int, int]] = field(default_factory=list)


def paragraphs(text: str, start: int = 0) -> Iterator[tuple[int, int]]:
    """(start, end) of each paragraph of text[start:]; a line that starts in lower case continues the last."""
    current: tuple[int, int] | None = None
    offset = start
    for line in text[start:].splitlines(keepends=True):
        body = line.strip()
        line_start = offset + line.index(body) if body else offset
        offset += len(line)
        if not body:
            if current:
                yield current
            current = None
            continue
        span = (line_start, line_start + len(body))
        if current and (body[0].islower() or text[current[1] - 1] == ","):
            current = (current[0], span[1])
        else:
            if current:
                yield current
            current = span
    if current:
        yield current


def _ordinal_number(word: str) -> int:
    return ORDINALS.index(word.lower()) + 1


def _title_case(text: str) -> str:
    text = text.strip(" .:-–")
    return text[:1].upper() + text[1:].lower() if text.isupper() else text[:1].upper() + text[1:]


def _brief(text: str) -> str:
    """A heading cut to MAX_HEADING_CHARS at a space, with an ellipsis when cut."""
    if len(text) <= MAX_HEADING_CHARS:
        return text
    head = text[: MAX_HEADING_CHARS - 1]
    return (head.rsplit(" ", 1)[0] or head).rstrip(" ,;:.") + "…"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:60] or "x"


def _is_heading_like(para: str) -> bool:
    """A short line without final punctuation, e.g. '7 nhiệm vụ và giải pháp' or 'CHẾ ĐỘ CHÍNH TRỊ'; never
    a line that names a document by its number ("(KH 32-KH/BCSĐ, Nhiệm vụ thứ nhất)"): that cites the
    document, and must not become a label of the one it stands in."""
    words = para.split()
    return (
        0 < len(words) <= 12
        and para[-1] not in ".;:,…!?"
        and not para[0].islower()
        and not names_document(para)
    )


class StructureParser:
    """Walks the paragraphs of a document and groups them into clauses under a heading stack."""

    def __init__(self, text: str, body_start: int, title: str) -> None:
        self.text = text
        self.body_start = body_start
        self.title = title
        self.stack: list[Node] = []
        self.clauses: dict[str, Clause] = {}
        self.seen_content = False
        self.header: Header | None = find_header(text, body_start)
        self.spans: list[tuple[int, int]] = []
        self.at = 0  # the paragraph being placed
        self.signed = False  # the signature block has given its signer's name

    def parse(self) -> list[Clause]:
        previous = ""
        self.spans = spans = list(paragraphs(self.text, self.body_start))
        header_end = self.header.end if self.header else self.body_start
        for index, (start, end) in enumerate(spans):
            self.at = index
            para = self.text[start:end]
            if start < header_end:
                self._header_part(start, end)
                continue
            is_last = index == len(spans) - 1
            if _CHROME.match(_BULLETS.sub("", para)) or para == previous:
                continue
            if is_last and self.seen_content and not self._in_closing() and self._is_byline(para):
                continue
            previous = para
            self._place(para, start, end)
        return list(self.clauses.values())

    @staticmethod
    def _is_byline(para: str) -> bool:
        words = para.split()
        return len(words) <= 4 and para[-1] not in ".;:…" and all(w[:1].isupper() for w in words)

    # -- the stack ---------------------------------------------------------------------------------

    def _push(self, node: Node) -> None:
        node.label, node.context = _brief(node.label), _brief(node.context)
        if self.stack and self.stack[0].key in OPENING_KEYS:
            self.stack.pop(0)  # the text before the first heading is no heading's parent
        while self.stack and self.stack[-1].level >= node.level:
            self.stack.pop()
        self.stack.append(node)

    def _innermost(self, level: int) -> Node | None:
        return next((n for n in reversed(self.stack) if n.level == level), None)

    def _add(self, start: int, end: int) -> None:
        if not self.stack:
            self.stack.append(self._opening(self.text[start:end]))
        node_key = "/".join(n.key for n in self.stack)
        clause = self.clauses.get(node_key)
        if clause is None:
            clause = Clause(node_key, self._label(), self._path(), self._context())
            self.clauses[node_key] = clause
        clause.spans.append((start, end))
        self.seen_content = True

    def _label(self) -> str:
        """How people cite the clause: "Điều 5, khoản 2, điểm a", "Mục II, tiểu mục 2.2", "Mục I, khoản 2"."""
        article = self._innermost(ARTICLE)
        top = self.stack[-1]
        if article and top.level >= ARTICLE and article.key.startswith("dieu-"):
            parts = [article.label]
        elif top.level >= KHOAN:
            parts = [n.label for n in self.stack if n.roman][-1:]
        else:
            return top.label
        below = [n for n in self.stack if n.level > ARTICLE]
        # "2.2." says it is inside "2.": the khoản is not repeated before the tiểu mục.
        parts += [n.label for n, deeper in zip_longest(below, below[1:]) if not _implied(n, deeper)]
        return ", ".join([parts[0], *(p[:1].lower() + p[1:] for p in parts[1:])])

    def _opening(self, para: str) -> Node:
        """The part before the first heading: in the standard layout (a header block, then "Căn cứ …",
        "Thực hiện …", "Theo đề nghị của …"), the legal bases and the proposal; else an opening."""
        if self.header and (BASIS_LINE.match(para) or PROPOSAL_LINE.match(para)):
            return Node(SECTION, BASIS_KEY, BASIS_LABEL, "")
        return Node(SECTION, PREAMBLE_KEY, "Phần mở đầu", "")

    def _path(self) -> str:
        return " > ".join(n.title or n.label for n in self.stack)

    def _context(self) -> str:
        return " — ".join(n.context for n in self.stack if n.context)

    # -- classification ----------------------------------------------------------------------------

    def _place(self, para: str, start: int, end: int) -> None:
        para = _MARKDOWN_HEADING.sub("", para)  # "## Điều 1. …" reads as "Điều 1. …"
        if m := _PART.match(para):
            self._heading(PART, f"phan-{_slug(m[2])}", f"Phần {m[2]}", para, start, end)
        elif m := _CHAPTER.match(para):
            self._heading(CHAPTER, f"chuong-{_slug(m[2])}", f"Chương {m[2]}", para, start, end)
        elif m := _SECTION.match(para):
            self._heading(SECTION, f"muc-{_slug(m[2])}", f"Mục {m[2]}", para, start, end)
        elif m := _ARTICLE.match(para):
            label = f"Điều {m[1]}"
            self._push(Node(ARTICLE, f"dieu-{m[1]}", label, f"{label}. {m[2]}".strip(" .")))
            if m[2]:
                self._add(start, end)
        elif (m := _ORDINAL.match(para)) and self._accepts_ordinal():
            self._ordinal(_ordinal_number(m[1]), start, end)
        elif RECIPIENTS_HEADING.match(para) and self.seen_content:
            self._push(Node(PART, RECIPIENTS_KEY, RECIPIENTS_LABEL, ""))
            self._add(start, end)
        elif self.seen_content and self._opens_signature(para):
            if not self._in_signature():
                self._push(Node(PART, SIGNATURE_KEY, SIGNATURE_LABEL, ""))
                self.signed = False
            self._add(start, end)
        elif self._in_signature() and not self.signed and (is_signer_title(para) or is_person_name(para)):
            self.signed = is_person_name(para)  # the signer's title, then name
            self._add(start, end)
        elif self._in_closing() and not (para.isupper() and (self.signed or len(para.split()) >= 3)):
            self._add(start, end)  # recipients; what follows the signer's name
        elif self._in_closing():
            # A text attached after the signature (a programme, a regulation) starts a part of its own,
            # named by its title line unless that line cites a document.
            label = ATTACHED if names_document(para) else _title_case(para)
            self._push(Node(PART, f"phu-luc-{_slug(label)}", label, label))
            self._add(start, end)
        elif (m := _KHOAN.match(para)) and self._numbered_items():
            context = _item_context(para, f"khoản {m[1]}")
            self._push(Node(KHOAN, f"khoan-{m[1]}", f"Khoản {m[1]}", context, title=_item_title(para)))
            self._add(start, end)
        elif (m := _SUBITEM.match(para)) and self._numbered_items():
            level = SUBITEM if m[1].count(".") == 1 else SUBSUBITEM
            key, label = f"tieu-muc-{m[1].replace('.', '-')}", f"Tiểu mục {m[1]}"
            self._push(Node(level, key, label, _item_context(para, label.lower()), title=_item_title(para)))
            self._add(start, end)
        elif (m := _DIEM.match(para)) and (self._numbered_items() or self._innermost(KHOAN)):
            self._push(Node(DIEM, f"diem-{m[1]}", f"Điểm {m[1]}", f"điểm {m[1]}"))
            self._add(start, end)
        elif self._closes_list(para):
            self._named("Yêu cầu", start, end)
        elif m := self._named_section(para):
            self._named(_title_case(m[1]), start, end)
        elif m := _ROMAN.match(para):
            title = f"{m[1]}. {_title_case(m[2])}"
            node = Node(
                SECTION, f"muc-{m[1].lower()}", f"Mục {m[1]}", para.strip(" ."), roman=True, title=title
            )
            self._push(node)
            self._add(start, end)
        elif para.isupper() and len(para.split()) <= 15:
            self._uppercase(para, start, end)
        elif _is_heading_like(para) and self.seen_content and not self._in_list() and not self._in_article():
            self._generic_heading(para, start, end)
        else:
            self._content(start, end)

    def _heading(self, level: int, key: str, label: str, para: str, start: int, end: int) -> None:
        self._push(Node(level, key, label, para.strip(" .")))
        self._add(start, end)

    def _header_part(self, start: int, end: int) -> None:
        """A paragraph of the header block: issuing body, motto, number, date, kind and summary."""
        if not self.stack:
            self.stack.append(Node(PART, HEADER_KEY, HEADER_LABEL, ""))
        self._add(start, end)
        self.stack.clear()
        self.seen_content = False

    def _in_article(self) -> bool:
        """Inside a law's article, a short line with no final stop (a table cell, "3.1") is its content."""
        article = self._innermost(ARTICLE)
        return article is not None and article.key.startswith("dieu-")

    def _in_closing(self) -> bool:
        return bool(self.stack) and self.stack[0].key in CLOSING_KEYS

    def _in_signature(self) -> bool:
        return bool(self.stack) and self.stack[0].key == SIGNATURE_KEY

    def _opens_signature(self, para: str) -> bool:
        """A capacity line ("TM. CHÍNH PHỦ", "KT. CHỦ TỊCH"), the mark "(đã ký)", or a signer's title
        with no mark at all ("CHỦ TỊCH QUỐC HỘI") when a person's name comes next."""
        if capacity_line().match(para) or SIGNED_MARK.match(para):
            return True
        if not is_signer_title(para) or (self._in_signature() and not self.signed):
            return False
        following = [self.text[a:b] for a, b in self.spans[self.at + 1 : self.at + 3]]
        following = [p for p in following if not SIGNED_MARK.match(p)]
        return bool(following) and is_person_name(following[0])

    def _numbered_items(self) -> bool:
        """'1.', '1.1.', 'a)' number clauses in an article, a part "I.", or a document with a header block."""
        return bool(self._innermost(ARTICLE) or any(n.roman for n in self.stack) or self.header)

    def _uppercase(self, para: str, start: int, end: int) -> None:
        top = self.stack[-1] if self.stack else None
        if (
            top
            and top.level in (PART, CHAPTER, SECTION)
            and (clause := self.clauses.get(self._key())) is not None
            and len(clause.spans) == 1
            and (
                re.fullmatch(r"(phan|chuong|muc|phu-luc)-[\w-]+", top.key)
                and top.key not in _NAMED_KEYS
                and not top.roman
            )
        ):
            # The title line of a Chương or Phần: part of its heading clause.
            top.context = _brief(f"{top.context}. {_title_case(para)}")
            self.clauses[self._key()].context = self._context()
            self.clauses[self._key()].spans.append((start, end))
        elif not self.seen_content:
            self._content(start, end)
        elif names_document(para):
            self._content(start, end)  # "THEO KẾ HOẠCH 32-KH/BCSĐ" cites a document: not a heading
        else:
            label = _title_case(para)
            self._push(Node(SECTION, _slug(label), label, label))

    def _generic_heading(self, para: str, start: int, end: int) -> None:
        counted = _COUNTED_HEADING.match(para)
        label = _title_case(re.sub(r"^\d+\s+", "", para))
        noun = next((v for k, v in _NOUNS.items() if k in para.lower()), "")
        node = Node(SECTION, _slug(label), label, label, noun=noun, count=int(counted[1]) if counted else 0)
        self._push(node)
        self._add(start, end)

    def _named(self, label: str, start: int, end: int) -> None:
        noun = _NOUNS.get(label.lower(), "")
        self._push(Node(SECTION, _slug(label), label, label, noun=noun))
        self._add(start, end)

    def _ordinal(self, number: int, start: int, end: int) -> None:
        parent = self._innermost(SECTION)
        noun = parent.noun if parent and parent.noun else "Nội dung"
        label = f"{noun} thứ {ORDINALS[number - 1]}"
        self._push(Node(ARTICLE, f"thu-{number}", label, label, ordinal=number))
        self._add(start, end)

    def _content(self, start: int, end: int) -> None:
        self._add(start, end)

    def _key(self) -> str:
        return "/".join(n.key for n in self.stack)

    def _in_list(self) -> bool:
        return bool(self.stack) and self.stack[-1].ordinal > 0

    def _accepts_ordinal(self) -> bool:
        return not self._innermost(ARTICLE) or self._in_list()

    def _named_section(self, para: str) -> re.Match[str] | None:
        """'Mục đích của Kế hoạch…' or '…ban hành Kế hoạch nhằm mục đích:' opens a named part.

        Never inside an article or a numbered item: there "Mục đích của đánh giá…" is a sentence.
        """
        if self._in_list() or self._innermost(ARTICLE) or self._innermost(KHOAN):
            return None
        if self.seen_content and (m := _NAMED.match(para)):
            return m
        return _NAMED_AT_END.search(para) if len(para) < 400 else None

    def _closes_list(self, para: str) -> bool:
        """After the last announced item ('7 nhiệm vụ' → Thứ bảy), '… yêu cầu …' starts Yêu cầu."""
        if not self._in_list():
            return False
        parent = self._innermost(SECTION)
        announced = parent.count if parent else 0
        return announced > 0 and self.stack[-1].ordinal >= announced and bool(_CLOSING_REQUEST.match(para))


_NAMED_KEYS = {"muc-dich", "muc-tieu"}


def _item_context(para: str, fallback: str) -> str:
    """A numbered item's words as context when it is a heading ("2. Yêu cầu"), else its number."""
    return para.strip(" .") if _is_heading_like(para) else fallback


def _item_title(para: str) -> str:
    """A numbered item's heading as the path shows it ("2.2. Tổ chức bồi dưỡng"), '' when it is a sentence."""
    return _brief(para.strip(" .:")) if _is_heading_like(para) else ""


def _implied(node: Node, deeper: Node | None) -> bool:
    """A numbered item followed on the path by a deeper numbered one ("2." before "2.2.")."""
    return node.level in NUMBERED and deeper is not None and deeper.level in NUMBERED


def parse_document(text: str, body_start: int = 0, title: str = "") -> tuple[Header | None, list[Clause]]:
    """The header block (if any) and the clauses of a document body, in reading order."""
    parser = StructureParser(text, body_start, title)
    return parser.header, parser.parse()


def parse_clauses(text: str, body_start: int = 0, title: str = "") -> list[Clause]:
    """Clauses of a document body, in reading order, each with its paragraph spans in `text`."""
    return parse_document(text, body_start, title)[1]
