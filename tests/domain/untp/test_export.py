"""The UNTP export over real anchored records: each credential tied to its receipt, signed
only by the key that authored its record, verifying in our code and in Digital Bazaar's."""

from __future__ import annotations

import copy
import hashlib
from typing import Any

import httpx
import pytest

from credentials.dataintegrity import verify_proof
from credentials.errors import ProofSignatureInvalid
from domain.untp import (
    FacilityRecords,
    NotTheAuthor,
    anchored_record,
    plan_exports,
    sign_all,
    sign_planned,
)
from domain.untp.spec import DCC_CONTEXT, DFR_CONTEXT, DTE_CONTEXT
from ledger.canonical import canonicalize
from ledger.errors import ReceiptInvalid
from ledger.merkle import keccak
from tests.domain.supply.builders import BRAND, FACILITY, SUPPLIER
from tests.domain.untp.world import OSH_ID, World, run_verifier

CREATED = "2026-12-01T09:00:00Z"


def signed_by_all(world: World, records: FacilityRecords) -> dict[str, dict[str, Any]]:
    keys = [world.auditor, world.other_auditor, world.employer]
    signed, skipped = sign_all(plan_exports(records), keys)
    assert skipped == []
    return {planned.file: credential for planned, credential in signed}


def digest_of(receipt: dict[str, Any]) -> str:
    """What a reader computes from the receipt alone: SHA-256 of the envelope's JCS bytes."""
    return hashlib.sha256(canonicalize(receipt["envelope"])).hexdigest()


def test_every_export_links_the_receipt_it_was_built_from(
    world: World, records: FacilityRecords
) -> None:
    exports = signed_by_all(world, records)
    audit_id, facility_id = world.ids["audit"], world.ids["facility"]
    dcc = exports[f"dcc-{audit_id}.json"]
    link = dcc["credentialSubject"]["auditableEvidence"]
    assert link["linkURL"] == f"{world.api}/v1/records/{audit_id}/receipt"
    receipt = httpx.get(link["linkURL"], timeout=30).json()
    assert (link["hashDigest"], link["hashMethod"]) == (digest_of(receipt), "SHA-256")
    # The same bytes the anchored leaf commits to (the record id is the leaf).
    assert "0x" + keccak(keccak(canonicalize(receipt["envelope"]))).hex() == audit_id
    assert receipt["envelope"]["signer"] == dcc["issuer"]["id"] == world.auditor.did

    dfr = exports[f"dfr-{FACILITY}.json"]
    assert [e["id"] for e in dfr["evidence"]] == [f"{world.api}/v1/records/{facility_id}/receipt"]
    claims = {c["id"]: c for c in dfr["credentialSubject"]["conformityClaim"]}
    for name in ("audit", "other_audit", "plain_audit"):
        claim = claims[f"urn:lpl:record:{world.ids[name]}#claim"]
        evidence = claim["conformityEvidence"]
        assert evidence["hashDigest"] == digest_of(world.receipt(world.ids[name]))
        assert evidence["linkURL"].endswith(f"/v1/records/{world.ids[name]}/receipt")

    dte = exports[f"dte-{world.ids['link']}.json"]
    assert [e["id"] for e in dte["evidence"]] == [
        f"{world.api}/v1/records/{world.ids[name]}/receipt" for name in ("link", "confirmation")
    ]


def test_the_shapes_follow_untp_0_6_1(world: World, records: FacilityRecords) -> None:
    exports = signed_by_all(world, records)
    dcc = exports[f"dcc-{world.ids['audit']}.json"]
    assert dcc["@context"][1] == DCC_CONTEXT
    subject = dcc["credentialSubject"]
    assert (subject["assessorLevel"], subject["issuedToParty"]["registeredId"]) == (
        "3rdParty", OSH_ID
    )  # fmt: skip
    assessments = {a["id"].split("#")[1]: a for a in subject["assessment"]}
    assert len(assessments) == 12  # the 11 ILO indicators, then findings under none
    assert {a["conformityTopic"] for a in assessments.values()} == {"social.labour"}
    documents = assessments["ilo-retention-of-identity-documents"]
    assert (
        documents["conformance"] is False
        and "Finding F1 (critical, open" in (documents["description"])
    )
    assert assessments["ilo-isolation"]["conformance"] is True
    assert assessments["ilo-isolation"]["description"] == "No finding."
    assert "Finding F4" in assessments["other-findings"]["description"]
    # The surveillance audit closed every finding: every indicator conforms.
    other = exports[f"dcc-{world.ids['other_audit']}.json"]["credentialSubject"]
    assert all(a["conformance"] for a in other["assessment"])
    assert other["assessment"][0]["referenceStandard"]["issuingParty"]["name"] == "Sedex"

    dfr = exports[f"dfr-{FACILITY}.json"]
    assert dfr["@context"][1] == DFR_CONTEXT
    facility = dfr["credentialSubject"]["facility"]
    assert (facility["registeredId"], facility["idScheme"]["name"]) == (OSH_ID, "Open Supply Hub")
    assert facility["id"] == f"https://opensupplyhub.org/facilities/{OSH_ID}"
    assert facility["facilityAlsoKnownAs"][0]["registeredId"] == FACILITY
    assert dfr["issuer"]["id"] == world.employer.did

    dte = exports[f"dte-{world.ids['link']}.json"]
    assert dte["@context"][1] == DTE_CONTEXT
    (event,) = dte["credentialSubject"]
    assert event["type"] == ["TransactionEvent", "Event"]
    assert (event["sourceParty"], event["destinationParty"]) == (
        f"urn:lpl:facility:{FACILITY}", f"urn:lpl:facility:{BRAND}"
    )  # fmt: skip
    assert event["epcList"][0]["name"] == "PCB assemblies, model NW-7"
    assert (dte["issuer"]["id"], dte["issuer"]["name"]) == (world.employer.did, FACILITY)
    # The buyer authored the other half: it may issue the same event in its own name.
    (planned,) = [p for p in plan_exports(records) if p.kind == "dte"]
    by_brand = sign_planned(planned, world.brand)
    assert (by_brand["issuer"]["id"], by_brand["issuer"]["name"]) == (world.brand.did, BRAND)
    assert by_brand["credentialSubject"] == dte["credentialSubject"]
    assert SUPPLIER not in str(exports)  # the unconfirmed link is not in this export


def test_exports_verify_in_digital_bazaars_verifier(world: World, records: FacilityRecords) -> None:
    exports = signed_by_all(world, records)
    assert len(exports) == 5
    code, verdicts = run_verifier(list(exports.values()))
    assert code == 0, verdicts
    assert [v["verified"] for v in verdicts] == [True] * 5
    assert {v["cryptosuite"] for v in verdicts} == {"eddsa-jcs-2022"}


def test_one_changed_finding_fails_both_verifiers(world: World, records: FacilityRecords) -> None:
    dcc = signed_by_all(world, records)[f"dcc-{world.ids['audit']}.json"]
    forged = copy.deepcopy(dcc)
    forged["credentialSubject"]["assessment"][6]["conformance"] = True
    with pytest.raises(ProofSignatureInvalid):
        verify_proof(forged, jsonld=False)
    code, verdicts = run_verifier([forged])
    assert (code, verdicts[0]["verified"]) == (1, False)


def test_a_key_signs_only_what_it_authored(world: World, records: FacilityRecords) -> None:
    planned = plan_exports(records)
    signed, skipped = sign_all(planned, [world.auditor])
    assert [p.record_id for p, _ in signed] == [world.ids["audit"]]
    assert {s.record_id for s in skipped} == {
        world.ids[name] for name in ("facility", "other_audit", "plain_audit", "link")
    }
    other = next(p for p in planned if p.record_id == world.ids["other_audit"])
    with pytest.raises(NotTheAuthor) as refused:
        sign_planned(other, world.auditor)
    assert refused.value.code == "not_the_author"
    # Neither the buyer's nor the supplier's: no event.
    event = next(p for p in planned if p.kind == "dte")
    with pytest.raises(NotTheAuthor):
        sign_planned(event, world.auditor)
    facility = next(p for p in planned if p.kind == "dfr")
    with pytest.raises(NotTheAuthor):
        sign_planned(facility, world.brand)


def test_an_export_is_reproducible_from_the_receipts(
    world: World, records: FacilityRecords
) -> None:
    (planned,) = [p for p in plan_exports(records) if p.record_id == world.ids["audit"]]
    once = sign_planned(planned, world.auditor, created=CREATED)
    rebuilt = anchored_record(world.receipt(world.ids["audit"]), api=world.api, kind="audit")
    again = sign_planned(
        next(p for p in plan_exports(FacilityRecords(FACILITY, None, (rebuilt,), ()))),
        world.auditor, created=CREATED,
    )  # fmt: skip
    assert canonicalize(once) == canonicalize(again)


def _tampered(receipt: dict[str, Any], change: str) -> Any:
    bad = copy.deepcopy(receipt)
    if change == "payload":
        bad["envelope"]["payload"]["findings"][0]["status"] = "closed"
    elif change == "signer":
        bad["envelope"]["signer"] = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    elif change == "leaf":
        bad["leaf"] = "0x" + "00" * 32
    elif change == "proof":
        bad["proof"] = ["0x" + "11" * 32, *bad["proof"]]
    elif change == "root":
        bad["root"] = "0x" + "22" * 32
    elif change == "not json object":
        return [bad]
    elif change == "no envelope":
        del bad["envelope"]
    return bad


@pytest.mark.parametrize(
    ("change", "check"),
    [
        ("payload", "envelope"),
        ("signer", "envelope"),
        ("leaf", "leaf"),
        ("proof", "proof"),
        ("root", "proof"),
        ("not json object", "format"),
        ("no envelope", "envelope"),
    ],
)
def test_a_receipt_that_does_not_commit_to_its_record_is_refused(
    world: World, change: str, check: str
) -> None:
    receipt = world.receipt(world.ids["audit"])
    with pytest.raises(ReceiptInvalid) as refused:
        anchored_record(_tampered(receipt, change), api=world.api, kind="audit")
    assert (refused.value.code, refused.value.check) == ("receipt_invalid", check)


def test_a_receipt_of_another_kind_is_refused(world: World) -> None:
    receipt = world.receipt(world.ids["facility"])
    with pytest.raises(ReceiptInvalid) as refused:
        anchored_record(receipt, api=world.api, kind="audit")
    assert refused.value.check == "kind"


def test_an_audit_naming_no_osh_id_or_known_scheme(world: World, records: FacilityRecords) -> None:
    dcc = signed_by_all(world, records)[f"dcc-{world.ids['plain_audit']}.json"]
    subject = dcc["credentialSubject"]
    assert subject["issuedToParty"] == {
        "id": f"urn:lpl:facility:{FACILITY}", "name": "Penang PCB Assembly, Plant 3",
        "registeredId": FACILITY,
    }  # fmt: skip
    facility = subject["assessment"][0]["assessedFacility"][0]["facility"]
    assert facility["idScheme"]["id"] == "https://ledger.labour-provenance.org/facilities"
    assert all("referenceStandard" not in a for a in subject["assessment"])
