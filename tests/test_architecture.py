"""The rooms of the house: the import contract holds, a wrong import breaks it, ARCHITECTURE.md maps the tree,
and no project import hides inside a function without saying why."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
PACKAGES = ("assistant", "ingest", "ui", "evals")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _copy(tmp_path: Path) -> Path:
    """The project's packages and its pyproject.toml (the contract), nothing else."""
    for package in PACKAGES:
        shutil.copytree(
            PROJECT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns(
                "__pycache__", "data", "corpus", "corpora", "datasets", "baselines"
            ),
        )
    shutil.copy(PROJECT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_contract_holds() -> None:
    result = _lint_imports(PROJECT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        # The write side reaching into answering, as a plain import and as one hidden in a function.
        ("ingest/chunking.py", "import assistant.answering.chain", "The write side never imports"),
        (
            "ingest/header.py",
            "def _late():\n    from assistant.answering import support",
            "The write side never",
        ),
        # The read side reaching into the write side, under TYPE_CHECKING.
        (
            "assistant/retrieval/followup.py",
            "if TYPE_CHECKING:\n    import ingest.pipeline",
            "never import the write",
        ),
        # A lower room importing a higher one.
        ("assistant/language/text.py", "from assistant.core import models", "import only the rooms below"),
        (
            "assistant/store/storage.py",
            "from assistant.retrieval import lexical",
            "import only the rooms below",
        ),
        # The two faces importing each other.
        ("evals/gate.py", "import ui.common", "stands on the shared base"),
    ],
)
def test_a_wrong_import_breaks_the_contract(tmp_path: Path, module: str, line: str, contract: str) -> None:
    root = _copy(tmp_path)
    path = root / module
    source = path.read_text(encoding="utf-8")
    if "TYPE_CHECKING" in line and "import TYPE_CHECKING" not in source:
        line = f"from typing import TYPE_CHECKING\n{line}"
    path.write_text(f"{source}\n\n{line}  # noqa\n", encoding="utf-8")
    result = _lint_imports(root)
    assert result.returncode != 0, result.stdout
    assert re.search(rf"{re.escape(contract)}[^\n]*BROKEN", result.stdout), result.stdout


def test_a_new_room_must_be_placed(tmp_path: Path) -> None:
    """The layers are exhaustive: a subpackage of assistant/ that the contract does not name fails it."""
    root = _copy(tmp_path)
    (root / "assistant" / "attic").mkdir()
    (root / "assistant" / "attic" / "__init__.py").write_text('"""Unplaced."""\n', encoding="utf-8")
    result = _lint_imports(root)
    assert result.returncode != 0
    assert "assistant.attic" in result.stdout


def _rooms() -> set[str]:
    return {
        str(init.parent.relative_to(PROJECT))
        for package in PACKAGES
        for init in (PROJECT / package).glob("*/__init__.py")
    } | set(PACKAGES)


def test_the_architecture_map_matches_the_tree() -> None:
    text = (PROJECT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:assistant|ingest|ui|evals)(?:/[\w.]+)*)/?`", text))
    missing = {p for p in named if not (PROJECT / p).exists() and not (PROJECT / f"{p}.py").exists()}
    assert not missing, f"ARCHITECTURE.md names what the tree does not have: {sorted(missing)}"
    rooms = {r for r in _rooms() if r.count("/") <= 1 and not r.startswith(("ui/", "evals/"))}
    unmapped = {r for r in rooms if f"`{r}/`" not in text and f"`{r}`" not in text}
    assert not unmapped, f"rooms missing from ARCHITECTURE.md's code map: {sorted(unmapped)}"


def _project_imports(node: ast.AST) -> list[str]:
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module] if node.module.split(".")[0] in PACKAGES else []
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.split(".")[0] in PACKAGES]
    return []


def test_no_project_import_hides_in_a_function_without_a_reason() -> None:
    """An import of the project inside a function or under TYPE_CHECKING must have a comment just above it
    that says why; a cycle is no reason (a piece that needs one wants another home)."""
    unexplained = []
    for package in PACKAGES:
        for path in (PROJECT / package).rglob("*.py"):
            lines = path.read_text(encoding="utf-8").splitlines()
            tree = ast.parse("\n".join(lines))
            hidden = [
                sub
                for node in ast.walk(tree)
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                or (isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test))
                for sub in ast.walk(node)
                if _project_imports(sub)
            ]
            for node in hidden:
                above = lines[node.lineno - 2].strip() if node.lineno >= 2 else ""
                if not above.startswith("#") or (
                    "cycle" in above.lower() and "not a cycle" not in above.lower()
                ):
                    unexplained.append(f"{path.relative_to(PROJECT)}:{node.lineno}")
    assert not unexplained, f"project imports inside functions without a stated reason: {unexplained}"
