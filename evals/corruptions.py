"""Corruptions the claim check never saw, and faithful paraphrases it must leave alone.

The swap and reversal pairs come from sources the checker does not read: bodies are harvested from the
store's own passages (a body another passage, preferably the cited one, names), reversals from
`evals/data/reversals.tsv` (written apart from `assistant/data/polarity.tsv`), numbers from the claim
itself (two of one sentence swapped). Every corruption falls in the development half or the held-out half
by a hash of what it swaps (`half`): the held-out half is reported, never developed on.

The controls (`evals/data/controls.jsonl`) are faithful paraphrases written by hand as a careful model
writes them (reordered, merged, shortened lists, OCR slips corrected, an exception or a "không … nếu
không …" rule restated, the document named in a lead), each with the passage it rests on. The `written`
kind (`evals/data/written_corruptions.jsonl`) is the other side: sentences written by hand the way a model
errs (one body, action, number, scope, condition or negation wrong inside a paraphrase), by someone who
had not seen the checker's rules nor its developers the sentences; halves by id.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from assistant.core.models import Chunk
from assistant.language.names import kinds
from assistant.language.text import fold
from evals.claims import Claim, split_claims
from evals.metrics import citation_scores

KINDS = ("body", "action", "reversal", "reversal2", "reversal3", "reversal4", "negation", "number_swap",
         "written")  # fmt: skip
# The reversal lists, written apart from the checker and from each other (kind -> file of evals/data).
REVERSAL_LISTS = {
    "reversal": "reversals.tsv",
    "reversal2": "reversals2.tsv",
    "reversal3": "reversals3.tsv",
    "reversal4": "reversals4.tsv",
}
HALVES = ("dev", "held-out")
_WORD = re.compile(r"\w+")
# Head words of a body's name (the suite's own choice of what a body is; the checker never reads it).
BODY_HEADS = (
    "bộ", "ban", "vụ", "cục", "sở", "ủy", "hội", "tòa", "viện", "học", "văn", "thanh", "trung", "quốc",
    "chính", "nhà", "nhân", "chủ", "thủ", "mặt", "đảng", "thường", "kiểm", "hội đồng",
)  # fmt: skip
_DIGITS = {"không": 0, "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "lăm": 5,
           "sáu": 6, "bảy": 7, "tám": 8, "chín": 9}  # fmt: skip
_SCALES = {"mười": 10, "mươi": 10, "trăm": 100, "nghìn": 1000, "ngàn": 1000}
NEGATORS = ("không", "chưa", "không được")
# Words after which the store's own text puts an action ("phải rà soát", "nhằm nâng cao"), and words that
# open a phrase that is no action ("các cơ quan", "được công bố"): the suite's own choice, not the checker's.
BEFORE_ACTION = ("phải", "cần", "sẽ", "đã", "đang", "để", "nhằm", "có trách nhiệm", "có quyền")
NOT_ACTION = (
    "các", "những", "một", "mọi", "được", "bị", "phải", "có", "là", "của", "và", "với", "cho", "theo", "về",
    "trong", "khi", "thì", "này", "đó", "vì", "do", "sự", "việc", "người", "thể", "thiết", "văn", "quá",
    "ai", "nào", "gì", "đây", "sau", "trên", "dưới", "trước", "tại", "từ", "đến", "hoặc", "nếu", "mà", "như",
)  # fmt: skip


def half(key: str) -> str:
    """The half a corruption falls in: sha256 of its key, modulo 10, below 5 is development."""
    return HALVES[int(hashlib.sha256(fold(key).encode()).hexdigest(), 16) % 10 >= 5]


@dataclass(frozen=True)
class Corrupted:
    kind: str
    half: str
    original: str
    text: str
    markers: tuple[int, ...]
    sources: dict[int, str]
    swapped: str  # what was put in place of what ("Quốc hội -> Chủ tịch nước")


@dataclass
class Count:
    cases: int = 0
    flagged: int = 0
    firm: int = 0  # flagged for a fact (a number, negation, name, prefix), not only for wording
    examples: list[dict[str, str]] = field(default_factory=list)

    def add(self, supported: bool, reworded: bool) -> None:
        self.cases += 1
        self.flagged += not supported
        self.firm += not supported and not reworded

    @property
    def share(self) -> float | None:
        return self.flagged / self.cases if self.cases else None


# -- what the store names ---------------------------------------------------------------------------


def harvest_bodies(texts: Iterable[str]) -> list[str]:
    """Names of bodies the texts use at least twice: a capitalised head word inside a sentence, its
    capitalised words and at most one lower-case word after each ("Bộ Nội vụ", "Quốc hội", "Học viện
    Hành chính Quốc gia"); document kinds and clause words are not bodies."""
    documents = {fold(k.name).split()[0] for k in kinds()} | {"dieu", "chuong", "khoan", "muc", "diem", "thu"}
    found: dict[str, int] = {}
    for text in texts:
        words = list(_WORD.finditer(text))
        for i, word in enumerate(words):
            w = word.group()
            if not w[:1].isupper() or w.isupper() or i == 0:
                continue
            gap = text[words[i - 1].end() : word.start()]
            if re.search(r"[.!?:\n\-–(\"“]", gap) or fold(w) in documents:
                continue
            if w.lower() not in BODY_HEADS and w.lower().split()[0] not in BODY_HEADS:
                continue
            name, lower, j = [w], 0, i + 1
            while j < len(words) and not text[words[j - 1].end() : words[j].start()].strip():
                nxt = words[j].group()
                if nxt[:1].isupper() and not nxt.isupper():
                    name.append(nxt)
                    lower = 0
                elif nxt.islower() and lower < 1:
                    name.append(nxt)
                    lower += 1
                else:
                    break
                j += 1
            if len(name) >= 2:
                key = " ".join(name)
                found[key] = found.get(key, 0) + 1
    return sorted((n for n, c in found.items() if c >= 2), key=lambda n: (-len(n), n))


def _find(text: str, phrase: str) -> re.Match[str] | None:
    return re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text, re.IGNORECASE)


def _contains(text: str, phrase: str) -> bool:
    return f" {' '.join(_WORD.findall(fold(phrase)))} " in f" {' '.join(_WORD.findall(fold(text)))} "


def _pick(options: Sequence[str], seed: str) -> str:
    return min(options, key=lambda o: hashlib.sha256(f"{seed}\x00{o}".encode()).hexdigest())


def swap_body(claim: str, cited: Sequence[str], bodies: Sequence[str]) -> tuple[str, str] | None:
    """The claim with its first body replaced by another body, one the cited passages name elsewhere if
    there is one, else one the store names."""
    for body in bodies:
        if not (match := _find(claim, body)) or not match.group()[:1].isupper():
            continue
        others = [
            b for b in bodies if not _contains(b, body) and not _contains(body, b) and not _contains(claim, b)
        ]
        near = [b for b in others if any(_contains(s, b) for s in cited)]
        if not (options := near or others):
            return None
        new = _pick(options, claim)
        return claim[: match.start()] + new + claim[match.end() :], f"{body} -> {new}"
    return None


def harvest_actions(texts: Iterable[str]) -> list[str]:
    """Actions the texts use: two lower-case words that open a list item ("- Rà soát …", "a) Xây dựng …")
    or follow a word that asks for an action ("phải", "nhằm", …), in at least two such places of the texts;
    phrases with a function word or a name's head word are not actions."""
    lead = "|".join(re.escape(w) for w in BEFORE_ACTION)
    patterns = (
        re.compile(r"(?m)^[ \t]*(?:[-+•–]|[a-zđ]\)|\d+(?:\.\d+)*[.)])[ \t]+(\w+ \w+)(?!\w)"),
        re.compile(rf"(?<!\w)(?:{lead}) (\w+ \w+)(?!\w)"),
    )
    found: dict[str, int] = {}
    asked: set[str] = set()  # phrases seen after a word that asks for an action
    for text in texts:
        for k, pattern in enumerate(patterns):
            for match in pattern.finditer(text):
                phrase = match.group(1)
                first, second = phrase.lower().split()
                if not second.isalpha() or not second.islower() or (k and not phrase.islower()):
                    continue
                if {first, second} & {*NOT_ACTION, *BODY_HEADS}:
                    continue
                found[phrase.lower()] = found.get(phrase.lower(), 0) + 1
                if k:
                    asked.add(phrase.lower())
    return sorted(p for p, c in found.items() if c >= 2 and p in asked)


def swap_action(claim: str, cited: Sequence[str], actions: Sequence[str]) -> tuple[str, str] | None:
    """The claim with its first action replaced by another action, one the cited passages use elsewhere if
    there is one, else one the store uses (sharing no word with the first)."""
    hits = [(m.start(), a, m) for a in actions if (m := _find(claim, a))]
    if not hits:
        return None
    _, action, match = min(hits, key=lambda h: h[0])
    others = [b for b in actions if not set(b.split()) & set(action.split()) and not _contains(claim, b)]
    near = [b for b in others if any(_contains(s, b) for s in cited)]
    if not (options := near or others):
        return None
    new = _pick(options, claim)
    if match.group()[:1].isupper():
        new = new[:1].upper() + new[1:]
    return claim[: match.start()] + new + claim[match.end() :], f"{action} -> {new.lower()}"


def reversals(kind: str = "reversal") -> list[tuple[str, str]]:
    path = f"data/{REVERSAL_LISTS[kind]}"
    text = resources.files("evals").joinpath(path).read_text(encoding="utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return sorted(((a.strip(), b.strip()) for a, b in rows), key=lambda r: -len(r[0]))


def reverse(claim: str, kind: str = "reversal") -> tuple[str, str] | None:
    """The claim with the first word of the reversal list it uses replaced by its opposite."""
    best: tuple[int, re.Match[str], str, str] | None = None
    for word, opposite in reversals(kind):
        if (match := _find(claim, word)) and (best is None or match.start() < best[0]):
            best = (match.start(), match, word, opposite)
    if best is None:
        return None
    _, match, word, opposite = best
    if match.group()[:1].isupper():
        opposite = opposite[:1].upper() + opposite[1:]
    return claim[: match.start()] + opposite + claim[match.end() :], word


def negate(claim: str) -> tuple[str, str] | None:
    """The claim with a negation put before one of its predicates (which one, and which negation, by a hash
    of the claim): after a name or a modal ("phải", "sẽ", "được", "cần"), or at the start."""
    words = list(_WORD.finditer(claim))
    spots = []
    if len(words) >= 3 and words[0].group()[:1].isupper() and not words[1].group()[:1].isupper():
        spots.append(0)
    for i in range(1, len(words) - 1):
        before, word = words[i - 1].group(), words[i].group()
        gap = claim[words[i - 1].end() : words[i].start()]
        if (
            word.islower()
            and not gap.strip()
            and ((before[:1].isupper() and i > 1) or before.lower() in ("phải", "sẽ", "cần", "đã", "có"))
        ):
            spots.append(i)
    spots = [i for i in spots if fold(words[i].group()) not in ("khong", "chua", "va", "cua", "la")]
    if not spots:
        return None
    i = spots[int(hashlib.sha256(claim.encode()).hexdigest(), 16) % len(spots)]
    at = words[i]
    negator = NEGATORS[int(hashlib.sha256(f"n{claim}".encode()).hexdigest(), 16) % len(NEGATORS)]
    if i == 0:
        first = at.group()
        return (
            f"{negator[:1].upper()}{negator[1:]} {first[:1].lower()}{first[1:]}{claim[at.end() :]}",
            negator,
        )
    return f"{claim[: at.start()]}{negator} {claim[at.start() :]}", negator


def _numbers(claim: str) -> list[tuple[int, int, int]]:
    """(start, end, value) of each number of the claim: digits, or a run of number words of two or more
    words (or one with "mười")."""
    found = [(m.start(), m.end(), int(m.group())) for m in re.finditer(r"(?<![\w/])\d+(?![\w/])", claim)]
    words = list(_WORD.finditer(claim))
    run: list[re.Match[str]] = []
    for word in [*words, None]:
        w = word.group().lower() if word else ""
        if word and (w in _DIGITS or w in _SCALES) and (run or w != "không"):
            run.append(word)
            continue
        if len(run) >= 2 or (run and run[0].group().lower() == "mười"):
            found.append((run[0].start(), run[-1].end(), _value([r.group().lower() for r in run])))
        run = []
    return sorted(found)


def _value(run: list[str]) -> int:
    total = group = 0
    last: int | None = None
    for w in run:
        if w in _DIGITS:
            group += _DIGITS[w]
            last = _DIGITS[w]
        elif w in ("mươi",) and last is not None:
            group += last * 9
        elif w == "mười":
            group += 10
        elif w == "trăm":
            group = (group or 1) * 100
        else:
            total += (group or 1) * _SCALES[w]
            group = 0
        if w not in _DIGITS:
            last = None
    return total + group


def swap_numbers(claim: str) -> tuple[str, str] | None:
    """The claim with its first two numbers of different value swapped (as written)."""
    numbers = _numbers(claim)
    for a in numbers:
        for b in numbers:
            if b[0] > a[1] and a[2] != b[2]:
                first, second = claim[a[0] : a[1]], claim[b[0] : b[1]]
                text = claim[: a[0]] + second + claim[a[1] : b[0]] + first + claim[b[1] :]
                return text, f"{first} <-> {second}"
    return None


# -- the suite ------------------------------------------------------------------------------------------


def corruptions(
    rows: Sequence[dict[str, Any]],
    judge: Callable[..., Any],
    bodies: Sequence[str],
    actions: Sequence[str] = (),
) -> list[Corrupted]:
    """Every corruption of every supported claim of the rows (results.json rows, or control answers)."""
    out: list[Corrupted] = []
    for row in rows:
        if row["refused"] or not row["citations"]:
            continue
        sources = {c["n"]: c["text"] for c in row["citations"]}
        for claim in split_claims(row["answer"]):
            cited = [sources[n] for n in claim.markers if n in sources]
            if len(claim.text.split()) < 4 or not cited or not judge(claim.text, cited).supported:
                continue
            made = {
                "body": swap_body(claim.text, cited, bodies),
                "action": swap_action(claim.text, cited, actions),
                **{kind: reverse(claim.text, kind) for kind in REVERSAL_LISTS},
                "negation": negate(claim.text),
                "number_swap": swap_numbers(claim.text),
            }
            for kind, done in made.items():
                if done is None or done[0] == claim.text:
                    continue
                text, swapped = done
                key = claim.text if kind in ("negation", "number_swap") else swapped
                out.append(Corrupted(kind, half(key), claim.text, text, claim.markers, sources, swapped))
    return out


def tally(
    cases: Sequence[Corrupted], verdict: Callable[[Corrupted], tuple[bool, bool]], keep: int = 3
) -> dict[str, Count]:
    """Per "kind/half": cases, flagged cases and those flagged for a fact; `verdict` tells whether a case
    is supported and whether only for its wording. Examples of misses kept for the development half only."""
    counts = {f"{k}/{h}": Count() for k in KINDS for h in HALVES}
    for case in cases:
        count = counts[f"{case.kind}/{case.half}"]
        supported, reworded = verdict(case)
        count.add(supported, reworded)
        if supported and case.half == "dev" and len(count.examples) < keep:
            count.examples.append({"original": case.original, "text": case.text, "swapped": case.swapped})
    return counts


@dataclass(frozen=True)
class Control:
    """A faithful sentence, the passages it cites (chunks of the store) and what their documents say of
    themselves (title, citation name, headings)."""

    id: str
    question: str
    doc: str
    kind: str
    claim: str
    sources: tuple[str, ...]
    about: tuple[str, ...]


def controls(chunks: Sequence[Chunk], name: str = "controls.jsonl") -> list[Control]:
    """The hand-written sentences of `evals/data/<name>` (the faithful paraphrases by default) whose
    documents are among the chunks, each citing the chunks that hold the phrases it names."""
    text = resources.files("evals").joinpath(f"data/{name}").read_text(encoding="utf-8")
    out = []
    for line in text.splitlines():
        row = json.loads(line)
        phrases = row["at"] if isinstance(row["at"], list) else [row["at"]]
        cited = [c for c in chunks if c.doc_id == row["doc"] and any(p in c.text for p in phrases)]
        if not cited:
            continue
        about = tuple(dict.fromkeys(f for c in cited for f in c.facts))
        out.append(Control(row["id"], row["q"], row["doc"], row["kind"], row["claim"],
                           tuple(c.text for c in cited), about))  # fmt: skip
    return out


def control_rows(items: Sequence[Control]) -> list[dict[str, Any]]:
    """The controls as answers (one per question, each sentence citing its passage), rows the suite reads."""
    rows: dict[str, dict[str, Any]] = {}
    for c in items:
        row = rows.setdefault(c.question, {"refused": False, "answer": "", "citations": []})
        texts = [x["text"] for x in row["citations"]]
        for source in c.sources:
            if source not in texts:
                row["citations"].append({"n": len(texts) + 1, "doc": c.doc, "clause": "", "text": source})
                texts.append(source)
        marks = "".join(f"[{texts.index(s) + 1}]" for s in c.sources)
        row["answer"] += f"{c.claim} {marks}\n"
    return list(rows.values())


def table(counts: dict[str, Count], controls_flagged: tuple[int, int, int] | None = None) -> str:
    """Catch rate per kind and half, with the catches made for a fact (a number, negation, name or prefix,
    not only wording), and the false-flag rate on the controls (Vietnamese)."""
    lines = [f"{'loại':<14} {'nửa':<9} {'số câu':>7} {'bị gắn cờ':>10} {'tỷ lệ':>7} {'vì sự kiện':>11}"]
    lines.append("-" * 64)
    for key, count in counts.items():
        kind, part = key.split("/")
        share = "–" if count.share is None else f"{count.share:.1%}"
        firm = f"{count.firm / count.cases:.1%}" if count.cases else "–"
        lines.append(f"{kind:<14} {part:<9} {count.cases:>7} {count.flagged:>10} {share:>7} {firm:>11}")
    if controls_flagged:
        flagged, firm, total = controls_flagged
        lines += ["", f"đối chứng diễn đạt lại trung thực: {flagged}/{total} câu bị gắn cờ nhầm "
                  f"({flagged / total:.1%}), {firm} câu vì sự kiện" if total
                  else "đối chứng: không có câu nào"]  # fmt: skip
    return "\n".join(lines)


@dataclass
class Independent:
    """The suite's figures: per "kind/half" counts, and the controls the checker flagged (id, why)."""

    counts: dict[str, Count]
    controls: int
    flagged_controls: list[dict[str, Any]]  # id, claim, why, firm (flagged for a fact, not only wording)
    control_halves: dict[str, tuple[int, int]] = field(default_factory=dict)  # half -> (flagged, controls)

    def table(self) -> str:
        firm = sum(f["firm"] for f in self.flagged_controls)
        lines = [table(self.counts, (len(self.flagged_controls), firm, self.controls))]
        lines += [f"  nửa {h}: {f}/{n} câu" for h, (f, n) in self.control_halves.items()]
        return "\n".join(lines)

    def shortfalls(self, least: float, most: float) -> list[str]:
        """Held-out kinds flagged below `least`, and controls flagged above `most` (Vietnamese lines)."""
        out = [
            f"CHƯA ĐẠT: {key} chỉ {c.share:.1%} câu hỏng bị gắn cờ (cần ≥ {least:.0%})"
            for key, c in self.counts.items()
            if key.endswith("/held-out") and c.share is not None and c.share < least
        ]
        if self.controls and len(self.flagged_controls) / self.controls > most:
            out.append(
                f"CHƯA ĐẠT: {len(self.flagged_controls)}/{self.controls} câu diễn đạt lại trung thực "
                f"bị gắn cờ (tối đa {most:.0%})"
            )
        return out


def run_independent(
    rows: Sequence[dict[str, Any]],
    scorer: Callable[..., Any],
    chunks: Sequence[Chunk],
    bodies_of: Sequence[str],
    picker: Callable[..., Any] | None = None,
) -> Independent:
    """The independent corruptions of the rows' supported claims and of the control answers, and the
    controls, judged by `scorer(sentence, sources, about)` with the cited chunks' facts (citations are
    matched to the store's chunks by their text). The claims to corrupt are those `picker` supports
    (`scorer` by default): two scorers given the same picker are scored on the same cases."""
    facts = {c.text: c.facts for c in chunks}

    def with_facts(check: Callable[..., Any]) -> Callable[[str, Sequence[str]], Any]:
        return lambda sentence, texts: check(
            sentence, texts, tuple(f for t in texts for f in facts.get(t, ()))
        )

    judge = with_facts(scorer)

    items = controls(chunks)
    flagged = []
    for c in items:
        verdict = judge(c.claim, list(c.sources))
        if not verdict.supported:
            flagged.append({"id": c.id, "claim": c.claim, "why": verdict.reason,
                            "firm": not verdict.reworded})  # fmt: skip
    bodies = harvest_bodies(bodies_of)
    actions = harvest_actions(bodies_of)
    cases = corruptions([*rows, *control_rows(items)], with_facts(picker or scorer), bodies, actions)

    def verdict(case: Corrupted) -> tuple[bool, bool]:
        found = citation_scores([Claim(case.text, case.markers)], case.sources, judge)["claims"][0]
        return found["supported"], found["reworded"]

    shares = {h: (sum(f["id"] in {c.id for c in items if half(c.id) == h} for f in flagged),
                  sum(half(c.id) == h for c in items)) for h in HALVES}  # fmt: skip
    counts = tally(cases, verdict)
    for c in controls(chunks, "written_corruptions.jsonl"):
        written = judge(c.claim, list(c.sources))
        counts[f"written/{half(c.id)}"].add(written.supported, written.reworded)
    return Independent(counts, len(items), flagged, shares)
