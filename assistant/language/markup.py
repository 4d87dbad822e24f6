"""Text safety for Markdown output: escape document text, and find the cited sentences inside a passage."""

from __future__ import annotations

import re
from collections.abc import Sequence

# Marks that mean something in Markdown or Streamlit's extensions; CommonMark lets any ASCII punctuation be
# backslash-escaped, so escaping these makes text literal (no emphasis, links, HTML, lists, `:red[…]`, `$x$`).
_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=^])")
_COMMONMARK = re.compile(r"([\\`*_\[\]<>|~&])")
_LINE_START = re.compile(r"(?m)^(\s*(?:\d{1,9})?)([#+\-.)=>])(?=[\s=\-]|$)")


def escape_markdown(text: str, streamlit: bool = True) -> str:
    """Text that Markdown shows exactly as written (HTML tags included, as text).

    With streamlit=False (files for any Markdown reader) only what CommonMark itself treats as markup is
    escaped, so the file stays readable as plain text.
    """
    if streamlit:
        return _PUNCTUATION.sub(r"\\\1", text)
    text = _COMMONMARK.sub(r"\\\1", text)
    return _LINE_START.sub(r"\1\\\2", text)


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
