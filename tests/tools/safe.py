"""A Safe 1.4.1 multisig for tests, from the npm package's compiled artifacts
(``@safe-global/safe-contracts``): deploy the singleton and the proxy factory, create a Safe
with ``setup(owners, threshold, ...)``, and execute Safe transactions signed by its owners.

The transaction hash is computed here as Safe.sol does (EIP-712: domain
``EIP712Domain(uint256 chainId,address verifyingContract)``, struct ``SafeTx(...)``) and tests
compare it with the contract's own ``getTransactionHash``. Owners sign that hash with plain
ECDSA (``v`` 27 or 28); ``execTransaction`` wants the signatures sorted by owner address.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_abi.abi import encode
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_utils.crypto import keccak
from hexbytes import HexBytes
from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD

from ledger.chain.client import ChainClient, TxOutcome
from tests.conftest import REPO

ARTIFACTS = REPO / "node_modules/@safe-global/safe-contracts/build/artifacts/contracts"
ZERO_ADDRESS = "0x" + "00" * 20
DOMAIN_TYPE = "EIP712Domain(uint256 chainId,address verifyingContract)"
SAFE_TX_TYPE = (
    "SafeTx(address to,uint256 value,bytes data,uint8 operation,uint256 safeTxGas,"
    "uint256 baseGas,uint256 gasPrice,address gasToken,address refundReceiver,uint256 nonce)"
)
# The constants in Safe.sol 1.4.1 (DOMAIN_SEPARATOR_TYPEHASH, SAFE_TX_TYPEHASH).
DOMAIN_TYPEHASH = bytes.fromhex("47e79534a245952e8b16893a336b85a3d9ea9fa8c573f3d803afb92a79469218")
SAFE_TX_TYPEHASH = bytes.fromhex("bb8310d486368db6bd6f849402fdd73ad53d316b5a4b2644ad6efe0f941286d8")


def _artifact(path: str) -> dict[str, Any]:
    import json

    data: dict[str, Any] = json.loads((ARTIFACTS / path).read_text(encoding="utf-8"))
    return data


def _deploy(client: ChainClient, path: str) -> Contract:
    artifact = _artifact(path)
    factory = client.w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    prepared = client.prepare(factory.constructor())  # type: ignore[arg-type]
    client.broadcast(prepared)
    client.wait(prepared.tx_hash)
    receipt = client.w3.eth.get_transaction_receipt(HexBytes(prepared.tx_hash))
    return client.w3.eth.contract(address=receipt["contractAddress"], abi=artifact["abi"])


@dataclass
class Safe:
    """One Safe proxy; ``client`` pays for and sends what the owners signed."""

    client: ChainClient
    contract: Contract
    owners: list[LocalAccount]  # sorted by address, as execTransaction wants the signatures

    @property
    def address(self) -> str:
        return str(self.contract.address)

    def nonce(self) -> int:
        return int(self.client.call(self.contract.functions.nonce()))

    def tx_hash(self, to: str, data: bytes, nonce: int) -> bytes:
        """The SafeTx hash, computed as Safe.sol does (value, gas fields and refunds zero)."""
        domain = keccak(
            encode(
                ["bytes32", "uint256", "address"],
                [DOMAIN_TYPEHASH, self.client.chain_id, self.address],
            )
        )
        struct = keccak(
            encode(
                ["bytes32", "address", "uint256", "bytes32", "uint8", "uint256", "uint256",
                 "uint256", "address", "address", "uint256"],
                [SAFE_TX_TYPEHASH, to, 0, keccak(data), 0, 0, 0, 0, ZERO_ADDRESS, ZERO_ADDRESS,
                 nonce],
            )
        )  # fmt: skip
        return keccak(b"\x19\x01" + domain + struct)

    def chain_tx_hash(self, to: str, data: bytes, nonce: int) -> bytes:
        """The Safe's own ``getTransactionHash`` for the same transaction."""
        fn = self.contract.functions.getTransactionHash(
            to, 0, data, 0, 0, 0, 0, ZERO_ADDRESS, ZERO_ADDRESS, nonce
        )
        return bytes(self.client.call(fn))

    def typed_data(self, to: str, data: bytes, nonce: int) -> dict[str, Any]:
        """The same transaction as EIP-712 typed data (what a wallet shows an owner)."""
        fields = [
            ("to", "address"), ("value", "uint256"), ("data", "bytes"), ("operation", "uint8"),
            ("safeTxGas", "uint256"), ("baseGas", "uint256"), ("gasPrice", "uint256"),
            ("gasToken", "address"), ("refundReceiver", "address"), ("nonce", "uint256"),
        ]  # fmt: skip
        return {
            "types": {
                "EIP712Domain": [
                    {"name": "chainId", "type": "uint256"},
                    {"name": "verifyingContract", "type": "address"},
                ],
                "SafeTx": [{"name": n, "type": t} for n, t in fields],
            },
            "primaryType": "SafeTx",
            "domain": {"chainId": self.client.chain_id, "verifyingContract": self.address},
            "message": {
                "to": to,
                "value": 0,
                "data": data,
                "operation": 0,
                "safeTxGas": 0,
                "baseGas": 0,
                "gasPrice": 0,
                "gasToken": ZERO_ADDRESS,
                "refundReceiver": ZERO_ADDRESS,
                "nonce": nonce,
            },
        }

    def execute(self, to: str, data: bytes, signatures: bytes) -> TxOutcome:
        """``execTransaction`` with ``signatures`` (65 bytes each, r|s|v), sent by ``client``.

        Raises:
            ContractRevert: the Safe refused (GS020 too few signatures, GS026 a signer that is
                not a next-higher owner, GS013 the call inside failed).
        """
        fn = self.contract.functions.execTransaction(
            to, 0, data, 0, 0, 0, 0, ZERO_ADDRESS, ZERO_ADDRESS, signatures
        )
        return self.client.transact(fn)


def signature(owner: LocalAccount, digest: bytes) -> bytes:
    """An owner's ECDSA signature of a Safe transaction hash, in Safe's r|s|v layout."""
    signed = owner.unsafe_sign_hash(digest)
    return signed.r.to_bytes(32, "big") + signed.s.to_bytes(32, "big") + bytes([signed.v])


def typed_signature(owner: LocalAccount, typed: dict[str, Any]) -> bytes:
    """The same, signed as EIP-712 typed data the way a wallet would."""
    signed = Account.sign_message(encode_typed_data(full_message=typed), owner.key)
    return signed.r.to_bytes(32, "big") + signed.s.to_bytes(32, "big") + bytes([signed.v])


def deploy_safe(client: ChainClient, *, owners: int = 3, threshold: int = 2) -> Safe:
    """A new Safe with ``owners`` fresh owner keys and ``threshold``: the Safe singleton and
    SafeProxyFactory 1.4.1 deployed from the npm artifacts, then ``createProxyWithNonce``."""
    singleton = _deploy(client, "Safe.sol/Safe.json")
    factory = _deploy(client, "proxies/SafeProxyFactory.sol/SafeProxyFactory.json")
    keys = sorted((Account.create() for _ in range(owners)), key=lambda a: int(a.address, 16))
    setup = singleton.encode_abi(
        "setup",
        args=[[k.address for k in keys], threshold, ZERO_ADDRESS, b"", ZERO_ADDRESS,
              ZERO_ADDRESS, 0, ZERO_ADDRESS],
    )  # fmt: skip
    outcome = client.transact(
        factory.functions.createProxyWithNonce(singleton.address, HexBytes(setup), 0)
    )
    receipt = client.w3.eth.get_transaction_receipt(HexBytes(outcome.tx_hash))
    # The receipt also holds the new Safe's SafeSetup log, which is not the factory's.
    [created] = factory.events.ProxyCreation().process_receipt(receipt, errors=DISCARD)
    proxy = Web3.to_checksum_address(created["args"]["proxy"])
    return Safe(client, client.w3.eth.contract(address=proxy, abi=singleton.abi), keys)
