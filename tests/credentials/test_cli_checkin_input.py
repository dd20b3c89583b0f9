"""``ledger checkin submit``: a typo is an error before anything is signed or sent.

A malformed salt or document detail used to be signed and anchored as
``documentMatches: false``, a permanent statement that the worker lacks their passport.
Each bad input is submitted to a second local server that records what reaches it: nothing
may. A well-formed document that genuinely differs still yields ``false`` on the live API.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from credentials.wallet import Wallet
from ledger.keyfile import load_key_file
from ledger.keys import SigningKey
from ledger.service import Ledger
from tests.cli.recorder import recording_server
from tests.credentials.cli_support import PASSPHRASE, cli, keys, server
from tests.credentials.worker_support import issue

__all__ = ["keys", "server"]  # fixtures, imported for pytest to find

NUMBER = "PA7730419"  # what worker_support.issue commits to (passport, NP)


@pytest.fixture(scope="module")
def wallet(server: tuple[str, Ledger], keys: dict[str, Path]) -> Wallet:
    _, ledger = server
    issuer = load_key_file(keys["issuer"], PASSPHRASE)
    worker = SigningKey.generate()
    credential, document = issue(ledger, issuer, worker)
    return Wallet(worker).with_credential(credential, document, None)


def presentation_file(api: str, wallet: Wallet, folder: Path) -> Path:
    challenge = httpx.get(f"{api}/v1/presentations/challenge", timeout=30).json()["challenge"]
    path = folder / f"presentation-{challenge[:8]}.json"
    path.write_text(json.dumps(wallet.present(challenge=challenge)))
    return path


def submit(api: str, keys: dict[str, Path], presentation: Path, **fields: str) -> Any:
    values = {"salt": "", "document-type": "passport", "document-number": NUMBER,
              "document-country": "NP", **fields}  # fmt: skip
    options = [x for name, value in values.items() for x in (f"--{name}", value)]
    return cli(api, "checkin", "submit", "--verifier-key", str(keys["verifier"]),
               "--presentation", str(presentation), "--location", "MY-07",
               "--device-id", "tablet-1", "--off-site", *options)  # fmt: skip


MALFORMED = [
    ("salt", "00" * 31, "salt"),
    ("salt", "{salt}00", "salt"),
    ("salt", "{salt_spaced}", "salt"),
    ("salt", "not hex at all", "salt"),
    ("salt", "", "salt"),
    ("document-number", "", "document number"),
    ("document-number", "PA77#30419", "document number"),
    ("document-number", "<<<<", "document number"),
    ("document-country", "XX", "ISO 3166"),
    ("document-country", "", "ISO 3166"),
    ("document-country", "Nepal", "ISO 3166"),
    ("document-type", "visa", "document type"),
    ("document-type", "", "document type"),
]


@pytest.mark.parametrize(("option", "value", "message"), MALFORMED)
def test_malformed_input_is_an_error_and_nothing_is_sent(
    server: tuple[str, Ledger],
    keys: dict[str, Path],
    wallet: Wallet,
    tmp_path: Path,
    option: str,
    value: str,
    message: str,
) -> None:
    api, _ = server
    salt = wallet.reveal_salt()
    spaced = " ".join(salt[i : i + 2] for i in range(0, len(salt), 2))
    value = value.format(salt=salt, salt_spaced=spaced)
    presentation = presentation_file(api, wallet, tmp_path)
    with recording_server() as recorder:
        result = submit(recorder.url, keys, presentation, **{"salt": salt, option: value})
        assert recorder.requests == []  # nothing signed was sent anywhere
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error:") and message in result.stderr, result.stderr
    assert result.stdout == ""
    assert salt not in result.stderr  # the salt is the worker's secret


def test_a_well_formed_document_that_differs_is_recorded_as_false(
    server: tuple[str, Ledger], keys: dict[str, Path], wallet: Wallet, tmp_path: Path
) -> None:
    api, _ = server
    salt = wallet.reveal_salt()
    differs = submit(api, keys, presentation_file(api, wallet, tmp_path), salt=salt,
                     **{"document-number": "PA7730418"})  # fmt: skip
    assert differs.exit_code == 0, differs.output
    assert json.loads(differs.stdout)["documentMatches"] is False
    assert "does NOT open" in differs.stderr
    # The same check-in with the right document (typed as on the data page) matches.
    same = submit(api, keys, presentation_file(api, wallet, tmp_path), salt=salt.upper(),
                  **{"document-number": "pa 773 0419", "document-country": "NPL"})  # fmt: skip
    assert same.exit_code == 0, same.output
    assert json.loads(same.stdout)["documentMatches"] is True
