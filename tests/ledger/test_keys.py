"""Ed25519 keys, did:key and key files: published vectors and round trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.errors import InvalidKey, KeyFileError, SignatureError
from ledger.keyfile import load_key_file, save_key_file
from ledger.keys import SigningKey, VerifyKey

# RFC 8032 section 7.1, tests 1-3 (secret seed, public key, message, signature).
RFC8032 = [
    ("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
    ("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
    ("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"),
]  # fmt: skip

# did:key spec (w3c-ccg/did-method-key) Ed25519 examples: raw public key hex -> did.
DID_KEY_VECTORS = [
    ("b00d8d938e7f773d51565aad36a623f5344f7f5d1960f9cf3e8e12620ea2810f",
     "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"),
    ("2e6fcce36701dc791488e0d0b1745cc1e33a4c1c9fcc41c63bd343dbbe0970e6",
     "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"),
]  # fmt: skip


@pytest.mark.parametrize(("seed", "public", "message", "signature"), RFC8032)
def test_rfc8032_vectors(seed: str, public: str, message: str, signature: str) -> None:
    key = SigningKey(bytes.fromhex(seed))
    assert key.verify_key.raw.hex() == public
    assert key.sign(bytes.fromhex(message)).hex() == signature
    key.verify_key.verify(bytes.fromhex(message), bytes.fromhex(signature))


@pytest.mark.parametrize(("public", "did"), DID_KEY_VECTORS)
def test_did_key_vectors(public: str, did: str) -> None:
    key = VerifyKey(bytes.fromhex(public))
    assert key.did == did
    assert VerifyKey.from_did(did) == key
    assert VerifyKey.from_did(f"{did}#{did.split(':')[2]}") == key


def test_w3c_vector_secret_multikey() -> None:
    key = SigningKey.from_multibase("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq")
    assert key.seed.hex() == "c96ef9ea10c5e414c471723aff9de72c35fa5b70fae97e8832ecac7d2e2b8ed6"
    assert key.did == "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    assert SigningKey.from_multibase(key.multibase) == key


@given(st.binary(min_size=32, max_size=32), st.binary(max_size=200))
def test_sign_verify_round_trip(seed: bytes, message: bytes) -> None:
    key = SigningKey(seed)
    signature = key.sign(message)
    VerifyKey.from_did(key.did).verify(message, signature)
    with pytest.raises(SignatureError):
        key.verify_key.verify(message + b"x", signature)


@pytest.mark.parametrize(
    "bad",
    ["did:web:example.com", "did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme",
     "did:key:z6Mk", "did:key:6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", "did:key:z0OIl"],
)  # fmt: skip
def test_malformed_dids_are_refused(bad: str) -> None:
    with pytest.raises(InvalidKey):
        VerifyKey.from_did(bad)


def test_secret_never_in_repr() -> None:
    key = SigningKey.generate()
    assert key.seed.hex() not in repr(key) and key.multibase not in repr(key)


FAST_KDF = {"opslimit": 1, "memlimit": 8192}


@settings(max_examples=5, deadline=None)
@given(st.text(min_size=1, max_size=30))
def test_key_file_round_trip(tmp_path_factory: pytest.TempPathFactory, passphrase: str) -> None:
    path = tmp_path_factory.mktemp("keys") / "key.json"
    key = SigningKey.generate()
    save_key_file(path, key, passphrase, **FAST_KDF)
    assert load_key_file(path, passphrase) == key
    assert key.seed.hex() not in path.read_text() and oct(path.stat().st_mode)[-3:] == "600"


def test_key_file_wrong_passphrase_and_tampering(tmp_path: Path) -> None:
    path = tmp_path / "key.json"
    key = SigningKey.generate()
    save_key_file(path, key, "correct horse", **FAST_KDF)
    with pytest.raises(KeyFileError):
        load_key_file(path, "battery staple")
    document = json.loads(path.read_text())
    document["did"] = SigningKey.generate().did
    path.write_text(json.dumps(document))
    with pytest.raises(KeyFileError, match="did"):
        load_key_file(path, "correct horse")
    with pytest.raises(FileExistsError):
        save_key_file(path, key, "x", **FAST_KDF)


def test_empty_passphrase_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError):
        save_key_file(tmp_path / "k.json", SigningKey.generate(), "", **FAST_KDF)


@given(st.binary(min_size=1, max_size=64))
def test_base58_decoding_matches_the_reference_library(data: bytes) -> None:
    import base58

    from ledger.keys import multibase_decode

    assert multibase_decode("z" + base58.b58encode(data).decode()) == data


def test_base58_refuses_characters_outside_the_alphabet() -> None:
    from ledger.keys import multibase_decode

    for bad in ("z0OIl", "z+abc", "z6Mk l"):
        with pytest.raises(InvalidKey):
            multibase_decode(bad)
