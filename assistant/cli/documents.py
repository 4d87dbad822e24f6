"""The body of `python -m assistant ingest`: add, replace (with a preview) or remove documents as the
server's operator, through the checked and audited API of ingest.documents."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import click

from assistant.answering.chain import Assistant
from assistant.cli.admin import operator
from assistant.core.errors import InputError
from assistant.core.settings import get_settings
from ingest.documents import ingest_paths, remove_document
from ingest.identity import ReplaceNeeded
from ingest.pipeline import IngestResult

RECHUNKED = "đã dựng lại các đoạn"
STATUS = {
    "added": "đã thêm",
    "updated": "đã thay thế",
    "unchanged": "không đổi",
    "duplicate": "trùng nội dung",
}


def ingest_command(
    paths: tuple[Path, ...],
    remove_id: str | None,
    replace: bool,
    yes: bool,
    progress: Callable[[str], AbstractContextManager[Callable[[int, int], None]]],
) -> None:
    if not paths and not remove_id:
        raise InputError("Hãy chỉ ra tệp hoặc thư mục cần nạp, hoặc --remove DOC để xóa một tài liệu.")
    settings = get_settings()
    assistant = Assistant(settings)
    assistant.store.on_wait = lambda message: click.echo(message, err=True)  # another process is writing
    user = operator()
    if remove_id:
        removed = remove_document(user, assistant.store, settings, remove_id)
        click.echo(f"Đã xóa tài liệu '{remove_id}' ({removed} đoạn); bản lưu giữ: python -m assistant audit.")
    if not paths:
        return
    allowed: set[str] = set()
    if replace:
        try:
            ingest_paths(user, assistant.store, settings, paths, replace=(), dry_run=True)
        except ReplaceNeeded as needed:
            for p in needed.previews:
                click.echo(f"Thay thế '{p.doc_id}' bằng tệp '{p.file_name}':")
                for line in p.summary():
                    click.echo(f"  {line}")
            if not yes:
                click.confirm("Áp dụng thay thế?", abort=True)
            allowed = {p.doc_id for p in needed.previews}
    with progress("Nạp tài liệu") as update:
        results = ingest_paths(user, assistant.store, settings, paths, update, replace=allowed)
    for r in results:
        extra = f" — giống '{r.duplicate_of}', không nạp lại" if r.duplicate_of else ""
        embedded = f", {r.embedded} đoạn và câu mới tính embedding" if r.embedded else ""
        click.echo(f"{r.doc_id}: {status_text(r)} ({r.chunks} đoạn{embedded}){extra} — {r.title}")


def status_text(result: IngestResult) -> str:
    """What ingest did with a document, for the command line."""
    return RECHUNKED if result.rechunked else STATUS[result.status]
