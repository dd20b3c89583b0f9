"""Failpoints: named places where a test can make this process die with SIGKILL.

``LEDGER_FAILPOINTS=after_batch_cut,after_tx_persisted`` kills the process the first time
it reaches any listed point. Kill tests use it to stop a real worker process at each step
of the anchoring state machine; in production the variable is unset and this is a no-op.
"""

from __future__ import annotations

import os
import signal

__all__ = ["ANCHORING_POINTS", "OUTBOX_POINTS", "POINTS", "REORG_POINTS", "failpoint"]

ANCHORING_POINTS = (
    "after_batch_cut",  # batch root and membership committed, nothing sent
    "after_tx_persisted",  # signed tx and hash committed, not broadcast
    "after_broadcast",  # tx sent, outcome not recorded
    "after_confirm",  # batch anchored in the database
)
OUTBOX_POINTS = (
    "after_outbox_persisted",  # an outbox row's signed tx committed, not broadcast
    "after_outbox_broadcast",  # sent, outcome not recorded
    "after_outbox_done",  # the row marked done
)
REORG_POINTS = ("after_reorg_withdrawn",)  # an anchored batch taken back to submitted
POINTS = ANCHORING_POINTS + OUTBOX_POINTS + REORG_POINTS


def failpoint(name: str) -> None:
    armed = os.environ.get("LEDGER_FAILPOINTS", "")
    if armed and name in {p.strip() for p in armed.split(",")}:
        os.kill(os.getpid(), signal.SIGKILL)
