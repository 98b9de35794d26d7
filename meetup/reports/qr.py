"""QR codes for the join link: PNG and SVG bytes, and the bare module matrix for PDFs.

Pure functions of the URL; error correction level M (15 %), enough for a projector photo or
a slightly creased poster while keeping the code coarse.
"""

from __future__ import annotations

import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from qrcode.image.svg import SvgPathFillImage

#: The quiet zone around the code, in modules (the QR standard asks for 4).
QUIET_ZONE = 4


def _code(url: str, *, box_size: int = 10, border: int = QUIET_ZONE) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=border)
    code.add_data(url)
    code.make(fit=True)
    return code


def qr_png(url: str, box_size: int = 12, border: int = QUIET_ZONE) -> bytes:
    """A black-on-white PNG of ``url``; ``box_size`` pixels per module."""
    image = _code(url, box_size=box_size, border=border).make_image(
        fill_color="black", back_color="white")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def qr_svg(url: str) -> bytes:
    """A standalone SVG of ``url``: one path on a white rectangle, with a viewBox.

    The white background keeps it scannable on a dark page; the viewBox lets CSS scale it
    to any size without blurring.
    """
    image = _code(url).make_image(image_factory=SvgPathFillImage)
    # Sharp module edges when scaled: no hairline seams between neighbouring squares.
    image.get_image().set("shape-rendering", "crispEdges")
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


def qr_matrix(url: str, border: int = QUIET_ZONE) -> list[list[bool]]:
    """Rows of modules (True = dark), quiet zone included, for drawing as vector squares."""
    return _code(url, border=border).get_matrix()
