"""The live pages as the server renders them: who gets in, and what the scripts are given."""

from __future__ import annotations

import json
import re
import secrets
import uuid
from datetime import date

from meetup.config import PARTICIPANT_SESSION_KEY
from meetup.extensions import db
from meetup.models import Agreement, AgreementStatus, Commitment
from meetup.services import joining, meetups, organisers
from meetup.services.joining import JoinRequest


def join(meetup, name="Fatima El Amrani", role="leerkracht_po", organisation="OBS De Linde"):
    participant, token = joining.join(db.session, meetup, JoinRequest(name, role, organisation))
    db.session.commit()
    return participant, token


def as_participant(client, meetup_id, token):
    with client.session_transaction() as session:
        session[PARTICIPANT_SESSION_KEY] = {str(meetup_id): token}


def i18n_block(html: str) -> dict[str, str]:
    match = re.search(r'<script type="application/json" id="i18n">(.*?)</script>', html, re.DOTALL)
    assert match, "no i18n block"
    return json.loads(match.group(1))


def other_meetup(title="Meetup Utrecht"):
    other = organisers.create_organiser(db.session, f"{secrets.token_hex(3)}@example.org",
                                        "another long password", name="Bo")
    m = meetups.create_meetup(db.session, other, title=title)
    db.session.commit()
    return m


# -- the phone ------------------------------------------------------------------------------


def test_the_phone_page_sends_a_stranger_to_the_join_form(client, meetup) -> None:
    response = client.get(f"/live/{meetup.id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/j/{meetup.join_token}")


def test_a_token_of_another_meetup_does_not_open_this_one(client, meetup) -> None:
    elsewhere = other_meetup()
    _, token = join(elsewhere)
    as_participant(client, meetup.id, token)
    response = client.get(f"/live/{meetup.id}")
    assert response.status_code == 302
    assert f"/j/{meetup.join_token}" in response.headers["Location"]


def test_an_unknown_meetup_is_not_found(client) -> None:
    assert client.get("/live/9999").status_code == 404


def test_the_phone_page_renders_for_a_participant_with_dutch_texts(client, meetup) -> None:
    _, token = join(meetup)
    as_participant(client, meetup.id, token)
    response = client.get(f"/live/{meetup.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Welkom, Fatima!" in html
    assert f'data-meetup="{meetup.id}"' in html
    assert 'data-as="participant"' in html
    assert f'data-ics-url="/live/{meetup.id}/afspraken.ics"' in html
    assert 'type="module" src="/static/js/phone.js"' in html
    assert 'id="connection-status"' in html and 'role="status"' in html
    texts = i18n_block(html)
    assert texts["connected"] == "Verbonden"
    assert texts["reconnecting"] == "Opnieuw verbinden…"
    assert texts["offline"] == "Offline — je invoer wordt bewaard"
    assert texts["time_up"] == "Tijd is om"
    assert texts["go_to_table"] == "Ga naar tafel {n}"
    assert texts["round_happens"] == "Wat gebeurt er al?"
    assert texts["votes_left_other"] == "Je hebt nog {n} stippen"
    assert texts["field_what"] == "Wat gaan we doen?"


def test_the_phone_page_speaks_english_on_request(client, meetup) -> None:
    _, token = join(meetup)
    as_participant(client, meetup.id, token)
    html = client.get(f"/live/{meetup.id}?lang=en").get_data(as_text=True)
    assert i18n_block(html)["go_to_table"] == "Go to table {n}"
    assert 'lang="en"' in html


# -- projector and organiser ------------------------------------------------------------------


def test_projector_and_live_control_need_an_organiser_login(client, meetup) -> None:
    for path in (f"/projector/{meetup.id}", f"/organiser/meetups/{meetup.id}/live"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/organiser/login" in response.headers["Location"]


def test_another_organisers_meetup_stays_closed(logged_in) -> None:
    elsewhere = other_meetup()
    assert logged_in.get(f"/projector/{elsewhere.id}").status_code == 403
    assert logged_in.get(f"/organiser/meetups/{elsewhere.id}/live").status_code == 403
    assert logged_in.get("/projector/9999").status_code == 404


def test_the_projector_shows_the_qr_code_and_the_short_code(logged_in, meetup) -> None:
    response = logged_in.get(f"/projector/{meetup.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'src="/projector/{meetup.id}/qr.svg"' in html
    assert meetup.short_code in html
    assert f"/j/{meetup.join_token}" in html
    assert 'data-as="projector"' in html
    assert 'src="/static/js/projector.js"' in html
    texts = i18n_block(html)
    assert texts["other_roles"] == "Overige rollen"
    assert texts["role_leerkracht_po"] == "Leerkracht PO"


def test_the_live_control_page_has_every_control(logged_in, meetup) -> None:
    response = logged_in.get(f"/organiser/meetups/{meetup.id}/live")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for text in ("Tafels indelen", "Aftelling starten", "Pauzeren", "Hervatten", "+1 min",
                 "+5 min", "Bericht aan alle schermen", "Notities modereren", "Plenair"):
        assert text in html, text
    assert f'href="/projector/{meetup.id}"' in html
    assert '<label for="timer-minutes">Minuten</label>' in html
    assert '<label for="message-text">Bericht</label>' in html
    texts = i18n_block(html)
    assert texts["hide"] == "Verbergen"
    assert texts["unhide"] == "Terugzetten"
    assert texts["phase_agreements"] == "Afspraken"


# -- the calendar file ----------------------------------------------------------------------


def agreement(meetup, participant=None, **fields):
    data = {"what": "Voorleesochtend, elke maand", "owner_name": "Fatima",
            "owner_organisation": "OBS De Linde", "first_step": "Rooster maken",
            "due_date": date(2027, 1, 15), "status": AgreementStatus.PLANNED}
    data.update(fields)
    item = Agreement(uuid=uuid.uuid4(), meetup_id=meetup.id, followup_token=secrets.token_hex(16),
                     partners=["Bibliotheek"], **data)
    db.session.add(item)
    db.session.flush()
    if participant is not None:
        db.session.add(Commitment(agreement_id=item.id, participant_id=participant.id))
    db.session.commit()
    return item


def test_the_calendar_holds_the_participants_commitments_only(client, meetup) -> None:
    me, token = join(meetup)
    someone, _ = join(meetup, name="Joost", role="gemeente", organisation="Gemeente")
    mine = agreement(meetup, me)
    theirs = agreement(meetup, someone, what="Iets anders", due_date=date(2027, 3, 1))
    undated = agreement(meetup, me, what="Zonder datum", due_date=None)
    as_participant(client, meetup.id, token)
    response = client.get(f"/live/{meetup.id}/afspraken.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert 'filename="afspraken.ics"' in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    lines = text.replace("\r\n ", "").split("\r\n")
    assert lines.count("BEGIN:VEVENT") == 1
    assert f"UID:{mine.uuid}@meetup-kansenongelijkheid" in lines
    assert "DTSTART;VALUE=DATE:20270115" in lines
    assert "SUMMARY:Eerste stap: Rooster maken" in lines
    assert str(theirs.uuid) not in text and str(undated.uuid) not in text
    assert "Voorleesochtend\\, elke maand" in text


def test_the_calendar_needs_the_participant_cookie(client, meetup) -> None:
    response = client.get(f"/live/{meetup.id}/afspraken.ics")
    assert response.status_code == 302
    assert f"/j/{meetup.join_token}" in response.headers["Location"]
