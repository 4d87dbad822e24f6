"""CSV for spreadsheets: a cell a spreadsheet would read as a formula is written as text."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

# Excel, LibreOffice and Google Sheets start a formula (or DDE call) at these characters.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text cell that would start a formula gets a leading apostrophe (shown as text, not run): also
    after leading spaces ("   =HYPERLINK(…)"), which spreadsheets skip before reading a formula."""
    if isinstance(value, str) and value.lstrip(" \u00a0").startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text with every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue()
