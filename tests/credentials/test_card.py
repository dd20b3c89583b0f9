"""Printable credential cards: each format read back by zxing-cpp to the exact credential
(the SVG rendered by resvg, an SVG renderer that shares no code with qrcode), and nothing
on the card beyond what the credential holds."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest
import qrcode.image.svg
import resvg_py

from credentials.card import render_card
from credentials.errors import CredentialInvalid
from credentials.qr import decode_payload, encode_payload, make_qr, read_qr_image, render_svg
from credentials.worker import issue_worker_credential
from tests.credentials.test_worker_shape import DOCUMENT, ISSUER, STATUS, WORKER, changed

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def credential() -> dict[str, Any]:
    return issue_worker_credential(
        ISSUER,
        WORKER.did,
        DOCUMENT,
        status=STATUS,
        facility="fac-my-penang-pcb-03",
        nationality="NP",
    )


def rasterise(svg: bytes | str) -> bytes:
    """PNG of an SVG at 300 dpi on white (resvg)."""
    text = svg.decode("utf-8") if isinstance(svg, bytes) else svg
    return bytes(resvg_py.svg_to_bytes(svg_string=text, dpi=300, background="#ffffff"))


def test_png_card_reads_back(credential: dict[str, Any]) -> None:
    scanned = read_qr_image(render_card(credential, "png"))
    assert scanned == encode_payload(credential)
    assert decode_payload(scanned) == credential


def test_svg_card_reads_back(credential: dict[str, Any]) -> None:
    svg = render_card(credential, "svg")
    scanned = read_qr_image(rasterise(svg))
    assert scanned == encode_payload(credential)
    assert decode_payload(scanned) == credential


def test_svg_card_is_85_6_by_54_mm_with_qrcodes_own_path(credential: dict[str, Any]) -> None:
    root = ET.fromstring(render_card(credential, "svg"))
    assert (root.get("width"), root.get("height")) == ("85.6mm", "54.0mm")
    (path,) = root.iter(f"{SVG}path")
    code = make_qr(encode_payload(credential))
    code.box_size = 10
    image = code.make_image(image_factory=qrcode.image.svg.SvgPathImage)
    assert image.path is not None
    assert path.get("d") == image.path.get("d")
    (nested,) = root.findall(f"{SVG}svg")
    assert nested.get("viewBox") == image.get_image().get("viewBox")
    # the code (quiet zone included) lies inside the card
    x, y, side = (float(nested.get(k) or "nan") for k in ("x", "y", "width"))
    assert x > 0 and x + side < 85.6 and y > 0 and y + side < 54.0


def test_pdf_card_is_a_pdf(credential: dict[str, Any]) -> None:
    """Not read back: nothing here rasterises PDF. It is the PNG page, embedded."""
    assert render_card(credential, "pdf").startswith(b"%PDF-")


def test_the_card_shows_no_document_number_or_salt(credential: dict[str, Any]) -> None:
    svg = render_card(credential, "svg").decode("utf-8")
    texts = [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert texts[0] == "Worker identity credential"
    assert "Facility: fac-my-penang-pcb-03" in texts
    for secret in (DOCUMENT.number, DOCUMENT.salt.hex()):
        assert secret not in svg and secret not in encode_payload(credential)


def test_card_text_is_escaped(credential: dict[str, Any]) -> None:
    """The shape check reads any string as a facility: markup in it stays text."""
    hostile = changed(credential, ("credentialSubject", "facility"), '</text><script>x</script>&"')
    svg = render_card(hostile, "svg")
    root = ET.fromstring(svg)  # well-formed
    assert not list(root.iter(f"{SVG}script")) and not list(root.iter("script"))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert 'Facility: </text><script>x</script>&"' in texts


def test_not_a_credential_or_not_a_format(credential: dict[str, Any]) -> None:
    with pytest.raises(CredentialInvalid):
        render_card({"type": ["VerifiableCredential"]}, "svg")
    with pytest.raises(ValueError, match="card format"):
        render_card(credential, "jpeg")


def test_qr_svg_reads_back(credential: dict[str, Any]) -> None:
    text = encode_payload(credential)
    assert read_qr_image(rasterise(render_svg(text))) == text
