"""The Prometheus metrics: their definitions, and the state read from the database at scrape.

Families (every label has a bounded set of values; none is a did, a path or an id):

* ``ledger_http_requests_total{method,route,status}`` and
  ``ledger_http_request_duration_seconds{method,route}``: ``route`` is the route's template
  (``/v1/facilities/{facility_id}/score``), ``unmatched`` when no route matched; ``method``
  is ``other`` for anything but the standard ones.
* ``ledger_admissions_total{kind,outcome}``: one per envelope whose admission was decided;
  ``outcome`` is ``accepted`` or the problem ``code`` that refused it.
* ``ledger_time_to_anchor_seconds``: a record's receipt to its anchoring block's time.
* ``ledger_chain_errors_total{operation,code}``: failed chain attempts of the anchoring
  worker (``anchor``, ``confirm``, ``relay``, ``registry_sync``).
* Read from the database at each scrape (so every process reports the same, whichever one
  anchors): ``ledger_backlog_records{state}``, ``ledger_backlog_oldest_pending_seconds``,
  ``ledger_backlog_batches{state}``, ``ledger_outbox_rows{state}``,
  ``ledger_anchoring_lease_holder{holder}`` (1 for the holder while its lease is live),
  ``ledger_anchoring_lease_expires_in_seconds``, ``ledger_anchoring_lease_held`` (this
  process holds it) and ``ledger_database_up`` (0 when that read failed).

Counters and histograms live in this process. With several processes on one port (``ledger
serve --workers N``, not there yet) each would count only its own requests; prometheus_client's
multiprocess mode is what fixes that: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory
before the processes start, and :func:`render` merges every process's files (see README,
"Operations"). The database-read gauges need nothing: they are computed at scrape.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence

from prometheus_client import (
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from ledger.service import Ledger
from ledger.store.gauges import read_gauges

__all__ = ["Metrics", "render"]

log = logging.getLogger(__name__)

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Request latency: most answers take milliseconds; a payroll run or a chain call, seconds.
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# Time to anchor: the batch wait (10 s by default) plus confirmations, up to an outage's hour.
ANCHOR_BUCKETS = (1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 1800, 3600, 7200)


class _PipelineCollector:
    """The backlog and the lease, read from the database when Prometheus scrapes."""

    def __init__(self) -> None:
        self.ledger: Ledger | None = None

    def collect(self) -> Iterable[Metric]:
        ledger = self.ledger
        if ledger is None:
            return
        up = GaugeMetricFamily("ledger_database_up", "1 if this scrape could read the database")
        try:
            gauges = read_gauges(ledger.engine)
        except Exception as exc:  # the database is down: say so, and still answer the scrape
            log.warning("metrics: database unreadable (%s)", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        records = GaugeMetricFamily(
            "ledger_backlog_records", "Records not anchored yet, by state", labels=["state"]
        )
        for state, count in gauges.records.items():
            records.add_metric([state], count)
        yield records
        yield GaugeMetricFamily(
            "ledger_backlog_oldest_pending_seconds",
            "Age of the oldest pending record (0 when none is pending)",
            value=gauges.oldest_pending_seconds,
        )
        batches = GaugeMetricFamily(
            "ledger_backlog_batches", "Batches not anchored yet, by state", labels=["state"]
        )
        for state, count in gauges.batches.items():
            batches.add_metric([state], count)
        yield batches
        outbox = GaugeMetricFamily("ledger_outbox_rows", "Outbox rows by state", labels=["state"])
        for state, count in gauges.outbox.items():
            outbox.add_metric([state], count)
        yield outbox
        holder = GaugeMetricFamily(
            "ledger_anchoring_lease_holder",
            "1 for the anchoring worker holding the lease (a random per-process name)",
            labels=["holder"],
        )
        if gauges.lease_holder is not None:
            holder.add_metric([gauges.lease_holder], 1)
        yield holder
        yield GaugeMetricFamily(
            "ledger_anchoring_lease_expires_in_seconds",
            "Seconds until the anchoring lease expires unless renewed (0: nobody holds it)",
            value=gauges.lease_expires_in_seconds,
        )
        yield GaugeMetricFamily(
            "ledger_anchoring_lease_held",
            "1 if this process's anchoring worker holds the lease",
            value=int(gauges.lease_holder == ledger.anchorer.holder),
        )


class Metrics:
    """One app's metrics, in a registry of its own (tests build many apps in one process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "ledger_http_requests", "HTTP requests answered, by route template and status",
            ["method", "route", "status"], registry=self.registry,
        )  # fmt: skip
        self.latency = Histogram(
            "ledger_http_request_duration_seconds", "Time to answer an HTTP request",
            ["method", "route"], buckets=REQUEST_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.admissions = Counter(
            "ledger_admissions", "Envelopes whose admission was decided, by kind and outcome",
            ["kind", "outcome"], registry=self.registry,
        )  # fmt: skip
        self.time_to_anchor = Histogram(
            "ledger_time_to_anchor_seconds", "From a record's receipt to its anchoring block",
            buckets=ANCHOR_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.chain_errors = Counter(
            "ledger_chain_errors", "Failed chain attempts of the anchoring worker",
            ["operation", "code"], registry=self.registry,
        )  # fmt: skip
        self._pipeline = _PipelineCollector()
        self.registry.register(self._pipeline)
        for collector in (ProcessCollector, PlatformCollector, GCCollector):
            collector(registry=self.registry)

    def watch(self, ledger: Ledger) -> None:
        """Count what ``ledger`` reports and read its database at scrape time."""
        self._pipeline.ledger = ledger
        ledger.events.admitted = self._admitted
        ledger.events.anchored = self._anchored
        ledger.events.chain_failed = self._chain_failed

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        method = method if method in METHODS else "other"
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    def _admitted(self, kind: str, outcome: str) -> None:
        self.admissions.labels(kind, outcome).inc()

    def _anchored(self, seconds: Sequence[float]) -> None:
        for value in seconds:
            self.time_to_anchor.observe(value)

    def _chain_failed(self, operation: str, code: str) -> None:
        self.chain_errors.labels(operation, code).inc()

    def scrape_registry(self) -> CollectorRegistry:
        """What a scrape reads: this registry, or in multiprocess mode every process's files
        merged, plus the database state (read once, by whichever process answers)."""
        if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            return self.registry
        merged = CollectorRegistry()
        MultiProcessCollector(merged)  # type: ignore[no-untyped-call]
        merged.register(self._pipeline)
        return merged


def render(metrics: Metrics, accept: str | None) -> tuple[bytes, str]:
    """The exposition (Prometheus text, or OpenMetrics if asked for) and its content type."""
    encoder, content_type = choose_encoder(accept or "")
    return encoder(metrics.scrape_registry()), content_type
