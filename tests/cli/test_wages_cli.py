"""`ledger wages check` through the real command line: offline, no API, no key."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.cli.conftest import Cli

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "payroll.csv"
VIOLATIONS = REPO / "tests" / "domain" / "wages" / "data" / "violations.csv"


def test_the_example_payroll_has_no_violations(cli: Cli) -> None:
    result = cli.run("wages", "check", str(EXAMPLE), "--country", "MY",
                     "--facility", "fac-my-penang-pcb-03")  # fmt: skip
    assert json.loads(result.stdout) == {
        "lines": 10, "rulesVersion": "2026.1", "jurisdiction": "MY", "violations": [], "caveats": [],
    }  # fmt: skip
    assert list(cli.cwd.iterdir()) == []  # offline: it writes nothing, pins nothing


def test_a_payroll_with_known_violations_yields_exactly_those(cli: Cli) -> None:
    result = cli.run(
        "wages", "check", str(VIOLATIONS), "--country", "MY", "--rules-version", "2026.1"
    )
    out = json.loads(result.stdout)
    assert out["lines"] == 12
    found = [{k: v for k, v in violation.items() if k not in ("detail", "worker")}
             for violation in out["violations"]]  # fmt: skip
    assert found == [
        {"line": 2, "row": 3, "rule": "minimum-wage", "hourly": "8.00", "minimum": "8.72", "hours": "45"},
        {"line": 3, "row": 4, "rule": "overtime-premium", "overtime_rate": "9.00",
         "ordinary_rate": "9.00", "required": "13.50", "multiplier": "1.5"},
        {"line": 4, "row": 5, "rule": "hours-cap", "week": "1", "hours": "70", "cap": "60",
         "limit": "total"},
        {"line": 5, "row": 6, "rule": "recruitment-fee", "recruitment_fee": "150.00"},
        {"line": 6, "row": 7, "rule": "late-payment", "paid_on": "2026-11-20",
         "period_end": "2026-11-08", "days_after": "12", "deadline_days": "7"},
        {"line": 7, "row": 8, "rule": "arithmetic", "computed_gross": "472.50", "gross": "472.60"},
        {"line": 8, "row": 9, "rule": "arithmetic", "computed_net": "463.05", "net": "463.50"},
        {"line": 9, "row": 10, "rule": "negative-net", "gross": "472.50", "deductions": "509.45",
         "net": "-36.95"},
        {"line": 10, "row": 11, "rule": "unrecorded-damage", "damage": "30.00"},
        {"line": 12, "row": 13, "rule": "rest-day", "rest_day_hours": "8"},
    ]  # fmt: skip
    # Workers are shown as the file names them (any string), details in plain words.
    assert (
        out["violations"][0]["worker"]
        == "aca0c2b555228f7b77495bdfedf974521fe6e8369de431728183ff3c75e3e9d3"
    )
    assert all(v["detail"] for v in out["violations"])
    assert out["caveats"] == [{"rule": "hours-cap", "checked": False,
                               "detail": "MY's monthly overtime cap (104 hours) is not checked on a "
                                         "period of 7 days"}]  # fmt: skip


def test_an_unreadable_payroll_exits_1_with_every_row_and_column(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    text = VIOLATIONS.read_text().splitlines()
    text[2] = text[2].replace("420.00", "RM420.00").replace("2026-11-12", "12/11/2026")
    text[5] = text[5].replace("MYR", "SGD")
    bad.write_text("\n".join(text) + "\n")
    result = cli.run("wages", "check", str(bad), "--country", "MY", check=False)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: payroll_invalid: 3 problems in the payroll file")
    assert lines[1:] == [
        "  row 3, column gross: 'RM420.00' is not a decimal like 1500.00 (a dot, no sign, no "
        "thousands separator, at most 4 places)",
        "  row 3, column paid_on: '12/11/2026' is not an ISO 8601 date like 2026-11-30",
        "  row 6, column currency: SGD differs from row 2's MYR: one file is one pay run",
    ]  # fmt: skip


def test_bad_options_and_missing_files(cli: Cli, tmp_path: Path) -> None:
    unknown = cli.run("wages", "check", str(EXAMPLE), "--country", "ZZ", check=False)
    assert unknown.returncode == 2 and "these rules (2026.1) know MY, BD" in unknown.stderr
    version = cli.run("wages", "check", str(EXAMPLE), "--country", "MY", "--rules-version", "1999.1",
                      check=False)  # fmt: skip
    assert version.returncode == 2 and "no wage rules version '1999.1'" in version.stderr
    missing = cli.run("wages", "check", str(tmp_path / "none.csv"), "--country", "MY", check=False)
    assert missing.returncode == 1 and "cannot read" in missing.stderr
    facility = cli.run("wages", "check", str(EXAMPLE), "--country", "MY", "--facility", "a b",
                       check=False)  # fmt: skip
    assert facility.returncode == 2 and "facility" in facility.stderr


def test_an_area_without_a_minimum_is_reported_not_guessed(cli: Cli, tmp_path: Path) -> None:
    # The example in rupees, judged as India without an area: the minimum is not checked.
    copy = tmp_path / "in.csv"
    shutil.copy(EXAMPLE, copy)
    copy.write_text(copy.read_text().replace(",MYR,", ",INR,"))
    out = json.loads(cli.run("wages", "check", str(copy), "--country", "IN").stdout)
    assert out["jurisdiction"] == "IN"
    assert {"rule": "minimum-wage", "checked": False,
            "detail": "not checked: the minimum wage in IN differs by area: name the run's area "
                      "(IN-DL)"} in out["caveats"]  # fmt: skip
    assert {v["rule"] for v in out["violations"]} == {"overtime-premium"}  # India's 2x
