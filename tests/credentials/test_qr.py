"""LPL1 QR payloads: exact round trip, real QR images read back by zxing-cpp, size limits."""

from __future__ import annotations

import base64
import random
import zlib
from typing import Any

import base45
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credentials.commitment import DocumentSecret
from credentials.errors import QrInvalid, QrTooLarge
from credentials.presentation import check_presentation
from credentials.qr import (
    DICTIONARY_V1,
    MAX_VERSION,
    PREFIX,
    decode_payload,
    encode_payload,
    make_qr,
    read_qr_image,
    render_png,
    render_svg,
)
from credentials.signal import seal_signal
from credentials.wallet import Wallet
from credentials.worker import StatusLocation, issue_worker_credential
from ledger.errors import MalformedJSON
from ledger.keys import SigningKey

STATUS = StatusLocation(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3")


def typical_presentation(challenge: bool = True) -> dict[str, Any]:
    issuer, worker, investigator = (
        SigningKey.generate(),
        SigningKey.generate(),
        SigningKey.generate(),
    )
    document = DocumentSecret.create("passport", "PA7730419", "NP")
    credential = issue_worker_credential(
        issuer,
        worker.did,
        document,
        status=STATUS,
        facility="fac-my-penang-pcb-03",
        nationality="NP",
    )
    wallet = Wallet(worker).with_credential(credential, document, investigator.did)
    return wallet.present(
        challenge="Jx3k9Qw-Zr2m8TbV1yLp0A" if challenge else None, domain="ledger.example.org"
    )


def test_typical_presentation_png_reads_back_and_verifies() -> None:
    presentation = typical_presentation()
    text = encode_payload(presentation)
    assert text.startswith(PREFIX)
    version = make_qr(text).version
    assert version <= MAX_VERSION
    scanned = read_qr_image(render_png(text))
    assert scanned == text
    decoded = decode_payload(scanned)
    assert decoded == presentation
    assert check_presentation(decoded, challenge="Jx3k9Qw-Zr2m8TbV1yLp0A").verified


def test_measured_sizes() -> None:
    """Recorded in the report: a presentation with challenge and domain fits version ~20."""
    online, offline = (encode_payload(typical_presentation(c)) for c in (True, False))
    assert len(online) < 1100 and make_qr(online).version <= 21
    assert make_qr(offline).version <= 21


def test_svg_is_a_qr_code() -> None:
    svg = render_svg(encode_payload(typical_presentation()))
    assert svg.lstrip().startswith("<?xml") or "<svg" in svg[:200]
    assert "<path" in svg


def test_decoding_with_plain_zlib_and_the_published_dictionary() -> None:
    presentation = typical_presentation()
    text = encode_payload(presentation)
    packed = base45.b45decode(text[len(PREFIX) :])
    inflater = zlib.decompressobj(zdict=DICTIONARY_V1)
    from ledger.canonical import canonicalize

    assert inflater.decompress(packed) == canonicalize(presentation)


@given(
    st.dictionaries(
        st.text(max_size=8),
        st.one_of(
            st.integers(-(2**53) + 1, 2**53 - 1), st.text(max_size=40), st.booleans(), st.none()
        ),
        max_size=12,
    )
)
@settings(max_examples=100, deadline=None)
def test_round_trip_is_exact(document: dict[str, Any]) -> None:
    assert decode_payload(encode_payload(document)) == document


def _packed(data: bytes) -> str:
    compressor = zlib.compressobj(zdict=DICTIONARY_V1)
    return PREFIX + base45.b45encode(compressor.compress(data) + compressor.flush()).decode()


@pytest.mark.parametrize(
    "text",
    [
        "HC1:6BFOXN%TS3DH0YOJ58S S-W5HDC *M0II5XHC9B5G2+$N IOP-IA%NFQGRJPC%OQHIZC4.OI1RM8ZA",
        "LPL1:",
        "LPL1:%%%%%%",
        PREFIX + base45.b45encode(b"not deflate").decode(),
        _packed(b'{"b":1, "a":2}'),  # not JCS
        _packed(b"[1,2,3]"),  # not an object
        _packed(b'{"a":1}{"b":2}'),
        _packed(b'{"a":NaN}'),
        _packed(b" " * 70_000),  # past the decompression limit
    ],
)
def test_malformed_payloads_are_refused(text: str) -> None:
    with pytest.raises(QrInvalid):
        decode_payload(text)


def test_a_small_code_that_inflates_to_deep_json_is_refused() -> None:
    bomb = _packed(b"[" * 30_000 + b"]" * 30_000)
    assert len(bomb) < 200  # a QR code this small decompresses to 30,000 levels
    with pytest.raises(MalformedJSON, match="deeper"):
        decode_payload(bomb)


def test_too_large_for_a_scannable_code() -> None:
    noise = base64.b64encode(random.Random(7).randbytes(1600)).decode()  # incompressible
    with pytest.raises(QrTooLarge) as caught:
        render_png(encode_payload({"noise": noise}))
    assert caught.value.code == "qr_too_large" and caught.value.data["version"] > MAX_VERSION


def test_image_without_a_code() -> None:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(buffer, format="PNG")
    with pytest.raises(QrInvalid):
        read_qr_image(buffer.getvalue())
    with pytest.raises(QrInvalid):
        read_qr_image(b"not an image")


def test_signals_look_alike() -> None:
    from credentials.signal import SIGNAL_LENGTH, investigator_sealing_key

    key = investigator_sealing_key(SigningKey.generate().did)
    signals = {seal_signal(key, duress=d, binding=bytes(16)) for d in (False, True, False, True)}
    assert len(signals) == 4 and {len(s) for s in signals} == {
        len(seal_signal(None, duress=False, binding=bytes(16)))
    }
    assert SIGNAL_LENGTH == 72
