"""Which version of the chunking made a document's chunks: a fingerprint of what decides them.

Nobody has to remember to bump it. It is derived from the code that cuts a text into chunks and labels
them (ingest.chunking and every project module it imports, followed through their imports), from the data
files those modules read (assistant/data/), and from the chunk size setting. Comments, docstrings and
formatting do not count (the code is compared as its syntax tree), so only a change that may change the
chunks makes a new version; a document whose stored chunks carry another version is rebuilt from its
source (ingest.rechunk).

What it cannot see: a new version of a library the chunking calls (tiktoken, langchain-text-splitters).
After upgrading one, rebuild every document by hand (`python -m assistant docs --rechunk`).
"""

from __future__ import annotations

import ast
import hashlib
from functools import cache
from pathlib import Path

from assistant.core.settings import PROJECT_ROOT

ROOT = "ingest.chunking"  # the module that makes the chunks; what it imports is followed from here
PACKAGES = ("assistant", "ingest")  # the project's own code
# Reads a file into text: its output is the source a rebuild starts from, not part of the chunking.
NOT_CHUNKING = frozenset({"ingest.loaders"})
DATA = PROJECT_ROOT / "assistant" / "data"


def chunker_version(chunk_tokens: int) -> str:
    """The version of the chunking for this chunk size (16 hex digits)."""
    return hashlib.sha256(f"{code_fingerprint()}\x00{chunk_tokens}".encode()).hexdigest()[:16]


@cache
def code_fingerprint() -> str:
    """The sha256 of the chunking's modules (as syntax trees) and of the data files they name."""
    digest = hashlib.sha256()
    names: set[str] = set()
    for module, tree in sorted(chunking_modules().items()):
        digest.update(f"{module}\x00{ast.dump(tree)}\x00".encode())
        names |= _strings(tree)
    for path in sorted(p for p in DATA.iterdir() if p.name in names):
        digest.update(path.name.encode() + b"\x00" + path.read_bytes() + b"\x00")
    return digest.hexdigest()


def chunking_modules() -> dict[str, ast.Module]:
    """Every project module the chunking imports (directly or not), as syntax trees without docstrings."""
    found: dict[str, ast.Module] = {}
    todo = [ROOT]
    while todo:
        module = todo.pop()
        if module in found or module in NOT_CHUNKING or (path := _source(module)) is None:
            continue
        tree = _without_docstrings(ast.parse(path.read_text(encoding="utf-8")))
        found[module] = tree
        todo.extend(_imports(tree))
    return found


def _source(module: str) -> Path | None:
    """A project module's source file; None for a name that is not one (an imported function, a package
    outside the project)."""
    if module.split(".")[0] not in PACKAGES:
        return None
    base = PROJECT_ROOT.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _imports(tree: ast.Module) -> list[str]:
    """The project names a module imports: modules, and `module.name` for `from module import name`
    (which may be a submodule)."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names.extend(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
    return [name for name in names if name.split(".")[0] in PACKAGES]


def _without_docstrings(tree: ast.Module) -> ast.Module:
    """The tree with the docstrings of the module, its classes and functions left out."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                node.body = node.body[1:] or [ast.Pass()]
    return tree


def _strings(tree: ast.Module) -> set[str]:
    """The string constants of a module (the data file names it reads are among them)."""
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
