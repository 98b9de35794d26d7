"""The join QR code: it decodes to the join link, on the configured public address too."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path

import PIL.Image
import pytest
import zxingcpp
from flask.testing import FlaskClient

from meetup.extensions import db
from meetup.reports.qr import qr_png, qr_svg
from meetup.services import links, meetups, organisers
from tests.conftest import PASSWORD, make_app

SVG = "{http://www.w3.org/2000/svg}"


def decode(png: bytes) -> str:
    found = zxingcpp.read_barcodes(PIL.Image.open(io.BytesIO(png)))
    assert found, "no QR code found"
    return found[0].text


def test_the_png_decodes_to_the_url() -> None:
    url = "https://meetup.example.nl/j/" + "x" * 32
    assert decode(qr_png(url)) == url
    assert decode(qr_png(url, box_size=4, border=4)) == url


def test_the_svg_is_scalable_xml_on_white() -> None:
    root = ET.fromstring(qr_svg("https://meetup.example.nl/j/abc"))
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox", "").startswith("0 0 ")
    rect = root.find(f"{SVG}rect")
    assert rect is not None and rect.get("fill") == "white"
    assert root.find(f"{SVG}path") is not None


def test_links_are_plain_strings_from_the_base(meetup) -> None:
    assert links.join_url("https://m.nl/", meetup) == f"https://m.nl/j/{meetup.join_token}"
    assert links.briefing_url("https://m.nl", meetup) == f"https://m.nl/b/{meetup.short_code}"
    assert links.code_url("https://m.nl/") == "https://m.nl/join"
    assert links.base_url(None, "http://meetup.test/") == "http://meetup.test"
    assert links.base_url("https://m.nl", "http://meetup.test/") == "https://m.nl"
    assert links.display_address("https://m.nl/join") == "m.nl/join"


def test_the_route_serves_the_join_link_as_png(logged_in: FlaskClient, meetup) -> None:
    response = logged_in.get(f"/projector/{meetup.id}/qr.png")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert "private" in response.headers["Cache-Control"]
    assert decode(response.data) == f"http://meetup.test/j/{meetup.join_token}"


def test_the_route_serves_a_well_formed_svg(logged_in: FlaskClient, meetup) -> None:
    response = logged_in.get(f"/projector/{meetup.id}/qr.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert "private" in response.headers["Cache-Control"]
    assert ET.fromstring(response.data).get("viewBox")


def test_the_qr_points_to_the_public_url_when_configured(tmp_path: Path) -> None:
    app = make_app(tmp_path, PUBLIC_URL="https://meetup.example.nl")
    with app.app_context():
        db.create_all()
        org = organisers.create_organiser(db.session, "bo@example.org", PASSWORD)
        meetup = meetups.create_meetup(db.session, org, title="Meetup Zwolle")
        db.session.commit()
        client = app.test_client()
        client.post("/organiser/login", data={"email": org.email, "password": PASSWORD})
        png = client.get(f"/projector/{meetup.id}/qr.png").data
        assert decode(png) == f"https://meetup.example.nl/j/{meetup.join_token}"
        html = client.get(f"/projector/{meetup.id}/join").get_data(as_text=True)
        assert "meetup.example.nl/join" in html
        db.session.remove()
        db.engine.dispose()


def test_the_join_screen_shows_qr_code_and_where_to_type_it(logged_in: FlaskClient,
                                                            meetup) -> None:
    response = logged_in.get(f"/projector/{meetup.id}/join")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'src="/projector/{meetup.id}/qr.svg"' in html
    assert f'alt="QR-code met de link http://meetup.test/j/{meetup.join_token}"' in html
    assert meetup.short_code in html
    assert "Scan de QR-code met je telefoon" in html
    assert "of ga naar meetup.test/join en typ de code" in html
    assert "Meetup Hilversum" in html
    assert "site-header" not in html  # full screen: no site navigation


@pytest.mark.parametrize("path", ["join", "qr.png", "qr.svg", "poster.pdf"])
def test_only_the_owner_sees_the_join_screens(app, client: FlaskClient, meetup,
                                              path: str) -> None:
    assert client.get(f"/projector/{meetup.id}/{path}").status_code == 302  # to the login
    other = organisers.create_organiser(db.session, "eve@example.org", PASSWORD)
    db.session.commit()
    client.post("/organiser/login", data={"email": other.email, "password": PASSWORD})
    response = client.get(f"/projector/{meetup.id}/{path}")
    assert response.status_code in (403, 404)
    assert meetup.join_token.encode() not in response.data
    assert client.get(f"/projector/{meetup.id + 100}/{path}").status_code == 404
