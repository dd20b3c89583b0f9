"""Fixtures for the contract tests, and a sorted-pair keccak256 Merkle tree to prove against.

The contract tests need Ape's pytest plugin, which the project's plain ``pytest`` run disables
(``-p no:ape_test`` in pyproject.toml), so ``-o addopts=""`` drops that; ``-W`` lets pytest
start although ``ape`` imported itself before pytest could rewrite its asserts (pyproject turns
warnings into errors). With the Makefile's environment::

    ape test tests/contracts -o addopts="" -W ignore::pytest.PytestAssertRewriteWarning \
        --network ethereum:local:test
    ape test tests/contracts -o addopts="" -W ignore::pytest.PytestAssertRewriteWarning \
        --network ethereum:local:foundry

Under plain ``pytest`` they cannot run; ``test_artifacts.py`` and ``test_skips_fail.py`` run
either way. A contract test that does not run is a **failure**, never a skip: without Ape's
plugin (a renamed plugin, a forgotten ``-o addopts=""``) every contract test would otherwise be
skipped and ``ape test`` would exit 0 having checked nothing.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_utils import keccak

_HERE = Path(__file__).parent
# Tests in these modules run without Ape's plugin.
PLAIN_PYTEST_MODULES = frozenset({"test_artifacts.py", "test_skips_fail.py"})
APE_PLUGIN = "ape-fixtures"
NOT_RUN = (
    f"contract test not run: Ape's pytest plugin ({APE_PLUGIN}) is not loaded; run "
    '`ape test tests/contracts -o addopts="" --network ethereum:local:test` (tools/test.sh)'
)


def _is_contract_test(item: pytest.Item) -> bool:
    return item.path.parent == _HERE and item.path.name not in PLAIN_PYTEST_MODULES


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.pluginmanager.has_plugin(APE_PLUGIN):
        return
    for item in items:
        if _is_contract_test(item):
            item.add_marker(pytest.mark.skip(reason=NOT_RUN))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Report a skipped contract test as failed, whatever skipped it."""
    report = yield
    if report.skipped and _is_contract_test(item) and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"a skipped contract test fails the run: {reason}"
    return report


# --- Merkle tree (OpenZeppelin MerkleProof convention) ------------------------------------


def hash_pair(a: bytes, b: bytes) -> bytes:
    """Hash two nodes as OpenZeppelin's ``Hashes.commutativeKeccak256`` does."""
    return keccak(min(a, b) + max(a, b))


@dataclass(frozen=True)
class MerkleTree:
    """A sorted-pair keccak256 tree; a node without a sibling moves up a level unchanged."""

    leaves: tuple[bytes, ...]
    layers: tuple[tuple[bytes, ...], ...]

    @classmethod
    def build(cls, leaves: Sequence[bytes]) -> MerkleTree:
        if not leaves:
            raise ValueError("a Merkle tree needs at least one leaf")
        layers = [tuple(leaves)]
        while len(layers[-1]) > 1:
            below = layers[-1]
            layers.append(
                tuple(
                    hash_pair(below[i], below[i + 1]) if i + 1 < len(below) else below[i]
                    for i in range(0, len(below), 2)
                )
            )
        return cls(tuple(leaves), tuple(layers))

    @property
    def root(self) -> bytes:
        return self.layers[-1][0]

    def proof(self, index: int) -> list[bytes]:
        """Sibling hashes from leaf ``index`` up to the root."""
        proof = []
        for layer in self.layers[:-1]:
            sibling = index ^ 1
            if sibling < len(layer):
                proof.append(layer[sibling])
            index //= 2
        return proof

    @staticmethod
    def process_proof(leaf: bytes, proof: Sequence[bytes]) -> bytes:
        """The root that ``proof`` leads to from ``leaf`` (OpenZeppelin ``processProof``)."""
        node = leaf
        for sibling in proof:
            node = hash_pair(node, sibling)
        return node


# --- Ape fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def owner(accounts: Any) -> Any:
    return accounts[0]


@pytest.fixture(scope="session")
def anchorer(accounts: Any) -> Any:
    return accounts[1]


@pytest.fixture(scope="session")
def stranger(accounts: Any) -> Any:
    return accounts[2]


@pytest.fixture(scope="session")
def new_owner(accounts: Any) -> Any:
    return accounts[3]


@pytest.fixture(scope="session")
def role_accounts(owner: Any, anchorer: Any, stranger: Any, new_owner: Any) -> None:
    """All session-scoped accounts, for ``pytestmark = pytest.mark.usefixtures(...)``.

    Ape's chain isolation wants session fixtures made before module ones; a module that
    first asks for ``stranger`` after deploying would make it rebase.
    """


@pytest.fixture(scope="module")
def registry(project: Any, owner: Any, anchorer: Any) -> Any:
    """Deployed as the ledger deploys it: the admin and the anchorer set by the constructor."""
    return owner.deploy(project.AttesterRegistry, owner, [anchorer])


@pytest.fixture(scope="module")
def anchor(project: Any, owner: Any, registry: Any) -> Any:
    return owner.deploy(project.ProvenanceAnchor, registry)


@pytest.fixture(scope="module")
def status(project: Any, owner: Any, registry: Any) -> Any:
    return owner.deploy(project.CredentialStatus, registry)


@pytest.fixture
def merkle_tree() -> type[MerkleTree]:
    return MerkleTree


@pytest.fixture
def reverts() -> Callable[..., Any]:
    """``ape.reverts`` that also fails unless the revert is exactly ``error`` with ``inputs``.

    ``ape.reverts(SomeError)`` alone passes a revert that carries no custom error at all, and
    skips inputs it does not know; here both fail. Each input named must match.
    """
    import ape

    @contextmanager
    def _reverts(error: Any, **inputs: Any) -> Iterator[Any]:
        with ape.reverts(error, **inputs) as info:
            yield info
        name, actual = _custom_error(info.value, error.abi)
        assert name == error.__name__, f"expected {error.__name__}, got {info.value!r}"
        assert set(inputs) <= set(actual), f"{name} has inputs {sorted(actual)}"
        assert {key: actual[key] for key in inputs} == inputs

    return _reverts


_ANVIL_CUSTOM_ERROR = re.compile(r"custom error 0x([0-9a-fA-F]{8}): ?(.*)", re.DOTALL)
_REVERT_DATA = re.compile(r"0x((?:[0-9a-fA-F]{2})*)")


def _revert_data(message: str) -> bytes | None:
    """Revert data from a message Ape could not decode, or None.

    Ape decodes custom errors of transactions. Elsewhere on anvil it leaves either the raw data
    (``0x<selector><args>``, for deployments) or anvil's text ``custom error 0x<selector>:
    <args>`` (for calls), where anvil writes the args as hex, or as the bytes themselves when
    they happen to be valid UTF-8 (then a trailing whitespace byte is lost on the way). On the
    in-process EVM, revert data that is valid UTF-8 arrives as a Python bytes literal.
    """
    if match := _REVERT_DATA.fullmatch(message):
        return bytes.fromhex(match[1])
    if message[:2] in ('b"', "b'"):
        value = ast.literal_eval(message)
        return value if isinstance(value, bytes) else None
    if match := _ANVIL_CUSTOM_ERROR.fullmatch(message):
        args = match[2]
        is_hex = re.fullmatch(r"(?:[0-9a-fA-F]{64})*", args) is not None
        data = bytes.fromhex(args) if is_hex else args.encode()
        # A trailing whitespace byte of the text form does not survive the client.
        assert len(data) % 32 == 0, f"anvil's error text lost bytes: {message!r}"
        return bytes.fromhex(match[1]) + data
    return None


def _custom_error(raised: Exception, abi: Any) -> tuple[str | None, dict[str, Any]]:
    """The name and inputs of the custom error in ``raised``, or ``(None, {})``."""
    from ape.exceptions import CustomError
    from eth_abi import decode
    from eth_utils import to_checksum_address

    if isinstance(raised, CustomError):
        # Error classes are made per contract object: compare by name.
        return type(raised).__name__, dict(raised.inputs)
    data = _revert_data(str(getattr(raised, "revert_message", "")))
    if data is None or data[:4] != keccak(text=abi.selector)[:4]:
        return None, {}
    types = [argument.canonical_type for argument in abi.inputs]
    values = decode(types, data[4:])
    return abi.name, {
        argument.name: to_checksum_address(value) if kind == "address" else value
        for argument, kind, value in zip(abi.inputs, types, values, strict=True)
    }
