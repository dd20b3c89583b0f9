"""The worker's wallet (``/wallet``): a phone is the wallet.

The page opens the wallet file ``ledger wallet`` writes (:mod:`credentials.wallet`) with the
worker's PIN in the browser (libsodium's Argon2id + SecretBox), and signs presentations and
wage acknowledgements there (``static/js/wallet-core.mjs``, ``wallet.mjs``): the key, the
PIN and the document secret never leave the device. The server only serves:

- ``/wallet``: the page (every string from :mod:`.i18n`, in the request's language);
- ``/wallet/formats.json``: what signing a presentation offline needs and nothing secret:
  the bundled JSON-LD contexts (RDFC-1.0 canonicalization) and the ``LPL1`` QR dictionary,
  from their one source in Python (:mod:`credentials.loader`, :mod:`credentials.qr`);
- ``/wallet.webmanifest`` and ``/wallet-sw.js``: the web app manifest and the service
  worker that caches the page and its modules, so the QR can be shown offline. The worker
  sits at the root so it may control ``/wallet`` (a worker's scope is its own folder).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from credentials.loader import bundled_contexts, context_document
from credentials.qr import DICTIONARY_V1

from .i18n import LANGUAGES, translator
from .render import SECURITY_HEADERS, STATIC_DIR, language_of, page

__all__ = ["ACK_REASONS", "router"]

router = APIRouter(include_in_schema=False)

# domain/wages/schema.py AckReason, in the order the page lists them
ACK_REASONS = ("underpaid", "hours-wrong", "deduction-not-agreed", "not-paid", "paid-late", "other")
# The strings wallet.mjs shows (it reads them from the page: one place, server-side).
SCRIPT_STRINGS = (
    "wallet.opening", "wallet.wrong_pin", "wallet.not_a_wallet", "wallet.no_credential",
    "wallet.qr_expires", "wallet.qr_refreshing", "wallet.qr_offline", "wallet.qr_failed",
    "wallet.wages_failed", "wallet.checkins_failed", "wallet.ack_sent",
    "wallet.ack_failed", "wallet.ack_need_reason", "wallet.ack.received", "wallet.ack.disputed",
    "wallet.ack.none", "wallet.line.period", "wallet.line.gross", "wallet.line.net",
    "wallet.line.paid_on", "wallet.line.compliant", "wallet.line.not_compliant",
    "wallet.line.status", "wallet.received", "wallet.disputed", "wallet.dispute_send",
    "wallet.reasons", "wallet.kept", "wallet.forgotten", "wallet.checkin.when",
    "wallet.checkin.where", "wallet.checkin.place", "wallet.checkin.on_site",
    "wallet.checkin.off_site", "wallet.checkin.document", "wallet.checkin.document_matched",
    "wallet.checkin.document_not_matched",
    *(f"wallet.reason.{r}" for r in ACK_REASONS),
)  # fmt: skip
_NO_STORE = {"Cache-Control": "no-cache"}


@router.get("/wallet", response_class=HTMLResponse)
def wallet(request: Request) -> HTMLResponse:
    t = translator(language_of(request))
    strings = json.dumps({key: t(key) for key in SCRIPT_STRINGS}, ensure_ascii=False)
    response = page(request, "wallet.html", reasons=ACK_REASONS, script_strings=strings)
    response.headers.update(_NO_STORE)
    return response


@cache
def _formats() -> bytes:
    formats: dict[str, Any] = {
        "contexts": {url: context_document(url) for url in bundled_contexts()},
        "qrDictionary": DICTIONARY_V1.decode("utf-8"),
    }
    return json.dumps(formats, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


@router.get("/wallet/formats.json")
def formats() -> Response:
    return Response(_formats(), media_type="application/json", headers=_NO_STORE)


@router.get("/wallet.webmanifest")
def manifest(request: Request) -> Response:
    t = translator(language_of(request))
    document = {
        "name": t("wallet.app_name"),
        "short_name": t("wallet.app_short_name"),
        "start_url": "/wallet",
        "scope": "/wallet",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1f2933",
        "lang": language_of(request),
        "icons": [
            {"src": "/static/wallet-icon.svg", "sizes": "any", "type": "image/svg+xml",
             "purpose": "any"},
            {"src": "/static/wallet-icon-maskable.svg", "sizes": "any", "type": "image/svg+xml",
             "purpose": "maskable"},
        ],
    }  # fmt: skip
    return Response(
        json.dumps(document, ensure_ascii=False),
        media_type="application/manifest+json",
        headers=_NO_STORE,
    )


# What the page loads, for the service worker to keep: our files and the vendored modules
# its imports reach (the noble packages import their own files, so all of them).
_ASSETS = (
    "pages.css", "wallet.css", "favicon.svg", "wallet-icon.svg", "wallet-icon-maskable.svg",
    "js/wallet.mjs", "js/wallet-core.mjs", "js/ledger-keys.mjs", "js/data-integrity.mjs",
    "vendor/qrcode-generator.mjs", "vendor/pako.esm.mjs", "vendor/jsonld.mjs",
    "vendor/canonicalize.mjs", "vendor/libsodium-wrappers-sumo.mjs", "vendor/libsodium-sumo.mjs",
)  # fmt: skip


def _offline_assets() -> list[str]:
    found = [name for name in _ASSETS if (STATIC_DIR / name).is_file()]
    for package in ("noble-curves", "noble-hashes"):
        folder = STATIC_DIR / "vendor" / package
        found += sorted(str(p.relative_to(STATIC_DIR)) for p in folder.rglob("*.js"))
    return ["/static/" + name for name in found]


@router.get("/wallet-sw.js")
def service_worker() -> Response:
    code = (STATIC_DIR / "js" / "wallet-sw.js").read_text("utf-8")
    code = code.replace("/*LANGUAGES*/[]", json.dumps(sorted(LANGUAGES)))
    code = code.replace("/*ASSETS*/[]", json.dumps(_offline_assets()))
    return Response(
        code,
        media_type="text/javascript",
        headers={**SECURITY_HEADERS, **_NO_STORE, "Service-Worker-Allowed": "/wallet"},
    )
