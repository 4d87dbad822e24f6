"""A full disk or a read-only data folder: a clear one-line error, and nothing stored is lost.

The faults are real: a small tmpfs is mounted for the data folder, filled, or remounted read-only.
Mounting needs root (CAP_SYS_ADMIN), which the test machine and CI have.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import Settings, Store, StoreError
from assistant.store.storage import check_writable, disk_problem
from ingest import pipeline
from ingest.pipeline import ensure_corpus, ingest, prepare, remove
from tests.cli.test_cli import run_process
from tests.conftest import FakeEmbeddings

BUNDLED = [
    ("hien-phap-2013", 315),
    ("ke-hoach-11-KH-TW_tin-tom-tat", 4),
    ("ke-hoach-32-KH-BCSD", 27),
    ("nghi-quyet-27-NQ-TW_trich-phan-tinh-hinh", 3),
    ("nghi-quyet-27-NQ-TW_trich-quan-diem", 5),
]


class Disk:
    """A tmpfs mounted at `path`; `fill()` leaves only a few bytes free, `free_up()` undoes it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.filler = path / "filler"
        self.views: list[Path] = []

    def fill(self, leave: int) -> None:
        stats = os.statvfs(self.path)
        with self.filler.open("wb") as file:
            file.write(b"\0" * max(0, stats.f_bavail * stats.f_frsize - leave))

    def free_up(self) -> None:
        self.filler.unlink()

    def read_only_view(self, folder: Path, view: Path) -> None:
        """Show `folder` at `view` through a read-only bind mount (its writers may stay open)."""
        view.mkdir()
        subprocess.run(["mount", "--bind", str(folder), str(view)], check=True)
        subprocess.run(["mount", "-o", "remount,bind,ro", str(view)], check=True)
        self.views.append(view)


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Disk]:
    path = tmp_path / "disk"
    path.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", str(path)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.strip()}")
    disk = Disk(path)
    try:
        yield disk
    finally:
        # Lazy: Chroma's Rust side may still hold files of a store this process opened.
        for view in disk.views:
            subprocess.run(["umount", "-l", str(view)], check=False)
        subprocess.run(["umount", "-l", str(path)], check=False)


def _new_document(folder: Path, articles: int = 300) -> Path:
    path = folder / "quy-che-luu-tru.txt"
    sentence = "Nội dung thứ {n} của quy chế mới về lưu trữ hồ sơ điện tử và số hóa tài liệu. "
    path.write_text(
        "\n\n".join(f"Điều {n}. Quy định {n}\n\n" + sentence.format(n=n) * 8 for n in range(1, articles + 1)),
        encoding="utf-8",
    )
    return path


def _listing(store: Store) -> list[tuple[str, int]]:
    return [(d.doc_id, d.chunks) for d in store.documents()]


def _tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("fault", ["refused-before-writing", "chroma-write-fails", "cache-write-fails"])
def test_a_full_disk_stops_an_ingest_cleanly_and_a_retry_completes(
    disk: Disk, tmp_path: Path, fault: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = disk.path / "data"
    settings = Settings(data_dir=data)
    # Without a cache, Chroma's own write hits the full disk; with one, the embedding cache does first.
    cache = data / "embeddings.sqlite" if fault == "cache-write-fails" else None
    store = Store(settings, FakeEmbeddings(cache))
    ensure_corpus(store, settings)
    assert _listing(store) == BUNDLED
    document = prepare([_new_document(tmp_path)], settings)
    # Ingest caches a batch's sentence vectors too before writing its chunks: with 400 KB left, the cache
    # would take them all and Chroma's write would fail first.
    disk.fill(leave=100_000 if cache else 400_000)
    if fault != "refused-before-writing":  # let the write start, so that it fails half-way
        monkeypatch.setattr(pipeline, "room_problem", lambda folder, chunks: None)

    with pytest.raises(StoreError) as info:
        ingest(store, document)
    message = str(info.value)
    assert message.startswith("Không ghi được tài liệu 'quy-che-luu-tru' vào kho: ổ đĩa chứa thư mục dữ liệu")
    assert ("sắp đầy" if fault == "refused-before-writing" else "đã đầy") in message
    assert message.endswith("Các tài liệu đã có trong kho không bị ảnh hưởng.")
    assert "\n" not in message
    # Nothing stored is lost, the half-written document is invisible, and another client agrees.
    for reader in (store, Store(settings, FakeEmbeddings())):
        assert _listing(reader) == BUNDLED
        assert {c.doc_id for c in reader.chunks()} == {doc for doc, _ in BUNDLED}

    disk.free_up()
    assert [r.status for r in ingest(store, document)] == ["added"]
    assert _listing(store) == sorted([*BUNDLED, ("quy-che-luu-tru", len(document[0].chunks))])
    ids = [c.id for c in store.chunks()]
    assert len(ids) == len(set(ids)) == sum(n for _, n in _listing(store))


def test_removing_a_document_from_a_full_disk_is_refused_and_a_retry_completes(disk: Disk) -> None:
    data = disk.path / "data"
    settings = Settings(data_dir=data)
    store = Store(settings, FakeEmbeddings(None))
    ensure_corpus(store, settings)
    disk.fill(leave=0)
    with pytest.raises(StoreError) as info:
        remove(store, "ke-hoach-32-KH-BCSD")
    assert str(info.value).startswith(
        f"Không xóa được tài liệu 'ke-hoach-32-KH-BCSD': ổ đĩa chứa thư mục dữ liệu '{data}' sắp đầy"
    )
    assert _listing(store) == BUNDLED
    disk.free_up()
    assert remove(store, "ke-hoach-32-KH-BCSD") == 27
    assert _listing(store) == [d for d in BUNDLED if d[0] != "ke-hoach-32-KH-BCSD"]
    assert "ke-hoach-32-KH-BCSD" not in {c.doc_id for c in store.chunks()}


def test_a_read_only_data_folder_is_a_clear_error_and_stays_untouched(disk: Disk, tmp_path: Path) -> None:
    data = disk.path / "data"
    writable = Settings(data_dir=data)
    ensure_corpus(Store(writable, FakeEmbeddings(data / "embeddings.sqlite")), writable)
    before = _tree_digest(data)
    view = tmp_path / "read-only"
    disk.read_only_view(data, view)
    settings = Settings(data_dir=view)
    with pytest.raises(StoreError) as info:
        Store(settings, FakeEmbeddings(view / "embeddings.sqlite"))
    assert str(info.value) == (
        f"Không dùng được kho dữ liệu: thư mục dữ liệu '{view}' chỉ đọc hoặc không có quyền ghi; "
        "hãy cấp quyền ghi hoặc đặt KH32_DATA_DIR tới một thư mục ghi được."
    )
    result = run_process("ask", "Nhiệm vụ thứ tư là gì?", data_dir=view)
    assert result.returncode == 3
    assert result.stderr.strip().splitlines() == [f"Lỗi: {info.value}"]
    assert _tree_digest(data) == before
    assert _listing(Store(writable, FakeEmbeddings(data / "embeddings.sqlite"))) == BUNDLED


def test_the_cli_reports_a_full_disk_in_one_line(disk: Disk) -> None:
    disk.fill(leave=100_000)
    result = run_process("ask", "Nhiệm vụ thứ tư là gì?", data_dir=disk.path / "data")
    assert result.returncode == 3, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("Lỗi: ") and "đã đầy" in lines[-1], result.stderr
    assert "Traceback" not in result.stderr


# --- the diagnosis itself, without mounting anything --------------------------------------------------


def test_a_data_folder_that_is_a_file_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    with pytest.raises(
        StoreError, match=r"^Không dùng được kho dữ liệu: '.*data/inner' \(hoặc một thư mục cha\) là tệp"
    ):
        check_writable(blocker / "inner")
    assert blocker.read_text() == "not a folder"


def test_disk_problem_reads_the_error_chain(tmp_path: Path) -> None:
    try:
        try:
            raise OSError(28, "No space left on device")
        except OSError as inner:
            raise RuntimeError("Failed to apply logs to the metadata segment") from inner
    except RuntimeError as exc:
        assert "đã đầy" in (disk_problem(tmp_path, exc, local_store=False) or "")
    readonly = RuntimeError("error returned from database: (code: 8) attempt to write a readonly database")
    assert "chỉ đọc" in (disk_problem(tmp_path, readonly) or "")
    # An unrelated error on a disk with room is not blamed on the disk.
    assert disk_problem(tmp_path, RuntimeError("boom")) is None
