"""Jinja2 rendering for the pages: one environment (autoescaped, strict about undefined
names), the request's language, and the headers every page carries.

The Content-Security-Policy allows nothing but this origin and no inline script or style
(``style`` attributes included): templates use classes, and SVG charts use presentation
attributes (``fill``, ``stroke``), which CSP does not govern.
"""

from __future__ import annotations

import base64
import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from .i18n import LANGUAGES, negotiate, translator

__all__ = ["CSP", "IMPORT_MAP", "STATIC_DIR", "language_of", "page", "percent", "points"]

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
# Where the pages' ES modules find their bare imports (tools/setup.sh vendors them). The map
# is inline, as browsers require; the CSP admits exactly it, by hash, and no other inline
# script. 'wasm-unsafe-eval' lets libsodium compile its WebAssembly (no JavaScript eval).
IMPORT_MAP = json.dumps(
    {
        "imports": {
            "ethers": "/static/vendor/ethers.min.js",
            "@noble/curves/": "/static/vendor/noble-curves/",
            "@noble/hashes/": "/static/vendor/noble-hashes/",
            "canonicalize": "/static/vendor/canonicalize.mjs",
            "libsodium-wrappers-sumo": "/static/vendor/libsodium-wrappers-sumo.mjs",
            "libsodium-sumo": "/static/vendor/libsodium-sumo.mjs",
            "receipt-checks": "/static/vendor/receipt-checks.mjs",
            "jsqr": "/static/vendor/jsqr.mjs",
            "ledger-keys": "/static/js/ledger-keys.mjs",
            "qrcode-generator": "/static/vendor/qrcode-generator.mjs",
            "pako": "/static/vendor/pako.esm.mjs",
            "jsonld": "/static/vendor/jsonld.mjs",
        }
    },
    separators=(",", ":"),
)
_MAP_HASH = base64.b64encode(hashlib.sha256(IMPORT_MAP.encode()).digest()).decode()
CSP = (
    f"default-src 'self'; script-src 'self' 'sha256-{_MAP_HASH}' 'wasm-unsafe-eval'; "
    "style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def points(value: Any) -> str:
    """Points as people write them: ``12.5``, ``40`` (never ``40.00``)."""
    exact = Decimal(str(value)).quantize(Decimal("0.01"))
    text = f"{exact:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(rate: Any) -> str:
    """A 0-1 rate as a whole-ish percentage: ``0.8333`` -> ``83.3 %``."""
    value = (Decimal(str(rate)) * 100).quantize(Decimal("0.1"))
    return f"{points(value)} %"


_environment = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(["html", "svg"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters.update(points=points, percent=percent)


def language_of(request: Request) -> str:
    return negotiate(request.query_params.get("lang"), request.headers.get("accept-language"))


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render ``template`` in the request's language, with the pages' security headers."""
    language = language_of(request)
    html = _environment.get_template(template).render(
        t=translator(language), lang=language, languages=LANGUAGES, path=request.url.path,
        import_map=IMPORT_MAP,
        **context,
    )  # fmt: skip
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)
