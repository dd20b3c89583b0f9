"""A confirmed supply link as a UNTP Digital Traceability Event (UNTP 0.6.1, ``untp-dte``):
one EPCIS ``TransactionEvent``, the supplier (``sourceParty``) selling ``product`` to the
buyer (``destinationParty``) from the link's period start.

Two records make a confirmed link: the buyer's ``supply-link`` and the supplier's
``supply-confirm``; either signer may issue the event (each authored half of it). 0.6.1
gives an event no link field, so both receipts are the credential's VC ``evidence``, in
that order (each URL names its record id, the leaf). Parties are our facility URNs, as the
signed link names them (the records carry no Open Supply Hub id).
"""

from __future__ import annotations

from typing import Any, Final

from domain.supply.schema import SupplyConfirmPayload, SupplyLinkPayload
from ledger.errors import ReceiptInvalid

from .errors import NotTheAuthor
from .parties import facility_iri
from .receipts import AnchoredRecord
from .spec import CREDENTIAL_URN, DTE_CONTEXT, DTE_TYPE, VC_CONTEXT

__all__ = ["traceability_event"]

# GS1 CBV business transaction type: purchase order.
_PURCHASE_ORDER: Final = "https://ref.gs1.org/cbv/BTT-po"


def traceability_event(
    link: AnchoredRecord, confirmation: AnchoredRecord, *, issuer: str
) -> dict[str, Any]:
    """The unsigned DTE for a ``supply-link`` record and its ``supply-confirm``.

    Raises:
        ReceiptInvalid: (``check="confirmation"``) the confirmation is of another link.
        NotTheAuthor: ``issuer`` signed neither record.
    """
    payload = SupplyLinkPayload.model_validate(link.payload)
    confirm = SupplyConfirmPayload.model_validate(confirmation.payload)
    if confirm.link != link.record_id:
        raise ReceiptInvalid(
            f"the confirmation {confirmation.record_id} confirms {confirm.link}, "
            f"not {link.record_id}",
            check="confirmation",
        )
    if issuer == link.signer:
        name = payload.buyer
    elif issuer == confirmation.signer:
        name = payload.supplier
    else:
        raise NotTheAuthor(
            f"{issuer} signed neither {link.record_id} nor its confirmation",
            record=link.record_id, signer=issuer,
        )  # fmt: skip
    event: dict[str, Any] = {
        "type": ["TransactionEvent", "Event"],
        "id": link.urn,
        "processType": "Supply",
        "eventTime": f"{payload.period.start.isoformat()}T00:00:00Z",
        "action": "add",
        "sourceParty": facility_iri(payload.supplier),
        "destinationParty": facility_iri(payload.buyer),
    }
    if payload.purchase_order is not None:
        event["bizTransaction"] = _PURCHASE_ORDER
    event["epcList"] = [{"type": ["Item"], "id": f"{link.urn}#product", "name": payload.product}]
    return {
        "@context": [VC_CONTEXT, DTE_CONTEXT],
        "type": list(DTE_TYPE),
        "id": f"{CREDENTIAL_URN}dte:{link.record_id}",
        "issuer": {"type": ["CredentialIssuer"], "id": issuer, "name": name},
        "validFrom": confirmation.envelope.created,
        "credentialSubject": [event],
        "evidence": [link.vc_evidence(), confirmation.vc_evidence()],
    }
