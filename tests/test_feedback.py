"""Feedback store: ratings and comments with question, answer and citations; CSV export."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from assistant.feedback import CSV_COLUMNS, FeedbackStore

CITATIONS = [
    {
        "n": 1,
        "doc": "kh32",
        "label": "KH 32-KH/BCSĐ, Nhiệm vụ thứ tư",
        "text": "Đoạn.",
        "quotes": ["Câu trích."],
    }
]


def test_rating_then_comment_update_one_row(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "data" / "feedback.sqlite")
    store.record("conv", "m1", "Hỏi gì?", "Trả lời [1]", CITATIONS, rating=1)
    store.record("conv", "m1", "Hỏi gì?", "Trả lời [1]", CITATIONS, rating=1, comment="  Rõ ràng ")
    store.record("conv", "m2", "Hỏi khác?", "Không có.", [], rating=0)
    rows = store.rows()
    assert [(r["message"], r["rating"], r["comment"]) for r in rows] == [("m1", 1, "Rõ ràng"), ("m2", 0, "")]
    assert rows[0]["citations"][0]["quotes"] == ["Câu trích."]
    assert rows[0]["question"] == "Hỏi gì?" and rows[0]["answer"] == "Trả lời [1]"


def test_changed_rating_keeps_the_comment(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite")
    store.record("c", "m", "q", "a", [], rating=1, comment="tốt")
    store.record("c", "m", "q", "a", [], rating=0)
    assert [(r["rating"], r["comment"]) for r in store.rows()] == [(0, "tốt")]


def test_persists_across_instances(tmp_path: Path) -> None:
    FeedbackStore(tmp_path / "f.sqlite").record("c", "m", "q", "a", CITATIONS, rating=1)
    assert len(FeedbackStore(tmp_path / "f.sqlite").rows()) == 1


def test_csv_export_for_evaluators(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "f.sqlite")
    store.record("conv", "m1", "Nhiệm vụ thứ tư?", "Thứ tư, … [1]", CITATIONS, rating=0, comment='Thiếu, "ý"')
    rows = list(csv.reader(io.StringIO(store.to_csv())))
    assert rows[0] == CSV_COLUMNS
    record = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    assert record["danh_gia"] == "👎"
    assert record["gop_y"] == 'Thiếu, "ý"'
    assert record["cau_hoi"] == "Nhiệm vụ thứ tư?"
    assert record["trich_dan"] == "[1] KH 32-KH/BCSĐ, Nhiệm vụ thứ tư: Câu trích."
