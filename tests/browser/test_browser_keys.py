"""The pages' key module (api/pages/static/js/ledger-keys.mjs) in Chromium, through the
pages' import map and vendored modules: it opens a key file the CLI wrote (Argon2id +
SecretBox, in libsodium's WebAssembly), refuses a wrong passphrase, and signs an envelope
and a signed-request header that the ledger's own Python accepts."""

from __future__ import annotations

import json
from pathlib import Path

import nacl.pwhash
import pytest
from playwright.sync_api import Page

from ledger.envelope import Envelope
from ledger.keyfile import save_key_file
from ledger.keys import SigningKey
from ledger.signed_request import verify_request

pytestmark = pytest.mark.browser

OPEN_AND_SIGN = """async ([file, passphrase]) => {
  const keys = await import('ledger-keys');
  let refused = null;
  try { await keys.openKeyFile(file, passphrase + 'x'); } catch (error) { refused = error.message; }
  const key = await keys.openKeyFile(file, passphrase);
  const envelope = keys.signEnvelope('audit', {schema: 'x/v1', ünïcode: 'ok', n: 1}, key);
  const header = keys.requestAuthorization(key, 'get', '/v1/records/0x01?x=1', '', 'aud-1');
  return {did: key.did, refused, envelope, header};
}"""


class _Nonces:
    def is_nonce_used(self, signer: str, nonce: str) -> bool:
        return False


def test_a_key_file_opens_and_signs_in_the_browser(page: Page, tmp_path: Path) -> None:
    key = SigningKey.generate()
    path = tmp_path / "auditor.key"
    save_key_file(path, key, "correct horse", opslimit=nacl.pwhash.argon2id.OPSLIMIT_MIN,
                  memlimit=nacl.pwhash.argon2id.MEMLIMIT_MIN)  # fmt: skip
    page.goto("/")
    found = page.evaluate(OPEN_AND_SIGN, [json.loads(path.read_text()), "correct horse"])
    assert found["did"] == key.did
    assert found["refused"] == "wrong passphrase, or the file is damaged"
    envelope = Envelope.from_dict(found["envelope"])
    envelope.verify_signature()  # the ledger's own check of the browser's signature
    assert envelope.signer == key.did and envelope.payload["ünïcode"] == "ok"
    checked = verify_request(found["header"], "GET", "/v1/records/0x01?x=1", b"",
                             audience="aud-1", signers=None, nonces=_Nonces())  # fmt: skip
    assert checked.signer == key.did
