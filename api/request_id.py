"""The request id: one per HTTP request, echoed in ``X-Request-ID`` and carried by every log
line (and problem body) produced while the request is handled."""

from __future__ import annotations

import re
import secrets
from contextvars import ContextVar

__all__ = ["HEADER", "current_request_id", "request_id_of", "request_id_var"]

HEADER = "X-Request-ID"

# A client's id is taken only if it cannot smuggle anything into a log line or a header:
# short, and nothing but these characters. Anything else is replaced, not echoed.
_SAFE = re.compile(r"[A-Za-z0-9._-]{1,64}")

# Set by the request middleware; copied into the threads that run sync route handlers.
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


def request_id_of(offered: str | None) -> str:
    """The client's ``X-Request-ID`` if it is short and safe, else a fresh random one."""
    if offered is not None and _SAFE.fullmatch(offered):
        return offered
    return secrets.token_hex(16)


def current_request_id() -> str | None:
    """The id of the request being handled in this context, if any."""
    return request_id_var.get()
