"""Synonym groups (data/synonyms.txt): a text is read with the other members of every group it uses."""

from __future__ import annotations

import re
from functools import cache

from assistant.language.datafiles import data_text
from assistant.language.text import canonical, fold


def parse_groups(text: str) -> list[tuple[str, ...]]:
    """Groups of a synonyms file (lower case, NFC): one a line, members split at commas not written '\\,'."""
    groups = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        members = [" ".join(canonical(m.replace("\\,", ",")).split()) for m in re.split(r"(?<!\\),", line)]
        members = [m for m in members if m]
        if len(members) >= 2:
            groups.append(tuple(dict.fromkeys(members)))
    return groups


class Synonyms:
    """Finds the groups a text uses and spells out their other members."""

    def __init__(self, groups: list[tuple[str, ...]]) -> None:
        self.groups = groups
        self._member = {_words(m): i for i, group in enumerate(groups) for m in group}
        members = sorted(self._member, key=len, reverse=True)
        self._rx = re.compile(rf"\b(?:{'|'.join(map(re.escape, members))})\b") if members else None

    def used(self, text: str) -> set[int]:
        """Indexes of the groups whose members appear in text (any case, with or without diacritics)."""
        if self._rx is None:
            return set()
        return {self._member[m[0]] for m in self._rx.finditer(_words(text))}

    def expand(self, text: str) -> str:
        """The text followed by the members of every group it uses, for matching only."""
        extra = [m for i in sorted(self.used(text)) for m in self.groups[i]]
        return f"{text}\n{' ; '.join(extra)}" if extra else text


def _words(text: str) -> str:
    """Folded words joined by single spaces: the form members are matched in."""
    return " ".join(re.findall(r"\w+", fold(text)))


@cache
def synonyms() -> Synonyms:
    """The project's synonym list."""
    return Synonyms(parse_groups(data_text("synonyms.txt")))
