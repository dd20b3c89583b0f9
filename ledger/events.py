"""What the core reports while it works, for whoever watches (the API's ``/metrics``).

Plain callbacks, so the core stays free of any metrics or web library: the API layer owns
the metric definitions and assigns these fields. State that can be read from the database
(the backlog, the lease holder) is not reported here; watchers read it when they need it.

Callbacks run on the core's own threads (request handlers, the anchoring worker), so they
must be cheap and thread-safe, and must not raise. Their arguments are bounded labels and
numbers only: a kind's label, an error ``code``, an operation name, durations. Never a did,
a record's content, or an error's detail.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["CHAIN_OPERATIONS", "LedgerEvents"]

# The chain work the core counts failures of: each anchoring step, the outbox relay, the
# registry mirror. A closed set, so a watcher's labels stay bounded.
CHAIN_OPERATIONS = ("anchor", "confirm", "relay", "registry_sync")


def _ignore(*_: object) -> None:
    return None


@dataclass
class LedgerEvents:
    # (kind label, or "unknown" for one the ledger does not accept; "accepted" or the
    # refusing error's code), once per envelope whose admission was decided.
    admitted: Callable[[str, str], None] = _ignore
    # Seconds from receipt to the anchoring block's time, one value per record of a batch,
    # when that batch becomes anchored.
    anchored: Callable[[Sequence[float]], None] = _ignore
    # (operation from CHAIN_OPERATIONS, the ChainError's code), once per failed attempt.
    chain_failed: Callable[[str, str], None] = _ignore
