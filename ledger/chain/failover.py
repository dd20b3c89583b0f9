"""Several RPC URLs for one chain, used one at a time: the first healthy one, the next on a
connection failure.

web3 7 ships no fallback provider; Lido's ``web3-multi-provider`` is one, but it also fails
over on answers (a revert is an answer, and the next node would give the same one) and does
not check that its endpoints are one chain. This one:

* fails over only when an endpoint cannot be reached or answers with an HTTP error (refused
  connection, timeout, 5xx); a JSON-RPC error, a revert among them, is returned as it is;
* refuses a set of endpoints that report different chain ids (checked when built for every
  endpoint that answers, and for the others before their first use: one that turns out to be
  another chain is never used);
* stays on the endpoint that answered, and goes back to the first after ``retry_first_after``
  seconds, so a primary that recovers is used again.

Nonces stay sane across endpoints because :class:`~ledger.chain.client.ChainClient` takes the
larger of the node's pending count and its own next nonce, and resends the very same signed
bytes (harmless on a node that has them).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import Any

import requests
from web3 import Web3
from web3.providers import JSONBaseProvider
from web3.providers.rpc import HTTPProvider
from web3.types import RPCEndpoint, RPCResponse

from ..errors import ChainError

__all__ = ["FailoverProvider", "http_provider", "split_urls"]

log = logging.getLogger(__name__)

# What makes an endpoint unhealthy (as opposed to an answer from it).
_UNREACHABLE = (requests.ConnectionError, requests.Timeout, requests.HTTPError, OSError)


def split_urls(spec: str) -> list[str]:
    """``"URL1,URL2"`` (spaces allowed) as a list; at least one URL.

    Raises:
        ChainError: no URL in ``spec``, or one named twice.
    """
    urls = [u.strip() for u in spec.split(",") if u.strip()]
    if not urls:
        raise ChainError("no RPC URL given")
    if len(set(urls)) != len(urls):
        raise ChainError("an RPC URL is listed twice")
    return urls


def http_provider(spec: str, *, timeout: float) -> HTTPProvider | FailoverProvider:
    """One URL: web3's HTTPProvider as before. Several (comma-separated): a FailoverProvider."""
    urls = split_urls(spec)
    if len(urls) == 1:
        return Web3.HTTPProvider(urls[0], request_kwargs={"timeout": timeout})
    return FailoverProvider(urls, timeout=timeout)


class FailoverProvider(JSONBaseProvider):
    """A JSON-RPC provider over several HTTP endpoints of one chain (see the module doc)."""

    def __init__(
        self,
        urls: Sequence[str],
        *,
        timeout: float = 30.0,
        retry_first_after: float = 30.0,
        chain_id: int | None = None,
    ) -> None:
        if not urls:
            raise ChainError("no RPC URL given")
        super().__init__()
        self.urls = tuple(urls)
        self.timeout = timeout
        self.retry_first_after = retry_first_after
        # No retries inside an endpoint: trying the next endpoint is the retry.
        self._endpoints = [
            HTTPProvider(u, request_kwargs={"timeout": timeout}, exception_retry_configuration=None)
            for u in urls
        ]
        self._checked: dict[int, bool] = {}  # index -> is this chain; absent: not asked yet
        self._current = 0
        self._left_first_at: float | None = None
        self._lock = threading.Lock()
        self.chain_id = chain_id
        if chain_id is None:
            self._check_all()

    @property
    def current_url(self) -> str:
        return self.urls[self._current]

    def with_timeout(self, timeout: float) -> FailoverProvider:
        """The same endpoints (and chain) with another per-request timeout."""
        return FailoverProvider(
            self.urls, timeout=timeout, retry_first_after=self.retry_first_after,
            chain_id=self.chain_id,
        )  # fmt: skip

    def _check_all(self) -> None:
        seen: dict[str, int] = {}
        for index, endpoint in enumerate(self._endpoints):
            found = _chain_id_of(endpoint)
            if found is not None:
                seen[self.urls[index]] = found
        if len(set(seen.values())) > 1:
            listed = ", ".join(f"{_safe(u)} is chain {c}" for u, c in seen.items())
            raise ChainError(f"the RPC URLs are not one chain: {listed}")
        if seen:
            self.chain_id = next(iter(seen.values()))
            self._checked = {self.urls.index(u): True for u in seen}

    def _is_our_chain(self, index: int) -> bool:
        """Whether endpoint ``index`` is the chain (asked once; unreachable: ask again later)."""
        known = self._checked.get(index)
        if known is not None:
            return known
        found = _chain_id_of(self._endpoints[index])
        if found is None:
            raise requests.ConnectionError(f"{_safe(self.urls[index])} is unreachable")
        if self.chain_id is None:
            self.chain_id = found
        ours = found == self.chain_id
        self._checked[index] = ours
        if not ours:
            log.error("RPC %s is chain %d, not %d: never used", _safe(self.urls[index]),
                      found, self.chain_id)  # fmt: skip
        return ours

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        with self._lock:
            if (
                self._current != 0
                and self._left_first_at is not None
                and time.monotonic() - self._left_first_at >= self.retry_first_after
            ):
                self._current, self._left_first_at = 0, None
            start = self._current
        last: Exception | None = None
        for step in range(len(self._endpoints)):
            index = (start + step) % len(self._endpoints)
            try:
                if not self._is_our_chain(index):
                    continue
                response = self._endpoints[index].make_request(method, params)
            except _UNREACHABLE as exc:
                last = exc
                log.warning("RPC %s failed (%s); trying the next", _safe(self.urls[index]),
                            type(exc).__name__)  # fmt: skip
                continue
            with self._lock:
                if index != self._current:
                    self._current = index
                    self._left_first_at = time.monotonic() if index != 0 else None
            return response
        if last is None:
            raise ChainError("none of the RPC URLs is the chain this ledger uses")
        raise last

    def is_connected(self, show_traceback: bool = False) -> bool:
        return any(e.is_connected(show_traceback=False) for e in self._endpoints)


def _chain_id_of(endpoint: HTTPProvider) -> int | None:
    try:
        reply = endpoint.make_request(RPCEndpoint("eth_chainId"), [])
    except (*_UNREACHABLE, ValueError):  # ValueError: not JSON-RPC at all
        return None
    result = reply.get("result")
    return int(result, 16) if isinstance(result, str) else None


def _safe(url: str) -> str:
    """``url`` without user name and password (an API key may sit there)."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{rest.split('@', 1)[1]}"
