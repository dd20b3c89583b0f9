"""A database lease: at most one holder of a name at a time, across processes and hosts."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from ..timeutil import utcnow
from .db import session_scope
from .models import LeaseRow

__all__ = ["acquire_lease", "release_lease"]


def acquire_lease(
    engine: Engine, name: str, holder: str, ttl: timedelta, *, now: datetime | None = None
) -> bool:
    """Take or renew ``name`` for ``holder`` until now + ttl; False if someone else holds it.

    One conditional UPDATE (or the first INSERT) decides, so two processes cannot both win.
    """
    now = now or utcnow()
    with session_scope(engine) as session:
        result = session.exec(
            update(LeaseRow)
            .where(col(LeaseRow.name) == name)
            .where(or_(col(LeaseRow.holder) == holder, col(LeaseRow.expires_at) < now))
            .values(holder=holder, expires_at=now + ttl)
        )
        if result.rowcount == 1:
            return True
    try:
        with session_scope(engine) as session:
            if session.get(LeaseRow, name) is not None:
                return False
            session.add(LeaseRow(name=name, holder=holder, expires_at=now + ttl))
        return True
    except IntegrityError:
        return False


def release_lease(engine: Engine, name: str, holder: str) -> None:
    with session_scope(engine) as session:
        session.exec(
            update(LeaseRow)
            .where(col(LeaseRow.name) == name, col(LeaseRow.holder) == holder)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
