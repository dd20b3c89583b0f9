"""Demo extension: credentialed workers at two demo facilities, with possession check-ins.

An NGO issues worker credentials at the Penang and Dhaka facilities after document checks;
a labour inspector checks most workers' passports against their credentials, off site; one
worker is coerced and uses the duress PIN, which only the demo investigator can see. The
facility views then show an ID-possession rate. Wallets live in memory only: the demo keeps
no salt or document number anywhere.
"""

from __future__ import annotations

from credentials.commitment import DocumentSecret
from credentials.possession import checkin_payload, document_matches
from credentials.wallet import Wallet
from credentials.worker import issue_worker_credential, registration_payload
from ledger.envelope import sign_envelope
from ledger.keys import SigningKey
from ledger.roles import Role
from ledger.service import Ledger

from ..organisations import Organisation, publish_organisation
from ..workers import WorkerCredentials

__all__ = ["seed_demo_workers"]

# (facility, document number, nationality, checked in, under duress)
_WORKERS = (
    ("fac-my-penang-pcb-03", "PA4410771", "NP", True, False),
    ("fac-my-penang-pcb-03", "PA5528310", "NP", True, True),
    ("fac-my-penang-pcb-03", "MM0932277", "MM", True, False),
    ("fac-my-penang-pcb-03", "PA6617092", "NP", False, False),
    ("fac-bd-dhaka-knit-01", "EB0177345", "BD", True, False),
    ("fac-bd-dhaka-knit-01", "EB0284416", "BD", False, False),
)


def seed_demo_workers(ledger: Ledger) -> tuple[str, list[tuple[str, SigningKey]]]:
    """Issue, register and check in the demo workers (records pending until anchored);
    returns a summary and each worker's (facility, wallet key), in the order above."""
    ngo, inspector, investigator = (
        SigningKey.generate(),
        SigningKey.generate(),
        SigningKey.generate(),
    )
    ledger.accredit(ngo.did, Role.ISSUER)
    ledger.accredit(inspector.did, Role.VERIFIER)
    ledger.accredit(investigator.did, Role.INVESTIGATOR)
    publish_organisation(ledger, Organisation("ngo", Role.ISSUER, (ngo.did,)))
    registry = WorkerCredentials(ledger)
    salt = registry.device_salt()
    checked, keys = 0, []
    for index, (facility, number, country, check_in, duress) in enumerate(_WORKERS):
        worker = SigningKey.generate()
        keys.append((facility, worker))
        document = DocumentSecret.create("passport", number, country)
        credential = issue_worker_credential(
            ngo,
            worker.did,
            document,
            status=registry.status_location(),
            facility=facility,
            nationality=country,
        )
        registry.register(
            sign_envelope("credential", registration_payload(credential), ngo).to_dict()
        )
        if not check_in:
            continue
        wallet = Wallet(worker, _duress=duress).with_credential(
            credential, document, investigator.did
        )
        challenge, _ = registry.issue_challenge()
        presentation = wallet.present(challenge=challenge)
        matched = document_matches(
            presentation,
            salt_hex=wallet.reveal_salt(),
            document_type="passport",
            number=number,
            country=country,
        )
        payload = checkin_payload(
            presentation,
            document_matches=matched,
            on_site=False,
            location="MY-07" if facility.startswith("fac-my") else "BD-13",
            verifier_device=f"inspector-tablet-{index % 2}",
            device_salt=salt,
        )
        registry.check_in(presentation, sign_envelope("checkin", payload, inspector).to_dict())
        checked += 1
    # Which check-in was under duress is for investigators only, even in the demo log.
    return f"{len(_WORKERS)} credentialed workers, {checked} possession check-ins", keys
