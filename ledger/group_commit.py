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
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

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
    done: bool = False


class GroupCommitter:
    """Runs ``admit_many`` (one transaction, one commit) over groups of concurrent callers."""

    def __init__(self, admit_many: AdmitMany, *, max_wait: float, max_group: int = 256) -> None:
        self._admit_many = admit_many
        self.max_wait = max_wait  # seconds a leader may wait for company; 0: never waits
        self.max_group = max_group
        self._cond = threading.Condition()
        self._pending: list[_Slot] = []
        self._leading = False
        self._last_group = 1  # how many came together last time: how long it is worth waiting

    def submit(self, submission: Submission) -> Answer:
        """Admit one submission with whoever else is submitting now; its own answer, once
        the commit that stored it (if it was accepted) is durable."""
        slot = _Slot(submission)
        with self._cond:
            self._pending.append(slot)
            self._cond.notify_all()  # a gathering leader counts the newcomer
        while True:
            with self._cond:
                while not slot.done and self._leading:
                    self._cond.wait()
                if slot.done:
                    break
                self._leading = True
                group = self._gather()
            self._run(group)
        if slot.failure is not None:
            raise slot.failure
        assert slot.answer is not None
        return slot.answer

    def _gather(self) -> list[_Slot]:
        """The next group (called holding the lock, as the leader)."""
        wanted = min(self._last_group, self.max_group)
        deadline = time.monotonic() + self.max_wait
        while len(self._pending) < wanted:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self._cond.wait(remaining)
        group = self._pending[: self.max_group]
        del self._pending[: self.max_group]
        return group

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
            with self._cond:
                for slot in group:
                    slot.done = True
                self._last_group = max(1, len(group))
                self._leading = False
                self._cond.notify_all()

    @staticmethod
    def _answer(group: list[_Slot], answers: list[Answer]) -> None:
        for slot, answer in zip(group, answers, strict=True):
            slot.answer = answer
