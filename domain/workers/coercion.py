"""Flags for patterns of coercion around possession check-ins.

A shared device (many workers presenting from one phone), a burst (many workers at one
facility or by one verifier device in minutes), a worker only ever checked on site, and one
credential presented in two places at once. Thresholds are a versioned starting point.

Windows are measured on the server's receive time, never on the verifier's own
``created``, which the verifier chooses (a burst spread over invented times would hide).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from ledger.store.db import as_utc

from .models import CheckinRow

__all__ = ["CoercionPolicy", "Flags", "coercion_flags"]


@dataclass(frozen=True)
class CoercionPolicy:
    """Thresholds of the coercion flags (our starting values; to be tuned with NGOs)."""

    shared_device_holders: int = 3  # distinct workers presenting from one device ...
    shared_device_window: timedelta = timedelta(minutes=30)  # ... within this window
    burst_holders: int = 10  # distinct workers checked in at one facility / by one device ...
    burst_window: timedelta = timedelta(minutes=10)  # ... within this window
    always_on_site_after: int = 3  # check-ins of one worker, all on site
    two_places_window: timedelta = timedelta(minutes=60)  # one credential, two locations


@dataclass
class Flags:
    raised: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def add(self, kind: str, **detail: Any) -> None:
        self.raised.append((kind, detail))


def coercion_flags(session: Session, row: CheckinRow, policy: CoercionPolicy) -> Flags:
    """The patterns of coercion a new check-in completes (stored apart, never anchored,
    shown to investigators only)."""
    flags = Flags()
    at = as_utc(row.received_at)
    assert at is not None

    def distinct_holders(*conditions: Any, window: timedelta) -> int:
        query = select(func.count(func.distinct(CheckinRow.holder))).where(
            col(CheckinRow.received_at) > at - window,
            col(CheckinRow.received_at) <= at + window,
            *conditions,
        )
        return int(session.exec(query).one())

    if row.presenting_device is not None:
        count = distinct_holders(
            CheckinRow.presenting_device == row.presenting_device,
            window=policy.shared_device_window,
        )
        if count >= policy.shared_device_holders:
            flags.add("shared_device", workers=count, device=row.presenting_device)
    for name, condition in (
        ("facility", CheckinRow.facility == row.facility if row.facility else None),
        ("verifier_device", CheckinRow.verifier_device == row.verifier_device),
    ):
        if condition is None:
            continue
        count = distinct_holders(condition, window=policy.burst_window)
        if count >= policy.burst_holders:
            flags.add("burst", by=name, workers=count)
    total = int(session.exec(select(func.count()).where(CheckinRow.holder == row.holder)).one())
    off_site = int(
        session.exec(
            select(func.count()).where(
                CheckinRow.holder == row.holder,
                CheckinRow.on_site == False,  # noqa: E712 (SQL expression)
            )
        ).one()
    )
    if total >= policy.always_on_site_after and off_site == 0:
        flags.add("always_on_site", checkins=total)
    elsewhere = session.exec(
        select(CheckinRow.record_id, CheckinRow.location).where(
            CheckinRow.status_id == row.status_id,
            CheckinRow.record_id != row.record_id,
            CheckinRow.location != row.location,
            col(CheckinRow.received_at) > at - policy.two_places_window,
            col(CheckinRow.received_at) < at + policy.two_places_window,
        )
    ).all()
    if elsewhere:
        flags.add(
            "two_places",
            locations=sorted({row.location, *(loc for _, loc in elsewhere)}),
            records=[r for r, _ in elsewhere],
        )
    return flags
