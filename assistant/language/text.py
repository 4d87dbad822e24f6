"""Text primitives shared by ingest and retrieval: NFC, diacritic folding, syllables, sentences."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from itertools import pairwise

# Characters that look like Đ/đ in scanned or web text; U+00D0 (Icelandic eth) is common in the corpus.
D_LOOKALIKES = str.maketrans({"\u00d0": "Đ", "\u00f0": "đ", "\u0189": "Đ", "\u0256": "đ"})
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_SYLLABLE = re.compile(r"\w+", re.UNICODE)
# A sentence may end after . ! ? … or their full-width forms (and closing quotes or brackets) followed by
# whitespace; it does when the next word starts with an upper-case letter or a digit. A line break ends one
# unless the next line starts in lower case (a wrapped line, as in "Thứ bảy,\ntăng cường…").
_SENTENCE_BREAK = re.compile(r"""[.!?…．！？]+["”’)\]]*[ \t\u00a0]+|\s*\n\s*""")
# "1." "a)" "IV." at the start of a paragraph number it; they are not sentences of their own.
_LIST_MARKER = re.compile(r"(\d{1,3}(?:\.\d{1,3}){0,2}|[IVXLC]{1,6}|[a-zđ])[.)]")
_OPENERS = '"“‘([-–•'
# Lone surrogates (bytes that were not UTF-8, or an escaped "\udc80") and control characters other than
# tab and line breaks: never part of a question or a message someone typed.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def nfc(text: str) -> str:
    """Unicode NFC with zero-width characters removed: the form every text takes at the boundary."""
    return unicodedata.normalize("NFC", text.translate(_ZERO_WIDTH))


class _FoldTable(dict[int, str]):
    """str.translate table, filled on first sight of each character: its NFD form without combining
    marks, đ as d. NFD(NFC(s)) is NFD(s), so folding NFC text character by character loses nothing."""

    def __missing__(self, code: int) -> str:
        decomposed = unicodedata.normalize("NFD", chr(code))
        folded = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn").replace("đ", "d")
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Lower-case text with Vietnamese diacritics removed ("Đổi mới" -> "doi moi")."""
    return _fold_short(text) if len(text) <= _SHORT else _fold(text)


# Short texts (headings, words, sentences) are folded again and again as questions are answered: over a
# library of 11,000 chunks the same clause contexts were folded ~5,000 times a question, ~50 ms of it.
_SHORT = 300


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text.translate(D_LOOKALIKES).lower()).translate(_FOLD)


_fold_short = lru_cache(maxsize=1 << 16)(_fold)


def canonical(text: str) -> str:
    """Lower-case NFC text with look-alike letters mapped to Vietnamese ones (Ð -> Đ)."""
    return unicodedata.normalize("NFC", text.translate(D_LOOKALIKES)).lower()


def syllables(text: str) -> list[str]:
    """Lower-case syllables (Vietnamese words are written as space-separated syllables)."""
    return _SYLLABLE.findall(canonical(text))


def folded_syllables(text: str) -> list[str]:
    """Syllables without diacritics, for matching text typed without dấu or with OCR slips."""
    return _SYLLABLE.findall(fold(text))


def safe_id(name: str) -> str:
    """A document id from a file name: NFC, every whitespace character (line break, tab…) a space, and
    every control, format (right-to-left override…) or unassigned character an underscore, so that an id
    prints on one line as it reads. Other names (the bundled corpus's among them) are left as they are."""
    return "".join(
        " " if ch.isspace() else "_" if unicodedata.category(ch).startswith("C") else ch for ch in nfc(name)
    )


def shown_name(name: str) -> str:
    """A file name for display on one line: control and format characters written as \\uXXXX escapes."""
    return "".join(
        f"\\u{ord(ch):04x}" if unicodedata.category(ch).startswith("C") or ch in "\n\r\t" else ch
        for ch in name
    )


def text_problem(text: str) -> str | None:
    """Why typed text cannot be used (Vietnamese, for "<what> có …"), or None when it can."""
    if _SURROGATE.search(text):
        return "byte hoặc ký tự không hợp lệ (không phải UTF-8)"
    if _CONTROL.search(text):
        return "ký tự điều khiển không hợp lệ (như NUL)"
    return None


def with_bigrams(words: list[str]) -> list[str]:
    """Words followed by each pair of neighbouring words joined by a space."""
    return words + [f"{a} {b}" for a, b in pairwise(words)]


def vi_number(n: int) -> str:
    """A whole number as Vietnamese writes it: 20.000."""
    return f"{n:,}".replace(",", ".")


def file_size(size: int) -> str:
    """A size in bytes as Vietnamese writes it: "512 byte", "40,5 KB", "21 MB", "1.536,2 MB"."""
    if size < 1024:
        return f"{size} byte"
    unit, value = ("KB", size / 1024) if size < 1024 * 1024 else ("MB", size / 1024 / 1024)
    whole, _, tenth = f"{value:.1f}".partition(".")
    number = vi_number(int(whole)) + ("" if tenth == "0" else f",{tenth}")
    return f"{number} {unit}"


def duration(seconds: float) -> str:
    """A duration as Vietnamese writes it, rounded: "40 giây", "19 phút", "2 giờ 5 phút"."""
    if seconds < 60:
        return f"{max(round(seconds), 1)} giây"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} phút"
    return f"{minutes // 60} giờ" + (f" {minutes % 60} phút" if minutes % 60 else "")


def has_diacritics(text: str) -> bool:
    """True when any letter of text carries a Vietnamese diacritic (or is đ)."""
    return fold(text) != text.lower()


def sentence_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence in text, trimmed of surrounding whitespace; never empty."""
    start = 0
    for match in _SENTENCE_BREAK.finditer(text):
        newline = "\n" in match.group()
        if (newline and not _continues(text, match.end())) or (
            _starts_sentence(text, match.end())
            and not _LIST_MARKER.fullmatch(text[start : match.start() + 1].strip())
        ):
            end = match.start() if newline else match.end()
            yield from trimmed_span(text, start, end)
            start = match.end()
    yield from trimmed_span(text, start, len(text))


def _continues(text: str, at: int) -> bool:
    """A line starting in lower case (and not with a point marker such as 'a)') continues the last."""
    return text[at : at + 1].islower() and not _LIST_MARKER.match(text, at)


def _starts_sentence(text: str, at: int) -> bool:
    while at < len(text) and text[at] in _OPENERS:
        at += 1
    return at >= len(text) or text[at].isupper() or text[at].isdigit()


def trimmed_span(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """(start, end) moved inwards past whitespace; nothing when only whitespace is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        yield start, end
