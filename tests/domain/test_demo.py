"""The demo seeds a supply chain whose wage views say what the demo's story says: Penang's
payroll carries the planted violations and a dispute, Dhaka's and Binh Duong's are clean,
and every seeded record is anchored (embedded EVM, SQLite and PostgreSQL)."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import func, select

from domain import open_ledger
from domain.demo import seed_demo
from domain.wages.service import Wages
from ledger.service import LedgerConfig
from ledger.store.db import session_scope
from ledger.store.models import RecordRow


def test_the_demo_tells_its_wage_story(database_url: str) -> None:
    ledger = open_ledger(LedgerConfig(database_url=database_url))
    try:
        summary = seed_demo(ledger)
        assert "anchoring error" not in summary, summary
        assert "3 payroll runs of 15 wage lines" in summary
        with session_scope(ledger.engine) as session:
            pending = session.exec(
                select(func.count()).select_from(RecordRow).where(RecordRow.batch_id == None)  # noqa: E711
            ).one()
        assert pending == 0, "every seeded record is anchored"

        wages = Wages(ledger)
        (penang,) = wages.facility("fac-my-penang-pcb-03").periods
        assert (penang.lines, penang.compliant_lines) == (6, 3)
        assert penang.violations_by_rule == {
            "recruitment-fee": 1, "hours-cap": 1, "minimum-wage": 1,
        }  # fmt: skip
        assert (penang.acknowledged, penang.disputed) == (2, 1), "received, disputed"
        assert penang.disputes_by_reason == {"deduction-not-agreed": 1}
        assert penang.recruitment_fees_deducted == Decimal("250.00")
        # Fees found: the MYR 4,000 an agent took from one worker, and the instalment deducted.
        found = (penang.fees_found, penang.fees_repaid, penang.fees_outstanding)
        assert found == (Decimal("4250.00"), Decimal("500.00"), Decimal("3750.00"))
        for facility, lines in (("fac-bd-dhaka-knit-01", 5), ("fac-vn-binhduong-shoe-02", 4)):
            (period,) = wages.facility(facility).periods
            assert (period.lines, period.compliant_lines) == (lines, lines), period
            assert period.violations_by_rule == {}
        assert seed_demo(ledger).endswith("nothing seeded"), "seeding twice seeds once"
    finally:
        ledger.close()
