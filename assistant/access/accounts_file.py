"""The accounts file of earlier versions (JSON: DATA_DIR/accounts.json, or KH32_ACCOUNTS_FILE): read whole and
checked, fingerprinted, and moved aside under a backup name once its accounts are in the table `accounts`
(assistant/access/accounts.py takes it over). Never written: the file is the only copy until the take-over
has committed, and a kept backup after it."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from assistant.access.roles import Role
from assistant.core.errors import StoreError
from assistant.core.files import tighten

Users = dict[str, dict[str, Any]]  # name → {"role": …, "hash": …}


def read_file(path: Path) -> tuple[Users, str] | None:
    """The accounts of the file at `path` and the sha256 of its bytes; None when there is no file. A file that
    cannot be read, or is not an accounts file, is a StoreError that names it (and it is left as it is)."""
    path = Path(path)
    tighten(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StoreError(f"Không đọc được tệp tài khoản '{path}' ({exc.strerror or exc}).") from exc
    try:
        text = raw.decode("utf-8")
        data = json.loads(text) if text.strip() else {}
        users = data.get("users", {}) if isinstance(data, dict) else None
        if not isinstance(users, dict) or not all(
            isinstance(v, dict) and v.get("role") in set(Role) and isinstance(v.get("hash"), str)
            for v in users.values()
        ):
            raise ValueError("sai cấu trúc")
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise StoreError(
            f"Tệp tài khoản '{path}' bị hỏng ({exc}); tài khoản trong đó chưa được chuyển vào cơ sở dữ liệu. "
            "Hãy sửa tệp (hoặc dời nó đi rồi tạo lại tài khoản)."
        ) from exc
    kept = {str(name): {"role": v["role"], "hash": v["hash"]} for name, v in users.items()}
    return kept, hashlib.sha256(raw).hexdigest()


def backup_path(path: Path, at: float) -> Path:
    """A name beside `path` that says what the file is now, not taken yet:
    accounts.json.da-chuyen-vao-csdl-20261206-031500.bak."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(at))
    candidate = path.with_name(f"{path.name}.da-chuyen-vao-csdl-{stamp}.bak")
    number = 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}.da-chuyen-vao-csdl-{stamp}-{number}.bak")
    return candidate


def move_aside(path: Path, backup: Path) -> str | None:
    """Rename the file to its backup name (same folder: an atomic rename that keeps its 0600); None when done
    (or the file is gone already), else why it could not be."""
    try:
        os.rename(path, backup)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return exc.strerror or str(exc)
    return None
