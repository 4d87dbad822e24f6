"""The standard parts of an administrative document in the layout of Nghị định 30/2020/NĐ-CP, as people
name them: the preamble of legal bases and proposal ("Phần căn cứ"), the signature block ("Phần ký": the
capacity lines "TM.", "KT.", "TL.", "TUQ.", "Q.", the signer's title and name), the recipients ("Nơi
nhận"); and how their lines, and the sentence that says from when a document takes effect, read. Ingest
labels the parts with these names; answers find them by them."""

from __future__ import annotations

import re
from functools import cache

from assistant.language.datafiles import data_lines
from assistant.language.text import canonical

BASIS_KEY, BASIS_LABEL = "can-cu", "Phần căn cứ"
SIGNATURE_KEY, SIGNATURE_LABEL = "phan-ky", "Phần ký"
RECIPIENTS_KEY, RECIPIENTS_LABEL = "noi-nhan", "Nơi nhận"
RECIPIENTS_HEADING = re.compile(r"^Nơi nhận\s*:", re.IGNORECASE)

# A preamble line that states a legal basis ("Căn cứ Luật …;", "Thực hiện Nghị quyết …", "Trên cơ sở …")
# or the proposal ("Theo đề nghị của Bộ trưởng …;", "Xét đề nghị của …").
BASIS_LINE = re.compile(r"^(?:Căn cứ|Thực hiện|Trên cơ sở)\b", re.IGNORECASE)
PROPOSAL_LINE = re.compile(r"^(?:Theo|Xét)\s+đề (?:nghị|xuất)\b", re.IGNORECASE)
# The mark left where the signature is: "(đã ký)", "(Ký, đóng dấu)".
SIGNED_MARK = re.compile(r"^[^\w(]*\(\s*(?:đã\s+ký|ký)\b[^()]{0,40}\)[^\w]*$", re.IGNORECASE)
# "Nghị định này có hiệu lực thi hành (kể) từ ngày …", "Luật này có hiệu lực từ …" (lower case).
_EFFECT = re.compile(
    r"\bnày\s+(?:chính thức\s+|bắt đầu\s+)?có hiệu lực"
    r"(?:\s+(?:thi hành|pháp luật|kể))*\s*,?\s*(?:từ|kể từ|sau)\b"
)


def states_effect(sentence: str) -> bool:
    """The sentence says from when the document itself takes effect ("Nghị định này có hiệu lực thi hành
    kể từ ngày ký."), not when another does ("… hết hiệu lực kể từ ngày Nghị định này có hiệu lực")."""
    return bool(_EFFECT.search(canonical(sentence)))


def is_person_name(line: str) -> bool:
    """A line that is a person's name as a signature block writes it: two to five words, each capitalised
    and the rest in lower case, nothing else ("Nguyễn Lê Huy", "Phạm Thị Thanh Trà")."""
    words = line.split()
    return 2 <= len(words) <= 5 and all(
        w.isalpha() and w[0].isupper() and (len(w) == 1 or w[1:].islower()) for w in words
    )


def is_signer_title(line: str) -> bool:
    """A line that can be a signer's title or capacity: upper case, short, no final stop
    ("PHÓ CHỦ TỊCH THƯỜNG TRỰC", "KT. BỘ TRƯỞNG", "CHỦ TỊCH QUỐC HỘI")."""
    words = line.split()
    return 1 <= len(words) <= 10 and line.isupper() and line[-1] not in ".;:,"


def _rows(kind: str) -> list[tuple[str, str]]:
    rows = (line.split("\t") for line in data_lines("document_parts.tsv"))
    return [(a, b) for k, a, b in rows if k == kind]


@cache
def _cues() -> dict[str, re.Pattern[str]]:
    """What a sentence that speaks of a part says, by the part's shape value (data/document_parts.tsv)."""
    return {part: re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE) for part, words in _rows("cue")}


def speaks_of(part: str, sentence: str) -> bool:
    """Whether a sentence says something of a part (a shape value: "signer", "effect", …): a capacity line
    or "ký", "thay mặt" for the signer, "hiệu lực" for the effect, "căn cứ" for the legal bases …"""
    if part == "signer" and capacity_line().match(sentence.strip()):
        return True
    cue = _cues().get(part)
    return bool(cue and cue.search(canonical(sentence)))


@cache
def missing_part(part: str) -> str:
    """How a refusal names a part the document lacks ("người ký và chức vụ người ký", "ngày có hiệu lực")."""
    return dict(_rows("missing")).get(part, part)


@cache
def capacities() -> dict[str, str]:
    """What each capacity mark of a signature block means ("KT" -> "ký thay"), data/document_parts.tsv."""
    return dict(_rows("capacity"))


@cache
def capacity_line() -> re.Pattern[str]:
    """A signature block's capacity line: a mark, its stop, then the body or title ("KT. CHỦ TỊCH")."""
    return re.compile(rf"^({'|'.join(map(re.escape, capacities()))})\.\s*\S")
