"""Files sent through the browser: checked, saved under their own (sanitised) names, then ingested."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING

from assistant.errors import DocumentError
from assistant.settings import Settings
from assistant.store import Store

if TYPE_CHECKING:
    from ingest.pipeline import IngestResult, Progress

_UNSAFE = re.compile(r"[\x00-\x1f<>:\"|?*]")


def safe_name(name: str) -> str:
    """The file's base name only (no folders, no '..', no control characters), or a DocumentError."""
    base = PureWindowsPath(PurePosixPath(name).name).name
    base = _UNSAFE.sub("_", base).strip().lstrip(".")
    if not base or not Path(base).stem:
        raise DocumentError(f"Tên tệp '{name}' không hợp lệ.")
    return base


def ingest_uploads(
    store: Store,
    settings: Settings,
    files: Sequence[tuple[str, bytes]],
    progress: Progress | None = None,
) -> list[IngestResult]:
    """Check and ingest (name, content) pairs; one bad file stops the batch before anything is written."""
    from ingest.loaders import SUPPORTED_SUFFIXES
    from ingest.pipeline import ingest, prepare

    supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
    with tempfile.TemporaryDirectory(prefix="kh32-upload-") as folder:
        paths = []
        for name, data in files:
            base = safe_name(name)
            suffix = Path(base).suffix.lower()
            if suffix not in SUPPORTED_SUFFIXES:
                shown = suffix or "(không có đuôi)"
                raise DocumentError(
                    f"Tệp '{base}': định dạng '{shown}' chưa được hỗ trợ. Hỗ trợ: {supported}."
                )
            if len(data) > settings.max_file_bytes:
                raise DocumentError(
                    f"Tệp '{base}' quá lớn ({_mb(len(data))} MB; tối đa {_mb(settings.max_file_bytes)} MB)."
                )
            path = Path(folder) / base
            path.write_bytes(data)
            paths.append(path)
        documents = prepare(paths, settings)
        return ingest(store, documents, progress)


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".replace(".", ",")
