"""The lock files: every pin exact and hashed (``pip install --require-hashes`` works), the
runtime tree pinned identically in both, each lock complete on its own and holding nothing
that nothing needs, and the venv installed exactly as the dev lock says.

Completeness is walked through the installed distributions' ``Requires-Dist`` (markers
evaluated for this interpreter), which is what pip resolves; the last test checks that the
installed versions are the locked ones, so the walk reads the locked metadata.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.conftest import REPO

RUNTIME_LOCK = REPO / "requirements.lock"
DEV_LOCK = REPO / "requirements-dev.lock"
# tools/setup.sh upgrades pip and installs the project editable without build isolation,
# which needs setuptools and wheel: the dev lock pins them although no package requires them.
SETUP_TOOLS = frozenset({"pip", "setuptools", "wheel"})
_PIN = re.compile(
    r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9.+!_-]+)((?:\s+--hash=sha256:[0-9a-f]{64})*)$"
)


def normalise(name: str) -> str:
    """PEP 503 (``PyNaCl`` is ``pynacl``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    hashes: frozenset[str]


def parse_lock(text: str) -> dict[str, Pin]:
    """Pins by normalised name.

    Raises:
        ValueError: a line that is not ``name==version --hash=sha256:...`` (at least one
            hash), or a name pinned twice.
    """
    logical: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#") or (not line and not pending):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append((pending + line).strip())
        pending = ""
    if pending:
        logical.append(pending)
    pins: dict[str, Pin] = {}
    for line in logical:
        match = _PIN.match(line)
        if not match:
            raise ValueError(f"not an exact, hashed pin: {line[:80]!r}")
        name, version, hashes = match.groups()
        digests = frozenset(re.findall(r"sha256:([0-9a-f]{64})", hashes))
        if not digests:
            raise ValueError(f"{name}=={version} has no --hash")
        if normalise(name) in pins:
            raise ValueError(f"{name} is pinned twice")
        pins[normalise(name)] = Pin(normalise(name), version, digests)
    return pins


def mismatches(runtime: Mapping[str, Pin], dev: Mapping[str, Pin]) -> list[str]:
    """Runtime pins the dev lock lacks or pins differently (version or hashes)."""
    problems = []
    for name, pin in sorted(runtime.items()):
        other = dev.get(name)
        if other is None:
            problems.append(f"{name}=={pin.version} is not in the dev lock")
        elif other != pin:
            problems.append(f"{name}: runtime {pin.version}, dev {other.version} (or other hashes)")
    return problems


def required_tree(roots: Iterable[str]) -> dict[str, str]:
    """Every distribution installing ``roots`` (requirement strings) brings in, with its
    installed version: the roots and their ``Requires-Dist``, extras and markers applied."""
    found: dict[str, set[str]] = {}
    todo = [Requirement(root) for root in roots]
    while todo:
        requirement = todo.pop()
        name = normalise(requirement.name)
        extras = set(requirement.extras)
        if name in found and extras <= found[name]:
            continue
        found.setdefault(name, set()).update(extras)
        environments = [{"extra": extra} for extra in {"", *found[name]}]
        for text in metadata.requires(name) or []:
            child = Requirement(text)
            if child.marker is None or any(map(child.marker.evaluate, environments)):
                todo.append(child)
    return {name: metadata.version(name) for name in found}


@dataclass(frozen=True)
class Project:
    runtime: tuple[str, ...]
    dev: tuple[str, ...]


@pytest.fixture(scope="module")
def project() -> Project:
    table = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    return Project(tuple(table["dependencies"]), tuple(table["optional-dependencies"]["dev"]))


@pytest.fixture(scope="module")
def runtime_lock() -> dict[str, Pin]:
    return parse_lock(RUNTIME_LOCK.read_text("utf-8"))


@pytest.fixture(scope="module")
def dev_lock() -> dict[str, Pin]:
    return parse_lock(DEV_LOCK.read_text("utf-8"))


def test_the_dev_lock_pins_the_runtime_tree_identically(
    runtime_lock: dict[str, Pin], dev_lock: dict[str, Pin]
) -> None:
    assert len(runtime_lock) > 50 and len(dev_lock) > len(runtime_lock)
    assert mismatches(runtime_lock, dev_lock) == []


def test_direct_dependencies_are_pinned_as_locked(
    project: Project, runtime_lock: dict[str, Pin], dev_lock: dict[str, Pin]
) -> None:
    for requirements, lock in ((project.runtime, runtime_lock), (project.dev, dev_lock)):
        for text in requirements:
            requirement = Requirement(text)
            (spec,) = requirement.specifier
            assert spec.operator == "==", f"{text}: pin it exactly"
            assert lock[normalise(requirement.name)].version == spec.version, text


def test_the_runtime_lock_is_the_runtime_tree(
    project: Project, runtime_lock: dict[str, Pin]
) -> None:
    """Complete on its own (``pip install --require-hashes -r requirements.lock`` needs no
    other file) and nothing more: no development package, nothing stale."""
    tree = required_tree(project.runtime)
    locked = {name: pin.version for name, pin in runtime_lock.items()}
    assert locked == tree


def test_the_dev_lock_is_the_runtime_and_dev_tree(
    project: Project, dev_lock: dict[str, Pin]
) -> None:
    tree = required_tree([*project.runtime, *project.dev, *SETUP_TOOLS])
    locked = {name: pin.version for name, pin in dev_lock.items()}
    assert locked == tree


def test_the_venv_is_installed_from_the_dev_lock(dev_lock: dict[str, Pin]) -> None:
    wrong = {
        name: (pin.version, metadata.version(name))
        for name, pin in dev_lock.items()
        if metadata.version(name) != pin.version
    }
    assert wrong == {}, "locked vs installed; run `make setup`"


@pytest.mark.parametrize("lock", [RUNTIME_LOCK, DEV_LOCK], ids=["runtime", "dev"])
def test_each_lock_says_how_to_regenerate_it(lock: Path) -> None:
    head = lock.read_text("utf-8").splitlines()[:3]
    assert all(line.startswith("#") for line in head)
    assert "tools/lock.sh" in head[1] and "uv pip compile pyproject.toml" in head[2]
    assert f"-o {lock.name}" in head[2] and "--generate-hashes" in head[2]


# -- the checks fail when they should ----------------------------------------------------

_HASH = "--hash=sha256:" + "ab" * 32


@pytest.mark.parametrize(
    "text",
    [
        "requests==2.34.2\n",  # no hash
        f"requests>=2 {_HASH}\n",  # not exact
        f"-e . {_HASH}\n",
        f"requests @ file:///tmp/requests.whl {_HASH}\n",
        f"requests==2.34.2 --hash=md5:{'ab' * 16}\n",
        f"requests==2.34.2 {_HASH}\nRequests==2.34.2 {_HASH}\n",  # twice
    ],
    ids=["unhashed", "range", "editable", "url", "md5", "twice"],
)
def test_a_lock_line_that_pip_would_not_check_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_lock(text)


def test_a_hashed_lock_parses_across_continuations_and_comments() -> None:
    text = (
        "# header\nPyNaCl==1.6.2 \\\n"
        f"    {_HASH} \\\n    --hash=sha256:{'cd' * 32}\n    # via labour-provenance-ledger\n"
    )
    assert parse_lock(text) == {"pynacl": Pin("pynacl", "1.6.2", frozenset({"ab" * 32, "cd" * 32}))}


def test_a_runtime_pin_that_differs_in_the_dev_lock_is_reported() -> None:
    pin = Pin("requests", "2.34.2", frozenset({"ab" * 32}))
    assert mismatches({"requests": pin}, {"requests": pin}) == []
    assert mismatches({"requests": pin}, {}) == ["requests==2.34.2 is not in the dev lock"]
    other_version = Pin("requests", "2.34.1", pin.hashes)
    other_hash = Pin("requests", "2.34.2", frozenset({"cd" * 32}))
    for other in (other_version, other_hash):
        assert len(mismatches({"requests": pin}, {"requests": other})) == 1


def test_the_tree_walk_follows_extras_and_markers() -> None:
    """eth-hash alone needs nothing; its pysha3 extra brings safe-pysha3 (marker
    ``python_version >= "3.9"``), never the Python < 3.9 ``pysha3``."""
    assert set(required_tree(["eth-hash"])) == {"eth-hash"}
    assert set(required_tree(["eth-hash[pysha3]"])) == {"eth-hash", "safe-pysha3"}
