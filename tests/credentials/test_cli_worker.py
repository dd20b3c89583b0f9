"""The worker-credential commands end to end against a live ``ledger`` API (uvicorn, SQLite,
embedded EVM): issue-worker, wallet, QR, check-in, revoke, investigate; the issued
credential verifies in the independent W3C verifier given our context file."""

from __future__ import annotations

import json
from pathlib import Path

from credentials.dataintegrity import verify_proof
from credentials.qr import decode_payload, make_qr, read_qr_image
from ledger.keys import SigningKey
from ledger.service import Ledger
from tests.credentials.cli_support import cli, issue, keys, server
from tests.credentials.test_independent_verifier import run_verifier
from tests.credentials.vc_support import mutated

__all__ = ["keys", "server"]  # fixtures, imported for pytest to find


def test_issue_worker_credential_verifies_here_and_independently(
    server: tuple[str, Ledger], keys: dict[str, Path], tmp_path: Path
) -> None:
    api, ledger = server
    worker = SigningKey.generate()
    credential = issue(api, keys, worker.did, tmp_path / "bundle.json")
    assert "7730419" not in json.dumps(credential)
    assert credential["credentialStatus"][0]["statusContract"] == ledger.deployment.address(
        "CredentialStatus"
    )
    assert (tmp_path / "bundle.json").stat().st_mode & 0o777 == 0o600
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(credential))
    assert cli(api, "vc", "verify", str(path)).exit_code == 0
    changed = mutated(credential, ("credentialSubject", "facility"), "fac-my-penang-pcb-04")
    path.write_text(json.dumps(changed))
    assert cli(api, "vc", "verify", str(path)).exit_code == 1

    # Digital Bazaar's verifier, given only our bundled context files.
    now = ("--now", credential["validFrom"])
    _, verdicts = run_verifier([credential, changed], "--mode", "proof")
    assert [v["verified"] for v in verdicts] == [True, False], verdicts
    assert "Invalid signature." in [e["message"] for e in verdicts[1]["errors"]]
    # Full VC 2.0 checks (issuer controls the key, validity period). Without an RPC URL the
    # status is reported as not checked; with one, the verifier reads it on chain itself.
    code, verdict = run_verifier(credential, *now)
    assert code == 0 and verdict["verified"] is True, verdict
    assert verdict["status"].startswith("not checked")
    code, verdict = run_verifier(credential, *now, "--rpc", f"{api}/rpc")
    assert code == 0 and verdict["verified"] is True and verdict["status"] == "active", verdict
    code, verdict = run_verifier(changed, *now, "--rpc", f"{api}/rpc")
    assert code == 1 and verdict["verified"] is False

    path.write_text(json.dumps(credential))
    revoked = cli(api, "vc", "revoke", str(path), "--issuer-key", str(keys["issuer"]))
    assert revoked.exit_code == 0, revoked.output
    assert ledger.anchorer.drain().error is None  # the worker relays it to the chain
    code, verdict = run_verifier(credential, *now, "--rpc", f"{api}/rpc")
    assert code == 1 and verdict["status"] == "revoked", verdict


def test_wallet_qr_checkin_revoke_and_investigate(
    server: tuple[str, Ledger], keys: dict[str, Path], tmp_path: Path
) -> None:
    api, _ = server
    wallet = tmp_path / "worker.wallet"
    created = cli(api, "wallet", "new", "--wallet", str(wallet), "--insecure-fast-kdf")
    assert created.exit_code == 0, created.output
    did = created.stdout.strip()
    credential = issue(api, keys, did, tmp_path / "bundle.json")
    imported = cli(
        api,
        "wallet",
        "import",
        str(tmp_path / "bundle.json"),
        "--wallet",
        str(wallet),
        "--insecure-fast-kdf",
    )
    assert imported.exit_code == 0, imported.output
    shown = json.loads(cli(api, "wallet", "show", "--wallet", str(wallet)).stdout)
    assert shown["did"] == did and shown["credential"]["id"] == credential["id"]
    assert "7730419" not in json.dumps(shown)

    checkins = []
    for pin in ("4821", "7777"):  # the PIN, then the duress PIN
        png = tmp_path / f"qr-{pin}.png"
        made = cli(
            api,
            "wallet",
            "qr",
            "--wallet",
            str(wallet),
            "--out",
            str(png),
            "--fetch-challenge",
            pin=pin,
        )
        assert made.exit_code == 0, made.output
        text = read_qr_image(png.read_bytes())
        assert make_qr(text).version <= 25
        presentation = decode_payload(text)
        verify_proof(
            presentation,
            expected_purpose="authentication",
            challenge=presentation["proof"]["challenge"],
        )
        assert cli(api, "checkin", "verify", "--qr-image", str(png)).exit_code == 0
        salt = cli(api, "wallet", "reveal-salt", "--wallet", str(wallet), pin=pin).stdout.strip()
        submitted = cli(
            api, "checkin", "submit", "--verifier-key", str(keys["verifier"]), "--qr-image", str(png),
            "--salt", salt, "--document-type", "passport", "--document-number", "PA7730419",
            "--document-country", "NPL", "--location", "MY-07", "--device-id", "tablet-1", "--off-site",
        )  # fmt: skip
        assert submitted.exit_code == 0, submitted.output
        body = json.loads(submitted.stdout)
        assert body["documentMatches"] is True
        checkins.append(body["id"])
        replay = cli(api, "checkin", "verify", "--qr-image", str(png))
        assert replay.exit_code == 1 and "challenge_replayed" in replay.stdout

    card = tmp_path / "card.pdf"
    assert cli(api, "wallet", "card", "--wallet", str(wallet), "--out", str(card)).exit_code == 0
    assert card.read_bytes().startswith(b"%PDF")

    investigated = cli(api, "checkin", "investigate", "--key", str(keys["investigator"]))
    assert investigated.exit_code == 0, investigated.output
    duress = {c["id"]: c["duress"] for c in json.loads(investigated.stdout)["checkins"]}
    assert [duress[i] for i in checkins] == [False, True]

    path = tmp_path / "credential.json"
    path.write_text(json.dumps(credential))
    for action, status in (
        ("suspend", "suspended"),
        ("reinstate", "active"),
        ("revoke", "revoked"),
    ):
        changed = cli(
            api, "vc", action, str(path), "--issuer-key", str(keys["issuer"]), "--reason", "2"
        )
        assert changed.exit_code == 0, changed.output
        assert json.loads(changed.stdout)["credentialStatus"] == status
    present = cli(api, "wallet", "present", "--wallet", str(wallet))
    presentation_file = tmp_path / "presentation.json"
    presentation_file.write_text(present.stdout)
    refused = cli(api, "checkin", "verify", "--presentation", str(presentation_file))
    assert refused.exit_code == 1 and "credential_revoked" in refused.stdout

    erased = cli(
        api, "wallet", "erase-document", "--wallet", str(wallet), "--yes", "--insecure-fast-kdf"
    )
    assert erased.exit_code == 0
    assert cli(api, "wallet", "reveal-salt", "--wallet", str(wallet)).exit_code != 0
