"""The lock files behind ``ledger serve`` (flock locks belong to an open file, so two opens
in one process contend like two processes)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from api.cli.instance_lock import LockHeld, lock_database, share_admin_token


def test_a_database_has_one_holder(tmp_path: Path) -> None:
    database = tmp_path / "var" / "ledger.db"
    held = lock_database(database)
    with pytest.raises(LockHeld) as refused:
        lock_database(database)
    assert refused.value.pid == os.getpid()
    assert refused.value.path == tmp_path / "var" / "ledger.db.lock"
    assert not database.exists()  # locking touches only the lock file
    lock_database(tmp_path / "var" / "other.db").release()  # another database is free
    held.release()
    lock_database(database).release()


def test_servers_share_the_token_while_any_runs(tmp_path: Path) -> None:
    token_file = tmp_path / "var" / "admin-token"
    first, first_lock = share_admin_token(token_file)
    assert token_file.read_text().strip() == first and len(first) >= 32
    assert token_file.stat().st_mode & 0o777 == 0o600
    second, second_lock = share_admin_token(token_file)
    assert second == first
    first_lock.release()
    third, third_lock = share_admin_token(token_file)  # the second still runs
    assert third == first
    second_lock.release()
    third_lock.release()
    fresh, fresh_lock = share_admin_token(token_file)  # nobody left: a new token
    assert fresh != first and token_file.read_text().strip() == fresh
    fresh_lock.release()


@pytest.mark.parametrize("damage", ["delete", "empty"])
def test_a_lost_shared_token_is_refused(tmp_path: Path, damage: str) -> None:
    token_file = tmp_path / "admin-token"
    _, running = share_admin_token(token_file)
    if damage == "delete":
        token_file.unlink()
    else:
        token_file.write_text("")
    with pytest.raises(FileNotFoundError):
        share_admin_token(token_file)
    running.release()
