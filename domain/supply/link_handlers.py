"""Supply links: ``supply-link`` (code 4), signed by the buyer, and ``supply-confirm``
(code 10), the supplier's countersignature.

Decisions:

- The buyer signs for itself: a brand, or an employer when the buyer is itself a supplier
  further up, scoped to the buyer facility (``buyer``). The buyer must be a registered
  facility (``facility_unknown`` otherwise); the supplier need not be: a link to a supplier
  nothing registered yet registers it as a stub (the id alone), which its own record or an
  audit later fills in. Ids merged into another resolve to the surviving facility.
- A confirmation is its own kind because admission reads a kind's scope at one payload
  path: it names the supplier (``supplier``), and an employer key scoped to that facility
  signs it. It must name the link's own supplier (``not_the_supplier``), a link that exists
  (``supply_link_unknown``), not yet confirmed (``already_confirmed``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from sqlalchemy import update
from sqlmodel import col

from ledger.envelope import Envelope
from ledger.kinds import Admission, KindHandler, Parsed
from ledger.roles import Role

from ..schema import parse_model
from .errors import AlreadyConfirmed, FacilityUnknown, NotTheSupplier, SelfLink, SupplyLinkUnknown
from .models import SupplyLinkRow
from .registry import is_known, record_stub, resolve_facility
from .schema import SupplyConfirmPayload, SupplyLinkPayload

__all__ = ["SupplyConfirmHandler", "SupplyLinkHandler"]


class SupplyLinkHandler(KindHandler):
    label: ClassVar[str] = "supply-link"
    code: ClassVar[int] = 4
    roles: ClassVar[frozenset[Role] | None] = frozenset({Role.BRAND, Role.EMPLOYER})
    scope: ClassVar[str | None] = "buyer"

    def parse(self, payload: Mapping[str, Any]) -> Parsed:
        link = parse_model(SupplyLinkPayload, payload)
        if link.buyer == link.supplier:
            raise SelfLink(f"{link.buyer} cannot be its own supplier", field="payload.supplier")
        return Parsed(link, subject=link.buyer)

    def check(self, admission: Admission, envelope: Envelope, parsed: Parsed) -> tuple[str, str]:
        link: SupplyLinkPayload = parsed.value
        session = admission.session
        buyer = resolve_facility(session, link.buyer)
        supplier = resolve_facility(session, link.supplier)
        if buyer == supplier:
            raise SelfLink(
                f"{link.supplier} and {link.buyer} are one facility ({buyer})",
                field="payload.supplier",
            )
        if not is_known(session, buyer):
            raise FacilityUnknown(
                f"no facility {link.buyer}: the buyer registers itself (POST /v1/facilities) or is "
                "audited first",
                what="facility", key=link.buyer, facility=link.buyer,
            )  # fmt: skip
        return buyer, supplier

    def apply(
        self, admission: Admission, envelope: Envelope, parsed: Parsed, checked: tuple[str, str]
    ) -> None:
        link: SupplyLinkPayload = parsed.value
        buyer, supplier = checked
        session = admission.session
        record_stub(session, supplier, record_id=envelope.record_id, at=admission.received_at)
        session.add(
            SupplyLinkRow(
                record_id=envelope.record_id, buyer=buyer, supplier=supplier,
                product=link.product, period_from=link.period.start, period_to=link.period.end,
                purchase_order=link.purchase_order, signer=envelope.signer,
                received_at=admission.received_at,
            )
        )  # fmt: skip


class SupplyConfirmHandler(KindHandler):
    label: ClassVar[str] = "supply-confirm"
    code: ClassVar[int] = 10
    roles: ClassVar[frozenset[Role] | None] = frozenset({Role.EMPLOYER})
    scope: ClassVar[str | None] = "supplier"

    def parse(self, payload: Mapping[str, Any]) -> Parsed:
        confirm = parse_model(SupplyConfirmPayload, payload)
        return Parsed(confirm, subject=confirm.link)

    def check(self, admission: Admission, envelope: Envelope, parsed: Parsed) -> None:
        confirm: SupplyConfirmPayload = parsed.value
        session = admission.session
        link = session.get(SupplyLinkRow, confirm.link)
        if link is None:
            raise SupplyLinkUnknown(
                f"no supply link {confirm.link}", what="supply link", key=confirm.link,
                link=confirm.link,
            )  # fmt: skip
        if resolve_facility(session, confirm.supplier) != link.supplier:
            raise NotTheSupplier(
                f"{confirm.supplier} is not the supplier of {confirm.link} ({link.supplier})",
                link=confirm.link,
            )
        if link.confirmation_record_id is not None:
            raise _confirmed(link)

    def apply(self, admission: Admission, envelope: Envelope, parsed: Parsed, checked: Any) -> None:
        confirm: SupplyConfirmPayload = parsed.value
        # Conditional: of two confirmations admitted at once, one wins.
        result = admission.session.exec(
            update(SupplyLinkRow)
            .where(
                col(SupplyLinkRow.record_id) == confirm.link,
                col(SupplyLinkRow.confirmation_record_id).is_(None),
            )
            .values(
                confirmation_record_id=envelope.record_id,
                confirmed_by=envelope.signer,
                confirmed_at=admission.received_at,
            )
        )
        if result.rowcount != 1:
            link = admission.session.get(SupplyLinkRow, confirm.link)
            assert link is not None
            raise _confirmed(link)


def _confirmed(link: SupplyLinkRow) -> AlreadyConfirmed:
    return AlreadyConfirmed(
        f"{link.record_id} was confirmed already by {link.confirmation_record_id}",
        link=link.record_id, confirmation=link.confirmation_record_id,
    )  # fmt: skip
