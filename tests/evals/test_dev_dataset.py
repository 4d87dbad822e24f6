"""Validate the hand-written dev set evals/datasets/dev.jsonl against the bundled corpus.

Standard library only: the checks re-derive each evidence string's clause label from the corpus text,
so a mislabelled clause or a paraphrased "evidence" string fails here rather than in an eval run.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from functools import cache

import pytest

from evals.dataset import FIELDS
from tests.conftest import CORPUS, PROJECT

DATASET = PROJECT / "evals" / "datasets" / "dev.jsonl"

KH32 = "ke-hoach-32-KH-BCSD"
HP = "hien-phap-2013"
NQ_QD = "nghi-quyet-27-NQ-TW_trich-quan-diem"
NQ_TH = "nghi-quyet-27-NQ-TW_trich-phan-tinh-hinh"
KH11 = "ke-hoach-11-KH-TW_tin-tom-tat"

KINDS = {
    "fact",
    "paraphrase",
    "no-diacritics",
    "follow-up",
    "unanswerable",
    "out-of-scope",
    "english",
    "ocr",
    "structural",
    "multi-clause",
}
KINDS_AT_LEAST_3 = KINDS - {"multi-clause"}
REQUIRED = FIELDS  # the eval harness's dataset schema
NOT_ANSWERED = "Tài liệu hiện có không đề cập đến nội dung này."
ORDINALS = ["nhất", "hai", "ba", "tư", "năm", "sáu", "bảy"]
# Where ke-hoach-32's real text starts; everything before it is page chrome (title, menu, view counter).
KH32_TEXT_START = "Ngày 16/02, Ban Cán sự đảng Bộ Nội vụ"
KH32_BYLINE = "Thanh Tuấn"


# --------------------------------------------------------------------------- loading


def load_items() -> list[dict]:
    items = []
    for lineno, line in enumerate(DATASET.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
        except json.JSONDecodeError as exc:  # pragma: no cover - reported as a failure
            pytest.fail(f"dev.jsonl line {lineno} is not valid JSON: {exc}")
    return items


ITEMS = load_items()
ANSWERABLE = [it for it in ITEMS if it.get("answerable") is True]


@cache
def body(doc: str) -> str:
    """The text after the header's `---` line."""
    path = CORPUS / f"{doc}.txt"
    text = path.read_text(encoding="utf-8")
    _header, sep, rest = text.partition("\n---\n")
    assert sep, f"{path.name} has no `---` header terminator"
    return rest


DOCS = sorted(p.stem for p in CORPUS.glob("*.txt"))


# --------------------------------------------------------------------------- clause segmentation
# Each function maps a document body to a list of (start, end, labels) spans; `labels` is the set of
# clause labels acceptable for text inside that span.


def paragraphs(text: str) -> list[tuple[int, int, str]]:
    out = []
    for m in re.finditer(r"[^\n]+(?:\n[^\n]+)*", text):
        if m.group().strip():
            out.append((m.start(), m.end(), m.group().strip()))
    return out


def spans_between(text: str, markers: list[tuple[str, str]]) -> list[tuple[int, int, frozenset[str]]]:
    """Consecutive spans starting at each marker (searched in order) and ending at the next one."""
    starts = []
    pos = 0
    for needle, label in markers:
        i = text.index(needle, pos)
        starts.append((i, label))
        pos = i + len(needle)
    spans = []
    for k, (i, label) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(text)
        spans.append((i, end, frozenset({label})))
    return spans


def kh32_spans(text: str) -> list[tuple[int, int, frozenset[str]]]:
    markers = [
        (KH32_TEXT_START, "Phần mở đầu"),
        ("Mục đích của Kế hoạch", "Mục đích"),
        ("7 nhiệm vụ và giải pháp", "Nhiệm vụ và giải pháp"),
    ]
    markers += [(f"Thứ {o},", f"Nhiệm vụ thứ {o}") for o in ORDINALS]
    markers += [("Ban Cán sự đảng Bộ Nội vụ yêu cầu các đơn vị", "Yêu cầu"), (KH32_BYLINE, "(byline)")]
    spans = spans_between(text, markers)
    return [s for s in spans if "(byline)" not in s[2]]


def hien_phap_spans(text: str) -> list[tuple[int, int, frozenset[str]]]:
    spans = []
    article = None
    khoan = None
    in_preamble = False
    for start, end, para in paragraphs(text):
        if para == "LỜI NÓI ĐẦU":
            in_preamble = True
            continue
        if re.fullmatch(r"Chương [IVXLC]+\.", para):
            in_preamble, article, khoan = False, None, None
            continue
        m = re.fullmatch(r"Điều (\d+)\.", para)
        if m:
            article, khoan = int(m.group(1)), None
            continue
        if in_preamble:
            spans.append((start, end, frozenset({"Lời nói đầu"})))
            continue
        if article is None:  # document title, chapter titles
            continue
        m = re.match(r"(\d+)\. ", para)
        if m:
            khoan = int(m.group(1))
            spans.append((start, end, frozenset({f"Điều {article}, khoản {khoan}"})))
        elif khoan is None:
            spans.append((start, end, frozenset({f"Điều {article}"})))
        else:
            # Unnumbered paragraph after a numbered khoản: the scheme labels it "Điều N"; it also reads
            # as a continuation of khoản K, so accept either.
            spans.append((start, end, frozenset({f"Điều {article}", f"Điều {article}, khoản {khoan}"})))
    return spans


def nq27_tinh_hinh_spans(text: str) -> list[tuple[int, int, frozenset[str]]]:
    i = text.index("- TÌNH HÌNH")
    return [(0, i, frozenset({"Phần mở đầu"})), (i, len(text), frozenset({"Tình hình"}))]


def nq27_quan_diem_spans(text: str) -> list[tuple[int, int, frozenset[str]]]:
    i = text.index("Quan điểm kiên định")
    return [(0, i, frozenset({"Phần mở đầu"})), (i, len(text), frozenset({"Quan điểm"}))]


def kh11_spans(text: str) -> list[tuple[int, int, frozenset[str]]]:
    i = text.index("Thực hiện Nghị quyết số 27-NQ/TW")
    assert text[i:].split("\n", 1)[0].endswith("nhằm mục đích:")
    return [(0, i, frozenset({"Phần mở đầu"})), (i, len(text), frozenset({"Mục đích"}))]


SEGMENTERS = {
    KH32: kh32_spans,
    HP: hien_phap_spans,
    NQ_TH: nq27_tinh_hinh_spans,
    NQ_QD: nq27_quan_diem_spans,
    KH11: kh11_spans,
}


@cache
def spans(doc: str) -> tuple[tuple[int, int, frozenset[str]], ...]:
    return tuple(SEGMENTERS[doc](body(doc)))


def labels_at(doc: str, start: int, end: int) -> frozenset[str] | None:
    """Labels of the single span containing [start, end), or None if it crosses spans / hits chrome."""
    for s, e, labels in spans(doc):
        if s <= start and end <= e:
            return labels
    return None


def label_matches(expected: str, actual: frozenset[str]) -> bool:
    """`Điều 2` also matches evidence located in `Điều 2, khoản 1` (a coarser expected label)."""
    return any(a == expected or a.startswith(expected + ",") for a in actual)


def occurrences(text: str, needle: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(needle), text)]


def has_diacritics(text: str) -> bool:
    decomposed = unicodedata.normalize("NFD", text)
    return any(unicodedata.combining(ch) for ch in decomposed) or any(ch in "đĐ" for ch in text)


def item_id(it: dict) -> str:
    return str(it.get("id"))


# --------------------------------------------------------------------------- dataset-level checks


def test_corpus_docs_are_known():
    assert set(DOCS) == set(SEGMENTERS), "corpus files changed; update the clause segmenters"


def test_dataset_size_and_unique_ids():
    assert len(ITEMS) >= 40
    counts = Counter(item_id(it) for it in ITEMS)
    dupes = [k for k, n in counts.items() if n > 1]
    assert not dupes, f"duplicate ids: {dupes}"


def test_kind_counts():
    counts = Counter(it.get("kind") for it in ITEMS)
    for kind in sorted(KINDS_AT_LEAST_3):
        assert counts[kind] >= 3, f"only {counts[kind]} items of kind {kind!r}"
    assert counts["multi-clause"] >= 1


def test_coverage_of_key_clauses():
    covered = {(c["doc"], c["clause"]) for it in ANSWERABLE for c in it["expected_clauses"]}
    needed = {(KH32, f"Nhiệm vụ thứ {o}") for o in ORDINALS}
    needed |= {(KH32, "Mục đích"), (KH32, "Yêu cầu"), (KH32, "Phần mở đầu")}
    assert needed <= covered, f"not covered: {sorted(needed - covered)}"
    assert {NQ_QD, NQ_TH, KH11} <= {doc for doc, _ in covered}
    articles = {re.match(r"Điều \d+", clause).group() for doc, clause in covered if doc == HP}
    assert len(articles) >= 10, f"only {len(articles)} Constitution articles covered: {sorted(articles)}"


# --------------------------------------------------------------------------- per-item checks


@pytest.mark.parametrize("it", ITEMS, ids=item_id)
def test_schema(it):
    missing = set(REQUIRED) - set(it)
    assert not missing, f"missing keys: {missing}"
    for key, typ in REQUIRED.items():
        assert isinstance(it[key], typ), f"{key} should be {typ.__name__}"
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", it["id"]), "id must be short lowercase ASCII"
    assert it["kind"] in KINDS
    assert it["question"].strip()
    assert it["reference_answer"].strip()
    assert all(isinstance(e, str) and e.strip() for e in it["evidence"])
    for clause in it["expected_clauses"]:
        assert isinstance(clause, dict)
        assert set(clause) == {"doc", "clause"}
        assert clause["doc"] in DOCS, f"unknown doc {clause['doc']!r}"
        assert isinstance(clause["clause"], str) and clause["clause"]
    for turn in it["history"]:
        assert isinstance(turn, dict) and set(turn) == {"role", "content"}
        assert turn["role"] in {"user", "assistant"}
        assert isinstance(turn["content"], str) and turn["content"].strip()


@pytest.mark.parametrize("it", ITEMS, ids=item_id)
def test_answerable_consistency(it):
    empty_evidence = not it["evidence"]
    empty_clauses = not it["expected_clauses"]
    assert (it["answerable"] is False) == empty_evidence == empty_clauses
    unanswerable_kind = it["kind"] in {"unanswerable", "out-of-scope"}
    assert unanswerable_kind == (it["answerable"] is False)
    if not it["answerable"]:
        assert it["reference_answer"] == NOT_ANSWERED


@pytest.mark.parametrize("it", ITEMS, ids=item_id)
def test_kind_specific_rules(it):
    kind = it["kind"]
    if kind == "no-diacritics":
        assert not has_diacritics(it["question"]), "no-diacritics question contains diacritics"
    if kind == "follow-up":
        assert it["history"], "follow-up needs a history"
        assert it["history"][0]["role"] == "user"
        assert it["history"][-1]["role"] == "assistant"
    else:
        assert not it["history"], "only follow-up items carry history"
    if kind == "multi-clause":
        assert len({(c["doc"], c["clause"]) for c in it["expected_clauses"]}) >= 2
    if kind == "english":
        assert it["question"].isascii()


@pytest.mark.parametrize("it", ANSWERABLE, ids=item_id)
def test_evidence_is_verbatim_and_in_expected_clause(it):
    """Each evidence string occurs verbatim in an expected doc's body, inside an expected clause."""
    expected = {}
    for clause in it["expected_clauses"]:
        expected.setdefault(clause["doc"], set()).add(clause["clause"])
    supported = set()
    for ev in it["evidence"]:
        assert ev == ev.strip(), f"evidence has surrounding whitespace: {ev!r}"
        assert unicodedata.normalize("NFC", ev) == ev, f"evidence is not NFC: {ev!r}"
        assert KH32_BYLINE not in ev, "evidence must not use the byline"
        placed = False
        found_anywhere = False
        for doc, wanted in expected.items():
            text = body(doc)
            for start in occurrences(text, ev):
                found_anywhere = True
                if doc == KH32 and start < text.index(KH32_TEXT_START):
                    continue  # page chrome / headline at the top of the news page
                labels = labels_at(doc, start, start + len(ev))
                if labels is None:
                    continue
                hits = {w for w in wanted if label_matches(w, labels)}
                if hits:
                    placed = True
                    supported |= {(doc, w) for w in hits}
        assert found_anywhere, f"not a verbatim substring of {sorted(expected)}: {ev!r}"
        assert placed, f"evidence is outside the expected clauses {expected}: {ev!r}"
    unsupported = {(d, c) for d, cs in expected.items() for c in cs} - supported
    assert not unsupported, f"expected clauses with no evidence: {unsupported}"


def test_kh32_chrome_is_at_the_top():
    """The page chrome the evidence check skips sits within the first 600 characters."""
    text = body(KH32)
    start = text.index(KH32_TEXT_START)
    assert start <= 600
    assert "Lượt xem" in text[:start] and "Xem với cỡ chữ" in text[:start]
    assert "Lượt xem" not in text[start:]


def test_segmenters_cover_expected_labels():
    """Sanity check of the clause segmenters themselves."""
    kh32_labels = set().union(*(labels for _, _, labels in spans(KH32)))
    assert {f"Nhiệm vụ thứ {o}" for o in ORDINALS} <= kh32_labels
    hp_labels = set().union(*(labels for _, _, labels in spans(HP)))
    assert "Lời nói đầu" in hp_labels
    assert "Điều 1" in hp_labels and "Điều 120, khoản 5" in hp_labels
    articles = {re.match(r"Điều \d+", lab).group() for lab in hp_labels if lab.startswith("Điều")}
    assert len(articles) == 120
