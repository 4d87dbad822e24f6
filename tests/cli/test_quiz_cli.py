"""`python -m assistant quiz`: a trainer's quiz from the command line, as text or JSON; bad input is a
Vietnamese message and a non-zero exit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.test_cli import Result, assert_ok, assert_user_error, run_cli, source_text


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus, ingested by the first command on an empty store."""
    path = tmp_path_factory.mktemp("quiz-store")
    assert_ok(run_cli("docs", data_dir=path))
    return path


def quiz(store: Path, *args: str) -> Result:
    return run_cli("quiz", *args, data_dir=store)


def test_json_items_with_their_kind_answer_explanation_and_citation(store: Path) -> None:
    result = quiz(store, "--doc", "hien-phap-2013", "--count", "9", "--seed", "4", "--json")
    assert_ok(result)
    out = json.loads(result.stdout)
    assert out["doc"] == "hien-phap-2013" and out["seed"] == 4
    items = out["items"]
    assert len(items) == 9 and {i["kind"] for i in items} == {"blank", "true_false", "choice"}
    text = " ".join(source_text("hien-phap-2013").split())
    for item in items:
        assert {"kind", "prompt", "choices", "answer", "explanation", "citation"} <= item.keys()
        assert set(item["citation"]) == {"doc", "label", "text"}
        assert item["citation"]["doc"] == "hien-phap-2013" and item["citation"]["label"].startswith(
            "Hiến pháp 2013, "
        )
        assert item["citation"]["text"] in text and item["citation"]["text"] in item["explanation"]
        if item["kind"] == "choice":
            assert len(item["choices"]) == 4 and item["answer"][0] in "ABCD"
            assert item["choices"]["ABCD".index(item["answer"][0])] == item["answer"][3:]
        else:
            assert item["choices"] == []
        if item["kind"] == "true_false":
            assert item["answer"] in ("Đúng", "Sai")


def test_clauses_seed_and_kinds(store: Path) -> None:
    args = ("--doc", "hien-phap-2013", "--clause", "Điều 2", "--clause", "Điều 6", "--count", "3", "--json")
    first = quiz(store, *args, "--seed", "3", "--kinds", "true_false")
    assert_ok(first)
    items = json.loads(first.stdout)["items"]
    assert [i["kind"] for i in items] == ["true_false"] * 3
    assert {i["citation"]["label"].split(",")[1].strip() for i in items} <= {"Điều 2", "Điều 6"}
    assert quiz(store, *args, "--seed", "3", "--kinds", "true_false").stdout == first.stdout


def test_text_output_is_a_question_sheet_then_the_answer_key(store: Path) -> None:
    result = quiz(store, "--doc", "ke-hoach-32-KH-BCSD", "--clause", "Nhiệm vụ thứ tư", "--count", "3")
    assert_ok(result)
    sheet, _, key = result.stdout.partition("\nĐáp án\n")
    assert sheet.startswith("Đề kiểm tra: KH 32-KH/BCSĐ (Nhiệm vụ thứ tư) — mã đề 0")
    assert "Câu 1 (" in sheet and "Câu 3 (" in sheet and "— KH 32-KH/BCSĐ, Nhiệm vụ thứ tư:" in sheet
    assert "Câu 1: " in key and "Nguyên văn: «" in key


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--count", "5"), "Hãy chọn tài liệu"),
        (("--doc", "khong-co-tai-lieu"), "Không có tài liệu mã 'khong-co-tai-lieu'"),
        (("--doc", "hien-phap-2013", "--clause", "Điều 999"), "không có điều khoản 'Điều 999'"),
        (("--doc", "hien-phap-2013", "--count", "0"), "Số câu hỏi (--count) phải là số nguyên từ 1 đến 100"),
        (("--doc", "hien-phap-2013", "--count", "năm"), "Số câu hỏi (--count) phải là số nguyên"),
        (("--doc", "hien-phap-2013", "--kinds", "essay"), "Loại câu hỏi 'essay' không có"),
        (("--doc", "hien-phap-2013", "--kinds", "blank:-1"), "Tỉ lệ của loại 'blank'"),
        (("--doc", "hien-phap-2013", "--seed", "x"), "Mã đề (--seed) phải là số nguyên"),
    ],
)
def test_bad_input_is_a_vietnamese_error(store: Path, args: tuple[str, ...], message: str) -> None:
    result = quiz(store, *args)
    assert_user_error(result)
    assert message in result.stderr
