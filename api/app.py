"""The app factory: ``create_app(settings)`` opens the ledger in the app's lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import anyio
from fastapi import FastAPI

from domain import open_ledger
from domain.wages.service import Wages
from domain.workers import WorkerCredentials
from ledger.anchoring import AnchoringPolicy
from ledger.service import Ledger, LedgerConfig

from .gc_tuning import tune_for_serving
from .instrument import InstrumentMiddleware
from .metrics import Metrics
from .pages import install_pages
from .problems import install_problem_handlers
from .ratelimit import RateLimiter, RateLimitMiddleware, parse_rates
from .routes import (
    admin,
    attestations,
    checkins,
    contexts,
    credentials,
    dids,
    external_evidence,
    facilities,
    health,
    holders,
    lenders,
    metrics,
    presentations,
    receipts,
    records,
    rpc,
    scores,
    status_lists,
    supply,
    vc_api,
    wages,
)
from .settings import Settings

__all__ = ["create_app", "ledger_config", "rate_limiter"]


def ledger_config(settings: Settings) -> LedgerConfig:
    return LedgerConfig(
        database_url=settings.database_url,
        rpc_url=settings.rpc_url,
        anchor_key=settings.anchor_private_key(),
        admin_key=settings.admin_key.get_secret_value() if settings.admin_key else None,
        admin_address=settings.admin_address,
        deployment_file=settings.deployment_file,
        policy=AnchoringPolicy(
            max_batch=settings.batch_max_records,
            max_wait=timedelta(seconds=settings.batch_max_wait_seconds),
            confirmations=settings.confirmations,
            reorg_window=settings.reorg_window_blocks,
            lease_ttl=timedelta(seconds=settings.lease_ttl_seconds),
        ),
        max_future_skew=timedelta(seconds=settings.max_future_skew_seconds),
        max_age=timedelta(seconds=settings.max_age_seconds),
        group_commit_wait=timedelta(milliseconds=settings.group_commit_ms),
        group_commit_leaders=settings.group_commit_leaders,
        max_fee_gwei=settings.max_fee_gwei,
    )


def rate_limiter(settings: Settings) -> RateLimiter:
    return RateLimiter(
        {
            "writes": parse_rates(settings.rate_writes),
            "rpc": parse_rates(settings.rate_rpc),
            "challenges": parse_rates(settings.rate_challenges),
            "verifications": parse_rates(settings.rate_verifications),
        }
    )


def create_app(settings: Settings | None = None, *, ledger: Ledger | None = None) -> FastAPI:
    """Build the API. Pass ``ledger`` to serve an already-open ledger (tests, ``--demo``)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = ledger is None
        app.state.ledger = ledger or open_ledger(ledger_config(settings))
        app.state.metrics.watch(app.state.ledger)
        app.state.workers = WorkerCredentials(app.state.ledger)
        app.state.wages = Wages(app.state.ledger)
        if settings.worker:
            app.state.ledger.start_worker(settings.worker_interval_seconds)
        if settings.gc_tuning:
            tune_for_serving()
        try:
            yield
        finally:
            app.state.ledger.stop_worker()
            if owned:
                app.state.ledger.close()

    app = FastAPI(
        title="Labour provenance ledger",
        version="0.1.0",
        description=(
            "Signed audit attestations, worker credentials and supply-chain records, "
            "batched into Merkle trees and anchored on an EVM chain. Errors are RFC 9457 "
            "problem details with a stable `code`."
        ),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.metrics = Metrics()
    app.state.batch_slots = anyio.CapacityLimiter(settings.max_concurrent_batches)
    if ledger is not None:
        app.state.ledger = ledger  # usable before (or without) the lifespan, e.g. by fuzzers
        app.state.metrics.watch(ledger)
        app.state.workers = WorkerCredentials(ledger)
        app.state.wages = Wages(ledger)
    install_problem_handlers(app)
    app.state.rate_limiter = rate_limiter(settings)
    app.add_middleware(RateLimitMiddleware, limiter=app.state.rate_limiter)
    # Added last, so outermost: refused (429) requests get an id and are counted too.
    app.add_middleware(InstrumentMiddleware, metrics=app.state.metrics)
    for router in (
        attestations.router,
        records.router,
        receipts.router,
        facilities.router,
        admin.router,
        health.router,
        rpc.router,
        credentials.router,
        presentations.router,
        checkins.router,
        contexts.router,
        wages.router,
        supply.router,
        scores.router,
        lenders.router,
        holders.router,
        vc_api.router,
        dids.router,
        external_evidence.router,
        status_lists.router,
    ):
        app.include_router(router)
    if settings.metrics_enabled:
        app.include_router(metrics.router)
    install_pages(app)  # the home page at /, the users' pages, /static (OpenAPI stays at /docs)
    return app
