"""Tests for ingest.loaders: every format, the header convention, and every way a file can be refused."""

from __future__ import annotations

import hashlib
import io
import os
import unicodedata
import zipfile
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pypdf import PdfWriter

from assistant.core.errors import DocumentError
from ingest import loaders
from ingest.loaders import SUPPORTED_SUFFIXES, LoadedDocument, load_document
from tests.conftest import CORPUS

# "Nhà nước" as Windows-1258 writes it: precomposed ư, ơ with combining tone marks.
NHA_NUOC_CP1258 = "Nha\u0300 n\u01b0\u01a1\u0301c".encode("cp1258")


def _write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        path.write_bytes(data.encode("utf-8"))
    else:
        path.write_bytes(data)
    return path


def _is_nfc(text: str) -> bool:
    return unicodedata.is_normalized("NFC", text)


def _pdf_with_text(text: str, title: str = "") -> bytes:
    """A one-page PDF showing an ASCII string in Helvetica, with a correct xref table."""
    stream = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 200] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Title (%s) >>" % title.encode("ascii"),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


# --- plain text and the header convention -------------------------------------------------------


def test_supported_suffixes() -> None:
    assert frozenset({".txt", ".md", ".html", ".htm", ".docx", ".pdf"}) == SUPPORTED_SUFFIXES


def test_header_of_a_corpus_file() -> None:
    path = CORPUS / "ke-hoach-32-KH-BCSD.txt"
    doc = load_document(path)
    assert isinstance(doc, LoadedDocument)
    assert doc.path == path
    assert set(doc.meta) == {"SOURCE", "TITLE", "ISSUED", "NOTE"}
    assert doc.meta["TITLE"].startswith("Kế hoạch số 32-KH/BCSĐ")
    assert doc.meta["ISSUED"].startswith("16/02/2023")
    assert doc.text[doc.body_start :].startswith("Kế hoạch thực hiện Nghị quyết")
    assert doc.text[: doc.body_start].endswith("\n---\n")
    assert doc.content_hash == hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
    assert _is_nfc(doc.text)


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.txt")), ids=lambda p: p.stem)
def test_every_corpus_file_has_a_header(path: Path) -> None:
    doc = load_document(path)
    assert doc.meta.get("TITLE")
    assert doc.body_start > 0
    assert doc.text[doc.body_start :].strip()


def test_txt_without_header(tmp_path: Path) -> None:
    doc = load_document(_write(tmp_path, "a.txt", "Điều 1. Nước Việt Nam\n\nĐiều 2. Nhà nước\n"))
    assert doc.meta == {}
    assert doc.body_start == 0
    assert doc.text == "Điều 1. Nước Việt Nam\n\nĐiều 2. Nhà nước\n"


def test_md_header_and_values_stripped(tmp_path: Path) -> None:
    doc = load_document(_write(tmp_path, "a.md", "TITLE:   Tiêu đề  \nMY_KEY: x\n---\n# Nội dung\n"))
    assert doc.meta == {"TITLE": "Tiêu đề", "MY_KEY": "x"}
    assert doc.text[doc.body_start :] == "# Nội dung\n"


@pytest.mark.parametrize(
    "content",
    [
        "Lời nói đầu\nTITLE: x\n---\nThân",  # header must start on the first line
        "TITLE: x\nkhông phải khóa\n---\nThân",  # a non-header line before ---
        "TITLE: x\nThân bài không có dấu kết thúc",  # no --- line
        "---\nThân",  # --- alone is not a header
        "Title: x\n---\nThân",  # keys are upper case
    ],
)
def test_not_a_header(tmp_path: Path, content: str) -> None:
    doc = load_document(_write(tmp_path, "a.txt", content))
    assert doc.meta == {}
    assert doc.body_start == 0


def test_header_only_is_empty(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="không có nội dung văn bản"):
        load_document(_write(tmp_path, "a.txt", "TITLE: Chỉ có tiêu đề\n---\n  \n"))


def test_bom_is_dropped(tmp_path: Path) -> None:
    doc = load_document(_write(tmp_path, "a.txt", b"\xef\xbb\xbfTITLE: T\n---\nN\xe1\xbb\x99i dung"))
    assert doc.meta == {"TITLE": "T"}
    assert doc.text.startswith("TITLE")
    assert doc.text[doc.body_start :] == "Nội dung"


def test_line_endings_normalised(tmp_path: Path) -> None:
    doc = load_document(_write(tmp_path, "a.txt", "TITLE: T\r\n---\r\nMột\r\nHai\rBa\r\n"))
    assert doc.meta == {"TITLE": "T"}
    assert doc.text == "TITLE: T\n---\nMột\nHai\nBa\n"
    assert doc.text[doc.body_start :] == "Một\nHai\nBa\n"


def test_nfd_becomes_nfc(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Điều 2. Nhà nước pháp quyền")
    mixed = "TITLE: " + nfd + "\n---\n" + nfd + " và Nhà nước\u200b"
    doc = load_document(_write(tmp_path, "a.txt", mixed))
    assert doc.meta["TITLE"] == "Điều 2. Nhà nước pháp quyền"
    assert doc.text[doc.body_start :] == "Điều 2. Nhà nước pháp quyền và Nhà nước"
    assert _is_nfc(doc.text)


def test_zero_width_between_letter_and_mark(tmp_path: Path) -> None:
    doc = load_document(_write(tmp_path, "a.txt", "Nha\u200b\u0300 nu\u200d\u031b\u01a1\u0301c"))
    assert doc.text == "Nhà nước"
    assert _is_nfc(doc.text)


def test_same_text_same_hash(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Nhà nước")
    a = load_document(_write(tmp_path, "a.txt", nfd))
    b = load_document(_write(tmp_path, "b.txt", "Nhà nước"))
    assert a.content_hash == b.content_hash


# --- refusals common to every format ------------------------------------------------------------


@pytest.mark.parametrize("data", [NHA_NUOC_CP1258, b"\xff\xfe\xe0"])
def test_not_utf8(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(
        DocumentError, match=r"Tệp 'x\.txt' không phải văn bản UTF-8 \(byte lỗi ở vị trí \d+\)"
    ):
        load_document(_write(tmp_path, "x.txt", data))


def test_not_utf8_position_counts_the_bom(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="vị trí 5"):
        load_document(_write(tmp_path, "x.txt", b"\xef\xbb\xbfab\xff"))


@pytest.mark.parametrize("content", ["", "   \n\t\r\n  ", "\u200b\ufeff"])
def test_empty_file(tmp_path: Path, content: str) -> None:
    with pytest.raises(DocumentError, match=r"Tệp 'e\.txt' không có nội dung văn bản"):
        load_document(_write(tmp_path, "e.txt", content))


def test_unsupported_extension(tmp_path: Path) -> None:
    expected = "Định dạng '.xyz' chưa được hỗ trợ. Hỗ trợ: .docx, .htm, .html, .md, .pdf, .txt."
    with pytest.raises(DocumentError) as info:
        load_document(_write(tmp_path, "a.xyz", "nội dung"))
    assert str(info.value) == expected


def test_suffix_is_case_insensitive(tmp_path: Path) -> None:
    assert load_document(_write(tmp_path, "A.TXT", "Nội dung")).text == "Nội dung"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match=r"Không tìm thấy tệp 'khong-co\.txt'"):
        load_document(tmp_path / "khong-co.txt")


def test_directory(tmp_path: Path) -> None:
    (tmp_path / "thu-muc.txt").mkdir()
    with pytest.raises(DocumentError, match="thư mục"):
        load_document(tmp_path / "thu-muc.txt")


def test_too_large(tmp_path: Path) -> None:
    path = _write(tmp_path, "lon.txt", "Nội dung " * 100)
    with pytest.raises(DocumentError, match=r"^Tệp 'lon\.txt' quá lớn \(1,1 KB, tối đa 100 byte\)\.$"):
        load_document(path, max_bytes=100)
    assert load_document(path, max_bytes=path.stat().st_size).text.startswith("Nội dung")


def test_nul_in_path(tmp_path: Path) -> None:
    with pytest.raises(DocumentError):
        load_document(tmp_path / "a\x00b.txt")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read anything")
def test_unreadable(tmp_path: Path) -> None:
    path = _write(tmp_path, "khoa.txt", "Nội dung")
    path.chmod(0)
    with pytest.raises(DocumentError, match=r"Không đọc được tệp 'khoa\.txt'"):
        load_document(path)


def test_messages_are_one_line(tmp_path: Path) -> None:
    cases = [
        _write(tmp_path, "x.txt", b"\xff"),
        _write(tmp_path, "e.txt", ""),
        _write(tmp_path, "a.xyz", "x"),
        tmp_path / "missing.txt",
        _write(tmp_path, "x.pdf", b"%PDF-1.4 garbage"),
        _write(tmp_path, "x.docx", b"garbage"),
    ]
    for path in cases:
        with pytest.raises(DocumentError) as info:
            load_document(path)
        assert "\n" not in str(info.value)
        assert str(tmp_path) not in str(info.value)


# --- HTML ---------------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Kế hoạch  số 32</title>
<style>p { color: red }</style><script>alert(1)</script></head>
<body>
<nav>menu</nav><header>Cổng thông tin</header>
<p>Đoạn thứ nhất về  Nhà nước
   pháp quyền.</p>
<p>Đoạn thứ hai, <b>in đậm</b> giữa câu.<br>Dòng sau br.</p>
<!-- ghi chú -->
<ul><li>Mục một</li><li>Mục hai</li></ul>
<table><tr><td>Ô một</td><td>Ô hai</td></tr></table>
<footer>Bản quyền</footer><form><input value="x">Tìm kiếm</form>
</body></html>"""


def test_html(tmp_path: Path) -> None:
    doc = load_document(_write(tmp_path, "a.html", PAGE))
    assert doc.meta == {"TITLE": "Kế hoạch số 32"}
    assert doc.body_start == 0
    lines = doc.text.split("\n")
    assert "Đoạn thứ nhất về Nhà nước pháp quyền." in lines
    assert "Đoạn thứ hai, in đậm giữa câu." in lines
    assert "Dòng sau br." in lines
    assert "Mục một" in lines and "Ô hai" in lines
    assert "\n\nĐoạn thứ hai" in doc.text  # a blank line between paragraphs
    for dropped in (
        "alert",
        "color",
        "menu",
        "Cổng thông tin",
        "Bản quyền",
        "Tìm kiếm",
        "ghi chú",
        "Kế hoạch",
    ):
        assert dropped not in doc.text
    assert not doc.text.startswith("\n")
    assert "\n\n\n" not in doc.text


def test_html_title_from_h1_and_htm(tmp_path: Path) -> None:
    doc = load_document(_write(tmp_path, "a.htm", "<h1>Nghị quyết 27</h1><div>Nội dung</div>"))
    assert doc.meta == {"TITLE": "Nghị quyết 27"}
    assert doc.text == "Nghị quyết 27\n\nNội dung"


def test_html_title_not_from_inline_svg(tmp_path: Path) -> None:
    page = "<body><svg><title>biểu tượng</title></svg><h1>Tiêu đề thật</h1><p>Nội dung</p></body>"
    doc = load_document(_write(tmp_path, "a.html", page))
    assert doc.meta == {"TITLE": "Tiêu đề thật"}
    assert "biểu tượng" not in doc.text


def test_html_declared_charset(tmp_path: Path) -> None:
    html = (
        b'<html><head><meta charset="windows-1258"></head><body><p>' + NHA_NUOC_CP1258 + b"</p></body></html>"
    )
    doc = load_document(_write(tmp_path, "a.html", html))
    assert doc.text == "Nhà nước"  # cp1258 writes combining marks; NFC composes them
    assert _is_nfc(doc.text)


def test_html_undeclared_non_utf8(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="không phải văn bản UTF-8"):
        load_document(_write(tmp_path, "a.html", b"<p>" + NHA_NUOC_CP1258 + b"</p>"))


def test_html_without_text(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="không có nội dung văn bản"):
        load_document(_write(tmp_path, "a.html", "<html><head><title>T</title></head><body> </body></html>"))


@pytest.mark.parametrize("tag", ["div", "b"])
def test_deeply_nested_html(tmp_path: Path, tag: str) -> None:
    path = _write(tmp_path, "deep.html", f"<{tag}>" * 5000 + "Nội dung sâu" + f"</{tag}>" * 5000)
    try:
        doc = load_document(path)
    except DocumentError:
        return
    assert doc.text == "Nội dung sâu"


# --- DOCX ---------------------------------------------------------------------------------------


def _docx(tmp_path: Path, name: str = "a.docx", title: str = "Kế hoạch 32") -> Path:
    document = docx.Document()
    document.add_heading("Kế hoạch số 32-KH/BCSĐ", level=1)
    document.add_paragraph("Đoạn thứ nhất về Nhà nước pháp quyền.")
    document.add_paragraph("   ")
    document.add_paragraph(unicodedata.normalize("NFD", "Đoạn thứ hai, tiếp tục."))
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Nhiệm vụ"
    table.rows[0].cells[1].text = "Bộ Nội vụ"
    document.add_paragraph("Đoạn cuối.")
    document.core_properties.title = title
    path = tmp_path / name
    document.save(str(path))
    return path


def test_docx(tmp_path: Path) -> None:
    doc = load_document(_docx(tmp_path))
    assert doc.meta == {"TITLE": "Kế hoạch 32"}
    assert doc.body_start == 0
    assert doc.text == (
        "Kế hoạch số 32-KH/BCSĐ\n\nĐoạn thứ nhất về Nhà nước pháp quyền.\n\nĐoạn thứ hai, tiếp tục."
        "\n\nNhiệm vụ\n\nBộ Nội vụ\n\nĐoạn cuối."
    )
    assert _is_nfc(doc.text)


def test_docx_without_title(tmp_path: Path) -> None:
    assert load_document(_docx(tmp_path, title="")).meta == {}


def test_docx_merged_cells_once(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "Gộp"
    table.cell(1, 0).text = "A"
    table.cell(1, 1).text = "B"
    path = tmp_path / "m.docx"
    document.save(str(path))
    assert load_document(path).text == "Gộp\n\nA\n\nB"


def test_docx_nested_table(tmp_path: Path) -> None:
    document = docx.Document()
    outer = document.add_table(rows=1, cols=1).cell(0, 0)
    outer.paragraphs[0].text = "Ngoài"
    outer.add_table(rows=1, cols=1).cell(0, 0).text = "Trong"
    document.add_paragraph("Sau bảng")
    path = tmp_path / "n.docx"
    document.save(str(path))
    assert load_document(path).text == "Ngoài\n\nTrong\n\nSau bảng"


def test_docx_garbage(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match=r"Tệp 'x\.docx' không phải tệp Word"):
        load_document(_write(tmp_path, "x.docx", b"PK\x03\x04 garbage bytes, not a zip"))


def test_docx_zip_without_document(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    with pytest.raises(DocumentError, match="không phải tệp Word"):
        load_document(_write(tmp_path, "x.docx", buffer.getvalue()))


def test_docx_zip_bomb_ratio(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("word/document.xml", "w") as member,
    ):
        for _ in range(16):
            member.write(bytes(1024 * 1024))
    assert path.stat().st_size < 100_000
    with pytest.raises(DocumentError, match="nén bất thường"):
        load_document(path)


def test_docx_zip_bomb_total(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _docx(tmp_path)
    monkeypatch.setattr(loaders, "MAX_UNZIPPED_BYTES", 1000)
    with pytest.raises(DocumentError, match="nén bất thường"):
        load_document(path)


# --- PDF ----------------------------------------------------------------------------------------


def test_pdf_with_text(tmp_path: Path) -> None:
    path = _write(tmp_path, "a.pdf", _pdf_with_text("Dieu 2. Nha nuoc phap quyen", title="Hien phap"))
    doc = load_document(path)
    assert "Dieu 2. Nha nuoc phap quyen" in doc.text
    assert doc.meta == {"TITLE": "Hien phap"}
    assert doc.body_start == 0


def test_pdf_corrupted(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match=r"Tệp 'x\.pdf' không phải tệp PDF hợp lệ"):
        load_document(_write(tmp_path, "x.pdf", b"%PDF-1.4 garbage"))


def test_pdf_truncated(tmp_path: Path) -> None:
    data = _pdf_with_text("Dieu 2. Nha nuoc phap quyen")
    try:
        doc = load_document(_write(tmp_path, "x.pdf", data[: len(data) // 2]))
    except DocumentError:
        return
    assert _is_nfc(doc.text)


def test_pdf_without_text(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(DocumentError, match=r"không có nội dung văn bản\..*OCR"):
        load_document(_write(tmp_path, "scan.pdf", buffer.getvalue()))


def _encrypted(user_password: str) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(_pdf_with_text("Dieu 2. Nha nuoc phap quyen")))
    writer.encrypt(user_password=user_password, owner_password="chu", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_pdf_with_password(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="mật khẩu"):
        load_document(_write(tmp_path, "khoa.pdf", _encrypted("bi-mat")))


def test_pdf_encrypted_with_empty_password(tmp_path: Path) -> None:
    doc = load_document(_write(tmp_path, "mo.pdf", _encrypted("")))
    assert "Nha nuoc phap quyen" in doc.text


# --- property: any bytes either load as NFC text or raise DocumentError ---------------------------


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".pdf", ".docx"])
def test_random_bytes_never_crash(tmp_path: Path, suffix: str) -> None:
    prefixes = {".pdf": b"%PDF-1.4\n", ".docx": b"PK\x03\x04", ".html": b"<p>"}
    prefix = prefixes.get(suffix, b"")

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(data=st.binary(max_size=2000), with_prefix=st.booleans())
    def check(data: bytes, with_prefix: bool) -> None:
        path = tmp_path / f"random{suffix}"
        path.write_bytes((prefix if with_prefix else b"") + data)
        try:
            doc = load_document(path)
        except DocumentError as error:
            assert str(error)
            return
        assert _is_nfc(doc.text)
        assert doc.text[doc.body_start :].strip()
        assert "\r" not in doc.text

    check()


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=300))
@example(text="0\x00")  # too short to be read as UTF-16: refused for its NUL, not read as "0"
def test_random_text_round_trips_as_nfc(text: str) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.txt"
        path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
        try:
            doc = load_document(path)
        except DocumentError:
            return
        assert _is_nfc(doc.text)
        visible = "".join(ch for ch in text if ch not in "\u200b\u200c\u200d\u2060\ufeff")
        expected = unicodedata.normalize("NFC", visible).replace("\r\n", "\n").replace("\r", "\n")
        assert doc.text == expected


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize(
    "text", ["Article 1. Scope\n\nThis law applies to everyone.", "Điều 1. Phạm vi điều chỉnh"]
)
def test_utf16_without_a_byte_order_mark_is_read(tmp_path: Path, encoding: str, text: str) -> None:
    doc = load_document(_write(tmp_path, "a.txt", text.encode(encoding)))
    assert doc.text == text and "\x00" not in doc.text
    assert doc.text.startswith(("Article 1.", "Điều 1."))  # not "A r t i c l e"


def test_nul_bytes_that_are_not_utf16_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match=r"Tệp 'x\.txt' chứa byte NUL"):
        load_document(_write(tmp_path, "x.txt", b"Dieu 1.\x00\x00\x00\x00 noi dung"))
