"""Dependencies are declared, not borrowed.

Every third-party module the code imports (at the top, inside a function, under
``TYPE_CHECKING``, or by ``importlib.import_module("name")``) must come from a distribution
that ``pyproject.toml`` declares directly: runtime code (``ledger/``, ``credentials/``,
``domain/``, ``api/``) from ``[project] dependencies``, the rest (``tests/``, ``bench/``,
``tools/``, ``scripts/``) from those plus the ``dev`` extra. A module that arrives only as
somebody else's dependency works until that somebody drops it. Modules map to
distributions with ``importlib.metadata.packages_distributions()``.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from tests.conftest import REPO

RUNTIME_CODE = ("ledger", "credentials", "domain", "api")
DEV_CODE = ("tests", "bench", "tools", "scripts")
# Declared runtime dependencies that runtime code does not import, and why they are declared.
NOT_IMPORTED = {
    "psycopg": "SQLAlchemy loads it for postgresql+psycopg:// URLs (ledger/store/db.py)",
    "limits": "the API's per-client rate limits (api/ratelimit.py, from the api branch)",
}
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def normalise(name: str) -> str:
    """PEP 503: ``PyNaCl`` and ``pynacl``, ``eth_abi`` and ``eth-abi`` are one distribution."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    match = _NAME.match(requirement)
    assert match, f"not a requirement: {requirement!r}"
    return normalise(match.group(1))


@dataclass(frozen=True)
class Declared:
    runtime: frozenset[str]
    dev: frozenset[str]


def declared(pyproject: Path) -> Declared:
    project = tomllib.loads(pyproject.read_text("utf-8"))["project"]
    return Declared(
        runtime=frozenset(map(requirement_name, project["dependencies"])),
        dev=frozenset(map(requirement_name, project["optional-dependencies"]["dev"])),
    )


@dataclass(frozen=True)
class Import:
    path: Path
    line: int
    module: str  # the top-level module name

    def where(self, root: Path) -> str:
        path = self.path.relative_to(root) if self.path.is_relative_to(root) else self.path
        return f"{path}:{self.line} imports {self.module}"


def imports(path: Path) -> Iterator[Import]:
    """Every absolute import in ``path``, wherever it sits in the file."""
    for node in ast.walk(ast.parse(path.read_text("utf-8"), filename=str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Call) and _is_import_module(node.func) and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                names = [] if first.value.startswith(".") else [first.value]
        for name in names:
            yield Import(path, node.lineno, name.partition(".")[0])


def _is_import_module(func: ast.expr) -> bool:
    return (isinstance(func, ast.Name) and func.id == "import_module") or (
        isinstance(func, ast.Attribute) and func.attr == "import_module"
    )


def _first_party(found: Import, root: Path) -> bool:
    """A package or module of this repository, or a script's sibling module
    (``bench/anchoring.py`` runs as a script and imports ``_helpers`` beside it)."""
    for folder in (root, found.path.parent):
        if (folder / found.module).is_dir() or (folder / f"{found.module}.py").is_file():
            return True
    return False


def python_files(root: Path, folders: Iterable[str]) -> list[Path]:
    return sorted(
        path
        for folder in folders
        for path in (root / folder).rglob("*.py")
        if "__pycache__" not in path.parts and "node_modules" not in path.parts
    )


def undeclared(
    files: Iterable[Path],
    allowed: Iterable[str],
    *,
    root: Path = REPO,
    providers: Mapping[str, list[str]] | None = None,
) -> list[str]:
    """What ``files`` import from outside the standard library and the repository without a
    declared distribution (``allowed``: declared names) that provides it."""
    providers = packages_distributions() if providers is None else providers
    allowed = {normalise(name) for name in allowed}
    problems = []
    for path in files:
        for found in imports(path):
            if found.module in sys.stdlib_module_names or _first_party(found, root):
                continue
            distributions = {normalise(d) for d in providers.get(found.module, [])}
            if not distributions:
                problems.append(f"{found.where(root)}, which no installed distribution provides")
            elif not distributions & allowed:
                names = ", ".join(sorted(distributions))
                problems.append(f"{found.where(root)} (from {names}), which is not declared")
    return problems


def imported_distributions(files: Iterable[Path]) -> set[str]:
    providers = packages_distributions()
    return {
        normalise(distribution)
        for path in files
        for found in imports(path)
        for distribution in providers.get(found.module, [])
    }


@pytest.fixture(scope="module")
def deps() -> Declared:
    return declared(REPO / "pyproject.toml")


def test_runtime_code_imports_only_declared_runtime_dependencies(deps: Declared) -> None:
    files = python_files(REPO, RUNTIME_CODE)
    assert len(files) > 50  # the walk found the packages
    assert undeclared(files, deps.runtime) == []


def test_tests_bench_tools_and_scripts_import_only_declared_dependencies(deps: Declared) -> None:
    files = python_files(REPO, DEV_CODE)
    assert any(path.parent.name == "bench" for path in files)
    assert any(path.parent.name == "scripts" for path in files)
    assert undeclared(files, deps.runtime | deps.dev) == []


def test_every_runtime_dependency_is_used(deps: Declared) -> None:
    """A runtime dependency nothing imports is either dead weight or belongs in ``dev``."""
    used = imported_distributions(python_files(REPO, RUNTIME_CODE))
    unused = deps.runtime - used - set(NOT_IMPORTED)
    assert unused == set(), f"declared for runtime but never imported there: {sorted(unused)}"


def test_dev_does_not_repeat_runtime(deps: Declared) -> None:
    assert deps.runtime & deps.dev == set()


# -- the check itself fails when it should ----------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "sibling.py").write_text("")
    return tmp_path


def _check(tree: Path, source: str, allowed: Iterable[str] = ("requests",)) -> list[str]:
    module = tree / "pkg" / "module.py"
    module.write_text(source)
    return undeclared([module], allowed, root=tree)


@pytest.mark.parametrize(
    "source",
    [
        "import yaml\n",
        "from yaml import safe_load\n",
        "import yaml.constructor as c\n",
        "def load():\n    import yaml\n    return yaml\n",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import yaml\n",
        "try:\n    import yaml\nexcept ImportError:\n    yaml = None\n",
        "import importlib\nyaml = importlib.import_module('yaml')\n",
        "class Loader:\n    def load(self):\n        from yaml import safe_load\n",
    ],
    ids=[
        "import",
        "from-import",
        "submodule",
        "function-local",
        "type-checking",
        "try-import",
        "import_module",
        "method-local",
    ],
)
def test_an_undeclared_import_is_reported(tree: Path, source: str) -> None:
    """PyYAML is installed (ape needs it) but not declared for this code: borrowed."""
    (problem,) = _check(tree, source)
    assert "imports yaml (from pyyaml), which is not declared" in problem
    assert problem.startswith("pkg/module.py:")


def test_a_module_no_distribution_provides_is_reported(tree: Path) -> None:
    (problem,) = _check(tree, "import surely_not_installed_anywhere\n")
    assert "no installed distribution provides" in problem


def test_declared_stdlib_relative_and_first_party_imports_pass(tree: Path) -> None:
    source = (
        "from __future__ import annotations\n"
        "import json, os.path\n"
        "import requests\n"  # declared (as allowed above)
        "from . import sibling\n"
        "from .sibling import x\n"
        "import sibling\n"  # a script's sibling module
        "from pkg import sibling as s\n"
        "import importlib\nimportlib.import_module('.sibling', 'pkg')\n"
    )
    assert _check(tree, source) == []


def test_declared_names_match_however_they_are_spelt(tree: Path) -> None:
    assert _check(tree, "import nacl\nimport eth_abi\n", allowed=("PyNaCl", "eth-abi")) == []
    assert _check(tree, "import nacl\n", allowed=("pynacl",)) == []
    assert len(_check(tree, "import nacl\nimport eth_abi\n", allowed=("pynacl",))) == 1


def test_the_real_tree_fails_with_one_borrowed_import(tmp_path: Path, deps: Declared) -> None:
    """The runtime check on a copy of the runtime packages, then with one function-local
    import of a module that only an undeclared distribution provides."""
    for path in python_files(REPO, RUNTIME_CODE):
        target = tmp_path / path.relative_to(REPO)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text("utf-8"))
    assert undeclared(python_files(tmp_path, RUNTIME_CODE), deps.runtime, root=tmp_path) == []
    card = tmp_path / "credentials" / "card.py"
    card.write_text(card.read_text("utf-8") + "\n\ndef _later() -> None:\n    import yaml\n")
    line = len(card.read_text("utf-8").splitlines())
    assert undeclared(python_files(tmp_path, RUNTIME_CODE), deps.runtime, root=tmp_path) == [
        f"credentials/card.py:{line} imports yaml (from pyyaml), which is not declared"
    ]
