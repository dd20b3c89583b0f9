"""One small interface to an EVM chain, on web3 7.

:class:`ChainClient` talks to the embedded in-process EVM (eth-tester + py-evm: nothing to
install beyond pip) or to any node by RPC URL (anvil, a testnet, an L2). It signs locally
with the anchoring account, manages nonces, persists nothing itself, and turns reverts into
:class:`~ledger.errors.ContractRevert` naming the custom error.

Transactions are split into :meth:`prepare` (sign; the hash is known before anything is
sent) and :meth:`broadcast`, so a caller can persist the hash first and resend the very
same bytes after a crash.

One client signs with one account. The anchoring account (the operator's hot key) and the
registry admin are different accounts: :meth:`ChainClient.with_account` gives a second client
over the same connection and lock, and :meth:`ChainClient.default_admin_key` names the admin a
development chain has by default (the embedded EVM's second funded account, anvil's second dev
account); a public chain has none.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
from eth_abi.abi import decode as abi_decode
from eth_account import Account
from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.exceptions import (
    BadFunctionCallOutput,
    BlockNotFound,
    ContractCustomError,
    ContractLogicError,
    TimeExhausted,
    TransactionNotFound,
    Web3RPCError,
)
from web3.types import TxParams

from ..errors import ChainError, ChainUnavailable, ContractRevert, FeeAboveCap
from ..types import Address, TxHash
from .abi import error_selectors, load_artifact
from .failover import FailoverProvider, http_provider

__all__ = ["ChainClient", "FeeQuote", "PreparedTx", "TxOutcome"]

T = TypeVar("T")
log = logging.getLogger(__name__)

# Anvil's first two well-known development accounts (the mnemonic "test test ... junk"):
# the anchoring account and the registry admin of a local devnet.
ANVIL_DEV_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
ANVIL_DEV_ADMIN_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
DEV_CHAIN_IDS = frozenset({31337, 1337})
_RACE_ATTEMPTS = 3  # tries of a call that hit anvil's pruned-state race (see _guard)


@dataclass(frozen=True)
class PreparedTx:
    """A signed transaction, not necessarily sent."""

    tx_hash: TxHash
    raw: str  # 0x-hex of the signed bytes
    nonce: int


@dataclass(frozen=True)
class FeeQuote:
    """What a transaction costs per gas now (EIP-1559), in wei."""

    base_fee: int  # of the latest block
    tip: int  # maxPriorityFeePerGas the node suggests
    cap: int | None  # the policy's maxFeePerGas ceiling, if any

    @property
    def needed(self) -> int:
        """Enough to be included in the next block if the base fee holds."""
        return self.base_fee + self.tip

    @property
    def above_cap(self) -> bool:
        return self.cap is not None and self.needed > self.cap

    @property
    def max_fee(self) -> int:
        # Twice the base fee rides out six full blocks of rises; never above the cap.
        wanted = 2 * self.base_fee + self.tip
        return wanted if self.cap is None else min(wanted, self.cap)


@dataclass(frozen=True)
class TxOutcome:
    tx_hash: TxHash
    block_number: int
    status: int
    gas_used: int
    logs: tuple[Any, ...]
    block_hash: str | None = None  # 0x-hex; a reorg shows as another hash at block_number


class ChainClient:
    """A web3 connection plus the one account that signs (the anchorer, or the admin)."""

    def __init__(
        self,
        w3: Web3,
        account: LocalAccount,
        *,
        embedded: bool = False,
        receipt_timeout: float = 120.0,
        poll_interval: float = 0.1,
        embedded_admin_key: str | None = None,
    ) -> None:
        self.w3 = w3
        self.account = account
        self.embedded = embedded
        self.receipt_timeout = receipt_timeout
        self.poll_interval = poll_interval
        # py-evm is not thread-safe, and local nonce bookkeeping must not race. Clients made by
        # with_account share this lock (and the connection); each keeps its own nonces.
        self._lock = threading.RLock()
        self._next_nonce: int | None = None
        self._embedded_admin_key = embedded_admin_key
        self._read_providers: dict[float, Any] = {}
        # Policy ceiling on maxFeePerGas (wei); above it prepare() refuses (FeeAboveCap).
        # Not inherited by with_account: it bounds the anchoring backlog, not an admin's act.
        self.max_fee_per_gas: int | None = None

    # -- construction -------------------------------------------------------------------

    @classmethod
    def embedded_evm(cls) -> ChainClient:
        """A fresh in-process EVM; the anchorer is its first funded test account."""
        from eth_tester import EthereumTester, PyEVMBackend
        from web3 import EthereumTesterProvider

        backend = PyEVMBackend()
        w3 = Web3(EthereumTesterProvider(EthereumTester(backend)))
        account = Account.from_key(backend.account_keys[0].to_bytes())
        admin_key = "0x" + backend.account_keys[1].to_bytes().hex()
        return cls(w3, account, embedded=True, poll_interval=0.0, embedded_admin_key=admin_key)

    @classmethod
    def reader(cls, url: str, *, timeout: float = 30.0) -> ChainClient:
        """A client that only reads (receipt verification): its account never signs.
        ``url`` may list several comma-separated URLs, as for :meth:`connect`."""
        return cls(Web3(http_provider(url, timeout=timeout)), Account.create())

    @classmethod
    def connect(
        cls, url: str, private_key: str | None = None, *, timeout: float = 30.0
    ) -> ChainClient:
        """Connect by RPC URL, or several comma-separated URLs of one chain (used in turn
        when one cannot be reached: :mod:`ledger.chain.failover`). Without a key, only a
        local dev chain (anvil) is accepted: its well-known first account is used.

        Raises:
            ChainError: the URLs are not one chain, or no key off a dev chain.
        """
        w3 = Web3(http_provider(url, timeout=timeout))
        client = cls(w3, Account.from_key(private_key or ANVIL_DEV_KEY))
        if private_key is None and client.chain_id not in DEV_CHAIN_IDS:
            raise ChainError(
                "no anchoring key given (LEDGER_ANCHOR_KEY or LEDGER_ANCHOR_KEYFILE) "
                f"and chain {client.chain_id} is not a local dev chain"
            )
        return client

    def with_account(self, private_key: str) -> ChainClient:
        """A client over this connection (same lock) that signs with another account, e.g. the
        registry admin's next to the anchoring account's."""
        other = ChainClient(
            self.w3,
            Account.from_key(private_key),
            embedded=self.embedded,
            receipt_timeout=self.receipt_timeout,
            poll_interval=self.poll_interval,
            embedded_admin_key=self._embedded_admin_key,
        )
        other._lock = self._lock
        return other

    def default_admin_key(self) -> str | None:
        """The registry admin's key a development chain has by default: the embedded EVM's
        second funded account, or anvil's second dev account on a local dev chain; None on
        any other chain, where the admin (a Safe multisig) is never a key the server holds."""
        if self.embedded:
            return self._embedded_admin_key
        return ANVIL_DEV_ADMIN_KEY if self.chain_id in DEV_CHAIN_IDS else None

    # -- plumbing -----------------------------------------------------------------------

    @contextmanager
    def _rpc(self) -> Iterator[None]:
        """Hold the lock and map transport failures to ChainUnavailable."""
        with self._lock:
            try:
                yield
            except (requests.ConnectionError, requests.Timeout, ConnectionError, OSError) as exc:
                raise ChainUnavailable(f"chain unreachable: {exc}") from exc

    def _guard(self, call: Callable[[], T]) -> T:
        for attempt in range(_RACE_ATTEMPTS):
            try:
                return self._guard_once(call)
            except ChainError as exc:
                # anvil --prune-history under load: "latest" resolved to a block whose state
                # was pruned while the next one was mined (foundry-rs/foundry#4843). Asking
                # again resolves "latest" anew; every call through here is safe to repeat
                # (reads, an unsent signature before its nonce is taken, the same raw bytes).
                if attempt + 1 == _RACE_ATTEMPTS or "BlockOutOfRangeError" not in exc.detail:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def _guard_once(self, call: Callable[[], T]) -> T:
        with self._rpc():
            try:
                return call()
            except (ContractCustomError, ContractLogicError) as exc:
                raise decode_revert(exc) from exc
            except BadFunctionCallOutput as exc:
                # Empty return data: most often no contract at that address on this chain.
                raise ChainError(f"the call returned no usable data ({exc})") from exc
            except Web3RPCError as exc:
                # The node refused the request (e.g. a ledger's /rpc view asked about a
                # contract that is not its own): an answer, not a transport failure.
                raise ChainError(f"the node refused the call: {exc}") from exc
            except Exception as exc:
                # web3's eth-tester provider lets custom errors without arguments escape as
                # eth_tester's TransactionFailed carrying the raw revert data.
                if type(exc).__name__ != "TransactionFailed" or not self.embedded:
                    raise
                raise decode_revert_data(_revert_bytes(exc), str(exc)) from exc

    @property
    def address(self) -> Address:
        return Address(self.account.address)

    @property
    def chain_id(self) -> int:
        return self._guard(lambda: int(self.w3.eth.chain_id))

    @property
    def genesis_hash(self) -> str:
        return self._guard(lambda: "0x" + bytes(self.w3.eth.get_block(0)["hash"]).hex())

    def block_number(self) -> int:
        return self._guard(lambda: int(self.w3.eth.block_number))

    def block_hash(self, number: int) -> str | None:
        """The hash of the block at ``number`` on the chain the node follows now (None past
        its head): compared with a stored hash, it shows whether a reorg replaced the block."""

        def fetch() -> str | None:
            try:
                block = self.w3.eth.get_block(number)
            except BlockNotFound:
                return None
            return "0x" + bytes(block["hash"]).hex()

        return self._guard(fetch)

    def block_timestamp(self, number: int) -> int:
        return self._guard(lambda: int(self.w3.eth.get_block(number)["timestamp"]))

    def has_code(self, address: str) -> bool:
        return self._guard(lambda: len(self.w3.eth.get_code(Web3.to_checksum_address(address))) > 0)

    def is_connected(self) -> bool:
        try:
            self.block_number()
        except ChainError:
            return False
        return True

    READ_METHODS = frozenset({
        "eth_chainId", "net_version", "web3_clientVersion", "eth_blockNumber", "eth_call",
        "eth_getBlockByNumber", "eth_getBlockByHash", "eth_getTransactionByHash",
        "eth_getTransactionReceipt", "eth_getLogs", "eth_getCode", "eth_getBalance",
        "eth_getTransactionCount", "eth_gasPrice", "eth_feeHistory",
    })  # fmt: skip

    def read_rpc(self, method: str, params: list[Any], *, timeout: float = 10.0) -> dict[str, Any]:
        """Forward one read-only JSON-RPC call to the node (or the embedded EVM).

        The caller bounds the call first (:class:`~ledger.chain.rpc_view.ReadOnlyRpc`).
        Returns the reply's ``{"result": ...}`` or ``{"error": {...}}`` (a revert is error
        code 3 with the revert ``data``); ``timeout`` is the seconds a remote node gets.

        Raises:
            PermissionError: the method could change state or is not a plain read.
            ChainUnavailable: the node cannot be reached or did not answer in time.
        """
        if method not in self.READ_METHODS:
            raise PermissionError(f"{method} is not a read-only method")
        if not self.embedded:
            return self._remote_read(method, params, timeout)
        with self._rpc():
            # eth-tester answers in Python shapes; run web3's formatters (which also fill
            # eth_call's `from`) and encode the result back to JSON-RPC.
            try:
                result = self.w3.manager.request_blocking(method, params)  # type: ignore[arg-type]
            except (ContractCustomError, ContractLogicError) as exc:
                data = exc.data if isinstance(exc.data, str) else "0x"
                raw = bytes.fromhex(data[2:]) if data.startswith("0x") else b""
                return _reverted(raw)
            except Exception as exc:
                return _embedded_failure(exc)
            return {"result": _to_rpc(result)}

    def _remote_read(self, method: str, params: list[Any], timeout: float) -> dict[str, Any]:
        # No lock: nothing local is shared, and a slow node must not hold up the anchoring
        # worker or /v1/health for the length of someone else's call.
        provider = self._read_provider(timeout)
        try:
            reply = provider.make_request(method, params)
        except (requests.RequestException, OSError, ValueError) as exc:
            raise ChainUnavailable(f"chain unreachable: {type(exc).__name__}") from exc
        if "error" in reply:
            return {"error": reply["error"]}
        return {"result": reply.get("result")}

    def _read_provider(self, timeout: float) -> Any:
        """An HTTP provider to the same node that gives each read ``timeout`` seconds."""
        cached = self._read_providers.get(timeout)
        if cached is None:
            endpoint = getattr(self.w3.provider, "endpoint_uri", None)
            if isinstance(self.w3.provider, FailoverProvider):
                cached = self.w3.provider.with_timeout(timeout)
            elif endpoint is None:
                cached = self.w3.provider
            else:
                cached = Web3.HTTPProvider(str(endpoint), request_kwargs={"timeout": timeout})
            self._read_providers[timeout] = cached
        return cached

    def contract(self, name: str, address: str) -> Contract:
        artifact = load_artifact(name)
        return self.w3.eth.contract(address=Web3.to_checksum_address(address), abi=artifact.abi)

    def call(self, fn: ContractFunction) -> Any:
        """A read-only call; reverts raise ContractRevert."""
        return self._guard(lambda: fn.call())

    # -- transactions -------------------------------------------------------------------

    def fee_quote(self) -> FeeQuote:
        """The fees a transaction would be signed with now, and the cap they meet or not."""
        return self._guard(self._quote)

    def _quote(self) -> FeeQuote:
        latest = self.w3.eth.get_block("latest")
        base_fee = int(latest.get("baseFeePerGas") or 0)
        try:
            tip = int(self.w3.eth.max_priority_fee)
        except (Web3RPCError, ValueError, NotImplementedError):
            tip = 1_000_000_000
        if self.max_fee_per_gas is not None:
            tip = min(tip, self.max_fee_per_gas)  # a tip alone above the cap is overpaying too
        return FeeQuote(base_fee=base_fee, tip=tip, cap=self.max_fee_per_gas)

    def _fees(self) -> dict[str, int]:
        quote = self._quote()
        if quote.above_cap:
            assert quote.cap is not None
            raise FeeAboveCap(
                f"the chain needs {_gwei(quote.needed)} gwei per gas, above the cap of "
                f"{_gwei(quote.cap)} gwei (LEDGER_MAX_FEE_GWEI): waiting for fees to fall",
                fee_wei=quote.needed,
                cap_wei=quote.cap,
            )
        return {"maxFeePerGas": quote.max_fee, "maxPriorityFeePerGas": quote.tip}

    def _take_nonce(self) -> int:
        on_chain = int(self.w3.eth.get_transaction_count(self.account.address, "pending"))
        nonce = max(on_chain, self._next_nonce or 0)
        self._next_nonce = nonce + 1
        return nonce

    def reset_nonce(self) -> None:
        """Forget local nonce bookkeeping (after a dropped transaction)."""
        with self._lock:
            self._next_nonce = None

    def prepare(
        self,
        fn: ContractFunction | None = None,
        *,
        deploy: tuple[str, tuple[Any, ...]] | None = None,
        gas_margin: float = 1.25,
    ) -> PreparedTx:
        """Sign a contract call (or a deployment) without sending it.

        Gas is estimated first, so a call that would revert raises ContractRevert here.
        """

        def build() -> PreparedTx:
            base: TxParams = {
                "from": self.account.address,
                "chainId": int(self.w3.eth.chain_id),
            }
            if deploy is not None:
                name, args = deploy
                artifact = load_artifact(name)
                factory = self.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
                tx = factory.constructor(*args).build_transaction(base)
            else:
                assert fn is not None
                tx = fn.build_transaction(base)
            estimate: TxParams = {k: v for k, v in tx.items() if k != "gas"}  # type: ignore[assignment]
            gas = int(self.w3.eth.estimate_gas(estimate))
            tx.update(self._fees())
            tx["gas"] = int(gas * gas_margin)
            tx["nonce"] = self._take_nonce()
            signed = self.account.sign_transaction(tx)
            return PreparedTx(
                tx_hash=TxHash("0x" + bytes(signed.hash).hex()),
                raw="0x" + bytes(signed.raw_transaction).hex(),
                nonce=int(tx["nonce"]),
            )

        return self._guard(build)

    def broadcast(self, prepared: PreparedTx) -> TxHash:
        """Send signed bytes; sending the same bytes again is harmless."""

        def send() -> TxHash:
            try:
                self.w3.eth.send_raw_transaction(HexBytes(prepared.raw))
            except Web3RPCError as exc:
                message = str(exc).lower()
                if "already known" in message or "already imported" in message:
                    return prepared.tx_hash
                if "nonce too low" in message:
                    self.reset_nonce()
                    # Either this very transaction was mined already, or the nonce went to
                    # another; the caller finds out from the receipt (or its absence).
                    return prepared.tx_hash
                raise ChainError(f"node refused transaction: {exc}") from exc
            return prepared.tx_hash

        return self._guard(send)

    def outcome(self, tx_hash: str) -> TxOutcome | None:
        """The mined result of a transaction, or None while it is not mined (or unknown)."""

        def fetch() -> TxOutcome | None:
            try:
                receipt = self.w3.eth.get_transaction_receipt(HexBytes(tx_hash))
            except TransactionNotFound:
                return None
            if receipt is None or receipt.get("blockNumber") is None:
                return None
            return TxOutcome(
                tx_hash=TxHash(tx_hash),
                block_number=int(receipt["blockNumber"]),
                status=int(receipt["status"]),
                gas_used=int(receipt["gasUsed"]),
                logs=tuple(receipt["logs"]),
                block_hash="0x" + bytes(receipt["blockHash"]).hex(),
            )

        return self._guard(fetch)

    def is_known(self, tx_hash: str) -> bool:
        """Whether the node knows the transaction at all (mined or in its pool)."""

        def lookup() -> bool:
            try:
                return self.w3.eth.get_transaction(HexBytes(tx_hash)) is not None
            except TransactionNotFound:
                return False

        return self._guard(lookup)

    def wait(self, tx_hash: str, *, timeout: float | None = None) -> TxOutcome:
        """Wait until mined. Raises ContractRevert (decoded by replaying the call) on failure."""
        deadline = time.monotonic() + (timeout or self.receipt_timeout)
        while True:
            result = self.outcome(tx_hash)
            if result is not None:
                if result.status != 1:
                    raise self._revert_of(tx_hash, result.block_number)
                return result
            if time.monotonic() > deadline:
                raise TimeExhausted(f"transaction {tx_hash} not mined in time")
            time.sleep(self.poll_interval or 0.05)

    def transact(self, fn: ContractFunction) -> TxOutcome:
        """Prepare, send and wait for one call."""
        prepared = self.prepare(fn)
        self.broadcast(prepared)
        return self.wait(prepared.tx_hash)

    def deploy(self, name: str, *args: Any) -> tuple[Address, int]:
        """Deploy a committed artifact; returns (address, block number)."""
        prepared = self.prepare(deploy=(name, args))
        self.broadcast(prepared)
        self.wait(prepared.tx_hash)

        def address() -> tuple[Address, int]:
            receipt = self.w3.eth.get_transaction_receipt(HexBytes(prepared.tx_hash))
            return Address(str(receipt["contractAddress"])), int(receipt["blockNumber"])

        return self._guard(address)

    def _revert_of(self, tx_hash: str, block_number: int) -> ChainError:
        """Replay a failed transaction as a call to learn its custom error."""

        def replay() -> ChainError:
            tx = self.w3.eth.get_transaction(HexBytes(tx_hash))
            call: TxParams = {
                "from": tx["from"],
                "to": tx["to"],
                "data": tx["input"],
                "value": tx["value"],
            }
            try:
                self.w3.eth.call(call, block_identifier=block_number - 1)
            except (ContractCustomError, ContractLogicError) as exc:
                return decode_revert(exc)
            return ChainError(f"transaction {tx_hash} failed (no revert data)")

        with self._rpc():
            return replay()


def decode_revert(exc: ContractCustomError | ContractLogicError) -> ContractRevert:
    """Name the custom error in a revert (selectors from every deployed contract's ABI)."""
    data = exc.data if isinstance(exc.data, str) else None
    raw = bytes.fromhex(data[2:]) if data and data.startswith("0x") else b""
    return decode_revert_data(raw, str(exc))


# Solidity's Error(string), as require(..., "message") reverts (e.g. a Safe's "GS020").
_ERROR_STRING = (bytes.fromhex("08c379a0"), ("Error", ("string",)))


def decode_revert_data(raw: bytes, fallback: str) -> ContractRevert:
    selectors = dict([_ERROR_STRING, *error_selectors().items()])
    known = selectors.get(raw[:4]) if len(raw) >= 4 else None
    if known is None:
        return ContractRevert(f"reverted: {fallback}", error_name="Unknown")
    name, types = known
    args = tuple(abi_decode(list(types), raw[4:])) if types else ()
    rendered = ", ".join(_render(a) for a in args)
    return ContractRevert(f"reverted with {name}({rendered})", error_name=name, args=args)


def _revert_bytes(exc: Exception) -> bytes:
    """The revert data inside an eth-tester TransactionFailed (possibly nested or as repr)."""
    first = exc.args[0] if exc.args else b""
    if isinstance(first, Exception):
        first = first.args[0] if first.args else b""
    if isinstance(first, bytes):
        return first
    text = str(first)
    if "b'" in text or 'b"' in text:
        import ast

        try:
            value = ast.literal_eval(text[text.index("b") :])
        except (ValueError, SyntaxError):
            return b""
        return value if isinstance(value, bytes) else b""
    return b""


# eth-tester's and eth-utils' refusals of a call (bad block, unaffordable gas, ...).
_NODE_REFUSALS = frozenset({"ValidationError", "BlockNotFound", "TransactionNotFound"})


def _reverted(raw: bytes) -> dict[str, Any]:
    """A revert as nodes report it: code 3, the revert data, the custom error if known."""
    known = decode_revert_data(raw, "").error_name if raw else "Unknown"
    message = "execution reverted" + ("" if known == "Unknown" else f": {known}")
    return {"error": {"code": 3, "message": message, "data": "0x" + raw.hex()}}


def _embedded_failure(exc: Exception) -> dict[str, Any]:
    """An exception from the embedded EVM as a JSON-RPC error (never an HTTP 500)."""
    name = type(exc).__name__
    if name == "TransactionFailed":
        message = str(exc.args[0]) if exc.args else ""
        if "revert" in message.lower():
            return _reverted(_revert_bytes(exc))
        return {"error": {"code": -32000, "message": message[:200] or "execution failed"}}
    if name in _NODE_REFUSALS or isinstance(exc, (ValueError, Web3RPCError)):
        return {"error": {"code": -32000, "message": str(exc)[:200]}}
    log.exception("embedded EVM failed on a read")
    return {"error": {"code": -32603, "message": "internal error"}}


def _to_rpc(value: Any) -> Any:
    """Python-shaped results (web3's formatting) back to JSON-RPC: quantities and data as hex."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return hex(value)
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, dict) or hasattr(value, "items"):
        return {k: _to_rpc(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_rpc(v) for v in value]
    return value


def _gwei(wei: int) -> str:
    return f"{wei / 1e9:.3f}".rstrip("0").rstrip(".")


def _render(value: Any) -> str:
    return "0x" + value.hex() if isinstance(value, bytes) else str(value)
