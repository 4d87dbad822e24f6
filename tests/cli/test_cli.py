"""End-to-end tests of the command line (`python -m assistant ingest|docs|ask`).

Commands run through the real entry point, `assistant.cli.main`, in this process (an interpreter start
costs ~3 s of imports); a few also run as real subprocesses. One store with the bundled corpus is built
per module and shared by the read-only tests; every test that writes (or tries to) uses its own copy.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import docx
import pytest

from assistant import get_settings
from assistant.cli.main import main
from assistant.language.text import shown_name
from tests.conftest import CORPUS, PROJECT

BUNDLED = sorted(p.stem for p in CORPUS.glob("*.txt"))

Q4 = "Nhiệm vụ thứ tư của kế hoạch là gì?"
Q4_LABEL = "KH 32-KH/BCSĐ, Nhiệm vụ thứ tư"
Q4_CLAUSE = "Nhiệm vụ thứ tư"
OUT_OF_SCOPE = "Thời tiết Hà Nội hôm nay thế nào?"
REFUSAL_START = "Tài liệu hiện có không đề cập"
MARKER = re.compile(r"\[(\d+)\]")


@dataclass(frozen=True)
class Result:
    """What a command did: exit code and what it printed."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(
    *args: str, data_dir: Path, stdin: str | bytes | None = None, env: dict[str, str] | None = None
) -> Result:
    """`python -m assistant ARGS` on the store in `data_dir`, through `main()` in this process
    (stdin given as bytes is read as a terminal's would be, bytes first)."""
    out, err = io.StringIO(), io.StringIO()
    reader = (
        io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
        if isinstance(stdin, bytes)
        else io.StringIO(stdin or "")
    )
    environ = {"KH32_DATA_DIR": str(data_dir), **(env or {})}
    with (
        mock.patch.dict(os.environ, environ),
        mock.patch.object(sys, "argv", ["assistant", *args]),
        mock.patch.object(sys, "stdin", reader),
        redirect_stdout(out),
        redirect_stderr(err),
    ):
        os.environ.pop("KH32_DEBUG", None)  # it turns unexpected errors into tracebacks on purpose
        get_settings.cache_clear()
        try:
            main()
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 1
        finally:
            get_settings.cache_clear()
    return Result(code, out.getvalue(), err.getvalue())


def run_process(*args: str, data_dir: Path, env: dict[str, str] | None = None) -> Result:
    """`python -m assistant ARGS` as a real subprocess (with `env` added to this one's environment)."""
    environ = {**os.environ, "PYTHONUTF8": "1", "KH32_DATA_DIR": str(data_dir), **(env or {})}
    environ.pop("KH32_DEBUG", None)
    done = subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        cwd=PROJECT,
        env=environ,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def listing(data_dir: Path) -> str:
    """`docs` output, without auto-ingest: an emptied store must show up as empty, not be refilled."""
    result = run_cli("docs", data_dir=data_dir, env={"KH32_AUTO_INGEST": "false"})
    assert result.returncode == 0, result.stderr
    return result.stdout


def assert_ok(result: Result) -> None:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def assert_user_error(result: Result) -> None:
    """Non-zero exit, one `Lỗi: …` line on stderr, no traceback anywhere."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Lỗi: ") and len(lines[0]) > len("Lỗi: "), result.stderr


def source_text(doc: str) -> str:
    return (CORPUS / f"{doc}.txt").read_text(encoding="utf-8")


def check_answer_object(obj: dict) -> None:
    """The JSON shape of an answer, markers ↔ citations, and citations quoting the bundled files verbatim."""
    assert isinstance(obj["answer"], str) and obj["answer"]
    assert isinstance(obj["refused"], bool)
    assert isinstance(obj["citations"], list)
    assert isinstance(obj["timings_ms"], dict) and obj["timings_ms"]
    for value in obj["timings_ms"].values():
        assert isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
    for c in obj["citations"]:
        assert {"n", "doc", "title", "clause", "label", "text", "chunk_id", "span", "quotes"} <= c.keys()
        assert isinstance(c["n"], int)
        assert all(isinstance(c[k], str) and c[k] for k in ("doc", "title", "clause", "label", "text"))
        if c["doc"] in BUNDLED:
            assert c["text"] in source_text(c["doc"])
        for quote in c["quotes"]:
            assert quote in c["text"]
    markers = {int(n) for n in MARKER.findall(obj["answer"])}
    numbers = [c["n"] for c in obj["citations"]]
    assert len(numbers) == len(set(numbers))
    assert markers == set(numbers)


def clauses(obj: dict) -> list[str]:
    return [c["clause"] for c in obj["citations"]]


@dataclass(frozen=True)
class BaseStore:
    path: Path
    docs: str  # output of `docs` on it


@pytest.fixture(scope="module")
def base_store(tmp_path_factory: pytest.TempPathFactory) -> BaseStore:
    """The bundled corpus, ingested by the first `docs` on an empty store."""
    path = tmp_path_factory.mktemp("cli-store")
    result = run_cli("docs", data_dir=path)
    assert_ok(result)
    return BaseStore(path, result.stdout)


# --- read-only ---------------------------------------------------------------------------------------


def test_docs_lists_bundled_corpus(base_store: BaseStore) -> None:
    lines = base_store.docs.strip().splitlines()
    assert [line.split("\t")[0] for line in lines] == BUNDLED
    for line in lines:
        _doc_id, chunks, short, title = line.split("\t")
        assert re.fullmatch(r"[1-9]\d* đoạn", chunks), line
        assert short and title
    kh32 = next(line for line in lines if line.startswith("ke-hoach-32-KH-BCSD\t"))
    assert "\tKH 32-KH/BCSĐ\t" in kh32


def test_ask_prints_answer_and_sources(base_store: BaseStore) -> None:
    result = run_cli("ask", Q4, data_dir=base_store.path)
    assert_ok(result)
    text, sep, sources = result.stdout.partition("\nNguồn:\n")
    assert sep, result.stdout
    assert "Thứ tư, tiếp tục tham mưu đổi mới tổ chức và hoạt động của Chính phủ" in text
    assert "[1]" in text
    first = sources.splitlines()[0]
    assert first.startswith(f"[1] {Q4_LABEL} — "), sources


@pytest.mark.parametrize("run", [run_cli, run_process], ids=["in-process", "subprocess"])
def test_ask_json(base_store: BaseStore, run: Callable[..., Result]) -> None:
    result = run("ask", "--json", Q4, data_dir=base_store.path)
    assert_ok(result)
    assert len(result.stdout.strip().splitlines()) == 1
    obj = json.loads(result.stdout)
    assert isinstance(obj, dict)
    check_answer_object(obj)
    assert obj["refused"] is False
    assert obj["question"] == Q4
    assert obj["citations"][0]["label"] == Q4_LABEL
    assert obj["citations"][0]["doc"] == "ke-hoach-32-KH-BCSD"
    assert set(clauses(obj)) == {Q4_CLAUSE}
    assert "Thứ tư, tiếp tục tham mưu" in obj["answer"]


def test_ask_jsonl_batch_with_history(base_store: BaseStore) -> None:
    history = [
        {"role": "user", "content": Q4},
        {
            "role": "assistant",
            "content": "Thứ tư, tiếp tục tham mưu đổi mới tổ chức và hoạt động của Chính phủ, "
            "chính quyền địa phương. [1]",
        },
    ]
    items = [
        {"id": "q4", "question": Q4},
        {
            "id": "follow-up",
            "question": "Trong nhiệm vụ đó, cải cách hành chính có mấy trụ cột?",
            "history": history,
        },
        {"id": 7, "question": OUT_OF_SCOPE},
        {"id": "ascii", "question": "nhiem vu thu tu cua ke hoach la gi"},
    ]
    stdin = "\n".join(json.dumps(item, ensure_ascii=False) for item in items) + "\n"
    result = run_cli("ask", "--jsonl", data_dir=base_store.path, stdin=stdin)
    assert_ok(result)
    lines = result.stdout.strip().splitlines()
    assert len(lines) == len(items)
    out = [json.loads(line) for line in lines]
    assert [o["id"] for o in out] == [item["id"] for item in items]
    for o in out:
        assert "error" not in o
        check_answer_object(o)
    q4, follow, weather, ascii_ = out
    assert not q4["refused"] and Q4_CLAUSE in clauses(q4)
    assert not follow["refused"]
    assert Q4_CLAUSE in clauses(follow)
    assert "03 trụ cột" in follow["answer"]
    assert weather["refused"] is True
    assert weather["citations"] == []
    assert weather["answer"].startswith(REFUSAL_START)
    assert not ascii_["refused"] and Q4_CLAUSE in clauses(ascii_)


def test_ask_jsonl_bad_lines_do_not_stop_the_batch(base_store: BaseStore) -> None:
    stdin = (
        json.dumps({"id": "a", "question": Q4}, ensure_ascii=False)
        + "\nthis is not JSON {\n"
        + "[1, 2]\n"
        + "[" * 100_000
        + "\n"
        + json.dumps({"id": "b", "question": "nhiem vu thu tu cua ke hoach la gi"})
        + "\n"
    )
    result = run_cli("ask", "--jsonl", data_dir=base_store.path, stdin=stdin)
    assert result.returncode != 0
    assert "Traceback" not in result.stdout + result.stderr
    out = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert len(out) == 5
    assert out[3] == {"id": 4, "error": "Dòng 4 là JSON lồng nhau quá sâu."}
    good = [out[0], out[4]]
    assert [o["id"] for o in good] == ["a", "b"]
    for o in good:
        assert "error" not in o
        check_answer_object(o)
        assert Q4_CLAUSE in clauses(o)
    for bad in out[1:3]:
        assert set(bad) == {"id", "error"}
        assert isinstance(bad["error"], str) and bad["error"]
    assert "Dòng 2" in out[1]["error"]
    assert "Dòng 3" in out[2]["error"]
    assert result.stderr.strip().splitlines()[-1] == 'Lỗi: 3 dòng không trả lời được (xem trường "error").'


def _strict_json(line: str) -> dict:
    """A line of output as a strict JSON parser reads it (no NaN, no Infinity)."""

    def refuse(name: str) -> None:
        raise ValueError(f"not JSON: {name}")

    return json.loads(line, parse_constant=refuse)


def test_ask_jsonl_malformed_lines_each_get_an_error_and_the_batch_goes_on(base_store: BaseStore) -> None:
    q4 = json.dumps(Q4, ensure_ascii=False)
    lines = [
        '{"id": "s", "question": "Nhi\\udc80m v\\u1ee5"}',  # an escaped lone surrogate
        '{"id": ' + "9" * 5000 + ', "question": ' + q4 + "}",  # an id of 5,000 digits
        '{"id": NaN, "question": ' + q4 + "}",
        '{"id": 4, "question": 42}',  # not a string
        '{"id": 5, "question": "Nhi\\u1ec7m v\\u1ee5\\u0000 th\\u1ee9 t\\u01b0"}',  # a NUL
        '{"id": {"a": 1}, "question": ' + q4 + "}",
        '{"id": 1e999, "question": ' + q4 + "}",
        '{"id": "x", "question": "Nhiệm vụ", "history": [{"role": "user", "content": "a\\u0000"}]}',
        '{"id": "last", "question": ' + q4 + "}",
    ]
    stdin = "\n".join(lines).encode("utf-8") + b'\n{"id": 10, "question": "Nhi\xe1\xbb m"}\n'
    stdin += ('{"id": "end", "question": ' + q4 + "}\n").encode("utf-8")
    result = run_cli("ask", "--jsonl", data_dir=base_store.path, stdin=stdin)
    assert result.returncode != 0
    assert "Traceback" not in result.stdout + result.stderr
    out = [_strict_json(line) for line in result.stdout.strip().splitlines()]
    assert [o["id"] for o in out] == ["s", 2, 3, 4, 5, 6, 7, "x", "last", 10, "end"]
    errors = {o["id"]: o["error"] for o in out if "error" in o}
    assert set(errors) == {"s", 2, 3, 4, 5, 6, 7, "x", 10}
    for error in errors.values():
        assert error.startswith("Dòng "), error
    assert "UTF-8" in errors["s"] and "UTF-8" in errors[10]
    assert "số quá dài" in errors[2] and "NaN" in errors[3] and "chuỗi" in errors[4]
    assert "NUL" in errors[5] and "NUL" in errors["x"] and '"id"' in errors[6]
    for good in (out[8], out[10]):
        check_answer_object(good)
        assert Q4_CLAUSE in clauses(good)
    assert result.stderr.strip().splitlines()[-1] == 'Lỗi: 9 dòng không trả lời được (xem trường "error").'


@pytest.mark.parametrize("question", ["Nhiệm vụ\x00 thứ tư là gì?", "Nhiệm vụ\x1b[31m thứ tư"])
def test_ask_rejects_control_characters(base_store: BaseStore, question: str) -> None:
    result = run_cli("ask", question, data_dir=base_store.path)
    assert_user_error(result)
    assert "ký tự điều khiển" in result.stderr


def test_ask_rejects_bytes_that_are_not_utf8(base_store: BaseStore) -> None:
    # Python reads such an argument with surrogate escapes; subprocess writes them back as the raw bytes.
    result = run_process("ask", "Nhi\udcff\udcfem v\u1ee5 th\u1ee9 t\u01b0", data_dir=base_store.path)
    assert_user_error(result)
    assert "UTF-8" in result.stderr and "không mong đợi" not in result.stderr


@pytest.mark.parametrize("question", ["-x là gì?", "--không-phải-tùy-chọn"])
def test_a_question_may_start_with_a_dash(base_store: BaseStore, question: str) -> None:
    result = run_cli("ask", question, "--json", data_dir=base_store.path)
    assert_ok(result)
    assert json.loads(result.stdout)["question"] == question


@pytest.mark.parametrize(
    "question",
    ["", "   ", ("Nhiệm vụ thứ tư của kế hoạch là gì? " * 560)[:20_000]],
    ids=["empty", "blank", "20000-chars"],
)
def test_ask_rejects_bad_question(base_store: BaseStore, question: str) -> None:
    result = run_cli("ask", question, data_dir=base_store.path)
    assert_user_error(result)
    assert result.stdout == ""


def test_a_real_process_reports_a_user_error_in_one_line(base_store: BaseStore) -> None:
    result = run_process("ask", "", data_dir=base_store.path)
    assert_user_error(result)
    assert result.returncode == 2


# --- writing, each on its own copy of the module store ----------------------------------------------


def _write(folder: Path, name: str, data: bytes) -> list[str]:
    path = folder / name
    path.write_bytes(data)
    return ["ingest", str(path)]


BAD_INGESTS: dict[str, Callable[[Path], list[str]]] = {
    "empty-file": lambda d: _write(d, "trong.txt", b""),
    "non-utf8-txt": lambda d: _write(d, "latin.txt", b"Nh\xe0 n\x1bu\xf5c"),
    "corrupt-pdf": lambda d: _write(d, "hong.pdf", b"%PDF-1.4 garbage"),
    "unsupported-suffix": lambda d: _write(d, "bang.xyz", "Điều 1. Nhà nước".encode()),
    "missing-file": lambda d: ["ingest", str(d / "khong-co.txt")],
    "missing-folder": lambda d: ["ingest", str(d / "khong-co")],
    "remove-unknown": lambda d: ["ingest", "--remove", "no-such-doc"],
    "no-arguments": lambda d: ["ingest"],
}
REGULATION = """# Quy chế quản lý vườn ươm cây giống xã Hòa Bình

Điều 1. Phạm vi điều chỉnh

1. Quy chế này quy định việc quản lý vườn ươm cây giống xã Hòa Bình, gồm khu ươm keo lai và bạch đàn.
2. Vườn ươm mở cửa từ 6 giờ sáng đến 17 giờ chiều các ngày trong tuần, trừ Chủ nhật.

Điều 2. Trách nhiệm của tổ trưởng vườn ươm

1. Tổ trưởng vườn ươm tưới nước cho cây keo lai hai lần mỗi ngày.
2. Tổ trưởng vườn ươm lập sổ theo dõi số lượng cây giống xuất vườn hằng tháng.
"""
AMENDMENT = """
Điều 3. Khen thưởng

1. Tổ viên ươm được trên 5.000 cây keo lai đạt chuẩn trong một quý được khen thưởng.
2. Kinh phí khen thưởng lấy từ quỹ phát triển rừng của xã.

Điều 4. Hiệu lực thi hành

Quy chế này có hiệu lực kể từ ngày ký.
"""
REGULATION_ID = "quy-che-vuon-uom"
REGULATION_QUESTION = "Tổ trưởng vườn ươm tưới nước cho cây keo lai mấy lần mỗi ngày?"
HTML_TITLE = "Thông báo họp tổ dân phố số 7"
DOCX_TITLE = "Nội quy thư viện trường Tiểu học Hoa Sen"


def _copy(base: BaseStore, tmp_path: Path) -> Path:
    store = tmp_path / "store"
    shutil.copytree(base.path, store)
    return store


@pytest.mark.parametrize("case", BAD_INGESTS)
def test_ingest_refuses_bad_input(case: str, base_store: BaseStore, tmp_path: Path) -> None:
    store = _copy(base_store, tmp_path)
    result = run_cli(*BAD_INGESTS[case](tmp_path), data_dir=store)
    assert result.returncode == 2
    assert result.stdout == ""
    assert_user_error(result)
    # The copy listed the same as the module store before the ingest: it must list the same after.
    assert listing(store) == base_store.docs


def _chunk_count(line: str) -> int:
    match = re.search(r"\((\d+) đoạn", line)
    assert match, line
    return int(match[1])


def test_ingest_life_cycle(base_store: BaseStore, tmp_path: Path) -> None:
    """Add, re-add, ask, update (refused without --replace), duplicate, list, remove, list."""
    store = _copy(base_store, tmp_path)
    doc_id = REGULATION_ID
    path = tmp_path / f"{doc_id}.md"
    path.write_text(REGULATION, encoding="utf-8")
    steps: dict[str, Result | str] = {}
    steps["added"] = run_cli("ingest", str(path), data_dir=store)
    steps["again"] = run_cli("ingest", str(path), data_dir=store)
    steps["asked"] = run_cli("ask", "--json", REGULATION_QUESTION, data_dir=store)
    path.write_text(REGULATION + AMENDMENT, encoding="utf-8")
    refused = run_cli("ingest", str(path), data_dir=store)  # a new file never replaces silently
    steps["updated"] = run_cli("ingest", "--replace", "--yes", str(path), data_dir=store)
    twin = tmp_path / "ban-sao-quy-che.md"
    shutil.copyfile(path, twin)
    steps["duplicate"] = run_cli("ingest", str(twin), data_dir=store)
    steps["docs"] = listing(store)
    steps["removed"] = run_cli("ingest", "--remove", doc_id, data_dir=store)
    steps["docs_after"] = listing(store)
    for step in steps.values():
        if isinstance(step, Result):
            assert_ok(step)

    added = steps["added"].stdout
    assert added.startswith(f"{doc_id}: đã thêm ("), added
    first_count = _chunk_count(added)

    again = steps["again"].stdout
    assert again.startswith(f"{doc_id}: không đổi ({first_count} đoạn)"), again

    answer = json.loads(steps["asked"].stdout)
    check_answer_object(answer)
    assert answer["refused"] is False
    assert answer["citations"][0]["doc"] == doc_id
    assert "hai lần mỗi ngày" in answer["answer"]
    assert answer["citations"][0]["text"] in REGULATION

    assert refused.returncode == 2 and "ingest --replace" in refused.stderr, refused
    updated = steps["updated"].stdout
    assert f"Thay thế '{doc_id}' bằng tệp '{doc_id}.md':" in updated  # the preview, before it is applied
    assert "Đoạn: thêm " in updated
    assert f"{doc_id}: đã thay thế (" in updated, updated
    updated = updated.splitlines()[-1]
    new_count = _chunk_count(updated)
    assert new_count > first_count

    duplicate = steps["duplicate"].stdout
    assert duplicate.startswith("ban-sao-quy-che: trùng nội dung"), duplicate
    assert f"giống '{doc_id}'" in duplicate

    docs = steps["docs"]
    assert f"{doc_id}\t{new_count} đoạn\t" in docs
    assert [line.split("\t")[0] for line in docs.splitlines()] == sorted([*BUNDLED, doc_id])

    removed = steps["removed"].stdout
    assert removed.startswith(f"Đã xóa tài liệu '{doc_id}' ({new_count} đoạn)"), removed
    assert steps["docs_after"] == base_store.docs


def test_ingest_html_and_docx(base_store: BaseStore, tmp_path: Path) -> None:
    store = _copy(base_store, tmp_path)
    html = tmp_path / "thong-bao-hop.html"
    html.write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{HTML_TITLE}</title>"
        "<script>var x = 'không phải nội dung';</script></head><body><nav>Trang chủ</nav>"
        f"<h1>{HTML_TITLE}</h1>"
        "<p>Điều 1. Tổ dân phố số 7 họp vào tối thứ Sáu tại nhà văn hóa phường.</p>"
        "<p>Điều 2. Mỗi hộ cử một đại diện tham dự cuộc họp.</p></body></html>",
        encoding="utf-8",
    )
    document = docx.Document()
    document.core_properties.title = DOCX_TITLE
    document.add_heading(DOCX_TITLE, level=1)
    document.add_paragraph("Điều 1. Thư viện mở cửa từ thứ Hai đến thứ Sáu.")
    document.add_paragraph("Điều 2. Học sinh mượn tối đa hai quyển sách mỗi lần.")
    word = tmp_path / "noi-quy-thu-vien.docx"
    document.save(word)
    result = run_cli("ingest", str(html), str(word), data_dir=store)
    assert_ok(result)
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2, result.stdout
    assert lines[0].startswith("thong-bao-hop: đã thêm (")
    assert lines[0].endswith(f"— {HTML_TITLE}")
    assert lines[1].startswith("noi-quy-thu-vien: đã thêm (")
    assert lines[1].endswith(f"— {DOCX_TITLE}")
    assert all(_chunk_count(line) > 0 for line in lines)


@pytest.mark.parametrize(
    ("name", "doc_id"),
    [("quy\nche.txt", "quy che"), ("hoa-don\u202etxt.exe.txt", "hoa-don_txt.exe"), ("a\tb\x07.txt", "a b_")],
)
def test_a_file_name_that_would_garble_a_listing_gets_a_safe_id(
    base_store: BaseStore, tmp_path: Path, name: str, doc_id: str
) -> None:
    data = _copy(base_store, tmp_path)
    path = tmp_path / name
    path.write_text("Điều 1. Quy định riêng\n\nNội dung riêng của tệp có tên lạ.\n", encoding="utf-8")
    added = run_cli("ingest", str(path), data_dir=data)
    assert_ok(added)
    assert added.stdout.startswith(f"{doc_id}: đã thêm"), added.stdout
    lines = listing(data).splitlines()
    assert len(lines) == len(BUNDLED) + 1  # one line per document, whatever the file name held
    (line,) = [line for line in lines if line.split("\t")[0] == doc_id]
    assert all(ch.isprintable() or ch == "\t" for ch in line)
    assert "\u202e" not in line and "\n" not in line
    assert line.endswith(f"(tệp gốc: {shown_name(name)})")  # the original name, escaped, for display
    removed = run_cli("ingest", "--remove", doc_id, data_dir=data)
    assert_ok(removed)
    assert len(listing(data).splitlines()) == len(BUNDLED)


def test_ingest_progress_shows_the_time_left() -> None:
    from assistant.cli.main import _progress

    err = io.StringIO()
    with redirect_stderr(err), _progress("Nạp tài liệu") as update:
        update(0, 0)  # nothing to embed: no bar
        assert err.getvalue() == ""
        update(0, 40)  # counted up front, before the first embedding
        update(10, 40)
    shown = err.getvalue()
    assert "Nạp tài liệu" in shown and "0/40 đoạn và câu" in shown and "còn khoảng" in shown


def test_a_standard_layout_document_is_named_by_its_header_block(tmp_path: Path) -> None:
    """Uploaded in the standard layout (no TITLE line: only its header block names it), a plan is listed,
    cited and offered in the refusal hint by its own citation name, not by its file name."""
    source = PROJECT / "evals" / "corpora" / "standard" / "ke-hoach-45-KH-BNV.txt"
    path = tmp_path / "tai-lieu-tap-huan.txt"
    path.write_text(source.read_text(encoding="utf-8").split("---\n", 1)[1], encoding="utf-8")
    store = tmp_path / "store"
    no_bundle = {"KH32_AUTO_INGEST": "false"}
    assert_ok(run_cli("ingest", str(path), data_dir=store, env=no_bundle))
    assert "\tKH 45/KH-BNV\t" in listing(store)
    asked = run_cli(
        "ask", "Học viện Hành chính Quốc gia tổ chức bao nhiêu lớp tập trung?", data_dir=store, env=no_bundle
    )
    assert_ok(asked)
    assert asked.stdout.startswith("Theo KH 45/KH-BNV (Mục II, tiểu mục 2.2.1")
    assert "\n[1] KH 45/KH-BNV, Mục II, tiểu mục 2.2.1 — " in asked.stdout
    refused = run_cli("ask", "Mức lương cơ sở năm 2026 là bao nhiêu?", data_dir=store, env=no_bundle)
    assert_ok(refused)
    assert "Kho hiện có: KH 45/KH-BNV." in refused.stdout and "KH 32" not in refused.stdout
