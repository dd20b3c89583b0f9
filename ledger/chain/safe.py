"""Say who an account is, for error messages about the registry admin: a Safe multisig (with
its threshold), another contract, or a plain account.

Only Safe's read functions are used (``VERSION``, ``getThreshold``, ``getOwners``, present in
Safe 1.3 and 1.4); nothing here signs or sends.
"""

from __future__ import annotations

from typing import Any

from web3 import Web3
from web3.exceptions import Web3Exception

from ..errors import ChainError, ChainUnavailable
from .client import ChainClient

__all__ = ["describe_account"]

_SAFE_ABI: list[dict[str, Any]] = [
    {"type": "function", "name": name, "stateMutability": "view", "inputs": [],
     "outputs": [{"name": "", "type": kind}]}
    for name, kind in (("VERSION", "string"), ("getThreshold", "uint256"),
                       ("getOwners", "address[]"))
]  # fmt: skip


def describe_account(client: ChainClient, address: str) -> str:
    """``the Safe 1.4.1 at 0x… (2 of 3 owners)``, ``the contract at 0x…`` or ``the account 0x…``.

    Raises:
        ChainUnavailable: the chain cannot be reached.
    """
    checksum = Web3.to_checksum_address(address)
    if not client.has_code(checksum):
        return f"the account {checksum}"
    safe = client.w3.eth.contract(address=checksum, abi=_SAFE_ABI)
    try:
        version = str(client.call(safe.functions.VERSION()))
        threshold = int(client.call(safe.functions.getThreshold()))
        owners = list(client.call(safe.functions.getOwners()))
    except ChainUnavailable:
        raise
    except (ChainError, Web3Exception, ValueError):
        return f"the contract at {checksum}"
    return f"the Safe {version} at {checksum} ({threshold} of {len(owners)} owners)"
