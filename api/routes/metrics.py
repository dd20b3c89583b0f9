"""``/metrics``: the Prometheus exposition (:mod:`api.metrics`), left out of the OpenAPI
document: it is for the scraper, in Prometheus' own format, not part of the API's contract."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request, Response

from ledger.errors import Unauthorized

from ..deps import SettingsDep
from ..metrics import Metrics, render

router = APIRouter()


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request, settings: SettingsDep) -> Response:
    if settings.metrics_token is not None:
        expected = f"Bearer {settings.metrics_token.get_secret_value()}".encode()
        offered = request.headers.get("authorization", "").encode()
        if not hmac.compare_digest(offered, expected):
            raise Unauthorized("/metrics needs the metrics bearer token (LEDGER_METRICS_TOKEN)")
    app_metrics: Metrics = request.app.state.metrics
    body, content_type = render(app_metrics, request.headers.get("accept"))
    return Response(body, media_type=content_type)
