"""Compact QR encoding of presentations and credentials: ``LPL1:`` + base45(zlib(JCS)).

As EU digital COVID certificates do (``HC1:`` + base45 + zlib), with two choices of ours:

- The JSON is serialised with JCS (RFC 8785) before compression, so the decoded bytes are
  *exactly* the canonical form: :func:`decode_payload` refuses anything else, and a
  payload decodes to one JSON value only.
- ``LPL1`` deflates with a *preset dictionary* (:data:`DICTIONARY_V1`: the context URLs,
  member names and fixed values every presentation repeats). A typical presentation then
  fits QR version 21 instead of 27. The dictionary is part of the format: changing one
  byte of it needs a new prefix (``LPL2:``). Any zlib can decode it
  (``zlib.decompressobj(zdict=DICTIONARY_V1)``).

Base45 (RFC 9285) uses only the QR alphanumeric alphabet, so the whole payload is coded
in alphanumeric mode (5.5 bits a character). Codes are rendered at error correction M and
refused past version 25 (:class:`~credentials.errors.QrTooLarge`): beyond that, phone cameras
struggle with a printed card or a cracked screen.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Mapping
from typing import Any, Final

import base45
import qrcode
import qrcode.constants
import qrcode.image.svg

from ledger.canonical import MAX_DEPTH, canonicalize, nesting_depth_exceeds, parse_json
from ledger.errors import LedgerError, MalformedJSON

from .errors import QrInvalid, QrTooLarge

__all__ = [
    "DICTIONARY_V1",
    "MAX_VERSION",
    "PREFIX",
    "decode_payload",
    "encode_payload",
    "make_qr",
    "read_qr_image",
    "render_png",
    "render_svg",
]

PREFIX: Final = "LPL1:"
MAX_VERSION: Final = 25
MAX_DECODED_BYTES: Final = 64 * 1024  # a presentation is ~2 KB; refuse decompression bombs

_CONTEXTS = (
    '{"@context":["https://www.w3.org/ns/credentials/v2",'
    '"https://ledger.labour-provenance.org/contexts/labour/v1.jsonld"],'
)
DICTIONARY_V1: Final = "".join(
    (
        _CONTEXTS,
        '"credentialStatus":{"id":"urn:lpl:credential-status:0x","statusChainId":,'
        '"statusContract":"0x","type":"OnChainCredentialStatus"},',
        '"credentialSubject":{"documentCommitment":{"commitment":"",'
        '"commitmentScheme":"lpl-hmac-sha256-v1"},"facility":"fac-","id":"did:key:z6Mk",'
        '"issuedAfterDocumentCheck":"20","nationality":""},"id":"urn:uuid:",'
        '"issuer":"did:key:z6Mk",',
        '"proof":{"created":"20","cryptosuite":"eddsa-rdfc-2022","proofPurpose":'
        '"assertionMethod","proofValue":"z","type":"DataIntegrityProof",'
        '"verificationMethod":"did:key:z6Mk#z6Mk"},'
        '"type":["VerifiableCredential","WorkerIdentityCredential"],'
        '"validFrom":"20","validUntil":"20"}]}',
        '"holder":"did:key:z6Mk","holderSignal":"u","proof":{"challenge":"","created":"20",'
        '"cryptosuite":"eddsa-rdfc-2022","domain":"","expires":"20",'
        '"proofPurpose":"authentication","proofValue":"z","type":"DataIntegrityProof",'
        '"verificationMethod":"did:key:z6Mk#z6Mk"},',
        '"type":["VerifiablePresentation"],"verifiableCredential":[',
        _CONTEXTS,
    )
).encode("utf-8")
"""The LPL1 preset deflate dictionary (frozen: part of the format)."""


def encode_payload(document: Mapping[str, Any]) -> str:
    """``LPL1:`` + base45 of the deflated JCS bytes of ``document``.

    Raises:
        InvalidRecord: the document is not I-JSON.
    """
    compressor = zlib.compressobj(level=9, wbits=15, memLevel=9, zdict=DICTIONARY_V1)
    packed = compressor.compress(canonicalize(dict(document))) + compressor.flush()
    encoded: bytes = base45.b45encode(packed)
    return PREFIX + encoded.decode("ascii")


def decode_payload(text: str) -> dict[str, Any]:
    """The exact JSON object an ``LPL1:`` payload carries.

    Raises:
        QrInvalid: wrong prefix, not base45, not LPL1 deflate, too large, not JSON, not a
            JSON object, or not in canonical (JCS) form.
        MalformedJSON: the decompressed JSON nests too deeply.
    """
    if not isinstance(text, str) or not text.startswith(PREFIX):
        raise QrInvalid(f"a QR payload starts with {PREFIX!r}", prefix=PREFIX)
    try:
        packed = base45.b45decode(text[len(PREFIX) :].strip())
    except (ValueError, KeyError, TypeError) as exc:
        raise QrInvalid(f"the payload is not base45: {exc}") from None
    try:
        decompressor = zlib.decompressobj(wbits=15, zdict=DICTIONARY_V1)
        data = decompressor.decompress(packed, MAX_DECODED_BYTES)
        if decompressor.unconsumed_tail or not decompressor.eof:
            raise QrInvalid(f"the payload is truncated or over {MAX_DECODED_BYTES} bytes")
    except zlib.error as exc:
        raise QrInvalid(f"the payload is not LPL1 deflate: {exc}") from None
    if decompressor.unused_data:
        raise QrInvalid("trailing bytes after the compressed payload")
    if nesting_depth_exceeds(data):
        # A few hundred characters of QR can inflate to thousands of levels.
        raise MalformedJSON(f"the QR payload nests deeper than {MAX_DEPTH} levels")
    try:
        document = parse_json(data)
        canonical = canonicalize(document)
    except LedgerError as exc:
        raise QrInvalid(f"the payload is not JSON: {exc.detail}") from None
    if not isinstance(document, dict):
        raise QrInvalid("the payload is not a JSON object")
    if canonical != data:
        raise QrInvalid("the payload is not in canonical (JCS) form")
    return document


def make_qr(text: str) -> qrcode.QRCode:
    """The QR code for ``text`` at error correction M, smallest version that fits.

    Raises:
        QrTooLarge: it needs a version above :data:`MAX_VERSION`.
    """
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(text, optimize=0)
    code.make(fit=True)
    if code.version > MAX_VERSION:
        raise QrTooLarge(
            f"the payload ({len(text)} characters) needs QR version {code.version}; "
            f"at most {MAX_VERSION} at error correction M stays scannable",
            version=code.version,
            characters=len(text),
        )
    return code


def render_png(text: str, *, box_size: int = 6) -> bytes:
    """A PNG of the QR code (black on white, 4-module quiet zone)."""
    code = make_qr(text)
    code.box_size = box_size
    image = code.make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def render_svg(text: str, *, module_mm: float = 0.5) -> str:
    """A standalone SVG of the QR code (one path; sizes in mm for printing)."""
    code = make_qr(text)
    code.box_size = 10
    image = code.make_image(image_factory=qrcode.image.svg.SvgPathImage)
    svg: str = image.to_string(encoding="unicode")
    return svg


def read_qr_image(data: bytes) -> str:
    """Decode the QR code in an image (PNG, JPEG...) with zxing-cpp.

    Raises:
        QrInvalid: not an image, or no QR code found in it.
    """
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as opened:
            image = opened.convert("L")
    except (UnidentifiedImageError, OSError) as exc:
        raise QrInvalid(f"not an image: {exc}") from None
    results = zxingcpp.read_barcodes(
        image, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    )
    if not results:
        raise QrInvalid("no QR code found in the image")
    text: str = results[0].text
    return text
