"""One identity for names that look alike: a document's title, number and id, an account's name.

`identity_key` is for comparing only; the text kept and shown is always the text as written. Two names
have the same key when a reader could not tell them apart: the same letters in another case or width
(NFKC: "３２" is "32"), with invisible characters (zero-width space, soft hyphen…), with any dash for a
hyphen and spaces around it ("32 – KH" is "32-KH"), or with letters of another script that look like
Latin ones (Cyrillic "К", Greek "Ο"), following Unicode's confusables as UTS #39 skeletons do, with the
data of the `confusable-homoglyphs` package.

Vietnamese letters survive: only characters whose look-alike prototype is plain Latin (ASCII letters,
digits, punctuation, combining marks) are folded, after the text is decomposed, so the tone and vowel
marks of "Kế hoạch" are kept ("Ke hoach" is another key) and "đ" is never "d".
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from assistant.language.text import D_LOOKALIKES

# Every dash and hyphen that reads as "-": hyphen, non-breaking hyphen, figure dash, en and em dash,
# horizontal bar, minus sign, hyphen bullet, modifier minus, two- and three-em dash, small and full-width
# hyphen-minus and em dash.
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\u02d7\u2e3a\u2e3b\ufe58\ufe63\uff0d"
_DASH_TABLE = dict.fromkeys(map(ord, DASHES), "-")
# Characters that show nothing: every format character (zero-width space and joiners, word joiner,
# byte-order mark, soft hyphen, direction marks and overrides, tags…), plus the combining grapheme
# joiner, variation selectors and the Hangul fillers, which are not format characters but print blank.
_INVISIBLE_EXTRA = {0x034F, 0x115F, 0x1160, 0x180B, 0x180C, 0x180D, 0x180F, 0x3164, 0xFFA0}
_INVISIBLE_EXTRA.update(range(0xFE00, 0xFE10))
_INVISIBLE_EXTRA.update(range(0xE0100, 0xE01F0))
# The marks that make Vietnamese letters: grave, acute, circumflex, tilde, breve, hook above, horn,
# dot below. Never folded (none is a look-alike source in Unicode's data; this makes sure).
VIETNAMESE_MARKS = "\u0300\u0301\u0302\u0303\u0306\u0309\u031b\u0323"
_KEEP = set(VIETNAMESE_MARKS) | {"đ", "Đ"}
_SPACED_HYPHEN = re.compile(r"(?<=\w)\s*-\s*(?=\w)")
# Unicode's prototype of đ/Đ is d/D with a short stroke overlay (so Ð, Ɖ and đ typed as d + U+0335
# look alike); written back as the Vietnamese letter.
_STROKED_D = (("D\u0335", "Đ"), ("d\u0335", "đ"))


def _invisible(ch: str) -> bool:
    return unicodedata.category(ch) == "Cf" or ord(ch) in _INVISIBLE_EXTRA


def _plain_latin(text: str) -> bool:
    """A prototype a look-alike may be folded to: printable ASCII and combining marks only."""
    return all((ch.isascii() and ch.isprintable()) or unicodedata.category(ch) in ("Mn", "Me") for ch in text)


@cache
def prototypes() -> dict[str, str]:
    """Look-alike character -> its Latin prototype ("а" Cyrillic -> "a", "Κ" Greek -> "K", "ı" -> "i").

    The package keeps Unicode's confusables.txt (each line "source → prototype") in both directions.
    The direction comes back from its shape: a prototype is never a source, and a source has exactly one
    prototype, so a character whose one look-alike has several of its own (or is a sequence) is a source.
    A pair that only looks like each other goes to its smaller code point (ASCII when one side is).

    One change: Unicode reads "I" as "l", but the key folds case first, so "ADMIN" is "admin"; an I-shaped
    capital (Greek Ι, Cyrillic І, palochka Ӏ) is read as "I" to match, so that "NGHỊ QUYẾT… KHÓA XІІІ" with
    Cyrillic І is "khóa xiii" too. (Hence "admIn" and "admln" keep two keys, as they do in lower case.)
    """
    # Not at import: the package parses its confusables table (~90 ms) when imported, and most runs (a
    # question from the command line, a chat session) compare no name.
    from confusable_homoglyphs.confusables import confusables_data

    found: dict[str, str] = {}
    for char, entries in confusables_data.items():
        if len(char) != 1 or len(entries) != 1 or char in _KEEP:
            continue
        target = entries[0]["c"]
        pair_only = len(target) == 1 and len(confusables_data.get(target, ())) == 1
        if (not pair_only or target < char) and _plain_latin(target):
            if unicodedata.category(char) == "Lu":
                target = target.replace("l", "I")  # I-shaped capitals: see above
            if target != char:
                found[char] = unicodedata.normalize("NFD", target)
    return found


@cache
def _tables() -> tuple[dict[int, str], dict[int, str]]:
    """str.translate tables: look-alikes outside ASCII (before case folding), and all of them."""
    every = {ord(c): p for c, p in prototypes().items()}
    return {k: v for k, v in every.items() if k > 0x7F}, every


def _fold_lookalikes(text: str, table: dict[int, str]) -> str:
    text = unicodedata.normalize("NFC", unicodedata.normalize("NFD", text).translate(table))
    for stroked, letter in _STROKED_D:
        text = text.replace(stroked, letter)
    return text


def skeleton(text: str) -> str:
    """The text as it reads, case kept: NFKC, invisible characters dropped, every dash a hyphen and no
    spaces around one between words, look-alike letters as their Latin prototype, whitespace collapsed.
    Vietnamese letters are kept as they are (NFC)."""
    # Look-alikes are folded before NFKD as well as after: NFKD splits some of them ("˛", read as "i",
    # becomes a space and a combining ogonek).
    text = unicodedata.normalize("NFD", text.translate(D_LOOKALIKES)).translate(_tables()[0])
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not _invisible(ch)).translate(_DASH_TABLE)
    text = _fold_lookalikes(text, _tables()[0])
    return " ".join(_SPACED_HYPHEN.sub("-", text).split())


def identity_key(text: str) -> str:
    """The key under which two names are one: the skeleton, case-folded, then with the look-alikes
    inside ASCII folded too ("0" as "o", "1" and "|" as "l", "m" as "rn"). For comparing, never for
    showing or storing."""
    text = _fold_lookalikes(skeleton(text).casefold(), _tables()[1]).casefold()
    return " ".join(_SPACED_HYPHEN.sub("-", text).split())
