"""Log lines for ``ledger serve`` and ``ledger worker``: text or JSON (``LEDGER_LOG_FORMAT``),
each stamped with the request id, none carrying a secret or a did.

What keeps secrets and personal data out, in order of strength:

1. Nothing logs them: requests are logged by route template (never the raw path, which
   may hold a did) without headers or bodies (:mod:`api.instrument`), uvicorn's own access
   log is off, and the core logs ids, counts and error codes.
2. Belt and braces on every line, whoever wrote it: the configured secrets (admin token,
   keys) are replaced literally, and anything shaped like a did or a bearer/envelope
   credential is masked, in the message and in tracebacks alike.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Literal

from .request_id import current_request_id

__all__ = [
    "JsonFormatter",
    "LogFormat",
    "RequestIdFilter",
    "TextFormatter",
    "configure_logging",
    "uvicorn_log_config",
]

LogFormat = Literal["text", "json"]

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
REDACTED = "[redacted]"

_CREDENTIAL = re.compile(r"\b(Bearer|Envelope)\s+[A-Za-z0-9._~+/=-]{8,}")
# A did, also percent-encoded as it appears in a request's path (did%3Akey%3Az6Mk...).
_DID = re.compile(r"\bdid(?::|%3[Aa])[a-z0-9]+(?::|%3[Aa])[A-Za-z0-9._%:-]+")
# Structured fields the request middleware passes as ``extra``; nothing else is copied.
_FIELDS = ("method", "route", "status", "duration_ms")


class RequestIdFilter(logging.Filter):
    """Stamps each record with the id of the request it was logged under (or ``-``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id() or "-"
        return True


class _Scrubber:
    def __init__(self, secrets: Iterable[str]) -> None:
        # Longest first, so a secret containing another is replaced whole.
        self._secrets = sorted({s for s in secrets if len(s) >= 8}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        text = _CREDENTIAL.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
        return _DID.sub(f"did:{REDACTED}", text)


class TextFormatter(logging.Formatter):
    """The classic one-line format, with the request id, scrubbed."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__(TEXT_FORMAT)
        self._scrub = _Scrubber(secrets)

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id() or "-"
        return self._scrub(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request_id (null outside a
    request), the request fields when present, and the traceback as ``exception``."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._scrub = _Scrubber(secrets)

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None) or current_request_id()
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": self._scrub(record.getMessage()),
            "request_id": None if request_id == "-" else request_id,
        }
        for name in _FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exception"] = self._scrub(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False, default=str)


def _formatter(log_format: LogFormat, secrets: Iterable[str]) -> logging.Formatter:
    return JsonFormatter(secrets) if log_format == "json" else TextFormatter(secrets)


def configure_logging(log_format: LogFormat = "text", *, secrets: Iterable[str] = ()) -> None:
    """Send every logger's records to stderr in ``log_format``, replacing the root's handlers
    (so it is safe to call twice). ``secrets`` are values never to print (the admin token,
    keys): they are masked wherever they would appear."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_formatter(log_format, list(secrets)))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's ``log_config``: its loggers keep no handler of their own and propagate to
    the root one :func:`configure_logging` set up, so they share its format and scrubbing."""
    quiet = {"handlers": [], "propagate": True, "level": "INFO"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "loggers": {name: dict(quiet) for name in ("uvicorn", "uvicorn.error", "uvicorn.access")},
    }
