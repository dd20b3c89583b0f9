"""A contract test that cannot run fails the run: it is never reported as a harmless skip.

Plain pytest (no Ape plugin), in a subprocess: without the plugin every contract test would be
skipped, and a run of nothing but skips exits 0.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_contract_tests_without_ape_plugin_fail_the_run():
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/contracts/test_gas.py", "-q",
         "-p", "no:ape_test", "-p", "no:cacheprovider"],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip

    summary = result.stdout.strip().splitlines()[-1]
    assert result.returncode == 1, result.stdout + result.stderr
    # A skip at set-up (the marker) is reported as an error there: every test is an error,
    # none "skipped", none "passed".
    assert re.fullmatch(r"[1-9]\d* errors? in [\d.]+s", summary), summary
    assert "a skipped contract test fails the run" in result.stdout
    assert "ape-fixtures" in result.stdout
