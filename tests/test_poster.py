"""The A4 poster: printed, its QR code scans to the join link and the code is on it."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import PIL.Image
import pypdf
import zxingcpp
from flask.testing import FlaskClient

from meetup.reports.poster import PosterTexts, build_poster


def render(pdf: bytes, tmp_path: Path) -> PIL.Image.Image:
    """Page 1 as the printer would see it, at 100 dpi, with poppler."""
    source = tmp_path / "poster.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", str(source),
                    str(tmp_path / "page")], check=True, capture_output=True)
    return PIL.Image.open(tmp_path / "page.png")


def text_of(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def test_the_printed_qr_code_scans_to_the_join_link(tmp_path: Path) -> None:
    url = "https://meetup.example.nl/j/" + "Q" * 32
    pdf = build_poster("Meetup Kansenongelijkheid Hilversum", "Hilversum · Bibliotheek",
                       url, "K7M2QX", "https://meetup.example.nl/join")
    page = render(pdf, tmp_path)
    width, height = page.size  # A4 portrait, 210 x 297 mm at 100 dpi
    assert 826 <= width <= 828 and 1168 <= height <= 1171
    assert zxingcpp.read_barcodes(page)[0].text == url
    text = text_of(pdf)
    assert "K7M2QX" in text
    assert "meetup.example.nl/join" in text
    assert "Scan de QR-code met je telefoon" in text


def test_names_with_accents_and_long_titles_survive(tmp_path: Path) -> None:
    title = "Meetup voor Şükrü, Nguyễn Thị Hương en Łukasz " * 6
    pdf = build_poster(title, "Zoë’s buurthuis", "https://x.nl/j/abc", "ABC234",
                       "https://x.nl/join", PosterTexts(scan="Scan the QR code"))
    text = text_of(pdf)
    assert "Meetup voor Şükrü, Nguyễn Thị Hương" in text
    assert "en Łukasz" in text
    assert " …" in text  # a very long title is cut after two lines, not pushed off the page
    assert "Zoë’s buurthuis" in text
    assert "Scan the QR code" in text
    assert zxingcpp.read_barcodes(render(pdf, tmp_path))[0].text == "https://x.nl/j/abc"


def test_the_route_serves_the_poster_inline(logged_in: FlaskClient, meetup,
                                            tmp_path: Path) -> None:
    response = logged_in.get(f"/projector/{meetup.id}/poster.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == \
        f'inline; filename="meetup-{meetup.short_code}-poster.pdf"'
    page = render(response.data, tmp_path)
    assert zxingcpp.read_barcodes(page)[0].text == f"http://meetup.test/j/{meetup.join_token}"
    text = text_of(response.data)
    assert meetup.short_code in text
    assert "Meetup Hilversum" in text
    assert "3 december 2026" in text  # the date in Dutch
    assert "Vul je naam, je rol en je organisatie in." in text


def test_the_poster_speaks_english_for_an_english_organiser(logged_in: FlaskClient,
                                                            meetup) -> None:
    pdf = logged_in.get(f"/projector/{meetup.id}/poster.pdf?lang=en").data
    text = text_of(pdf)
    assert "Scan the QR code with your phone" in text
    assert "December 3, 2026" in text
