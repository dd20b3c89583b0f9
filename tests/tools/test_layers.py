"""The import-linter contract is the architecture diagram: it must fail when an arrow points
up (ledger -> credentials or domain, credentials -> domain, domain -> api)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

LINT = Path(sys.executable).with_name("lint-imports")


def _copy(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    for package in ("ledger", "credentials", "domain", "api"):
        shutil.copytree(
            REPO / package, tree / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(REPO / "pyproject.toml", tree / "pyproject.toml")
    return tree


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT), "--no-cache"], cwd=tree, capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(tree), "PATH": str(LINT.parent)},
    )  # fmt: skip


def test_the_tree_keeps_the_contract(tmp_path: Path) -> None:
    done = _lint(_copy(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("module", "line"),
    [
        ("ledger/envelope.py", "import domain.audits"),
        ("ledger/merkle.py", "from credentials import qr"),
        ("credentials/qr.py", "import domain"),
        ("domain/audits/views.py", "from api import views"),
        ("ledger/kinds.py", "import fastapi"),
        ("ledger/anchoring.py", "import prometheus_client"),  # the API owns the metrics
    ],
)
def test_an_upward_import_breaks_the_contract(tmp_path: Path, module: str, line: str) -> None:
    tree = _copy(tmp_path)
    target = tree / module
    target.write_text(target.read_text() + f"\n{line}  # noqa\n")
    done = _lint(tree)
    assert done.returncode != 0, done.stdout
    assert "BROKEN" in done.stdout
