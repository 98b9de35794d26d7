"""Follow-up: owners report status through their private link; the organiser sees history."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from meetup.extensions import db
from meetup.models import AgreementStatus, AgreementUpdate
from meetup.reports.data import gather_report
from meetup.reports.followup_pdf import build_followup_pdf
from meetup.services import followup
from meetup.services.errors import InvalidInput, NotFound
from tests.report_factories import add_update, make_evening, pdf_text


@pytest.fixture
def evening(organiser):
    evening = make_evening(organiser)
    db.session.commit()
    return evening


def test_the_owner_page_shows_the_agreement_and_dutch_statuses(client, evening) -> None:
    agreement = evening.agreements[1]
    response = client.get(f"/f/{agreement.followup_token}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Tolk bij elk oudergesprek in groep 8" in html
    for label in ("Gepland", "Bezig", "Gerealiseerd", "Gestopt"):
        assert label in html
    # The current status is preselected.
    assert '<input checked id="status-0" name="status" required type="radio" value="planned">' \
        in html
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_an_owner_reports_progress_and_the_history_grows(client, evening) -> None:
    agreement = evening.agreements[1]
    url = f"/f/{agreement.followup_token}"
    response = client.post(url, data={"status": "in_progress", "note": "Tolken gevonden"})
    assert response.status_code == 302
    response = client.post(url, data={"status": "done", "note": "Alle gesprekken met tolk"})
    assert response.status_code == 302
    db.session.refresh(agreement)
    assert agreement.status is AgreementStatus.DONE
    assert [(u.status, u.note, u.source) for u in agreement.updates] == [
        (AgreementStatus.IN_PROGRESS, "Tolken gevonden", "owner"),
        (AgreementStatus.DONE, "Alle gesprekken met tolk", "owner")]
    page = client.get(url).get_data(as_text=True)
    assert "Dank je! Je update is opgeslagen." in page
    assert page.index("Alle gesprekken met tolk") < page.index("Tolken gevonden")


def test_bad_input_is_refused_next_to_the_field(client, evening) -> None:
    agreement = evening.agreements[1]
    url = f"/f/{agreement.followup_token}"
    response = client.post(url, data={"status": "draft", "note": ""})
    assert response.status_code == 422
    response = client.post(url, data={"status": "done", "note": "x" * 501})
    assert response.status_code == 422
    assert "maximaal 500 tekens" in response.get_data(as_text=True)
    response = client.post(url, data={"status": "planned", "note": ""})
    assert response.status_code == 422
    assert "De status is niet veranderd" in response.get_data(as_text=True)
    assert db.session.query(AgreementUpdate).filter_by(agreement_id=agreement.id).count() == 0


def test_links_of_drafts_deleted_or_unknown_agreements_do_not_work(client, evening) -> None:
    for token in (evening.draft.followup_token, evening.deleted.followup_token, "onbekend"):
        response = client.get(f"/f/{token}")
        assert response.status_code == 404
        assert "Deze link voor de opvolging werkt niet" in response.get_data(as_text=True)
        assert client.post(f"/f/{token}", data={"status": "done"}).status_code == 404


def test_the_service_validates_statuses(app, evening) -> None:
    agreement = evening.agreements[2]
    with pytest.raises(InvalidInput) as error:
        followup.record_update(db.session, agreement, "finished")
    assert error.value.field == "status"
    with pytest.raises(NotFound):
        followup.agreement_for_token(db.session, "")
    update = followup.record_update(db.session, agreement, "stopped", "  Geen budget  ",
                                    source="organiser")
    assert update.note == "Geen budget"
    assert agreement.status is AgreementStatus.STOPPED


def test_the_summary_counts_statuses_overdue_and_silence(app, evening) -> None:
    summary = followup.summary(db.session, evening.meetup, today=date(2027, 3, 1))
    counts = dict(summary.counts)
    assert counts == {"planned": 2, "in_progress": 2, "done": 0, "stopped": 0}
    assert summary.total == 4
    # 15-01-2027 (planned) and 01-02-2027 (in progress) passed; no date and 30-06 did not.
    assert summary.overdue == 2
    assert summary.without_update == 3


def test_the_organiser_overview_shows_status_and_history(logged_in, evening) -> None:
    add_update(evening.agreements[3], "done", "Huiswerkklas draait", source="owner")
    db.session.commit()
    html = logged_in.get(f"/organiser/meetups/{evening.meetup.id}/report").get_data(
        as_text=True)
    assert "Huiswerkklas draait" in html
    assert "Eerste ouders gevonden" in html
    assert "Gerealiseerd" in html


def test_the_follow_up_pdf_holds_status_and_history(app, evening) -> None:
    add_update(evening.agreements[0], "done", "Op elke school een voorleesouder")
    db.session.commit()
    pdf = build_followup_pdf(gather_report(db.session, evening.meetup), today=date(2027, 3, 1))
    text = pdf_text(pdf)
    assert "Stand van zaken" in text
    for agreement in evening.agreements:
        assert agreement.what in text
    assert "Eerste ouders gevonden" in text
    assert "Op elke school een voorleesouder" in text
    assert "gepland (datum verstreken)" in text  # the tolk agreement, due 15-01-2027
    assert "Nguyễn Thị Hương" in text
    assert "Geheime Gerrit" not in text
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title == "Stand van zaken Meetup Hilversum"
    assert reader.trailer["/Root"]["/Lang"] == "nl"
