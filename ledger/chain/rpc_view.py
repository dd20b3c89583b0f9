"""A read-only, bounded JSON-RPC view of the ledger's chain: what ``/rpc`` serves.

Anyone may call it (it is how a receipt is checked against the embedded EVM from outside
the process), so every call is checked and bounded before it reaches the node:

* only plain reads (:data:`ChainClient.READ_METHODS`); nothing can be sent or signed;
* ``eth_call`` only to one of the ledger's own contracts (no contract creation, no state
  overrides), with at most ``max_call_data_bytes`` of calldata and ``max_gas`` gas (a
  larger ``gas`` is clamped to it; absent means the cap);
* ``eth_getLogs`` only for our contracts, over at most ``max_log_blocks`` blocks;
* ``eth_feeHistory`` over at most ``max_fee_history_blocks`` blocks;
* at most ``max_batch`` calls in one batch; a remote node gets ``call_timeout`` seconds.

What the caps cost, measured on py-evm (``bench/rpc_view.py``): ``verify`` with a 20-step
proof (a tree of a million records) uses 47,216 gas and ~6 ms; the heaviest call our
contracts allow under the calldata cap (``verify`` with a 123-step proof) 129,139 gas and
~16 ms. Code that only loops runs ~4.5M gas/s on py-evm, so whatever runs within the gas
cap holds the embedded chain for at most ~0.5 s.

Every malformed call gets a JSON-RPC error, never an exception: -32600 invalid request,
-32601 method not found, -32602 invalid params, 3 execution reverted (with ``data``),
-32000 the node refused the call, -32603 the node is unreachable.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final

from ..errors import ChainError, RpcRequestError
from .client import ChainClient

__all__ = ["INVALID_PARAMS", "INVALID_REQUEST", "METHOD_NOT_FOUND", "ReadOnlyRpc", "RpcLimits"]

log = logging.getLogger(__name__)

INVALID_REQUEST: Final = -32600
METHOD_NOT_FOUND: Final = -32601
INVALID_PARAMS: Final = -32602
INTERNAL_ERROR: Final = -32603

BLOCK_TAGS: Final = frozenset({"latest", "earliest", "pending", "safe", "finalized"})
_QUANTITY = re.compile(r"0x[0-9a-fA-F]{1,16}")  # at most 64 bits
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
_HASH = re.compile(r"0x[0-9a-fA-F]{64}")
_DATA = re.compile(r"0x(?:[0-9a-fA-F]{2})*")
_CALL_FIELDS: Final = frozenset(
    {"from", "to", "gas", "gasPrice", "maxFeePerGas", "maxPriorityFeePerGas", "value",
     "data", "input"}
)  # fmt: skip
_LOG_FILTER_FIELDS: Final = frozenset({"fromBlock", "toBlock", "address", "topics", "blockHash"})
_MAX_ID_CHARS: Final = 256
_MAX_TOPIC_ALTERNATIVES: Final = 16


@dataclass(frozen=True)
class RpcLimits:
    """What one caller may ask of the chain through the view."""

    max_gas: int = 2_000_000  # per eth_call; ~15x the heaviest call our contracts allow
    max_call_data_bytes: int = 4096  # a 123-step proof; our trees need ~20
    max_batch: int = 20
    max_log_blocks: int = 10_000
    max_fee_history_blocks: int = 1024
    call_timeout: float = 10.0  # seconds a remote node gets per call


def _invalid(detail: str) -> RpcRequestError:
    return RpcRequestError(detail, rpc_code=INVALID_PARAMS)


def _error(request_id: Any, code: int, message: str, data: Any = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        error["data"] = data
    return {"jsonrpc": "2.0", "id": request_id, "error": error}


def _quantity(value: Any, name: str) -> int:
    if isinstance(value, str) and _QUANTITY.fullmatch(value):
        return int(value, 16)
    raise _invalid(f"{name} is a hex quantity (0x..., at most 64 bits)")


def _block(value: Any, name: str = "block") -> str:
    if isinstance(value, str) and (value in BLOCK_TAGS or _QUANTITY.fullmatch(value)):
        return value
    raise _invalid(f"{name} is a block number (0x...) or one of {', '.join(sorted(BLOCK_TAGS))}")


def _hash(value: Any, name: str) -> str:
    if isinstance(value, str) and _HASH.fullmatch(value):
        return value
    raise _invalid(f"{name} is a 32-byte hash (0x + 64 hex digits)")


def _address(value: Any, name: str) -> str:
    if isinstance(value, str) and _ADDRESS.fullmatch(value):
        return value
    raise _invalid(f"{name} is an address (0x + 40 hex digits)")


def _bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    raise _invalid(f"{name} is true or false")


def _arity(params: list[Any], least: int, most: int) -> None:
    if not least <= len(params) <= most:
        expected = str(least) if least == most else f"{least} to {most}"
        raise _invalid(f"expected {expected} params, got {len(params)}")


class ReadOnlyRpc:
    """Checks, bounds and forwards JSON-RPC reads to ``client``.

    ``contracts`` are the ledger's own contract addresses (its ``Deployment``): the only
    targets ``eth_call`` and ``eth_getLogs`` accept.
    """

    def __init__(
        self, client: ChainClient, contracts: Iterable[str], limits: RpcLimits | None = None
    ) -> None:
        self.client = client
        self.contracts = frozenset(address.lower() for address in contracts)
        self.limits = limits or RpcLimits()
        self._checks: dict[str, Callable[[list[Any]], list[Any]]] = {
            "eth_call": self._call,
            "eth_getLogs": self._get_logs,
            "eth_feeHistory": self._fee_history,
            "eth_getBlockByNumber": lambda p: self._pair(p, _block, "block"),
            "eth_getBlockByHash": lambda p: self._pair(p, _hash, "blockHash"),
            "eth_getTransactionByHash": lambda p: self._one_hash(p, "transactionHash"),
            "eth_getTransactionReceipt": lambda p: self._one_hash(p, "transactionHash"),
            "eth_getCode": self._at_block,
            "eth_getBalance": self._at_block,
            "eth_getTransactionCount": self._at_block,
        }

    # -- the envelope ---------------------------------------------------------------------

    def calls_in(self, payload: Any) -> int:
        """How many calls :meth:`answer` will forward for ``payload`` (what a rate limit
        charges): a batch's length, or 1 for a single request or a refused batch."""
        if isinstance(payload, list) and 1 <= len(payload) <= self.limits.max_batch:
            return len(payload)
        return 1

    def answer(self, payload: Any) -> dict[str, Any] | list[dict[str, Any]]:
        """The reply to one request object or to a batch (a list of them)."""
        if not isinstance(payload, list):
            return self.answer_one(payload)
        if not payload:
            return _error(None, INVALID_REQUEST, "empty batch")
        if len(payload) > self.limits.max_batch:
            first_id = next((item.get("id") for item in payload if isinstance(item, dict)), None)
            message = f"batch of {len(payload)} calls exceeds the limit of {self.limits.max_batch}"
            return [_error(self._safe_id(first_id), INVALID_REQUEST, message)]
        return [self.answer_one(item) for item in payload]

    def answer_one(self, request: Any) -> dict[str, Any]:
        """The reply to one request object; never raises for anything a caller sends."""
        if not isinstance(request, dict):
            return _error(None, INVALID_REQUEST, "a request is a JSON object")
        request_id = self._safe_id(request.get("id"))
        if request.get("id") is not None and request_id is None:
            return _error(None, INVALID_REQUEST, "id is a string, an integer or null")
        if request.get("jsonrpc", "2.0") != "2.0":
            return _error(request_id, INVALID_REQUEST, 'jsonrpc must be "2.0"')
        method = request.get("method")
        if not isinstance(method, str):
            return _error(request_id, INVALID_REQUEST, "method is a string")
        if method not in ChainClient.READ_METHODS:
            return _error(
                request_id, METHOD_NOT_FOUND, f"{method[:64]} is not a read-only method here"
            )
        params = request.get("params", [])
        if not isinstance(params, list):
            return _error(request_id, INVALID_PARAMS, "params is an array")
        try:
            checked = self._checks.get(method, self._none)(params)
            reply = self.client.read_rpc(method, checked, timeout=self.limits.call_timeout)
        except RpcRequestError as exc:
            return _error(request_id, exc.rpc_code, f"{method}: {exc.detail}")
        except ChainError as exc:
            return _error(request_id, INTERNAL_ERROR, exc.detail)
        return {"jsonrpc": "2.0", "id": request_id, **reply}

    @staticmethod
    def _safe_id(value: Any) -> Any:
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        if isinstance(value, str) and len(value) <= _MAX_ID_CHARS:
            return value
        return None

    # -- per-method checks (each returns the params to forward) --------------------------

    @staticmethod
    def _none(params: list[Any]) -> list[Any]:
        _arity(params, 0, 0)
        return []

    @staticmethod
    def _pair(params: list[Any], first: Callable[[Any, str], str], name: str) -> list[Any]:
        _arity(params, 2, 2)
        return [first(params[0], name), _bool(params[1], "fullTransactions")]

    @staticmethod
    def _one_hash(params: list[Any], name: str) -> list[Any]:
        _arity(params, 1, 1)
        return [_hash(params[0], name)]

    @staticmethod
    def _at_block(params: list[Any]) -> list[Any]:
        _arity(params, 1, 2)
        block = _block(params[1]) if len(params) == 2 else "latest"
        return [_address(params[0], "address"), block]

    def _ours(self, address: Any, name: str) -> str:
        checked = _address(address, name)
        if checked.lower() not in self.contracts:
            raise _invalid(f"{name} {checked} is not one of this ledger's contracts")
        return checked

    def _call(self, params: list[Any]) -> list[Any]:
        _arity(params, 1, 2)
        call, block = params[0], _block(params[1]) if len(params) == 2 else "latest"
        if not isinstance(call, dict):
            raise _invalid("the call is an object {to, data, ...}")
        unknown = sorted(set(call) - _CALL_FIELDS)
        if unknown:
            raise _invalid(f"the call takes no {', '.join(u[:32] for u in unknown[:3])}")
        if "to" not in call or call["to"] is None:
            raise _invalid("to is required: this view runs no contract creation")
        checked: dict[str, Any] = {"to": self._ours(call["to"], "to")}
        data, given_input = call.get("data"), call.get("input")
        if data is not None and given_input is not None and data != given_input:
            raise _invalid("data and input differ")
        data = data if data is not None else given_input
        if data is not None:
            if not isinstance(data, str) or len(data) > 2 + 2 * self.limits.max_call_data_bytes:
                raise _invalid(f"data is at most {self.limits.max_call_data_bytes} bytes")
            if not _DATA.fullmatch(data):
                raise _invalid("data is 0x-hex bytes")
            checked["data"] = data
        if call.get("from") is not None:
            checked["from"] = _address(call["from"], "from")
        for name in ("value", "gasPrice", "maxFeePerGas", "maxPriorityFeePerGas"):
            if call.get(name) is not None:
                checked[name] = hex(_quantity(call[name], name))
        gas = self.limits.max_gas
        if call.get("gas") is not None:
            gas = min(_quantity(call["gas"], "gas"), gas)  # clamped, as geth's RPCGasCap
        checked["gas"] = hex(gas)
        return [checked, block]

    def _get_logs(self, params: list[Any]) -> list[Any]:
        _arity(params, 1, 1)
        query = params[0]
        if not isinstance(query, dict):
            raise _invalid("the filter is an object {address, fromBlock, toBlock, topics}")
        unknown = sorted(set(query) - _LOG_FILTER_FIELDS)
        if unknown:
            raise _invalid(f"the filter takes no {', '.join(u[:32] for u in unknown[:3])}")
        addresses = query.get("address")
        if addresses is None:
            raise _invalid("address is required (one of this ledger's contracts)")
        if not isinstance(addresses, list):
            addresses = [addresses]
        if not 1 <= len(addresses) <= len(self.contracts):
            raise _invalid("address names one or more of this ledger's contracts")
        checked: dict[str, Any] = {"address": [self._ours(a, "address") for a in addresses]}
        if query.get("topics") is not None:
            checked["topics"] = self._topics(query["topics"])
        if query.get("blockHash") is not None:
            if query.get("fromBlock") is not None or query.get("toBlock") is not None:
                raise _invalid("blockHash excludes fromBlock and toBlock")
            checked["blockHash"] = _hash(query["blockHash"], "blockHash")
            return [checked]
        head = self.client.block_number()
        start = self._block_number(query.get("fromBlock", "latest"), "fromBlock", head)
        # Nothing is logged past the head; nodes disagree on asking there, so we never do.
        end = min(self._block_number(query.get("toBlock", "latest"), "toBlock", head), head)
        if start > end:
            raise _invalid(f"fromBlock {start} is after toBlock {end}")
        if end - start + 1 > self.limits.max_log_blocks:
            raise _invalid(
                f"a range of {end - start + 1} blocks exceeds the limit of "
                f"{self.limits.max_log_blocks}"
            )
        checked.update(fromBlock=hex(start), toBlock=hex(end))
        return [checked]

    @staticmethod
    def _block_number(value: Any, name: str, head: int) -> int:
        """A block parameter as a number, so the range checked is the range the node reads."""
        block = _block(value if value is not None else "latest", name)
        if block == "earliest":
            return 0
        return head if block in BLOCK_TAGS else int(block, 16)

    @staticmethod
    def _topics(topics: Any) -> list[Any]:
        if not isinstance(topics, list) or len(topics) > 4:
            raise _invalid("topics is an array of at most 4 entries")
        checked: list[Any] = []
        for position, topic in enumerate(topics):
            name = f"topics[{position}]"
            if topic is None or isinstance(topic, str):
                checked.append(None if topic is None else _hash(topic, name))
            elif isinstance(topic, list) and len(topic) <= _MAX_TOPIC_ALTERNATIVES:
                checked.append([_hash(t, name) for t in topic])
            else:
                raise _invalid(
                    f"{name} is null, a hash or at most {_MAX_TOPIC_ALTERNATIVES} hashes"
                )
        return checked

    def _fee_history(self, params: list[Any]) -> list[Any]:
        _arity(params, 2, 3)
        raw_count = params[0]
        if isinstance(raw_count, int) and not isinstance(raw_count, bool):
            count = raw_count
        else:
            count = _quantity(raw_count, "blockCount")
        limit = self.limits.max_fee_history_blocks
        if not 1 <= count <= limit:
            raise _invalid(f"blockCount is 1 to {limit}, got {count}")
        percentiles = params[2] if len(params) == 3 else []
        if (
            not isinstance(percentiles, list)
            or len(percentiles) > 100
            or not all(
                isinstance(p, (int, float)) and not isinstance(p, bool) and 0 <= p <= 100
                for p in percentiles
            )
            or percentiles != sorted(percentiles)
        ):
            raise _invalid("rewardPercentiles is an ascending array of at most 100 numbers 0-100")
        return [hex(count), _block(params[1], "newestBlock"), percentiles]
