"""Files that hold a secret (a worker's salt bundle): where they go and how they are written.

A secret file is written once (``O_EXCL``: never over an existing file, never through a
symlink), mode 0600, and flushed to disk before anything that depends on it happens. By
default it goes to a per-user directory, outside any project: a file written into a git
work tree is one ``git add .`` away from a public repository, so a path inside one is
refused unless git ignores it.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

__all__ = [
    "BundleLocationError",
    "check_secret_location",
    "default_bundle_dir",
    "git_work_tree",
    "write_secret_json",
]


class BundleLocationError(Exception):
    """The path is inside a git work tree and git does not ignore it."""


def default_bundle_dir() -> Path:
    """``$XDG_DATA_HOME/ledger/wallet-imports`` (default ``~/.local/share/...``)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "ledger" / "wallet-imports"


def git_work_tree(path: Path) -> Path | None:
    """The top of the git work tree that would hold ``path``, if any (no git needed)."""
    folder = path.expanduser().absolute().parent
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def _git_ignores(tree: Path, path: Path) -> bool:
    try:
        result = subprocess.run(
            ["git", "-C", str(tree), "check-ignore", "-q", "--", str(path.absolute())],
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False  # cannot tell: treat as not ignored
    return result.returncode == 0


def check_secret_location(path: Path) -> Path | None:
    """Refuse a secret file that git could pick up; return the work tree when git ignores it.

    Returns:
        None outside any git work tree; the tree's top when inside one and ignored there
        (the caller warns: ignored is not the same as safe from copies and backups).

    Raises:
        BundleLocationError: inside a git work tree, and not ignored by it.
    """
    tree = git_work_tree(path)
    if tree is None:
        return None
    if not _git_ignores(tree, path):
        raise BundleLocationError(
            f"{path} is inside the git work tree {tree} and not git-ignored: a salt bundle "
            f"there could be committed. Leave out --salt-out (it defaults to "
            f"{default_bundle_dir()}) or choose a path outside the repository"
        )
    return tree


def write_secret_json(path: Path, value: Any) -> None:
    """Create ``path`` (mode 0600, never overwriting, never through a symlink) holding
    ``value`` as JSON, and flush it to disk; on any failure nothing is left behind. A missing
    parent directory is created, mode 0700.

    Raises:
        FileExistsError: ``path`` exists (or is a symlink).
        OSError: it cannot be written.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(value, handle, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
