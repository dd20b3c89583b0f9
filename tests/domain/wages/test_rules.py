"""The shipped wage rules: every version loads, every figure names its source, the
conversions reproduce the instruments' own figures, and the engine is Decimal-only."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from domain.wages.engine import RULE_IDS, convert, load_rules, rules_versions
from domain.wages.engine.rules import Basis, RuleSet
from domain.wages.errors import RulesVersionUnknown

REPO = Path(__file__).resolve().parents[3]
RULES_DIR = REPO / "domain" / "wages" / "rules"


@pytest.mark.parametrize("version", rules_versions())
def test_every_shipped_version_loads_and_says_its_version(version: str) -> None:
    rules = load_rules(version)
    assert rules.version == version
    assert (RULES_DIR / f"{version}.json").is_file()


def test_the_default_is_the_newest_and_an_unknown_version_is_refused() -> None:
    assert load_rules().version == rules_versions()[-1]
    with pytest.raises(RulesVersionUnknown) as caught:
        load_rules("1999.1")
    assert caught.value.code == "rules_version_unknown"
    assert caught.value.known == rules_versions()


@pytest.mark.parametrize("version", rules_versions())
def test_every_figure_names_a_source_and_every_unconfirmed_one_says_why(version: str) -> None:
    rules = load_rules(version)
    assert {"MY", "BD", "VN", "IN", "TR", "TH"} <= set(rules.jurisdictions)
    assert "IN-DL" in rules.jurisdictions["IN"].minimum_wages
    for country, jurisdiction in rules.jurisdictions.items():
        for law in jurisdiction.law:
            assert law.sources and all(s.instrument for s in law.sources), country
            assert law.confirmed or law.why
            assert set(law.unconfirmed_rules) <= set(RULE_IDS)
            assert law.confirmed or law.unconfirmed_rules
        for area, table in jurisdiction.minimum_wages.items():
            for entry in table.entries:
                assert entry.source.instrument, (area, entry.effective)
                assert entry.checked or not entry.confirmed, (area, entry.effective)
                assert entry.confirmed or entry.why, (area, entry.effective)


def test_a_json_number_is_refused_in_the_rules() -> None:
    data = json.loads((RULES_DIR / "2026.1.json").read_text())
    data["eti"]["overtimePremium"] = 1.25
    with pytest.raises(ValidationError, match="decimal string"):
        RuleSet.model_validate_json(json.dumps(data))


def test_an_unconfirmed_figure_without_a_reason_is_refused() -> None:
    data = json.loads((RULES_DIR / "2026.1.json").read_text())
    entry = data["jurisdictions"]["MY"]["minimumWages"]["MY"]["entries"][0]
    entry["confirmed"] = False
    with pytest.raises(ValidationError, match="says why"):
        RuleSet.model_validate_json(json.dumps(data))


def test_entries_out_of_date_order_are_refused() -> None:
    data = json.loads((RULES_DIR / "2026.1.json").read_text())
    entries = data["jurisdictions"]["MY"]["minimumWages"]["MY"]["entries"]
    entries.reverse()
    with pytest.raises(ValidationError, match="date order"):
        RuleSet.model_validate_json(json.dumps(data))


B = Basis


@pytest.mark.parametrize(
    ("amount", "per", "to", "basis", "expected"),
    [
        # DOMAIN.md / Minimum Wages Order 2022: RM1,500 = RM7.21 an hour; 57.69, 69.23 and
        # 86.54 a day in 6, 5 and 4-day weeks.
        ("1500", "month", "hour", B(hours_per_week=Decimal(48), days_per_week=Decimal(6)), "7.21"),
        ("1500", "month", "day", B(hours_per_week=Decimal(48), days_per_week=Decimal(6)), "57.69"),
        ("1500", "month", "day", B(hours_per_week=Decimal(48), days_per_week=Decimal(5)), "69.23"),
        ("1500", "month", "day", B(hours_per_week=Decimal(48), days_per_week=Decimal(4)), "86.54"),
        # Minimum Wages Order 2024, after the 45-hour week: RM8.72; 65.38, 78.46, 98.08.
        ("1700", "month", "hour", B(hours_per_week=Decimal(45), days_per_week=Decimal(6)), "8.72"),
        ("1700", "month", "day", B(hours_per_week=Decimal(45), days_per_week=Decimal(6)), "65.38"),
        ("1700", "month", "day", B(hours_per_week=Decimal(45), days_per_week=Decimal(5)), "78.46"),
        ("1700", "month", "day", B(hours_per_week=Decimal(45), days_per_week=Decimal(4)), "98.08"),
        ("1500", "month", "week", B(hours_per_week=Decimal(48), days_per_week=Decimal(6)), "346.15"),
        ("7.21", "hour", "month", B(hours_per_week=Decimal(48), days_per_week=Decimal(6)), "1499.68"),
        # Türkiye 2025: TRY 26,005.50 a month = 866.85 a day (30 days) = 115.58 an hour (225).
        ("26005.50", "month", "day", B(hours_per_month=Decimal(225), days_per_month=Decimal(30)), "866.85"),
        ("26005.50", "month", "hour", B(hours_per_month=Decimal(225), days_per_month=Decimal(30)), "115.58"),
        # Thailand: a daily minimum over an 8-hour day.
        ("400", "day", "hour", B(hours_per_day=Decimal(8)), "50.00"),
        ("363", "day", "hour", B(hours_per_day=Decimal(8)), "45.38"),
    ],
)  # fmt: skip
def test_conversions_reproduce_the_instruments(amount: str, per: str, to: str, basis: Basis,
                                               expected: str) -> None:  # fmt: skip
    assert str(convert(Decimal(amount), per, to, basis, 2)) == expected  # type: ignore[arg-type]


def test_the_shipped_hourly_figures_agree_with_their_monthly_ones() -> None:
    rules = load_rules("2026.1")
    for entry in rules.jurisdictions["MY"].minimum_wages["MY"].entries:
        assert entry.hourly is not None
        assert convert(entry.amount, entry.per, "hour", entry.basis, 2) == entry.hourly
    for area, table in rules.jurisdictions["VN"].minimum_wages.items():
        for entry in table.entries:  # the decrees round the hourly figure to VND 100
            assert entry.hourly is not None
            derived = convert(entry.amount, entry.per, "hour", entry.basis, 0)
            assert abs(derived - entry.hourly) < 100, (area, entry.effective)


def test_effective_entries_switch_on_their_date() -> None:
    my = load_rules("2026.1").jurisdictions["MY"]
    table = my.minimum_wages["MY"]
    assert table.on(date(2022, 4, 30)) is None
    assert table.on(date(2025, 1, 31)).amount == Decimal("1500.00")  # type: ignore[union-attr]
    assert table.on(date(2025, 2, 1)).amount == Decimal("1700.00")  # type: ignore[union-attr]
    assert my.law_on(date(2022, 12, 31)).ordinary_hours_per_week == 48  # type: ignore[union-attr]
    assert my.law_on(date(2023, 1, 1)).ordinary_hours_per_week == 45  # type: ignore[union-attr]


ENGINE = [*sorted((REPO / "domain" / "wages" / "engine").glob("*.py")),
          REPO / "domain" / "wages" / "payroll_csv.py"]  # fmt: skip


@pytest.mark.parametrize("path", ENGINE, ids=lambda p: p.name)
def test_the_engine_never_uses_binary_fractions(path: Path) -> None:
    text = path.read_text()
    assert not re.search(r"\bfloat\b", text), f"{path.name} mentions float"
    assert not re.search(r"(?<![\w.\"'])[0-9]+\.[0-9]+(?![\w\"'])", _code_only(text)), (
        f"{path.name} has a bare decimal literal"
    )


def _code_only(text: str) -> str:
    """The source without strings and comments (figures in prose are fine)."""
    import io
    import tokenize

    kept = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type not in (tokenize.STRING, tokenize.COMMENT):
            kept.append(token.string)
    return " ".join(kept)


def test_a_currency_names_its_country_only_when_one_country_pays_in_it() -> None:
    rules = load_rules()
    found = {c: rules.country_paying_in(c) for c in ("MYR", "BDT", "VND", "INR", "THB", "TRY")}
    assert found == {"MYR": "MY", "BDT": "BD", "VND": "VN", "INR": "IN", "THB": "TH", "TRY": "TR"}
    for currency in ("EUR", "USD", "NPR", "XXX"):
        assert rules.country_paying_in(currency) is None
