"""Limits on what one file expands to: characters of text and chunks, from settings, checked while reading.

The reproductions of the issue: a 1.2 MB .docx whose document.xml is 190 MB (compression ratio ~160,
under the zip-bomb guard), and a ~100 KB .docx that makes 12,549 chunks. Both are refused at once with
the figure and the limit, and memory stays bounded; a property test generates expanding archives.
"""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pypdf import PdfReader, PdfWriter

from assistant import Settings
from assistant.core.errors import DocumentError
from evals.bench import expanding_docx
from ingest import loaders
from ingest.loaders import load_document
from ingest.pipeline import prepare
from tests.cli.test_cli import assert_user_error, run_cli
from tests.ingest.test_loaders import _pdf_with_text
from tests.ingest.test_properties import FAST, assert_user_message


def _refused(path: Path, settings: Settings) -> tuple[DocumentError, float, int]:
    """The error prepare() raises, the seconds it took and the peak of traced memory."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(DocumentError) as info:
            prepare([path], settings)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_user_message(str(info.value), path.parent)
    return info.value, time.perf_counter() - started, peak


def test_a_small_docx_that_expands_to_190_mb_is_refused_at_once(tmp_path: Path) -> None:
    path = expanding_docx(
        tmp_path / "phinh.docx",
        1_740_000,
        lambda n: f"Điều {n % 40}. Nội dung lặp lại của văn bản hành chính nhà nước",
    )
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("word/document.xml")
    assert path.stat().st_size < 1.3e6 and info.file_size > 180e6
    assert 150 < info.file_size / info.compress_size < loaders.MAX_ZIP_RATIO  # passes the zip-bomb guard
    error, seconds, peak = _refused(path, Settings())
    assert "giải nén ra quá lớn (phần nội dung 182,1 MB; tối đa 61 MB" in str(error)
    assert peak < 5e6, f"{peak / 1e6:.1f} MB to refuse it"
    print(f"\n190 MB document.xml refused in {seconds:.3f} s, {peak / 1e6:.1f} MB traced")


def test_a_docx_with_too_much_text_is_stopped_while_it_streams(tmp_path: Path) -> None:
    # 57 MB of XML (under the markup bound) holding ~30 million characters of text.
    path = expanding_docx(
        tmp_path / "dai.docx", 520_000, lambda n: f"Điều {n % 40}. Nội dung lặp lại của văn bản hành chính"
    )
    error, seconds, peak = _refused(path, Settings())
    assert "quá nhiều văn bản (hơn 4.000.000 ký tự; tối đa 4.000.000, KH32_MAX_DOCUMENT_CHARS)" in str(error)
    assert peak < 20e6, f"{peak / 1e6:.1f} MB to refuse it"
    print(f"\n57 MB document.xml with too much text refused in {seconds:.2f} s, {peak / 1e6:.1f} MB traced")


def test_a_docx_of_12549_chunks_is_refused_before_embedding(tmp_path: Path) -> None:
    path = expanding_docx(tmp_path / "vun.docx", 12_549, lambda n: f"Điều {n + 1}. Quy định {n + 1}")
    assert path.stat().st_size < 210_000
    error, seconds, _ = _refused(path, Settings())
    assert "quá nhiều đoạn (12.549 đoạn, khoảng 28 phút tính embedding; tối đa 10.000 đoạn" in str(error)
    print(f"\n12,549-chunk .docx refused in {seconds:.2f} s")


def test_the_limits_come_from_settings(tmp_path: Path) -> None:
    path = tmp_path / "quy-che.txt"
    path.write_text("\n\n".join(f"Điều {n}. Quy định\n\nNội dung số {n}." for n in range(1, 30)), "utf-8")
    assert prepare([path], Settings())  # within the defaults
    with pytest.raises(DocumentError, match=r"quá nhiều đoạn \(29 đoạn, .*tối đa 10 đoạn"):
        prepare([path], Settings(max_document_chunks=10))
    with pytest.raises(DocumentError, match=r"quá nhiều văn bản \([\d.]+ ký tự; tối đa 100,"):
        prepare([path], Settings(max_document_chars=100))
    result = run_cli("ingest", str(path), data_dir=tmp_path / "data", env={"KH32_MAX_DOCUMENT_CHUNKS": "10"})
    assert_user_error(result)
    assert "29 đoạn" in result.stderr and "tối đa 10 đoạn" in result.stderr


def test_a_pdf_is_counted_page_by_page(tmp_path: Path) -> None:
    page = PdfReader(io.BytesIO(_pdf_with_text("Dieu 1. Noi dung " * 5))).pages[0]
    writer = PdfWriter()
    for _ in range(50):
        writer.add_page(page)
    path = tmp_path / "nhieu-trang.pdf"
    with path.open("wb") as file:
        writer.write(file)
    assert len(load_document(path).text) > 1000
    with pytest.raises(DocumentError, match=r"quá nhiều văn bản \(hơn [\d.]+ ký tự; tối đa 1.000,"):
        load_document(path, max_chars=1000)


@FAST
@given(
    paragraphs=st.integers(1, 3000),
    words=st.integers(0, 40),
    period=st.integers(1, 50),
    limit=st.integers(500, 50_000),
)
@example(paragraphs=7, words=7, period=1, limit=500)  # over the limit only with the paragraph breaks
def test_expanding_archives_are_loaded_within_the_limit_or_refused(
    tmp_path: Path, paragraphs: int, words: int, period: int, limit: int
) -> None:
    """Whatever a .docx expands to: its text is within the limit, or it is refused with a message that
    says so, and reading it never holds more than a few MB."""
    path = expanding_docx(
        tmp_path / "sinh.docx", paragraphs, lambda n: f"Điều {n % period}. " + "nội dung " * words
    )
    # An upper bound of the text: every paragraph at its longest, with the blank line that follows it.
    true_chars = paragraphs * (len(f"Điều {period - 1}. " + "nội dung " * words) + 2)
    tracemalloc.start()
    try:
        try:
            doc = load_document(path, max_chars=limit)
        except DocumentError as error:
            doc = None
            message = str(error)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    if doc is not None:
        assert len(doc.text) <= limit
    else:
        assert_user_message(message, tmp_path)
        assert "quá nhiều văn bản" in message or "giải nén ra quá lớn" in message, message
        assert true_chars > limit or "giải nén ra quá lớn" in message
    assert peak < 40e6, f"{peak / 1e6:.1f} MB"
