"""The standard-layout test set: evals/datasets/standard.jsonl over evals/corpora/standard/.

Three self-written documents in the layout of Nghị định 30/2020/NĐ-CP (a Kế hoạch, a Nghị định, a law
excerpt) and questions about them. Two kinds of checks:

- format: the dataset loads, kinds are spread as required, evidence is verbatim (NFC) and sits in the
  expected clause according to a small reference segmenter written here from the labelling rules;
- parser: the real chunker (ingest.chunking) puts every evidence string in a chunk whose clause label is
  an expected clause, labels carry their full path, and each document is titled by its own header block.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import cache

import pytest

from assistant.core.models import Chunk
from evals.dataset import KINDS, NOT_ANSWERED, Corpus, Item, load_dataset
from ingest.chunking import chunk_document
from ingest.loaders import load_document
from tests.conftest import PROJECT

DATASET = PROJECT / "evals" / "datasets" / "standard.jsonl"
FOLDER = PROJECT / "evals" / "corpora" / "standard"
CORPUS = Corpus(FOLDER)
ITEMS = load_dataset(DATASET)
ANSWERABLE = [item for item in ITEMS if item.answerable]

KH45 = "ke-hoach-45-KH-BNV"
ND88 = "nghi-dinh-88-2024-ND-CP"
LUAT = "luat-can-bo-cong-chuc-trich"
PROVENANCE = "SOURCE: tự soạn cho bộ kiểm thử của dự án (văn bản giả định, không phải văn bản thật)"
MAX_TOKENS = 160

MIN_KINDS = {
    "structural": 5,
    "clause-content": 5,
    "enumeration": 4,
    "yes-no": 5,
    "topic-trap": 4,
    "paraphrase": 6,
    "no-diacritics": 4,
    "unanswerable": 6,
    "fact": 3,
    "follow-up": 2,
}
# Labels a chunk may carry besides the path of its part or article (recipients, signer).
OTHER_LABELS = {"Thông tin văn bản", "Phần mở đầu", "Phần căn cứ", "Nơi nhận", "Phần ký"}
PLAN_PATH = re.compile(r"Mục [IVX]+(, (khoản \d+|tiểu mục \d+(\.\d+)+))?(, điểm [a-zđ])?")
LAW_PATH = re.compile(r"Điều \d+(, khoản \d+)?(, điểm [a-zđ])?")


# --------------------------------------------------------------------------- format


def test_corpus_files_are_nfc_with_provenance_and_no_title() -> None:
    assert {KH45, ND88, LUAT} <= set(CORPUS.files)
    for doc, text in CORPUS.files.items():
        assert unicodedata.normalize("NFC", text) == text, doc
        header = text[: CORPUS.body_start(doc)].splitlines()
        assert header[0].startswith(PROVENANCE) and header[-1] == "---", doc
        assert not any(line.startswith("TITLE:") for line in header), doc


def test_size_and_kinds() -> None:
    assert len(ITEMS) >= 50
    counts = Counter(item.kind for item in ITEMS)
    assert set(counts) <= KINDS
    for kind, least in MIN_KINDS.items():
        assert counts[kind] >= least, (kind, counts)
    header_docs = {
        doc
        for i in ITEMS
        if i.kind == "fact"
        for doc, clause in i.expected_clauses
        if clause == "Thông tin văn bản"
    }
    assert header_docs == {KH45, ND88, LUAT}  # issuer, number and date facts about each header


def test_ids_are_unique_ascii_slugs() -> None:
    ids = [item.id for item in ITEMS]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9-]+", i) for i in ids), ids


@pytest.mark.parametrize("item", ITEMS, ids=lambda item: item.id)
def test_item_rules(item: Item) -> None:
    assert item.question.strip() and item.reference_answer.strip()
    assert bool(item.evidence) == bool(item.expected_clauses) == item.answerable
    assert item.answerable == (item.kind != "unanswerable")
    if not item.answerable:
        assert item.reference_answer == NOT_ANSWERED
    assert bool(item.history) == (item.kind == "follow-up")
    if item.kind == "yes-no":
        assert item.reference_answer.startswith(("Có.", "Không."))
    if item.kind == "no-diacritics":
        assert item.question.isascii()
    if item.kind == "enumeration":
        assert len(set(item.expected_clauses)) >= 2
    for text in [item.question, item.reference_answer, *item.evidence]:
        assert unicodedata.normalize("NFC", text) == text


def test_yes_no_has_three_negative_answers() -> None:
    negatives = [i for i in ITEMS if i.kind == "yes-no" and i.reference_answer.startswith("Không.")]
    assert len(negatives) >= 3
    for item in negatives:  # backed by an explicit negative sentence
        assert any(re.search(r"\bkhông\b", e, re.IGNORECASE) for e in item.evidence), item.id


def test_evidence_is_verbatim() -> None:
    assert CORPUS.check(ITEMS) == []
    for item in ANSWERABLE:
        for evidence in item.evidence:
            assert evidence == evidence.strip()
            assert len(evidence) >= 25 or _is_whole_line(item, evidence), (item.id, evidence)


def _is_whole_line(item: Item, evidence: str) -> bool:
    """A short evidence string is a whole clause line (e.g. 'Số: 45/KH-BNV', 'a) Lý luận chính trị;')."""
    for doc in {doc for doc, _ in item.expected_clauses}:
        for line in CORPUS.body(doc).splitlines():
            if re.sub(r"^([a-zđ]\)|\d+\.)\s+", "", line) == evidence or line == evidence:
                return True
    return False


# --------------------------------------------------------------------------- reference segmenter
# The labelling rules of evals/datasets/README.md, applied paragraph by paragraph to these fixtures.

_ROMAN = re.compile(r"([IVX]+)\.\s")
_SUB = re.compile(r"(\d+(?:\.\d+)+)\.\s")
_KHOAN = re.compile(r"(\d+)\.\s")
_POINT = re.compile(r"([a-zđ])\)\s")
_ARTICLE = re.compile(r"Điều (\d+)\.")
_CHAPTER = re.compile(r"Chương ([IVX]+)$")
_SECTION = re.compile(r"Mục \d+$")
_DOC_TYPES = {"KẾ HOẠCH", "NGHỊ ĐỊNH", "LUẬT", "THÔNG TƯ", "QUYẾT ĐỊNH", "THÔNG BÁO"}
_SIGNATURE = re.compile(r"(TM|KT|TL|TUQ|Q)\. ")


@cache
def reference_spans(doc: str) -> tuple[tuple[int, int, str | None], ...]:
    """(start, end, label) per paragraph of the body (offsets in the whole file); None: not citable."""
    text, base = CORPUS.files[doc], CORPUS.body_start(doc)
    spans: list[tuple[int, int, str | None]] = []
    stage = "header"  # header → summary line → preamble → structure → recipients
    base_label = ""  # the current part/article path without its point
    label: str | None = "Thông tin văn bản"
    for m in re.finditer(r"[^\n]+(?:\n[^\n]+)*", text[base:]):
        para, start, end = m.group(), base + m.start(), base + m.end()
        if stage == "header":
            label = "Thông tin văn bản"
            if para in _DOC_TYPES:
                stage = "summary"
        elif stage == "summary":
            stage, label = "preamble", "Thông tin văn bản"
        elif para.startswith("Nơi nhận:"):
            stage, label = "recipients", "Nơi nhận"
        elif _SIGNATURE.match(para) or stage == "signature":
            stage, label = "signature", "Phần ký"  # capacity and title lines, then the signer's name
        elif para.startswith("Luật này đã được Quốc hội") or stage in ("end", "recipients"):
            stage, label = "end", None
        elif re.match(r"[-+] ", para):
            pass  # a bullet belongs to the clause above it
        elif r := _ROMAN.match(para):
            stage, base_label = "body", f"Mục {r[1]}"
            label = base_label
        elif c := _CHAPTER.match(para):
            stage, base_label = "body", f"Chương {c[1]}"
            label = base_label
        elif _SECTION.match(para):
            stage, base_label, label = "body", "", None  # a law's "Mục 1": not cited by itself
        elif a := _ARTICLE.match(para):
            stage, base_label = "body", f"Điều {a[1]}"
            label = base_label
        elif stage == "preamble":
            # Legal bases and the proposal ("Căn cứ …", "Thực hiện …", "Theo đề nghị …"): "Phần căn cứ".
            if label == "Thông tin văn bản":
                label = "Phần căn cứ" if re.match(r"(Căn cứ|Thực hiện|Theo đề nghị)", para) else "Phần mở đầu"
        elif label and label.startswith("Chương") and para.isupper():
            pass  # the chapter's title line
        elif base_label == "":
            label = None  # a section's title line
        elif s := _SUB.match(para):
            base_label = f"{_part(base_label)}, tiểu mục {s[1]}"
            label = base_label
        elif k := _KHOAN.match(para):
            base_label = f"{_part(base_label)}, khoản {k[1]}"
            label = base_label
        elif p := _POINT.match(para):
            label = f"{base_label}, điểm {p[1]}"
        else:
            label = base_label  # an unnumbered paragraph: the enclosing item, not the point above it
        spans.append((start, end, label))
    return tuple(spans)


def _part(label: str) -> str:
    """'Mục II, tiểu mục 2.2' → 'Mục II'; 'Điều 5, khoản 2' → 'Điều 5'."""
    return label.split(",")[0]


def label_matches(expected: str, actual: str) -> bool:
    """Equal, or the expected label is a coarser path: 'Điều 5' accepts 'Điều 5, khoản 2'."""
    return actual == expected or actual.startswith(expected + ",")


def occurrences(doc: str, evidence: str) -> list[tuple[int, int]]:
    base = CORPUS.body_start(doc)
    return [(base + m.start(), base + m.end()) for m in re.finditer(re.escape(evidence), CORPUS.body(doc))]


def reference_label(doc: str, start: int, end: int) -> str | None:
    return next((label for s, e, label in reference_spans(doc) if s <= start and end <= e), None)


@pytest.mark.parametrize("item", ANSWERABLE, ids=lambda item: item.id)
def test_evidence_in_expected_clause_by_reference_rules(item: Item) -> None:
    """Each evidence string sits in an expected clause, and each expected clause holds some evidence."""
    covered: set[tuple[str, str]] = set()
    for evidence in item.evidence:
        found = []
        for doc, clause in item.expected_clauses:
            for start, end in occurrences(doc, evidence):
                actual = reference_label(doc, start, end)
                if actual is not None and label_matches(clause, actual):
                    found.append((doc, clause))
        assert found, f"{item.id}: {evidence[:60]!r} is not inside any expected clause"
        covered.update(found)
    assert covered == set(item.expected_clauses), f"{item.id}: clauses without evidence"


# --------------------------------------------------------------------------- the real chunker


@cache
def chunked(doc: str) -> tuple[str, str, tuple[Chunk, ...]]:
    title, short, chunks = chunk_document(load_document(FOLDER / f"{doc}.txt"), MAX_TOKENS)
    return title, short, tuple(chunks)


def chunk_labels(doc: str, start: int, end: int) -> list[str]:
    """Clause labels of the chunks overlapping [start, end) of the file text."""
    return [c.clause_label for c in chunked(doc)[2] if c.start < end and start < c.end]


@pytest.mark.parametrize("item", ANSWERABLE, ids=lambda item: item.id)
def test_evidence_in_expected_clause_by_chunker(item: Item) -> None:
    for evidence in item.evidence:
        seen: list[list[str]] = []
        placed = False
        for doc, clause in item.expected_clauses:
            for start, end in occurrences(doc, evidence):
                labels = chunk_labels(doc, start, end)
                seen.append(labels)
                placed = placed or (bool(labels) and all(label_matches(clause, a) for a in labels))
        assert placed, (
            f"{item.id}: {evidence[:50]!r} in chunks labelled {seen}, expected {item.expected_clauses}"
        )


def test_plan_labels_carry_their_full_path() -> None:
    labels = [c.clause_label for c in chunked(KH45)[2]]
    bad = [a for a in labels if a not in OTHER_LABELS and not PLAN_PATH.fullmatch(a)]
    assert not bad, bad
    assert {"Thông tin văn bản", "Phần căn cứ", "Mục II, tiểu mục 2.2.1", "Phần ký"} <= set(labels)


@pytest.mark.parametrize("doc", [ND88, LUAT])
def test_legal_labels_carry_their_full_path(doc: str) -> None:
    labels = [c.clause_label for c in chunked(doc)[2]]
    bad = [
        a
        for a in labels
        if a not in OTHER_LABELS
        and not LAW_PATH.fullmatch(a)
        and not re.fullmatch(r"(Chương [IVX]+|Mục \d+)", a)
    ]
    assert not bad, bad


def test_plan_is_titled_from_its_header() -> None:
    title, short, _ = chunked(KH45)
    assert title.startswith("Kế hoạch") and "45/KH-BNV" in title, title
    assert short == "KH 45/KH-BNV"


def test_decree_is_titled_from_its_header() -> None:
    title, short, _ = chunked(ND88)
    assert title.startswith("Nghị định") and "88/2024/NĐ-CP" in title, title
    assert short == "NĐ 88/2024/NĐ-CP"


def test_law_name_keeps_its_comma() -> None:
    title, short, _ = chunked(LUAT)
    assert title.startswith("Luật Cán bộ, công chức"), title
    assert short.startswith("Luật Cán bộ, công chức"), short  # a year may follow: "… 2008"
