"""Files and folders of the data folder, private to the service's account: folders 0700 and files 0600
whatever the umask, and an older, looser one tightened when it is opened."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_folder(folder: Path) -> Path:
    """Create `folder` (and its missing parents) 0700; an existing one of ours is tightened to 0700, unless
    it is a shared folder (world-writable or sticky, like /tmp), which is left as it is."""
    folder = Path(folder)
    missing = []
    probe = folder
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    folder.mkdir(parents=True, exist_ok=True)
    for created in missing:
        os.chmod(created, FOLDER_MODE)  # mkdir's mode is cut by the umask; chmod's is not
    if not missing:
        _tighten(folder, FOLDER_MODE, folder=True)
    return folder


def private_file(path: Path) -> Path:
    """Create `path` empty with mode 0600 if it is missing (its folder 0700); tighten it to 0600 if not."""
    path = Path(path)
    private_folder(path.parent)
    if not path.exists():  # an existing one is not opened for writing here: it may be on a read-only mount
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
        os.close(descriptor)
    _tighten(path, FILE_MODE)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write a private file (0600, its folder 0700) whole or not at all: a temporary file beside it, flushed
    to disk, then renamed over it, so a reader sees the old file or the new one, never half of one."""
    path = Path(path)
    private_folder(path.parent)
    temporary: Path | None = None
    try:
        with tempfile.NamedTemporaryFile(
            "wb", dir=path.parent, prefix=f".{path.name}.", delete=False
        ) as file:
            temporary = Path(file.name)  # created 0600
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)  # gone after the rename; left only when the write failed


def tighten(path: Path) -> None:
    """An existing file of ours loosened by an older version (0644) back to 0600; a missing one is left so."""
    _tighten(Path(path), FILE_MODE)


def _tighten(path: Path, mode: int, folder: bool = False) -> None:
    """Take the group's and others' bits off a file or folder this process owns."""
    try:
        info = os.stat(path)
        if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
            return  # not ours (a folder an administrator made for us): theirs to set
        if folder and info.st_mode & (stat.S_ISVTX | stat.S_IWOTH):
            return  # a shared folder such as /tmp must stay open to everyone
        if stat.S_IMODE(info.st_mode) & ~mode:
            os.chmod(path, stat.S_IMODE(info.st_mode) & mode)
    except OSError:
        pass  # a read-only mount: nothing to tighten, and nothing written there either
