"""Server-rendered pages for each user, served beside the API by ``ledger serve``.

Each page renders the same domain view objects as its JSON route (``/lenders`` what
``GET /v1/lenders/suppliers`` returns, ``/brands/{id}`` what ``GET /v1/brands/{id}/trace``
returns), through Jinja2 templates in ``templates/`` with strings from :mod:`.i18n`.
Static files are under ``/static``: our CSS, and (in ``static/vendor/``, copied from
node_modules by ``tools/setup.sh``) htmx. Pages work without JavaScript; htmx only spares a
reload.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from . import audits, brands, errors, home, investigations, lenders, verify, wages, wallet
from .render import STATIC_DIR

__all__ = ["install_pages"]


def install_pages(app: FastAPI) -> None:
    """Add the pages' routes, ``/static``, and HTML 404s for browsers outside the API."""
    for router in (
        home.router,
        lenders.router,
        brands.router,
        verify.router,
        audits.router,
        wages.router,
        wallet.router,
        investigations.router,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    errors.install_html_not_found(app)
