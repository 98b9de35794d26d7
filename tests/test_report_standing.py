"""The municipality's view of the follow-up: the "stand van zaken" at the top of the shared
report and of the follow-up PDF, each agreement's status, history and date of its latest
report."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from meetup.extensions import db
from meetup.models import AgreementUpdate
from meetup.reports.data import gather_report
from meetup.reports.followup_pdf import build_followup_pdf
from meetup.reports.pdf import build_report_pdf
from meetup.reports.standing import standing
from meetup.services import sharing
from tests.report_factories import add_update, make_evening, pdf_text


@pytest.fixture
def evening(organiser):
    evening = make_evening(organiser)
    # agreements[0]: in progress (one report, from make_evening); [3]: done after two reports;
    # [2]: still planned, with a note; [1]: planned, nothing reported.
    add_update(evening.agreements[2], "planned", "Eerste overleg staat in de agenda")
    add_update(evening.agreements[3], "in_progress", "Buurthuis is open op dinsdag")
    add_update(evening.agreements[3], "done", "Huiswerkklas draait, 12 kinderen",
               source="organiser")
    db.session.commit()
    stamps = {"Eerste ouders gevonden": datetime(2027, 1, 10, 9, 0, tzinfo=UTC),
              "Buurthuis is open op dinsdag": datetime(2027, 2, 3, 16, 0, tzinfo=UTC),
              "Huiswerkklas draait, 12 kinderen": datetime(2027, 3, 4, 18, 45, tzinfo=UTC),
              "Eerste overleg staat in de agenda": datetime(2027, 1, 20, 8, 0, tzinfo=UTC)}
    for update in db.session.query(AgreementUpdate):
        update.created_at = stamps[update.note]
    db.session.commit()
    return evening


@pytest.fixture
def shared(client, evening):
    token = sharing.share_report(db.session, evening.meetup)
    db.session.commit()
    return token


def figures(html: str) -> dict[str, int]:
    """The "stand van zaken" figures as a reader sees them: label -> number."""
    block = html[html.index('id="progress"'):html.index('id="toc-title"')]
    return {re.sub(r"\s+", " ", label).strip(): int(n) for n, label in re.findall(
        r"<li[^>]*><strong>(\d+)</strong>(.*?)</li>", block, re.DOTALL)}


def test_standing_counts_statuses_silence_and_the_latest_report(evening) -> None:
    report = gather_report(db.session, evening.meetup)
    result = standing(report.agreements)
    assert dict(result.counts) == {"done": 1, "in_progress": 1, "planned": 2, "stopped": 0}
    assert result.no_word == 1 and result.total == 4
    assert result.last_update == datetime(2027, 3, 4, 18, 45, tzinfo=UTC)


def test_the_shared_report_opens_with_the_stand_van_zaken(client, shared) -> None:
    html = client.get(f"/r/{shared}").get_data(as_text=True)
    assert figures(html) == {"Gerealiseerd": 1, "Bezig": 1, "Gepland": 2, "Gestopt": 0,
                             "Nog geen bericht": 1}
    assert "Laatste melding: 04-03-2027 19:45." in html  # Amsterdam time
    assert html.index('id="progress"') < html.index('id="glance"')


def test_the_shared_report_in_english(client, shared) -> None:
    html = client.get(f"/r/{shared}?lang=en").get_data(as_text=True)
    assert figures(html) == {"Done": 1, "In progress": 1, "Planned": 2, "Stopped": 0,
                             "No word yet": 1}
    assert "Progress so far" in html and "Follow-up per agreement" in html


def test_every_agreement_shows_its_status_history_and_latest_report(client, evening,
                                                                     shared) -> None:
    html = client.get(f"/r/{shared}").get_data(as_text=True)
    section = html[html.index('id="followup"'):html.index('id="network"')]
    huiswerk = section[section.index("Huiswerkklas in het buurthuis"):]
    # Both reports, oldest first, with who made them; the status now is "gerealiseerd".
    assert huiswerk.index("Buurthuis is open op dinsdag") < huiswerk.index(
        "Huiswerkklas draait, 12 kinderen")
    assert "badge--done" in huiswerk[:400] and "Gerealiseerd" in huiswerk[:400]
    assert "Laatste melding: 04-03-2027 19:45" in huiswerk
    assert "organisator" in huiswerk
    assert "Eerste ouders gevonden" in section
    assert "Eerste overleg staat in de agenda" in section
    # The silent agreement is named by its number.
    silent = next(row.number for row in gather_report(db.session, evening.meetup).agreements
                  if row.id == evening.agreements[1].id)
    assert f"Nog geen bericht van de trekkers van: #{silent}." in section
    # The action list has the date of each agreement's latest report.
    actions = html[html.index('id="actions"'):html.index('id="followup"')]
    assert "04-03-2027" in actions and "10-01-2027" in actions
    assert actions.count("nog geen bericht") == 1


def test_the_share_link_gives_the_follow_up_pdf_too(client, shared) -> None:
    response = client.get(f"/r/{shared}/stand-van-zaken.pdf")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    text = pdf_text(response.data)
    assert "Huiswerkklas draait, 12 kinderen" in text
    assert "Geheime Gerrit" not in text


def test_the_follow_up_pdf_opens_with_the_figures(evening) -> None:
    text = pdf_text(build_followup_pdf(gather_report(db.session, evening.meetup)))
    start = text[:text.index("Overzicht")]
    assert re.search(r"1 1 2 0 1 gerealiseerd bezig gepland gestopt nog geen bericht", start)
    assert "Laatste melding: 04-03-2027 19:45." in start
    assert "Nog geen bericht van de trekker 1" in text
    assert "Laatste melding nog geen bericht van de trekker" in text  # a silent agreement


def test_the_report_pdf_has_the_stand_van_zaken_at_a_glance(evening) -> None:
    text = pdf_text(build_report_pdf(gather_report(db.session, evening.meetup)))
    glance = text[text.index("In één oogopslag 4 deelnemers"[:16], 1000):]
    glance = glance[:glance.index("Per thema")]
    assert "Stand van zaken 1 1 2 0 1 gerealiseerd bezig gepland gestopt nog geen bericht" \
        in glance
