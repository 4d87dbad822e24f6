"""Read .txt, .md, .html, .docx and .pdf files into one NFC text with its header fields and hash."""

from __future__ import annotations

import codecs
import hashlib
import io
import logging
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import docx
from bs4 import BeautifulSoup
from bs4.dammit import EncodingDetector
from bs4.element import NavigableString, PageElement, PreformattedString, Tag
from docx.table import Table, _Cell
from lxml import etree
from pypdf import PasswordType, PdfReader

from assistant.core.errors import DocumentError
from assistant.language.text import file_size, nfc, vi_number

# pypdf logs what it repairs ("EOF marker not found", "Advanced encoding … not implemented") as
# warnings and errors, which would reach stderr; the loader reports broken files itself.
logging.getLogger("pypdf").setLevel(logging.CRITICAL)

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".txt", ".md", ".html", ".htm", ".docx", ".pdf"})
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_CHARS = 4_000_000  # Settings.max_document_chars

# Zip-bomb guards for .docx, checked on the sizes the zip declares; zipfile never inflates a member
# past its declared size, so the declared sizes bound what python-docx can read.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_RATIO = 200
ZIP_RATIO_MIN_BYTES = 1024 * 1024
# A .docx's document.xml may hold this many bytes of markup per character of text allowed (and at least
# 1 MB): Word's own files use a few to ~15. It bounds what python-docx parses (it holds the whole tree).
MAX_XML_PER_CHAR = 16
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

_TEXT_SUFFIXES = frozenset({".txt", ".md"})
_HEADER_LINE = re.compile(r"([A-Z][A-Z_]*):[ \t]*(.*?)[ \t]*")
_HEADER_END = "---"
_UTF8_BOM = codecs.BOM_UTF8

# HTML elements whose content is not document text.
_HTML_DROP = frozenset(
    {"script", "style", "noscript", "nav", "header", "footer", "form", "template", "svg"}
    | {"head", "title", "iframe", "object", "embed", "canvas"}
)
# HTML elements that start and end a paragraph (a blank line around them).
_HTML_BLOCKS = frozenset(
    {"address", "article", "aside", "blockquote", "caption", "center", "dd", "details", "dialog", "div"}
    | {"dl", "dt", "fieldset", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li"}
    | {"main", "ol", "p", "pre", "section", "summary", "table", "td", "th", "tr", "ul"}
)

# What a format reader returns: the raw text and the metadata it found (e.g. TITLE).
_Extracted = tuple[str, dict[str, str]]
# A format reader: (file bytes, file name, most characters of text allowed) -> what it extracted.
_Reader = Callable[[bytes, str, int], _Extracted]


@dataclass(frozen=True)
class LoadedDocument:
    """A file's whole text (NFC), where its body starts, its header fields and the text's sha256."""

    path: Path
    text: str
    body_start: int
    meta: dict[str, str]
    content_hash: str


def load_document(
    path: Path, max_bytes: int = DEFAULT_MAX_BYTES, max_chars: int = DEFAULT_MAX_CHARS
) -> LoadedDocument:
    """Read one supported file; every problem becomes a DocumentError with a Vietnamese message.

    A file whose text would pass `max_chars` characters is refused; formats that expand (.docx, .pdf)
    are counted while they are read, so a small file that inflates enormously is stopped early.
    """
    path = Path(path)
    data = _read_bytes(path, max_bytes)
    suffix = path.suffix.lower()
    raw, meta = _READERS[suffix](data, path.name, max_chars)
    if len(raw) > max_chars:
        raise DocumentError(too_much_text(path.name, len(raw), max_chars))
    text = _clean(raw)
    meta = {key: _clean(value).strip() for key, value in meta.items() if value and value.strip()}
    body_start = 0
    if suffix in _TEXT_SUFFIXES:
        meta, body_start = _split_header(text)
    if not text[body_start:].strip():
        hint = " Nếu là bản quét (ảnh), hãy nhận dạng chữ (OCR) trước khi nạp." if suffix == ".pdf" else ""
        raise DocumentError(f"Tệp '{path.name}' không có nội dung văn bản.{hint}")
    content_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return LoadedDocument(path, text, body_start, meta, content_hash)


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    name = path.name or str(path)
    suffix = path.suffix.lower()
    try:
        name.encode("utf-8")
    except UnicodeEncodeError as exc:  # bytes the file system holds but not as UTF-8 (surrogate escapes)
        shown = name.encode("utf-8", errors="replace").decode("utf-8")
        raise DocumentError(f"Tên tệp '{shown}' không phải UTF-8; hãy đổi tên tệp rồi nạp lại.") from exc
    try:
        if not path.exists():
            raise DocumentError(f"Không tìm thấy tệp '{name}'.")
        if path.is_dir():
            raise DocumentError(f"'{name}' là một thư mục, không phải tệp.")
        if not path.is_file():
            raise DocumentError(f"'{name}' không phải là tệp thông thường.")
        if suffix not in SUPPORTED_SUFFIXES:
            shown = path.suffix or "(không có phần mở rộng)"
            supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
            raise DocumentError(f"Định dạng '{shown}' chưa được hỗ trợ. Hỗ trợ: {supported}.")
        size = path.stat().st_size
        if size > max_bytes:
            raise DocumentError(too_large(name, size, max_bytes))
        with path.open("rb") as file:
            # read(n) allocates n bytes up front, so ask for the size stat() gave (plus one byte to see
            # growth); a file that grew since is read on to one byte past the limit.
            data = file.read(size + 1)
            if len(data) > size:
                data += file.read(max(max_bytes + 1 - len(data), 0))
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise DocumentError(f"Không đọc được tệp '{name}' ({reason}).") from exc
    if len(data) > max_bytes:
        raise DocumentError(too_large(name, max(size, len(data)), max_bytes))
    return data


def too_large(name: str, size: int, max_bytes: int) -> str:
    """The message for a file over the size limit (the loader's and the upload page's)."""
    shown, limit = file_size(size), file_size(max_bytes)
    if shown == limit:  # just over the limit: the rounded sizes alone would look equal
        shown, limit = f"{vi_number(size)} byte", f"{vi_number(max_bytes)} byte"
    return f"Tệp '{name}' quá lớn ({shown}, tối đa {limit})."


def too_much_text(name: str, chars: int, max_chars: int, more: bool = False) -> str:
    """The message for a file whose text passes the limit (`more`: counting stopped at `chars`)."""
    figure = f"{'hơn ' if more else ''}{vi_number(chars)} ký tự"
    return (
        f"Tệp '{name}' có quá nhiều văn bản ({figure}; tối đa {vi_number(max_chars)}, "
        "KH32_MAX_DOCUMENT_CHARS). Hãy chia thành nhiều tệp nhỏ hơn."
    )


def _clean(text: str) -> str:
    """NFC, zero-width characters removed, every line ending a single \\n."""
    # nfc() drops zero-width characters after normalising, which can leave "e" + ZWSP + U+0301 as a
    # decomposed "e\u0301"; normalising once more makes the result NFC in every case.
    return unicodedata.normalize("NFC", nfc(text)).replace("\r\n", "\n").replace("\r", "\n")


def _split_header(text: str) -> tuple[dict[str, str], int]:
    """Parse leading 'KEY: value' lines closed by a '---' line; ({}, 0) when the text has no such header."""
    meta: dict[str, str] = {}
    offset = 0
    for line in text.splitlines(keepends=True):
        offset += len(line)
        content = line.rstrip("\n")
        if content == _HEADER_END and meta:
            return meta, offset
        match = _HEADER_LINE.fullmatch(content)
        if not match:
            return {}, 0
        meta[match[1]] = match[2]
    return {}, 0


def _decode_utf8(data: bytes, name: str) -> str:
    body = data.removeprefix(_UTF8_BOM)
    if b"\x00" in body:  # valid UTF-8, but no text file holds NUL bytes: UTF-16 without a BOM, or binary
        return _decode_utf16(body, name)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        position = exc.start + len(data) - len(body)
        raise DocumentError(
            f"Tệp '{name}' không phải văn bản UTF-8 (byte lỗi ở vị trí {position}). "
            "Hãy lưu lại tệp với mã hóa UTF-8."
        ) from exc


MIN_UTF16_BYTES = 8


def _decode_utf16(data: bytes, name: str) -> str:
    """Text saved as UTF-16 without a byte-order mark (every ASCII character has a NUL byte beside it),
    read in the byte order its NULs show; anything else with NUL bytes is refused."""
    even, odd = data[0::2], data[1::2]
    # A few bytes ("0\x00") say nothing sure about their encoding: too short to be read as UTF-16.
    pairs = (("utf-16-le", odd, even), ("utf-16-be", even, odd)) if len(data) >= MIN_UTF16_BYTES else ()
    for encoding, nuls, others in pairs:
        if nuls and nuls.count(0) >= 0.3 * len(nuls) and others.count(0) <= 0.02 * len(others):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                break
            if "\x00" not in text:
                return text
            break
    raise DocumentError(
        f"Tệp '{name}' chứa byte NUL: không phải văn bản UTF-8 (có thể là tệp nhị phân hoặc UTF-16 hỏng). "
        "Hãy lưu lại tệp với mã hóa UTF-8."
    )


def _load_text(data: bytes, name: str, max_chars: int) -> _Extracted:
    # The header is parsed after NFC by load_document, so its offsets match the final text.
    return _decode_utf8(data, name), {}


def _load_html(data: bytes, name: str, max_chars: int) -> _Extracted:
    try:
        soup = BeautifulSoup(_decode_html(data, name), "html.parser")
        # The first <title> outside inline SVG (whose <title> is a tooltip), else the first <h1>.
        titles = (tag for tag in soup.find_all("title") if not tag.find_parent("svg"))
        heading = next(titles, None) or soup.find("h1")
        title = " ".join(heading.get_text(" ").split()) if heading else ""
        text = _html_text(soup)
    except RecursionError as exc:
        raise DocumentError(f"Tệp '{name}' có cấu trúc HTML lồng nhau quá sâu, không đọc được.") from exc
    return text, {"TITLE": title}


def _decode_html(data: bytes, name: str) -> str:
    """UTF-8 unless a byte-order mark or the document itself declares another charset."""
    body, bom_encoding = EncodingDetector.strip_byte_order_mark(data)
    if bom_encoding:
        return body.decode(bom_encoding, errors="replace")
    declared = EncodingDetector.find_declared_encoding(data, is_html=True)
    try:
        encoding = codecs.lookup(declared).name if declared else "utf-8"
    except LookupError:
        encoding = "utf-8"
    # A <meta> that could be read as ASCII cannot really be UTF-16/32 (browsers use UTF-8 then).
    if encoding == "utf-8" or encoding.startswith(("utf-16", "utf-32")):
        return _decode_utf8(data, name)
    try:
        return data.decode(encoding, errors="replace")
    except LookupError:  # a declared codec that is not a text encoding, e.g. "rot13"
        return _decode_utf8(data, name)


def _html_text(root: Tag) -> str:
    """Visible text: blocks separated by a blank line, <br> by a newline, spaces collapsed.

    Walks the tree with an explicit stack, so deeply nested markup cannot overflow Python's stack.
    """
    out: list[str] = []
    line: list[str] = []
    gap = ""  # the strongest break seen since the last line written

    def end_line(brk: str) -> None:
        nonlocal gap
        text = " ".join("".join(line).split())
        line.clear()
        if text:
            out.append(gap + text if out else text)
            gap = ""
        if len(brk) > len(gap):
            gap = brk

    stack: list[tuple[PageElement, bool]] = [(root, True)]
    while stack:
        node, entering = stack.pop()
        if isinstance(node, Tag):
            if not entering:
                end_line("\n\n")
            elif node.name == "br":
                end_line("\n")
            elif node.name not in _HTML_DROP:
                if node.name in _HTML_BLOCKS:
                    end_line("\n\n")
                    stack.append((node, False))
                stack.extend((child, True) for child in reversed(node.contents))
        elif isinstance(node, NavigableString) and not isinstance(node, PreformattedString):
            line.append(str(node))
    end_line("")
    return "".join(out)


def _load_docx(data: bytes, name: str, max_chars: int) -> _Extracted:
    _check_zip(data, name)
    _check_docx_text(data, name, max_chars)
    try:
        document = docx.Document(io.BytesIO(data))
        paragraphs: list[str] = []
        # Document order with an explicit stack, since tables can nest inside table cells.
        stack: list[object] = list(reversed(list(document.iter_inner_content())))
        while stack:
            item = stack.pop()
            if isinstance(item, Table):
                cells = _unique_cells(item)
                stack.extend(reversed([part for cell in cells for part in cell.iter_inner_content()]))
            else:
                paragraphs.append(item.text)
    except Exception as exc:  # python-docx and lxml raise many types on broken files
        raise DocumentError(f"Tệp '{name}' không phải tệp Word (.docx) hợp lệ hoặc đã bị hỏng.") from exc
    try:
        title = document.core_properties.title or ""
    except Exception:  # broken metadata must not stop the text from loading
        title = ""
    return "\n\n".join(p.strip() for p in paragraphs if p.strip()), {"TITLE": title}


def _unique_cells(table: Table) -> list[_Cell]:
    """Cells row by row, each once: a merged cell repeats in row.cells with the same <w:tc> element."""
    seen: set[object] = set()  # holding the elements keeps their lxml proxies, so identity holds
    cells = []
    for row in table.rows:
        for cell in row.cells:
            if cell._tc not in seen:
                seen.add(cell._tc)
                cells.append(cell)
    return cells


def _check_zip(data: bytes, name: str) -> None:
    """Refuse files that are not zips, or whose members would inflate to far more than the file."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except Exception as exc:  # BadZipFile, and struct or value errors on crafted archives
        raise DocumentError(f"Tệp '{name}' không phải tệp Word (.docx) hợp lệ hoặc đã bị hỏng.") from exc
    total = sum(member.file_size for member in members)
    bomb = total > MAX_UNZIPPED_BYTES or any(
        member.file_size > ZIP_RATIO_MIN_BYTES
        and member.file_size > MAX_ZIP_RATIO * max(member.compress_size, 1)
        for member in members
    )
    if bomb:
        raise DocumentError(
            f"Tệp '{name}' bị nén bất thường (giải nén ra {file_size(total)}), "
            "có thể là tệp độc hại; không đọc."
        )


def _check_docx_text(data: bytes, name: str, max_chars: int) -> None:
    """Refuse a .docx whose text passes `max_chars`, counting while the XML streams in (a few MB of memory
    whatever its size), or whose markup is too large to be a document of that much text."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            info = archive.getinfo("word/document.xml")
        except KeyError:
            return  # python-docx says the file is not a Word document
        if info.file_size > max(MAX_XML_PER_CHAR * max_chars, ZIP_RATIO_MIN_BYTES):
            raise DocumentError(
                f"Tệp '{name}' giải nén ra quá lớn (phần nội dung {file_size(info.file_size)}; tối đa "
                f"{file_size(MAX_XML_PER_CHAR * max_chars)} với KH32_MAX_DOCUMENT_CHARS = "
                f"{vi_number(max_chars)}). Hãy chia thành nhiều tệp nhỏ hơn."
            )
        chars = 0
        try:
            with archive.open(info) as stream:
                for _, element in etree.iterparse(stream, events=("end",), resolve_entities=False):
                    if element.tag == f"{_W}t" and element.text:
                        chars += len(element.text)
                        if chars > max_chars:
                            raise DocumentError(too_much_text(name, max_chars, max_chars, more=True))
                    if element.tag in (f"{_W}t", f"{_W}r", f"{_W}p"):
                        element.clear()  # a paragraph at a time: memory stays flat
                        while element.getprevious() is not None:
                            del element.getparent()[0]
        except DocumentError:
            raise
        except Exception as exc:  # broken XML or a bad CRC: python-docx would fail the same way
            raise DocumentError(f"Tệp '{name}' không phải tệp Word (.docx) hợp lệ hoặc đã bị hỏng.") from exc


def _load_pdf(data: bytes, name: str, max_chars: int) -> _Extracted:
    try:
        reader = PdfReader(io.BytesIO(data))
    except Exception as exc:  # pypdf raises PdfReadError and many built-in errors on broken files
        raise DocumentError(f"Tệp '{name}' không phải tệp PDF hợp lệ hoặc đã bị hỏng.") from exc
    locked = f"Tệp '{name}' là PDF có mật khẩu hoặc mã hóa; hãy gỡ mật khẩu rồi nạp lại."
    try:
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise DocumentError(locked)
    except DocumentError:
        raise
    except Exception as exc:  # e.g. an AES-encrypted file without the optional cryptography package
        raise DocumentError(locked) from exc
    pages: list[str] = []
    chars = 0
    try:
        for page in reader.pages:  # page by page: a PDF's streams can inflate far beyond the file
            pages.append(page.extract_text() or "")
            chars += len(pages[-1])
            if chars > max_chars:
                raise DocumentError(too_much_text(name, chars, max_chars, more=True))
    except DocumentError:
        raise
    except Exception as exc:
        raise DocumentError(f"Tệp '{name}' là PDF bị hỏng, không trích được văn bản.") from exc
    try:
        title = (reader.metadata.title if reader.metadata else None) or ""
    except Exception:  # broken metadata must not stop the text from loading
        title = ""
    return "\n\n".join(page.strip("\n") for page in pages), {"TITLE": str(title)}


_READERS: dict[str, _Reader] = {
    ".txt": _load_text,
    ".md": _load_text,
    ".html": _load_html,
    ".htm": _load_html,
    ".docx": _load_docx,
    ".pdf": _load_pdf,
}
