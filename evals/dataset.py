"""Eval datasets: JSONL Q&A items (format in evals/README.md) and their evidence located in the corpus."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TypeVar

from assistant.core.settings import PROJECT_ROOT

DEFAULT_DATASET = PROJECT_ROOT / "evals" / "datasets" / "qa.jsonl"
DEFAULT_CORPUS = PROJECT_ROOT / "ingest" / "corpus"
NOT_ANSWERED = "Tài liệu hiện có không đề cập đến nội dung này."
KINDS = frozenset(
    {
        "fact",
        "paraphrase",
        "no-diacritics",
        "follow-up",
        "structural",
        "ocr",
        "english",
        "multi-clause",
        "unanswerable",
        "out-of-scope",
        "injection",
        # standard-layout set (evals/datasets/standard.jsonl)
        "clause-content",
        "enumeration",
        "yes-no",
        "topic-trap",
    }
)
FIELDS: dict[str, type] = {  # every dataset line has these, with these types
    "id": str,
    "kind": str,
    "question": str,
    "history": list,
    "answerable": bool,
    "reference_answer": str,
    "evidence": list,
    "expected_clauses": list,
}


# Every labelled dataset is split by its items' ids: rules, weights and thresholds are chosen on train and
# dev; sealed is scored at the end of a piece of work, beside dev, to see whether a change generalises.
SPLITS = ("train", "dev", "sealed")
ALL = "all"
T = TypeVar("T")


def split_of(item_id: str) -> str:
    """The split an item belongs to, by its id alone: sha256(id) mod 10 is 0–5 train, 6–7 dev, 8–9 sealed.

    The one place a split is decided (`evals run` and `evals articles` read it): an item keeps its split
    as long as it keeps its id, whatever else changes in the file."""
    bucket = int.from_bytes(hashlib.sha256(item_id.encode("utf-8")).digest(), "big") % 10
    return "train" if bucket < 6 else "dev" if bucket < 8 else "sealed"


def in_split(items: Sequence[T], split: str, key: Callable[[T], str] = lambda item: item.id) -> list[T]:
    """The items of one split (`all`: every item), in their order."""
    if split == ALL:
        return list(items)
    if split not in SPLITS:
        raise ValueError(f"no split {split!r}")
    return [item for item in items if split_of(key(item)) == split]


class DatasetError(ValueError):
    """A dataset file that cannot be used, with a message for the user (Vietnamese)."""


@dataclass(frozen=True)
class Item:
    """One curated question with its reference answer, evidence strings and expected clauses."""

    id: str
    kind: str
    question: str
    history: list[dict[str, str]]
    answerable: bool
    reference_answer: str
    evidence: list[str]
    expected_clauses: list[tuple[str, str]]


@dataclass(frozen=True)
class Span:
    """A stretch of a corpus file: (doc, start, end) in characters of the whole file."""

    doc: str
    start: int
    end: int
    text: str = field(default="", compare=False)

    def overlap(self, other: Span) -> int:
        """Characters the two spans share (0 for different documents)."""
        if self.doc != other.doc:
            return 0
        return max(0, min(self.end, other.end) - max(self.start, other.start))


def parse_item(data: object, where: str) -> Item:
    """Check one decoded JSON object against the format; DatasetError says what is wrong and where."""
    if not isinstance(data, dict):
        raise DatasetError(f"{where}: mỗi dòng phải là một đối tượng JSON.")
    for name, kind in FIELDS.items():
        if not isinstance(data.get(name), kind):
            raise DatasetError(f"{where}: thiếu trường '{name}' hoặc sai kiểu (cần {kind.__name__}).")
    if data["kind"] not in KINDS:
        raise DatasetError(f"{where}: loại '{data['kind']}' không hợp lệ; dùng một trong {sorted(KINDS)}.")
    clauses = data["expected_clauses"]
    if not all(isinstance(c, dict) and {"doc", "clause"} <= set(c) for c in clauses):
        raise DatasetError(f"{where}: 'expected_clauses' cần các đối tượng {{'doc', 'clause'}}.")
    if not all(isinstance(e, str) and e.strip() for e in data["evidence"]):
        raise DatasetError(f"{where}: 'evidence' cần các chuỗi không rỗng.")
    if data["answerable"] and not data["evidence"]:
        raise DatasetError(f"{where}: câu hỏi trả lời được cần ít nhất một đoạn 'evidence'.")
    for turn in data["history"]:
        if not (isinstance(turn, dict) and turn.get("role") in {"user", "assistant"} and "content" in turn):
            raise DatasetError(f"{where}: 'history' cần các lượt {{'role': 'user'|'assistant', 'content'}}.")
    return Item(
        id=data["id"],
        kind=data["kind"],
        question=data["question"],
        history=[{"role": t["role"], "content": t["content"]} for t in data["history"]],
        answerable=data["answerable"],
        reference_answer=data["reference_answer"],
        evidence=list(data["evidence"]),
        expected_clauses=[(c["doc"], c["clause"]) for c in clauses],
    )


def load_dataset(path: Path) -> list[Item]:
    """The items of a JSONL dataset file (blank lines skipped); DatasetError on any bad line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"Không đọc được tệp dữ liệu '{path}': {exc}") from exc
    items: list[Item] = []
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{path.name}, dòng {lineno}: không phải JSON hợp lệ ({exc.msg}).") from exc
        items.append(parse_item(data, f"{path.name}, dòng {lineno}"))
    ids = [item.id for item in items]
    if dupes := sorted({i for i in ids if ids.count(i) > 1}):
        raise DatasetError(f"{path.name}: mã câu hỏi bị trùng: {', '.join(dupes)}.")
    if not items:
        raise DatasetError(f"{path.name}: tệp dữ liệu không có câu hỏi nào.")
    return items


class Corpus:
    """The source files evidence is quoted from: `<doc>.txt` in a folder, body after the `---` header."""

    def __init__(self, folder: Path = DEFAULT_CORPUS) -> None:
        self.folder = folder

    @cached_property
    def files(self) -> dict[str, str]:
        return {p.stem: p.read_text(encoding="utf-8") for p in sorted(self.folder.glob("*.txt"))}

    def body_start(self, doc: str) -> int:
        """Where a document's body starts (after its `---` header line, when it has one)."""
        text = self.files[doc]
        head, sep, _ = text.partition("\n---\n")
        return len(head) + len(sep) if sep else 0

    def body(self, doc: str) -> str:
        return self.files[doc][self.body_start(doc) :]

    def locate(self, item: Item) -> list[list[Span]]:
        """For each evidence string, every place it occurs in the bodies of the item's expected documents."""
        docs = list(dict.fromkeys(doc for doc, _ in item.expected_clauses))
        found = []
        for evidence in item.evidence:
            spans = [
                Span(doc, self.body_start(doc) + m.start(), self.body_start(doc) + m.end(), evidence)
                for doc in docs
                if doc in self.files
                for m in re.finditer(re.escape(evidence), self.body(doc))
            ]
            found.append(spans)
        return found

    def check(self, items: Sequence[Item]) -> list[str]:
        """Problems with the evidence of items: unknown documents, evidence that is not verbatim."""
        problems = []
        for item in items:
            for doc, _ in item.expected_clauses:
                if doc not in self.files:
                    problems.append(f"{item.id}: không có tài liệu '{doc}' trong {self.folder}")
            for evidence, spans in zip(item.evidence, self.locate(item), strict=True):
                if not spans:
                    problems.append(f"{item.id}: đoạn bằng chứng không có nguyên văn: {evidence[:60]!r}")
        return problems
