"""The deployment ``ledger verify`` trusts: pinned explicitly, or on first use.

``--contract ADDRESS`` and ``--deployment FILE`` pin explicitly. Without them the CLI
pins on first use (trust on first use, as SSH does with host keys): it reads the
ProvenanceAnchor and chain id from ``GET <api>/v1/health`` once, adds the genesis block
hash the RPC serves, and stores them in ``$LEDGER_CONFIG_DIR/pinned-deployments.json``
(default ``~/.config/labour-ledger/``), keyed by API URL and RPC URL. Later runs never
ask the API again: a receipt for another contract, or an RPC on a reset chain, fails.

The file is written atomically, readable and writable by its owner only: whoever can
change it chooses what the verifier trusts.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from ledger.errors import LedgerError
from ledger.receipts import PinnedDeployment
from ledger.timeutil import format_time, utcnow
from ledger.types import Address

__all__ = [
    "PinError",
    "config_dir",
    "forget_pin",
    "load_pin",
    "pin_from_api",
    "read_deployment_pin",
    "save_pin",
]

PIN_FILE = "pinned-deployments.json"
MAX_HEALTH_BYTES = 256 * 1024
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


class PinError(Exception):
    """The pin cannot be read, made or stored; the message says why."""


def config_dir() -> Path:
    explicit = os.environ.get("LEDGER_CONFIG_DIR")
    if explicit:
        return Path(explicit)
    return Path.home() / ".config" / "labour-ledger"


def _key(api: str, rpc: str) -> str:
    return f"{api} {rpc}"


def _read_all() -> dict[str, Any]:
    path = config_dir() / PIN_FILE
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PinError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise PinError(f"{path} is not a JSON object; remove it to pin again")
    return data


def load_pin(api: str, rpc: str) -> PinnedDeployment | None:
    """The deployment pinned for this API and RPC, or None if there is none yet.

    Raises:
        PinError: the pin file is unreadable or the entry malformed.
    """
    entry = _read_all().get(_key(api, rpc))
    if entry is None:
        return None
    try:
        contract, chain_id = entry["contract"], entry["chainId"]
        genesis = entry.get("genesisHash")
        if not _ADDRESS.match(contract) or type(chain_id) is not int:
            raise ValueError("bad contract or chainId")
    except (KeyError, TypeError, ValueError) as exc:
        raise PinError(
            f"the pin for {api} / {rpc} in {config_dir() / PIN_FILE} is malformed ({exc}); "
            "pass --repin to pin again"
        ) from exc
    return PinnedDeployment(
        contract=Address(contract),
        chain_id=chain_id,
        genesis_hash=genesis if isinstance(genesis, str) and genesis else None,
        source=f"pinned from {api} on first use ({entry.get('pinnedAt', 'time unknown')})",
    )


def save_pin(api: str, rpc: str, pinned: PinnedDeployment) -> Path:
    """Store ``pinned`` for this API and RPC (atomically, owner-only).

    Raises:
        PinError: the file cannot be written.
    """
    folder = config_dir()
    path = folder / PIN_FILE
    pins = _read_all()
    pins[_key(api, rpc)] = {
        "api": api,
        "rpc": rpc,
        "chainId": pinned.chain_id,
        "contract": pinned.contract,
        "genesisHash": pinned.genesis_hash,
        "pinnedAt": format_time(utcnow().replace(microsecond=0)),
    }
    _write(folder, path, pins)
    return path


def forget_pin(api: str, rpc: str) -> None:
    """Drop the pin for this API and RPC (``--repin``).

    Raises:
        PinError: the file cannot be read or written.
    """
    pins = _read_all()
    if pins.pop(_key(api, rpc), None) is not None:
        folder = config_dir()
        _write(folder, folder / PIN_FILE, pins)


def _write(folder: Path, path: Path, pins: dict[str, Any]) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".pins-", suffix=".json")
        with os.fdopen(handle, "w", encoding="utf-8") as sink:
            json.dump(pins, sink, indent=2, sort_keys=True)
            sink.write("\n")
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except OSError as exc:
        raise PinError(f"cannot write {path}: {exc}") from exc


def pin_from_api(api: str, *, rpc_chain_id: int, rpc_genesis: str) -> PinnedDeployment:
    """Read the API's deployment from ``GET <api>/v1/health`` for a first-use pin.

    The API must name the chain the RPC serves; the genesis hash comes from the RPC.

    Raises:
        PinError: the API is unreachable, answers in another shape, or names another chain.
    """
    import httpx

    url = f"{api}/v1/health"
    try:
        response = httpx.get(url, timeout=30)
    except httpx.HTTPError as exc:
        raise PinError(f"cannot read {url} to pin the deployment: {exc}") from exc
    if len(response.content) > MAX_HEALTH_BYTES:
        raise PinError(f"{url} answered with more than {MAX_HEALTH_BYTES} bytes")
    try:
        chain = response.json()["chain"]
        chain_id, contract = chain["chainId"], chain["contracts"]["ProvenanceAnchor"]
        if type(chain_id) is not int or not isinstance(contract, str):
            raise TypeError("chainId or ProvenanceAnchor of the wrong type")
        if not _ADDRESS.match(contract):
            raise ValueError(f"ProvenanceAnchor {contract[:50]!r} is not an address")
    except (ValueError, KeyError, TypeError) as exc:
        raise PinError(
            f"{url} (HTTP {response.status_code}) does not name chain.chainId and "
            f"chain.contracts.ProvenanceAnchor: {exc}"
        ) from exc
    if chain_id != rpc_chain_id:
        raise PinError(
            f"{api} says its contracts are on chain {chain_id}, the RPC serves chain "
            f"{rpc_chain_id}: not pinning; pass --contract or --deployment"
        )
    return PinnedDeployment(
        contract=Address(contract),
        chain_id=chain_id,
        genesis_hash=rpc_genesis,
        source=f"pinned from {api} on first use",
    )


def read_deployment_pin(path: Path) -> PinnedDeployment:
    """Pin the deployment JSON ``ledger chain deploy`` writes.

    Raises:
        PinError: unreadable, malformed, or without a ProvenanceAnchor.
    """
    from ledger.canonical import parse_json
    from ledger.chain.deployment import Deployment

    try:
        if path.stat().st_size > MAX_HEALTH_BYTES:
            raise PinError(f"{path} is larger than {MAX_HEALTH_BYTES} bytes")
        deployment = Deployment.from_dict(parse_json(path.read_bytes()))
        pinned = PinnedDeployment.of(deployment, source=f"deployment {path}")
    except LedgerError as exc:
        raise PinError(f"{path}: {exc.detail}") from exc
    except (OSError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PinError(f"{path} is not a deployment JSON: {exc}") from exc
    if not _ADDRESS.match(pinned.contract):
        raise PinError(f"{path}: ProvenanceAnchor {pinned.contract[:50]!r} is not an address")
    return pinned
