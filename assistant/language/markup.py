"""Text safety for Markdown output: escape document text (and keep its web addresses from becoming links),
and find the cited sentences inside a passage."""

from __future__ import annotations

import re
from collections.abc import Sequence

# Marks that mean something in Markdown or Streamlit's extensions; CommonMark lets any ASCII punctuation be
# backslash-escaped, so escaping these makes text literal (no emphasis, links, HTML, lists, `:red[…]`, `$x$`).
_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=^])")
_COMMONMARK = re.compile(r"([\\`*_\[\]<>|~&])")
_LINE_START = re.compile(r"(?m)^(\s*(?:\d{1,9})?)([#+\-.)=>])(?=[\s=\-]|$)")
# GFM links bare addresses by itself ("autolink literals": Streamlit's Markdown and most Markdown readers),
# after escapes are read, so escaping cannot stop it: `http://` and `https://`, `www.`, and e-mail
# addresses. A word joiner (U+2060: invisible, no line break) inside each of those marks leaves the text
# as it reads and is no address any more: a document's web address is shown, never a link to click.
WORD_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?i)(?<=http)(?=://)|(?<=https)(?=://)|(?<=www)(?=\.)|(?<=@)(?=[\w-])")


def escape_markdown(text: str, streamlit: bool = True) -> str:
    """Text that Markdown shows exactly as written (HTML tags included, as text; web and e-mail addresses
    as text, not links: see unlinked).

    With streamlit=False (files for any Markdown reader) only what CommonMark itself treats as markup is
    escaped, so the file stays readable as plain text.
    """
    text = unlinked(text)
    if streamlit:
        return _PUNCTUATION.sub(r"\\\1", text)
    text = _COMMONMARK.sub(r"\\\1", text)
    return _LINE_START.sub(r"\1\\\2", text)


def unlinked(text: str) -> str:
    """The text with a word joiner inside each mark that GFM would turn into a link (`http://`, `www.`,
    an e-mail's `@`): it reads the same, and no Markdown reader makes a link of it."""
    return _AUTOLINK.sub(WORD_JOINER, text)


def split_quotes(text: str, quotes: Sequence[str]) -> list[tuple[str, bool]]:
    """text cut into (piece, is_quoted) pieces, in order, where the quoted pieces are the given quotes."""
    spans: list[tuple[int, int]] = []
    for quote in quotes:
        words = quote.split()
        if not words:
            continue
        pattern = r"\s+".join(re.escape(w) for w in words)  # the passage may wrap lines differently
        for match in re.finditer(pattern, text):
            if not any(s < match.end() and match.start() < e for s, e in spans):
                spans.append(match.span())
    pieces: list[tuple[str, bool]] = []
    at = 0
    for start, end in sorted(spans):
        if start > at:
            pieces.append((text[at:start], False))
        pieces.append((text[start:end], True))
        at = end
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces


# A sentence a check found wanting stands in an answer with this mark before it (and no [n] after it).
FLAG_MARK = "⚠"


def split_flagged(text: str, flagged: Sequence[str]) -> list[tuple[str, bool]]:
    """An answer's text cut into (piece, is_flagged) pieces, the flagged pieces being the marked sentences
    ("⚠ " and the sentence as the flag names it)."""
    return split_quotes(text, [f"{FLAG_MARK} {sentence}" for sentence in flagged])


# Angle brackets (and the characters that read as them) in text put between a prompt's tags, so that a
# document's "</doan><doan so="1">" is text, not a tag.
_BRACKETS = str.maketrans(dict.fromkeys("<＜﹤‹〈⟨", "&lt;") | dict.fromkeys(">＞﹥›〉⟩", "&gt;"))


def tagged(text: str) -> str:
    """Text to put between a prompt's tags: & < > (and look-alike brackets) as entities."""
    return text.replace("&", "&amp;").translate(_BRACKETS)
