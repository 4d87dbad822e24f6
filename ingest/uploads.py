"""Files sent through the browser: checked, saved under their own (sanitised) names, then ingested."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Collection, Sequence
from pathlib import Path, PurePosixPath, PureWindowsPath

from assistant.access.roles import Permission, User, require
from assistant.core.errors import DocumentError
from assistant.core.settings import Settings
from assistant.language.text import nfc
from assistant.store.chroma import Store
from ingest.documents import ingest_paths
from ingest.loaders import SUPPORTED_SUFFIXES, too_large
from ingest.pipeline import IngestResult, Progress

_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"|?*\ud800-\udfff]")  # lone surrogates cannot name a file
_LEADING = re.compile(r"^[\s.]+")
MAX_NAME_BYTES = 255  # the longest file name most file systems accept


def safe_name(name: str) -> str:
    """The file's base name only (NFC; no folders, no '..', no control characters), or a DocumentError."""
    base = PureWindowsPath(PurePosixPath(nfc(name)).name).name
    base = _LEADING.sub("", _UNSAFE.sub("_", base)).rstrip()
    if not base or not Path(base).stem.strip():
        raise DocumentError(f"Tên tệp '{_shown(name)}' không hợp lệ.")
    if len(base.encode("utf-8")) > MAX_NAME_BYTES:
        raise DocumentError(f"Tên tệp '{_shown(base)}' quá dài; hãy đặt tên ngắn hơn rồi tải lên lại.")
    return base


def _shown(name: str) -> str:
    """A name fit for a one-line message: control characters replaced, long names shortened."""
    name = _UNSAFE.sub("_", name)
    return name if len(name) <= 60 else name[:57] + "…"


def ingest_uploads(
    user: User,
    store: Store,
    settings: Settings,
    files: Sequence[tuple[str, bytes]],
    progress: Progress | None = None,
    replace: Collection[str] = (),
) -> list[IngestResult]:
    """Check and ingest (name, content) pairs as `user` (an admin); one bad file stops the batch before
    anything is written. A file never replaces a stored document unless its id is in `replace`
    (ingest.documents.ingest_paths)."""
    require(user, Permission.MANAGE_DOCUMENTS)
    supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
    with tempfile.TemporaryDirectory(prefix="kh32-upload-") as folder:
        paths = []
        seen: set[str] = set()
        for name, data in files:
            base = safe_name(name)
            if base.casefold() in seen:  # "a.txt" and "../a.txt": the second must not overwrite the first
                raise DocumentError(
                    f"Có hai tệp cùng tên '{base}' trong một lần tải lên; hãy đổi tên một tệp."
                )
            seen.add(base.casefold())
            suffix = Path(base).suffix.lower()
            if suffix not in SUPPORTED_SUFFIXES:
                shown = suffix or "(không có đuôi)"
                raise DocumentError(
                    f"Tệp '{base}': định dạng '{shown}' chưa được hỗ trợ. Hỗ trợ: {supported}."
                )
            if len(data) > settings.max_file_bytes:
                raise DocumentError(too_large(base, len(data), settings.max_file_bytes))
            path = Path(folder) / base
            try:
                path.write_bytes(data)
            except OSError as exc:
                raise DocumentError(f"Không lưu được tệp '{base}' ({exc.strerror or exc}).") from exc
            paths.append(path)
        return ingest_paths(user, store, settings, paths, progress, replace)
