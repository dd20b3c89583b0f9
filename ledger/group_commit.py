"""Group commit: concurrent single submissions share one transaction and one durable commit.

Each commit waits for the disk (SQLite ``synchronous=FULL``, PostgreSQL's WAL flush), so one
commit per request caps single-request ingest at the disk's flush rate. Here the first caller
to arrive leads: it waits a bounded moment (only when the last group showed concurrency) for
others, admits the whole group with one call, which checks and answers every envelope on its
own, commits once, and only then hands each caller its own answer. So a caller is answered
after its record is durable, exactly as before, and a refused envelope refuses only itself.

A failure that is not a refusal (a bug in a kind's rule, a lost connection) rolls the whole
transaction back; the group is then retried one by one, so it reaches only the caller whose
envelope caused it.

Up to ``max_leaders`` groups may be in flight at once, each in its own transaction, while only
one gathers at a time. A group spends most of its time waiting on the database (a handful of
round trips and the flush of its commit), so with one leader the next group could only queue
behind it. Concurrent groups are as safe as concurrent API processes, which admission already
allows: ids and nonces are unique in the database, and a row another transaction beat us to
is answered as a duplicate. SQLite has one writer, so the ledger gives it one leader.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .admission import Accepted
from .errors import LedgerError
from .preparation import Submission

__all__ = ["GroupCommitter"]

Answer = Accepted | LedgerError
AdmitMany = Callable[[Sequence[Submission]], list[Answer]]


@dataclass
class _Slot:
    submission: Submission
    answer: Answer | None = None
    failure: BaseException | None = None
    lead: bool = False  # handed the lead: gather the next group
    done: bool = False
    # Set when the slot is answered or handed the lead: each caller sleeps on its own
    # event, so a commit wakes the callers it answered and one next leader, not everyone.
    woken: threading.Event = field(default_factory=threading.Event)


class GroupCommitter:
    """Runs ``admit_many`` (one transaction, one commit) over groups of concurrent callers."""

    def __init__(
        self,
        admit_many: AdmitMany,
        *,
        max_wait: float,
        max_group: int = 256,
        max_leaders: int = 1,
    ) -> None:
        if max_leaders < 1:
            raise ValueError("a group committer needs at least one leader")
        self._admit_many = admit_many
        self.max_wait = max_wait  # seconds a leader may wait for company; 0: never waits
        self.max_group = max_group
        self.max_leaders = max_leaders  # groups in flight at once, each its own transaction
        self._lock = threading.Lock()
        self._company = threading.Condition(self._lock)  # a gathering leader counts arrivals
        self._pending: list[_Slot] = []  # not in any group yet, oldest first
        self._leaders = 0  # gathering or running a group
        self._gathering = False  # one leader at a time waits for company
        self._last_group = 1  # how many came together last time: how long it is worth waiting

    def submit(self, submission: Submission) -> Answer:
        """Admit one submission with whoever else is submitting now; its own answer, once
        the commit that stored it (if it was accepted) is durable."""
        slot = _Slot(submission)
        with self._lock:
            self._pending.append(slot)
            if self._gathering:
                self._company.notify()
            else:
                self._hand_on_lead()
        while True:
            slot.woken.wait()
            with self._lock:
                slot.woken.clear()
                if slot.done:
                    break
                if not slot.lead:
                    continue
                slot.lead = False
                group = self._gather()
            self._run(group)
        if slot.failure is not None:
            raise slot.failure
        assert slot.answer is not None
        return slot.answer

    def _hand_on_lead(self) -> None:
        """Make the oldest waiting caller a leader, if a leader is free and nobody is
        gathering (two gatherers would split the same callers). Called holding the lock."""
        if self._gathering or self._leaders >= self.max_leaders or not self._pending:
            return
        self._leaders += 1
        self._gathering = True
        oldest = self._pending[0]
        oldest.lead = True
        oldest.woken.set()

    def _gather(self) -> list[_Slot]:
        """The next group (called holding the lock, as the gathering leader)."""
        try:
            wanted = min(self._last_group, self.max_group)
            deadline = time.monotonic() + self.max_wait
            while len(self._pending) < wanted:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._company.wait(remaining)
            group = self._pending[: self.max_group]
            del self._pending[: self.max_group]
            return group
        finally:
            self._gathering = False
            self._hand_on_lead()  # the next group gathers while this one runs

    def _run(self, group: list[_Slot]) -> None:
        try:
            self._answer(group, self._admit_many([s.submission for s in group]))
        except BaseException as exc:
            if len(group) == 1:
                group[0].failure = exc
            else:  # rolled back: find whose it is, alone
                for slot in group:
                    try:
                        self._answer([slot], self._admit_many([slot.submission]))
                    except BaseException as alone:
                        slot.failure = alone
        finally:
            with self._lock:
                for slot in group:
                    slot.done = True
                    slot.woken.set()
                self._last_group = max(1, len(group))
                self._leaders -= 1
                self._hand_on_lead()

    @staticmethod
    def _answer(group: list[_Slot], answers: list[Answer]) -> None:
        for slot, answer in zip(group, answers, strict=True):
            slot.answer = answer
