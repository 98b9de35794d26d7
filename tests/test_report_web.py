"""The organiser's report page, the downloads and the shared read-only web report."""

from __future__ import annotations

import csv
import io
import json

import pytest

from meetup.extensions import db
from meetup.models import Meetup
from meetup.services import sharing
from tests.report_factories import make_evening, make_organiser, pdf_text


@pytest.fixture
def evening(organiser):
    evening = make_evening(organiser)
    db.session.commit()
    return evening


def report_url(meetup: Meetup, suffix: str = "") -> str:
    return f"/organiser/meetups/{meetup.id}/report{suffix}"


def test_the_report_page_needs_a_login(client, evening) -> None:
    response = client.get(report_url(evening.meetup))
    assert response.status_code == 302
    assert "/organiser/login" in response.headers["Location"]
    assert client.get(report_url(evening.meetup, "/export/pdf")).status_code == 302


def test_another_organiser_cannot_see_the_report(client, evening) -> None:
    other = make_organiser("eve@example.org", "Eve")
    other_meetup_id = evening.meetup.id
    db.session.commit()
    client.post("/organiser/login", data={"email": other.email,
                                          "password": "correct horse battery"})
    assert client.get(report_url(evening.meetup)).status_code in (403, 404)
    assert client.get(f"/organiser/meetups/{other_meetup_id}/report/export/csv"
                      ).status_code in (403, 404)


def test_the_report_page_offers_every_download_and_the_follow_up(logged_in, evening) -> None:
    response = logged_in.get(report_url(evening.meetup))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for fmt in ("pdf", "csv", "notes-csv", "json", "decidim", "followup-pdf"):
        assert report_url(evening.meetup, f"/export/{fmt}") in html
    # Every agreement's private follow-up link is shown to the organiser.
    for agreement in evening.agreements:
        assert f"/f/{agreement.followup_token}" in html
    assert "Geheime Gerrit" not in html
    assert response.headers["Cache-Control"] == "no-store"


def test_downloads(logged_in, evening) -> None:
    pdf = logged_in.get(report_url(evening.meetup, "/export/pdf"))
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert "attachment" in pdf.headers["Content-Disposition"]
    assert "Voorleesouders op elke basisschool" in pdf_text(pdf.data)

    agreements = logged_in.get(report_url(evening.meetup, "/export/csv"))
    rows = list(csv.DictReader(io.StringIO(agreements.data.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 4

    data = json.loads(logged_in.get(report_url(evening.meetup, "/export/json")).data)
    assert data["summary"]["agreements"] == 4

    decidim = logged_in.get(report_url(evening.meetup, "/export/decidim"))
    assert decidim.data.decode().startswith("id;category/id;")

    followup = logged_in.get(report_url(evening.meetup, "/export/followup-pdf"))
    assert "Stand van zaken" in pdf_text(followup.data)

    assert logged_in.get(report_url(evening.meetup, "/export/xlsx")).status_code == 404


def test_share_read_and_revoke(logged_in, evening) -> None:
    meetup = evening.meetup
    assert logged_in.post(report_url(meetup, "/share")).status_code == 302
    db.session.refresh(meetup)
    token = meetup.report_share_token
    assert token and len(token) >= 43
    page = logged_in.get(report_url(meetup))
    assert f"/r/{token}" in page.get_data(as_text=True)

    anonymous = logged_in.application.test_client()
    shared = anonymous.get(f"/r/{token}")
    assert shared.status_code == 200
    html = shared.get_data(as_text=True)
    assert "Voorleesouders op elke basisschool" in html
    assert "Şükrü Yılmaz" in html
    assert '<th scope="col">' in html
    assert "Geheime Gerrit" not in html
    assert "/f/" not in html  # no follow-up links in the shared version
    assert shared.headers["Referrer-Policy"] == "no-referrer"
    assert "noindex" in shared.headers["X-Robots-Tag"]
    pdf = anonymous.get(f"/r/{token}/rapport.pdf")
    assert "Ørjan Håland" in pdf_text(pdf.data)

    assert logged_in.post(report_url(meetup, "/unshare")).status_code == 302
    gone = anonymous.get(f"/r/{token}")
    assert gone.status_code == 404
    assert "Vraag de organisator om een nieuwe link" in gone.get_data(as_text=True)
    assert anonymous.get(f"/r/{token}/rapport.pdf").status_code == 404


def test_sharing_again_makes_a_new_link(app, evening) -> None:
    first = sharing.share_report(db.session, evening.meetup)
    assert sharing.share_report(db.session, evening.meetup) == first
    sharing.revoke_share(db.session, evening.meetup)
    second = sharing.share_report(db.session, evening.meetup)
    assert second != first


def test_unknown_share_tokens_get_a_friendly_dutch_404(client, app) -> None:
    response = client.get("/r/nietbestaand")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Deze rapportlink werkt niet (meer)" in html
    assert client.get("/r/" + "x" * 500).status_code == 404


def test_shared_report_escapes_user_text(logged_in, evening) -> None:
    evening.agreements[0].what = '<script src="/x.js"></script>Voorlezen'
    token = sharing.share_report(db.session, evening.meetup)
    db.session.commit()
    html = logged_in.get(f"/r/{token}").get_data(as_text=True)
    assert '<script src="/x.js">' not in html
    assert "&lt;script" in html


def test_the_organiser_preview_matches_the_shared_version(logged_in, evening) -> None:
    response = logged_in.get(report_url(evening.meetup, "/web"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Voorbeeld" in html
    assert "Warme overdracht PO-VO voor elk kind" in html


def test_typed_line_breaks_are_kept_and_still_escaped(logged_in, evening) -> None:
    evening.agreements[0].what = "Eerste regel\n<b>tweede</b> regel"
    token = sharing.share_report(db.session, evening.meetup)
    db.session.commit()
    html = logged_in.get(f"/r/{token}").get_data(as_text=True)
    assert "Eerste regel<br>&lt;b&gt;tweede&lt;/b&gt; regel" in html


def test_dates_are_dutch_in_the_csv_and_iso_in_the_json(logged_in, evening) -> None:
    rows = list(csv.DictReader(io.StringIO(
        logged_in.get(report_url(evening.meetup, "/export/csv")).get_data(as_text=True)
        .lstrip("\ufeff")), delimiter=";"))
    assert "01-02-2027" in [r["Wanneer"] for r in rows]
    data = json.loads(logged_in.get(report_url(evening.meetup, "/export/json")).get_data())
    assert "2027-02-01" in [a["due_date"] for a in data["agreements"]]
