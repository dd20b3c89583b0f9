"""Locks that keep two ``ledger serve`` processes from trampling each other's files.

* A database lock: ``<database file>.lock``, ``flock``-ed exclusively for the life of the
  process before the file is touched, holding the holder's pid. The embedded database is
  deleted on every start, so without it a second server deleted the first one's data.
* The admin token: every server that uses ``var/admin-token`` holds a shared lock on
  ``var/admin-token.lock``. The first one in writes a fresh token; a later one, while any
  other still runs, reads and uses the same token instead of overwriting it (the CLI in this
  directory then works against either). ``var/admin-token.startup`` serialises that choice.

``flock`` locks go with the process: a killed server leaves no stale lock behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

__all__ = ["HeldLock", "LockHeld", "lock_database", "share_admin_token"]


class LockHeld(Exception):
    """Another live process holds the lock; ``pid`` is the one it wrote, if any."""

    def __init__(self, path: Path, pid: int | None) -> None:
        super().__init__(f"{path} is locked by pid {pid}")
        self.path = path
        self.pid = pid


@dataclass
class HeldLock:
    """An open, locked file; the lock lasts until :meth:`release` or the process ends."""

    path: Path
    fd: int

    def release(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)


def _open(path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)


def _pid_in(fd: int) -> int | None:
    text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    return int(text) if text.isdigit() else None


def lock_database(database: Path) -> HeldLock:
    """Lock ``database`` for this process (``<database>.lock``, with our pid in it).

    Raises:
        LockHeld: another process holds it.
    """
    path = database.with_name(database.name + ".lock")
    fd = _open(path)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        pid = _pid_in(fd)
        os.close(fd)
        raise LockHeld(path, pid) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return HeldLock(path, fd)


def _write_token(path: Path) -> str:
    token = secrets.token_urlsafe(24)
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(token + "\n")
    return token


def share_admin_token(token_file: Path) -> tuple[str, HeldLock]:
    """The admin token for a server in this directory, and the lock that says it is in use.

    A fresh token is written to ``token_file`` unless another live server uses it already;
    then that token is read and shared.

    Raises:
        FileNotFoundError: another server is using the token but ``token_file`` is gone
            (or empty).
    """
    users = _open(token_file.with_name(token_file.name + ".lock"))
    startup = _open(token_file.with_name(token_file.name + ".startup"))
    try:
        fcntl.flock(startup, fcntl.LOCK_EX)  # held for milliseconds, by starting servers only
        try:
            fcntl.flock(users, fcntl.LOCK_EX | fcntl.LOCK_NB)
            alone = True
        except BlockingIOError:
            alone = False
        if alone:
            token = _write_token(token_file)
            # Downgrading is not atomic, but only a starting server could slip in, and every
            # starting server waits on the startup lock we hold.
            fcntl.flock(users, fcntl.LOCK_SH)
        else:
            fcntl.flock(users, fcntl.LOCK_SH)  # granted: an exclusive holder has the startup lock
            token = token_file.read_text(encoding="utf-8").strip()
            if not token:
                raise FileNotFoundError(f"{token_file} is empty")
    except BaseException:
        os.close(users)
        raise
    finally:
        os.close(startup)
    return token, HeldLock(token_file, users)
