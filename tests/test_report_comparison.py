"""The report of a meetup in a series compares: per theme the earlier agreements with their
latest status and what was continued tonight (issue 25, point 5)."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest

from meetup.extensions import db
from meetup.models import Phase
from meetup.reports.comparison import gather_comparison
from meetup.reports.data import gather_report
from meetup.reports.pdf import build_report_pdf
from meetup.services import agreements, continuation, followup
from tests.series_factories import TODAY, earlier_meetup, follow_up, seated_at_agreements


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context():
        yield


@pytest.fixture
def compared(organiser):
    earlier, made = earlier_meetup(organiser)
    later = follow_up(organiser, earlier)
    people = seated_at_agreements(later, organiser)
    new = continuation.continue_agreement(db.session, people["taal"], uuid.uuid4(),
                                          made["voorlezen"].uuid)
    agreements.update_agreement(db.session, people["taal"], new.uuid, {
        "what": "Voorleesouders ook op de BSO", "first_step": "BSO's bellen",
        "due_date": "2026-12-15"}, today=TODAY)
    agreements.finalise(db.session, people["taal"], new.uuid)
    # A continued draft is not in the report (drafts never are).
    continuation.continue_agreement(db.session, people["taal"], uuid.uuid4(),
                                    made["taalcafe"].uuid)
    followup.record_update(db.session, made["zorg"], "stopped", "Geen ruimte op school")
    followup.record_update(db.session, made["voorlezen"], "done", "Alle scholen doen mee")
    later.phase = Phase.CLOSED
    db.session.commit()
    return earlier, made, later


def test_the_comparison_gives_each_earlier_agreement_its_latest_status_and_continuation(
        compared) -> None:
    _earlier, _made, later = compared
    report = gather_report(db.session, later)
    c = report.comparison
    assert c is not None and c.previous_title == "Meetup Hilversum"
    assert c.series_name == "Meetup Kansenongelijkheid Gooi"
    by_theme = {t.key: t for t in c.themes}
    assert list(by_theme) == ["taal", "zorg"]
    taal = {row.what: row for row in by_theme["taal"].earlier}
    # The latest of two updates counts; without any it is "no news yet".
    assert taal["Voorleesouders op elke school"].status == "done"
    assert taal["Voorleesouders op elke school"].note == "Alle scholen doen mee"
    assert taal["Taalcafé voor ouders"].status == "no_news"
    assert by_theme["zorg"].earlier[0].status == "stopped"
    continued = taal["Voorleesouders op elke school"].continued
    number = next(a.number for a in report.agreements if a.what.endswith("BSO"))
    assert [(x.number, x.what) for x in continued] == [(number, "Voorleesouders ook op de BSO")]
    assert taal["Taalcafé voor ouders"].continued == ()  # only a draft continued it
    assert dict(c.counts) == {"done": 1, "in_progress": 0, "planned": 0, "stopped": 1,
                              "no_news": 1}
    assert c.continued_count == 1


def test_a_meetup_outside_a_series_has_no_comparison(meetup, organiser) -> None:
    assert gather_comparison(db.session, meetup) is None
    assert gather_report(db.session, meetup).comparison is None


def test_the_pdf_has_the_chapter_with_the_statuses(compared, tmp_path: Path) -> None:
    _earlier, _made, later = compared
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(build_report_pdf(gather_report(db.session, later)))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    flat = " ".join(text.split())
    flat = flat[flat.rindex("Wat werd er van de vorige afspraken?"):]  # the chapter
    assert "Wat werd er van de vorige afspraken?" in flat
    assert "Deze meetup is een vervolg op Meetup Hilversum" in flat
    assert "nog geen bericht" in flat and "gerealiseerd: Alle scholen doen mee" in flat
    assert "gestopt: Geen ruimte op school" in flat
    assert "Taalcafé voor ouders Henk, Buurtwerk nog geen bericht" in flat
    assert "#1 Voorleesouders ook op de BSO" in flat
    assert "3 afspraken van vorige keer: 1 gerealiseerd, 1 gestopt, 1 nog geen bericht" in flat


def test_the_web_report_and_the_followup_page_show_where_it_went_on(
        compared, organiser, logged_in) -> None:
    earlier, made, later = compared
    page = logged_in.get(f"/organiser/meetups/{later.id}/report/web").get_data(as_text=True)
    assert "Wat werd er van de vorige afspraken?" in page
    assert "nog geen bericht" in page and "Voorleesouders ook op de BSO" in page
    followup_page = logged_in.get(f"/f/{made['voorlezen'].followup_token}").get_data(
        as_text=True)
    assert "Meetup Bussum" in followup_page and "Voorleesouders ook op de BSO" in followup_page
    plain = logged_in.get(f"/f/{made['zorg'].followup_token}").get_data(as_text=True)
    assert "Meetup Bussum" not in plain
    # The earlier meetup's own report page says where its agreement went on.
    earlier_report = logged_in.get(f"/organiser/meetups/{earlier.id}/report").get_data(
        as_text=True)
    assert "Verder gegaan op Meetup Bussum: Voorleesouders ook op de BSO" in earlier_report
