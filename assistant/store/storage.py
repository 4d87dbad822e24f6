"""The disk under the data folder: is it writable, is it full — in words a user can act on."""

from __future__ import annotations

import errno
import shutil
import tempfile
from pathlib import Path

from assistant.core.errors import StoreError
from assistant.core.files import private_folder
from assistant.language.text import file_size

# A write that fails with less than this free on the data folder's disk is blamed on the full disk:
# Chroma reports a full disk only as "Failed to apply logs to the … segment".
LOW_SPACE_BYTES = 16 * 1024 * 1024
# What a chunk costs on disk in an embedded store (text, vector, metadata, full-text and HNSW
# indexes, write-ahead log): measured ~9 KB, rounded up.
BYTES_PER_CHUNK = 12 * 1024
_READ_ONLY = (errno.EROFS, errno.EACCES, errno.EPERM)
_READ_ONLY_TEXT = ("readonly database", "read-only file system", "permission denied")
_FULL_TEXT = ("disk is full", "no space left", "disk full")


def disk_problem(folder: Path, exc: BaseException | None = None, local_store: bool = True) -> str | None:
    """Why writing under `folder` failed when the disk is the reason (read-only, full), else None.

    `exc` is the error the write raised; with `local_store`, low free space on the folder's disk also
    counts (an embedded Chroma store lives there; a server's disk is the server's business).
    """
    chain = causes(exc)
    codes = {c.errno for c in chain if isinstance(c, OSError)}
    text = " ".join(str(c) for c in chain).lower()
    if codes & set(_READ_ONLY) or any(t in text for t in _READ_ONLY_TEXT):
        return (
            f"thư mục dữ liệu '{folder}' chỉ đọc hoặc không có quyền ghi; "
            "hãy cấp quyền ghi hoặc đặt KH32_DATA_DIR tới một thư mục ghi được"
        )
    free = free_bytes(folder)
    low = local_store and free is not None and free < LOW_SPACE_BYTES
    if errno.ENOSPC in codes or any(t in text for t in _FULL_TEXT) or (exc is not None and low):
        left = f" (còn {file_size(free)} trống)" if free is not None else ""
        return f"ổ đĩa chứa thư mục dữ liệu '{folder}' đã đầy{left}; hãy giải phóng dung lượng rồi thử lại"
    return None


def room_problem(folder: Path, chunks: int) -> str | None:
    """Why writing `chunks` chunks (0 for a delete) into an embedded store under `folder` should not
    start, or None. Checked before writing: once Chroma has failed a write on a full disk, its next
    write in the same process can block for good (chromadb 1.5)."""
    needed = LOW_SPACE_BYTES + chunks * BYTES_PER_CHUNK
    free = free_bytes(folder)
    if free is None or free >= needed:
        return None
    return (
        f"ổ đĩa chứa thư mục dữ liệu '{folder}' sắp đầy (còn {file_size(free)} trống, cần khoảng "
        f"{file_size(needed)}); hãy giải phóng dung lượng rồi thử lại"
    )


def check_writable(folder: Path) -> None:
    """Create `folder` if needed (0700; an existing one of ours is tightened) and prove a file can be written
    in it; a StoreError says why not."""
    try:
        private_folder(folder)  # 0700: the documents, vectors and records are the service's alone
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        if exc.errno in (errno.ENOTDIR, errno.EEXIST):
            reason = f"'{folder}' (hoặc một thư mục cha) là tệp, không phải thư mục"
        else:
            reason = disk_problem(folder, exc, local_store=False) or (
                f"không ghi được vào thư mục dữ liệu '{folder}' ({exc.strerror or exc})"
            )
        raise StoreError(f"Không dùng được kho dữ liệu: {reason}.") from exc


def free_bytes(folder: Path) -> int | None:
    """Free space on the disk holding `folder` (or its nearest existing parent); None if unknown."""
    path = Path(folder).absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return None


def causes(exc: BaseException | None) -> list[BaseException]:
    """The error and every error it was raised from or while handling."""
    seen: list[BaseException] = []
    while exc is not None and exc not in seen:
        seen.append(exc)
        exc = exc.__cause__ or exc.__context__
    return seen
