"""A printable credential card (ID-1 size, 85.6 x 54 mm) with the credential's QR code.

The card carries the *credential* (``LPL1:`` payload), not a presentation: a printed code
cannot be fresh, so a card alone never proves possession of the document (photocopies are
exactly the threat). It lets a verifier read the credential offline and start a check-in,
in which the worker's wallet signs a fresh presentation.

The card shows no personal data beyond what the credential holds: shortened dids, the
validity period and the facility. Never the document number.

Formats: PNG and PDF (300 dpi raster, Pillow) and SVG (vector: qrcode's one-path SVG image).
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any, Final

from PIL import Image, ImageDraw, ImageFont
from qrcode.image.svg import SvgPathImage

from .qr import encode_payload, make_qr
from .worker import parse_worker_credential

__all__ = ["CARD_FORMATS", "render_card"]

CARD_FORMATS: Final = ("png", "pdf", "svg")
_DPI: Final = 300
_WIDTH_MM, _HEIGHT_MM = 85.6, 54.0
_WIDTH: Final = round(_WIDTH_MM / 25.4 * _DPI)  # 1011 px
_HEIGHT: Final = round(_HEIGHT_MM / 25.4 * _DPI)  # 638 px
_SVG_NS: Final = "http://www.w3.org/2000/svg"


def _short(did: str) -> str:
    return did if len(did) <= 30 else f"{did[:18]}…{did[-6:]}"


def _lines(credential: Mapping[str, Any]) -> list[str]:
    parsed = parse_worker_credential(credential)
    lines = [
        "Worker identity credential",
        f"Holder: {_short(parsed.holder)}",
        f"Issuer: {_short(parsed.issuer)}",
        f"Valid: {parsed.valid_from.date()} to {parsed.valid_until.date()}",
    ]
    if parsed.facility:
        lines.append(f"Facility: {parsed.facility}")
    lines += [
        "",
        "Scan to read the credential.",
        "Possession needs a fresh",
        "check-in from the wallet.",
    ]
    return lines


def _png_image(credential: Mapping[str, Any]) -> Image.Image:
    lines = _lines(credential)
    code = make_qr(encode_payload(credential))
    modules = code.modules_count + 2 * code.border
    box = max(1, (_HEIGHT - 40) // modules)
    code.box_size = box
    qr_image = code.make_image(fill_color="black", back_color="white").get_image().convert("RGB")
    card = Image.new("RGB", (_WIDTH, _HEIGHT), "white")
    card.paste(qr_image, (_WIDTH - qr_image.width - 20, (_HEIGHT - qr_image.height) // 2))
    draw = ImageDraw.Draw(card)
    draw.rectangle((2, 2, _WIDTH - 3, _HEIGHT - 3), outline="black", width=3)
    title = ImageFont.load_default(size=30)
    body = ImageFont.load_default(size=20)
    y = 30
    for index, line in enumerate(lines):
        draw.text((28, y), line, fill="black", font=title if index == 0 else body)
        y += 48 if index == 0 else 30
    return card


def _svg(credential: Mapping[str, Any]) -> str:
    """The card as SVG in millimetres: text on the left, the QR (qrcode's one-path SVG
    image, quiet zone included) as a nested ``<svg>`` scaled into a square on the right."""
    lines = _lines(credential)
    code = make_qr(encode_payload(credential))
    code.box_size = 10  # qrcode's SVG unit is box_size / 10 mm: one module per user unit
    image = code.make_image(image_factory=SvgPathImage)
    # qrcode keeps its one <path> for reuse (SvgPathImage.path). Its elements come from lxml
    # when lxml is installed, so the path's attributes are copied, not the element itself.
    assert image.path is not None  # set by make_image (SvgPathImage.process)
    path_attributes = {str(k): str(v) for k, v in image.path.attrib.items()}
    view_box = str(image.get_image().get("viewBox"))
    side = _HEIGHT_MM - 6
    card = ET.Element(
        "svg",
        {
            "xmlns": _SVG_NS,
            "width": f"{_WIDTH_MM}mm",
            "height": f"{_HEIGHT_MM}mm",
            "viewBox": f"0 0 {_WIDTH_MM} {_HEIGHT_MM}",
        },
    )
    border = {"x": "0.2", "y": "0.2", "width": f"{_WIDTH_MM - 0.4:.1f}"}
    border |= {"height": f"{_HEIGHT_MM - 0.4:.1f}", "rx": "3"}
    border |= {"fill": "white", "stroke": "black", "stroke-width": "0.3"}
    ET.SubElement(card, "rect", border)
    y = 6.0
    for index, line in enumerate(lines):
        # Sizes that keep the lines left of the code in wide fonts too (DejaVu Sans).
        font = {"font-family": "sans-serif", "font-size": "2.0" if index == 0 else "1.5"}
        if index == 0:
            font["font-weight"] = "bold"
        ET.SubElement(card, "text", {"x": "2.5", "y": f"{y:.2f}", **font}).text = line
        y += 4.2 if index == 0 else 2.6
    # qrcode's viewBox (modules, quiet zone included), placed and sized in millimetres, on
    # white so that nothing drawn beside it can reach into its quiet zone.
    left, top = _WIDTH_MM - 3 - side, (_HEIGHT_MM - side) / 2
    placed = {"x": f"{left:.3f}", "y": f"{top:.3f}", "width": f"{side:.3f}"}
    placed |= {"height": f"{side:.3f}", "viewBox": view_box}
    qr = ET.SubElement(card, "svg", placed)
    ET.SubElement(qr, "rect", {"width": "100%", "height": "100%", "fill": "white"})
    ET.SubElement(qr, "path", path_attributes)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(card, encoding="unicode") + "\n"


def render_card(credential: Mapping[str, Any], fmt: str = "png") -> bytes:
    """The card as ``png``, ``pdf`` or ``svg`` bytes.

    Raises:
        ValueError: an unknown format.
        CredentialInvalid: not a worker credential.
        QrTooLarge: the credential does not fit a scannable QR code.
    """
    if fmt not in CARD_FORMATS:
        raise ValueError(f"card format is one of {', '.join(CARD_FORMATS)}")
    if fmt == "svg":
        return _svg(credential).encode("utf-8")
    image = _png_image(credential)
    buffer = io.BytesIO()
    if fmt == "png":
        image.save(buffer, format="PNG", dpi=(_DPI, _DPI))
    else:
        image.save(buffer, format="PDF", resolution=float(_DPI))
    return buffer.getvalue()
