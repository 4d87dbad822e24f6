"""Sabotage suite: corrupt a run's answers one fault type at a time and count how many corrupted
sentences the support checker flags, and how many meaning-preserving rewrites it wrongly flags.

`python -m evals sabotage` runs it on the answers of a results.json (see evals/README.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from assistant import Answer
from assistant.answering.support import Verdict
from assistant.language.datafiles import data_text
from assistant.language.shapes import directions, negations
from assistant.language.synonyms import synonyms
from assistant.language.text import fold
from evals.claims import Claim, split_claims
from evals.judge import LLMJudge
from evals.metrics import Judge, citation_scores

# Invented predicates put after the opening words of a sentence ("invented" fault).
INVENTED = (
    "phải hoàn thành việc sáp nhập các cơ quan trước cuối nhiệm kỳ",
    "được cấp thêm ngân sách để thuê chuyên gia nước ngoài",
    "chịu trách nhiệm thu phí các dịch vụ công trực tuyến",
    "được miễn thanh tra, kiểm tra trong năm đầu thực hiện",
    "do các hiệp hội nghề nghiệp tự bầu ra và giám sát",
)
FAULTS = (
    "body", "document", "number", "add_negation", "drop_negation", "direction",
    "wrong_citation", "invented", "dangling_marker",
)  # fmt: skip
CONTROLS = ("synonym", "lead", "order", "trim")
# What the suite asks of a checker: this share of every fault type flagged, at most this share of controls.
MIN_FLAGGED = 0.95
MAX_CONTROLS_FLAGGED = 0.05
UNKNOWN = "(không rõ)"
_WORDS = re.compile(r"\w+")
_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class Case:
    """One sentence to check: its text, its markers and the passages the answer cites (by number)."""

    kind: str
    original: str
    text: str
    markers: tuple[int, ...]
    sources: dict[int, str]


@dataclass
class Tally:
    """Cases and flagged cases of one fault or control type, with a few flagged examples kept."""

    cases: int = 0
    flagged: int = 0
    unknown: int = 0  # an LLM judge's unusable replies (counted as flagged)
    examples: list[dict[str, str]] = field(default_factory=list)

    @property
    def share(self) -> float | None:
        return self.flagged / self.cases if self.cases else None


def _names() -> dict[str, list[str]]:
    text = resources.files("evals").joinpath("data/sabotage_names.tsv").read_text(encoding="utf-8")
    names: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            kind, name = line.split("\t")
            names.setdefault(kind, []).append(name.strip())
    return names


def _find(text: str, phrase: str) -> re.Match[str] | None:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text)


def _folded_in(phrase: str, sources: Iterable[str]) -> bool:
    def words(text: str) -> str:
        return f" {' '.join(_WORDS.findall(fold(text)))} "

    return words(phrase) in words(" ".join(sources))


def swap_name(kind: str) -> Callable[[str, Sequence[str]], str | None]:
    """Replace the first name of the kind in the sentence with the next one the sources lack."""
    names = _names()[kind]

    def corrupt(sentence: str, sources: Sequence[str]) -> str | None:
        for i, name in enumerate(names):
            if match := _find(sentence, name):
                for other in names[i + 1 :] + names[:i]:
                    if not _folded_in(other, sources) and fold(name) not in fold(other):
                        return sentence[: match.start()] + other + sentence[match.end() :]
        return None

    return corrupt


def change_number(sentence: str, sources: Sequence[str]) -> str | None:
    """Add one to the first number (keeping its width): "03" -> "04", "2013" -> "2014"."""
    match = _NUMBER.search(sentence)
    if not match:
        return None
    new = str(int(match.group()) + 1).zfill(len(match.group()))
    return sentence[: match.start()] + new + sentence[match.end() :]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def add_negation(sentence: str, sources: Sequence[str]) -> str | None:
    """Deny the sentence's first predicate: "Xây dựng …" -> "Không xây dựng …", "Bộ Nội vụ chủ trì …" ->
    "Bộ Nội vụ không chủ trì …"."""
    words = list(_WORDS.finditer(sentence))
    if len(words) < 3:
        return None
    if not words[1].group()[0].isupper():
        return "Không " + _lower_first(sentence)
    after = next((w for w in words[2:] if w.group()[0].islower()), None)
    return sentence[: after.start()] + "không " + sentence[after.start() :] if after else None


def drop_negation(sentence: str, sources: Sequence[str]) -> str | None:
    """Remove the first negation marker."""
    markers = sorted((" ".join(m) for m in negations()), key=len, reverse=True)
    for marker in markers:
        if match := re.search(rf"(?<!\w){re.escape(marker)}(?!\w)\s*", sentence, re.IGNORECASE):
            rest = sentence[match.end() :]
            head = sentence[: match.start()]
            return head + (rest[:1].upper() + rest[1:] if not head.strip() else rest)
    return None


def reverse_direction(sentence: str, sources: Sequence[str]) -> str | None:
    """Replace the first direction word with the first word of the opposite side."""
    folded = fold(sentence)
    best: tuple[int, int, str] | None = None
    for left, right in directions():
        for side, other in ((left, right), (right, left)):
            for term in side:
                found = re.search(rf"(?<!\w){re.escape(' '.join(term))}(?!\w)", folded)
                if found and (best is None or (found.start(), -found.end()) < (best[0], -best[1])):
                    best = (found.start(), found.end(), " ".join(other[0]))
    if best is None:
        return None
    start, end, opposite = best
    written = sentence[start:end]
    if written[:1].isupper():
        opposite = opposite[:1].upper() + opposite[1:]
    return sentence[:start] + _diacritics(opposite) + sentence[end:]


def _diacritics(folded_term: str) -> str:
    """The term as written in the polarity list."""
    text = data_text("polarity.tsv")
    for word in re.split(r"[\t,\n]", text):
        if fold(word.strip()) == fold(folded_term):
            return word.strip() if folded_term[:1].islower() else word.strip()[:1].upper() + word.strip()[1:]
    return folded_term


def invent(index: int) -> Callable[[str, Sequence[str]], str | None]:
    def corrupt(sentence: str, sources: Sequence[str]) -> str | None:
        opening = " ".join(sentence.split()[:3]).rstrip(",;:")
        return f"{opening} {INVENTED[index % len(INVENTED)]}."

    return corrupt


# Meaning-preserving rewrites.
def synonym(sentence: str, sources: Sequence[str]) -> str | None:
    """Replace the first member of a synonym group the sentence uses with another member."""
    table = synonyms()
    for group in (table.groups[i] for i in sorted(table.used(sentence))):
        for member in group:
            if match := re.search(rf"(?<!\w){re.escape(member)}(?!\w)", sentence, re.IGNORECASE):
                other = next(m for m in group if m != member)
                if match.group().isupper():
                    other = other.upper()
                elif match.group()[:1].isupper():
                    other = other[:1].upper() + other[1:]
                return sentence[: match.start()] + other + sentence[match.end() :]
    return None


def lead(sentence: str, sources: Sequence[str]) -> str | None:
    words = sentence.split()
    keep = len(words) > 1 and words[1][:1].isupper()
    return "Theo đó, " + (sentence if keep else _lower_first(sentence))


def order(sentence: str, sources: Sequence[str]) -> str | None:
    """Swap the last two short items of a comma list ("cán bộ, công chức, viên chức")."""
    match = re.search(r"(?<=, )([^,;.]{2,30}), ([^,;.]{2,30}?)(?=[,;.]| và )", sentence)
    if not match or len(match.group(1).split()) > 3 or len(match.group(2).split()) > 3:
        return None
    return sentence[: match.start()] + f"{match.group(2)}, {match.group(1)}" + sentence[match.end() :]


def trim(sentence: str, sources: Sequence[str]) -> str | None:
    """Drop the last part after a semicolon or comma (a condensed claim), keeping at least 8 words."""
    cut = max(sentence.rfind(";"), sentence.rfind(","))
    if cut < 0 or len(sentence[:cut].split()) < 8:
        return None
    return sentence[:cut].rstrip() + "."


def _rewrites() -> dict[str, Callable[[str, Sequence[str]], str | None]]:
    return {
        "body": swap_name("body"), "document": swap_name("document"), "number": change_number,
        "add_negation": add_negation, "drop_negation": drop_negation, "direction": reverse_direction,
        "synonym": synonym, "lead": lead, "order": order, "trim": trim,
    }  # fmt: skip


def answer_row(answer: Answer) -> dict[str, Any]:
    """The fields of a results.json row the suite reads, from an answer."""
    return {
        "refused": answer.refused,
        "answer": answer.text,
        "citations": [{"n": c.n, "doc": c.doc, "clause": c.clause, "text": c.text} for c in answer.citations],
    }


def cases(rows: Sequence[dict[str, Any]], judge: Judge) -> list[Case]:
    """Corrupted and control copies of every supported claim of the rows' answers (rows of results.json).

    Only claims the checker supports as written are used, so a flag is the corruption's doing.
    """
    rewrites = _rewrites()
    answered = [r for r in rows if not r["refused"] and r["citations"]]
    out: list[Case] = []
    for index, row in enumerate(answered):
        sources = {c["n"]: c["text"] for c in row["citations"]}
        for claim in split_claims(row["answer"]):
            cited = [sources[n] for n in claim.markers if n in sources]
            if len(claim.text.split()) < 4 or not cited or not judge(claim.text, cited).supported:
                continue
            for kind, rewrite in rewrites.items():
                if (text := rewrite(claim.text, cited)) and text != claim.text:
                    out.append(Case(kind, claim.text, text, claim.markers, sources))
            out.append(
                Case("invented", claim.text, invent(index)(claim.text, cited) or "", claim.markers, sources)
            )
            out.append(Case("dangling_marker", claim.text, claim.text, (max(sources) + 1,), sources))
            if other := _other_passage(answered, index, sources):
                n = max(sources) + 1
                out.append(Case("wrong_citation", claim.text, claim.text, (n,), {**sources, n: other}))
    return out


def _other_passage(rows: Sequence[dict[str, Any]], index: int, sources: dict[int, str]) -> str | None:
    """A passage cited by another answer, from a clause this answer does not cite."""
    own = {(c["doc"], c["clause"]) for c in rows[index]["citations"]}
    for row in [*rows[index + 1 :], *rows[:index]]:
        for c in row["citations"]:
            if (c["doc"], c["clause"]) not in own and c["text"] not in sources.values():
                return c["text"]
    return None


def flagged(case: Case, judge: Judge) -> tuple[bool, str]:
    """Whether the harness's citation check finds the case's sentence unsupported, and why."""
    verdict = citation_scores([Claim(case.text, case.markers)], case.sources, judge)["claims"][0]
    return not verdict["supported"], verdict["why"]


def run_sabotage(rows: Sequence[dict[str, Any]], judge: Judge, keep: int = 3) -> dict[str, Tally]:
    """Per fault and control type: how many sentences were rewritten and how many were flagged."""
    tallies = {kind: Tally() for kind in (*FAULTS, *CONTROLS)}
    for case in cases(rows, judge):
        tally = tallies[case.kind]
        tally.cases += 1
        hit, why = flagged(case, judge)
        tally.flagged += hit
        tally.unknown += why.startswith(UNKNOWN)
        # Examples: faults the checker missed and controls it flagged.
        if (hit == (case.kind in CONTROLS)) and len(tally.examples) < keep:
            tally.examples.append({"original": case.original, "text": case.text, "why": why})
    return tallies


def judge_checker(judge: LLMJudge) -> Judge:
    """The LLM judge as a sentence checker: one request per sentence and its passages, numbered 1…n."""

    def check(sentence: str, sources: Sequence[str]) -> Verdict:
        numbered = dict(enumerate(sources, start=1))
        result = judge.judge("", [Claim(sentence, tuple(numbered))], numbered, [])
        verdict = result["claims"][0]
        if verdict["verdict"] == "unknown":
            return Verdict(False, 0.0, 0.0, 0.0, f"{UNKNOWN} {verdict['why']}")
        supported = verdict["verdict"] == "supported"
        return Verdict(supported, float(supported), 0.0, 0.0, verdict["why"])

    return check


def shortfalls(tallies: dict[str, Tally]) -> list[str]:
    """The fault types flagged too rarely and the controls flagged too often (Vietnamese lines)."""
    out = []
    for kind, tally in tallies.items():
        if tally.share is None:
            continue
        if kind in FAULTS and tally.share < MIN_FLAGGED:
            out.append(f"CHƯA ĐẠT: {kind} chỉ {tally.share:.1%} câu hỏng bị gắn cờ (cần ≥ {MIN_FLAGGED:.0%})")
        if kind in CONTROLS and tally.share > MAX_CONTROLS_FLAGGED:
            out.append(
                f"CHƯA ĐẠT: {kind} gắn cờ nhầm {tally.share:.1%} câu giữ nguyên nghĩa "
                f"(tối đa {MAX_CONTROLS_FLAGGED:.0%})"
            )
    return out


def table(tallies: dict[str, Tally]) -> str:
    """The suite's table (Vietnamese)."""
    lines = [f"{'loại':<16} {'số câu':>7} {'bị gắn cờ':>10} {'tỷ lệ':>7} {'không rõ':>9}", "-" * 53]
    for kind, tally in tallies.items():
        if kind == CONTROLS[0]:
            lines += ["", "đối chứng (giữ nguyên nghĩa, không nên bị gắn cờ)", "-" * 53]
        share = "–" if tally.share is None else f"{tally.share:.1%}"
        lines.append(f"{kind:<16} {tally.cases:>7} {tally.flagged:>10} {share:>7} {tally.unknown:>9}")
    return "\n".join(lines)
