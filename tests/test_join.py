"""Joining from a phone: the code form, the join form behind the QR link, and coming back."""

from __future__ import annotations

import re
import threading

from flask import Flask
from flask.testing import FlaskClient

from meetup.config import PARTICIPANT_SESSION_KEY
from meetup.extensions import db
from meetup.models import Meetup, Participant, Phase
from meetup.services import join_batch, joining, meetups
from meetup.services.errors import WrongPhase
from meetup.services.joining import JoinRequest

GOOD = {"display_name": "  Şükrü   Yılmaz ", "role": "leerkracht_po",
        "organisation": " OBS De Regenboog ", "email": "", "email_consent": ""}


def join_url(meetup: Meetup) -> str:
    return f"/j/{meetup.join_token}"


def participants(meetup: Meetup) -> list[Participant]:
    return list(db.session.scalars(db.select(Participant).where(
        Participant.meetup_id == meetup.id).order_by(Participant.id)))


def field_error(html: str, field: str) -> str:
    """The text of the error paragraph attached to ``field`` (empty when none)."""
    marker = f'<p class="error" id="{field}-error">'
    if marker not in html:
        return ""
    return html.split(marker, 1)[1].split("</p>", 1)[0]


# --- /join: typing the short code ---------------------------------------------------------

def test_the_code_can_be_typed_in_lower_case_with_spaces_or_a_dash(client, meetup) -> None:
    meetup.code_before_opening = True  # the evening is tomorrow; see test_security_joining
    db.session.commit()
    code = meetup.short_code
    for typed in (code.lower(), f"{code[:3]} {code[3:]}", f"{code[:3].lower()}-{code[3:]}"):
        response = client.post("/join", data={"code": typed})
        assert response.status_code == 302, typed
        assert response.headers["Location"].endswith(join_url(meetup))


def test_an_unknown_code_shows_a_dutch_error_next_to_the_field(client, meetup) -> None:
    response = client.post("/join", data={"code": "ZZZZZZ"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Er is geen meetup met deze code" in field_error(html, "code")
    assert 'value="ZZZZZZ"' in html


def test_an_empty_code_asks_for_the_code(client, meetup) -> None:
    html = client.post("/join", data={"code": "  "}).get_data(as_text=True)
    assert field_error(html, "code") == "Typ de code van het grote scherm."


# --- /j/<token>: the join form ------------------------------------------------------------

def test_the_join_form_asks_name_role_organisation_and_optional_email(client, meetup) -> None:
    response = client.get(join_url(meetup))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Meetup Hilversum" in html
    for label in ('>Naam</label>', '>Rol</label>', '>Organisatie</label>',
                  '>E-mailadres (optioneel)</label>'):
        assert label in html
    assert '<option value="">Kies je rol</option>' in html
    assert html.count("<option value=") == 15  # the empty choice and the 14 roles
    assert ">IB&#39;er / zorgcoördinator</option>" in html
    assert 'autocomplete="organization"' in html and 'autocomplete="email"' in html
    assert 'type="email"' in html
    consent = html.split('id="email_consent"', 1)[0].rsplit("<input", 1)[1]
    assert "checked" not in consent
    assert "contactlijst van het verslag voor de gemeente" in html
    assert "zonder je naam in het verslag" in html


def test_the_roles_are_in_english_when_the_visitor_chose_english(client, meetup) -> None:
    html = client.get(join_url(meetup) + "?lang=en").get_data(as_text=True)
    assert '<option value="">Choose your role</option>' in html
    assert ">Primary school teacher</option>" in html
    assert ">Name</label>" in html


def test_joining_sets_the_cookie_and_goes_to_the_live_page(client, meetup) -> None:
    response = client.post(join_url(meetup), data=GOOD)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/live/{meetup.id}")
    assert "Expires=" in response.headers["Set-Cookie"]  # survives closing the browser

    [person] = participants(meetup)
    assert (person.display_name, person.organisation) == ("Şükrü Yılmaz", "OBS De Regenboog")
    assert person.role == "leerkracht_po"
    assert person.email is None and person.email_consent is False
    with client.session_transaction() as cookie:
        token = cookie[PARTICIPANT_SESSION_KEY][str(meetup.id)]
    assert joining.participant_for_token(db.session, meetup.id, token).id == person.id


def test_email_and_consent_are_stored_when_given(client, meetup) -> None:
    data = {**GOOD, "email": " Sukru@Example.NL ", "email_consent": "y"}
    assert client.post(join_url(meetup), data=data).status_code == 302
    [person] = participants(meetup)
    assert person.email == "sukru@example.nl"
    assert person.email_consent is True


def test_reopening_the_link_brings_the_phone_back_but_a_new_phone_sees_the_form(
        app: Flask, client: FlaskClient, meetup) -> None:
    client.post(join_url(meetup), data=GOOD)
    again = client.get(join_url(meetup))
    assert again.status_code == 302
    assert again.headers["Location"].endswith(f"/live/{meetup.id}")
    # Posting the form again (a second tab) does not make a second participant.
    assert client.post(join_url(meetup), data=GOOD).status_code == 302
    assert len(participants(meetup)) == 1

    other_phone = app.test_client()
    response = other_phone.get(join_url(meetup))
    assert response.status_code == 200
    assert '<form method="post"' in response.get_data(as_text=True)


def test_joining_a_second_meetup_keeps_the_first_in_the_cookie(client, organiser,
                                                                meetup) -> None:
    second = meetups.create_meetup(db.session, organiser, title="Meetup Utrecht")
    db.session.commit()
    client.post(join_url(meetup), data=GOOD)
    client.post(join_url(second), data={**GOOD, "display_name": "Ada"})
    with client.session_transaction() as cookie:
        assert set(cookie[PARTICIPANT_SESSION_KEY]) == {str(meetup.id), str(second.id)}
    assert client.get(join_url(meetup)).status_code == 302
    assert client.get(join_url(second)).status_code == 302


def test_a_cookie_of_another_meetup_does_not_count(client, organiser, meetup) -> None:
    second = meetups.create_meetup(db.session, organiser, title="Meetup Utrecht")
    db.session.commit()
    client.post(join_url(meetup), data=GOOD)
    with client.session_transaction() as cookie:
        token = cookie[PARTICIPANT_SESSION_KEY][str(meetup.id)]
        cookie[PARTICIPANT_SESSION_KEY] = {str(second.id): token}
    assert client.get(join_url(second)).status_code == 200


def test_each_mistake_gets_a_dutch_message_next_to_its_field(client, meetup) -> None:
    cases = [
        ({"display_name": "   "}, "display_name", "Vul je naam in."),
        ({"role": ""}, "role", "Kies je rol uit de lijst."),
        ({"role": "astronaut"}, "role", "Kies je rol uit de lijst."),
        ({"organisation": ""}, "organisation", "Vul je organisatie in."),
        ({"email": "ada@example"}, "email", "Vul een geldig e-mailadres in."),
        ({"email": "", "email_consent": "y"}, "email",
         "Vul je e-mailadres in, of vink het vakje niet aan."),
        ({"display_name": "x" * 81}, "display_name", "Je naam mag maximaal 80 tekens hebben."),
    ]
    for change, field, message in cases:
        response = client.post(join_url(meetup), data={**GOOD, **change})
        assert response.status_code == 200, change
        html = response.get_data(as_text=True)
        assert field_error(html, field) == message, (change, field_error(html, field))
        assert "kijk de gemarkeerde velden" in html
    assert participants(meetup) == []
    with client.session_transaction() as cookie:
        assert PARTICIPANT_SESSION_KEY not in cookie


def test_all_mistakes_show_at_once_and_what_was_typed_stays(client, meetup) -> None:
    html = client.post(join_url(meetup), data={
        "display_name": "", "role": "", "organisation": "", "email": "nope",
        "email_consent": ""}).get_data(as_text=True)
    for field in ("display_name", "role", "organisation", "email"):
        assert field_error(html, field), field
    assert 'value="nope"' in html


def test_the_form_suggests_organisations_others_typed(client, app, meetup) -> None:
    joining.join(db.session, meetup, JoinRequest("Bo", "gemeente", "Gemeente Hilversum"))
    db.session.commit()
    html = app.test_client().get(join_url(meetup)).get_data(as_text=True)
    assert 'list="organisation-suggestions"' in html
    assert '<option value="Gemeente Hilversum"></option>' in html


def test_a_closed_meetup_says_so_and_shows_no_form(client, meetup) -> None:
    meetup.phase = Phase.CLOSED
    db.session.commit()
    response = client.get(join_url(meetup))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Deze meetup is afgelopen; aanmelden kan niet meer." in html
    assert "<form method=\"post\" novalidate" not in html
    client.post(join_url(meetup), data=GOOD)
    assert participants(meetup) == []


def test_an_unknown_link_gets_the_dutch_not_found_page(client, meetup) -> None:
    response = client.get("/j/not-a-real-token")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Niet gevonden" in html
    assert "Deze link klopt niet. Scan de QR-code opnieuw of typ de code." in html


# --- the same form posted twice: one person ------------------------------------------------

def join_key(html: str) -> str:
    match = re.search(r'name="join_key" type="hidden" value="([^"]+)"', html)
    assert match, "the join form has no join key"
    return match.group(1)


def test_the_same_form_posted_twice_registers_one_person(app: Flask, meetup) -> None:
    """A double tap, or the browser resending after the first answer was lost: the second
    post carries no cookie yet, but it is the same form, so it is the same person."""
    key = join_key(app.test_client().get(join_url(meetup)).get_data(as_text=True))
    first, second = app.test_client(), app.test_client()
    for tab in (first, second):
        response = tab.post(join_url(meetup), data={**GOOD, "join_key": key})
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/live/{meetup.id}")
    [person] = participants(meetup)
    assert person.display_name == "Şükrü Yılmaz"
    # Whichever answer the phone kept, it is that one person (and its live page opens).
    for tab in (first, second):
        with tab.session_transaction() as cookie:
            token = cookie[PARTICIPANT_SESSION_KEY][str(meetup.id)]
        assert joining.participant_for_token(db.session, meetup.id, token).id == person.id
        assert tab.get(f"/live/{meetup.id}").status_code == 200


def test_the_same_form_posted_at_the_same_moment_registers_one_person(app: Flask,
                                                                       meetup) -> None:
    key = join_key(app.test_client().get(join_url(meetup)).get_data(as_text=True))
    tabs = [app.test_client() for _ in range(4)]
    start = threading.Barrier(len(tabs))
    statuses: list[int] = []

    def post(tab: FlaskClient) -> None:
        start.wait()
        statuses.append(tab.post(join_url(meetup),
                                 data={**GOOD, "join_key": key}).status_code)

    threads = [threading.Thread(target=post, args=(tab,)) for tab in tabs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302] * len(tabs)
    db.session.expire_all()
    [person] = participants(meetup)
    tokens = set()
    for tab in tabs:
        with tab.session_transaction() as cookie:
            tokens.add(cookie[PARTICIPANT_SESSION_KEY][str(meetup.id)])
    assert len(tokens) == 1
    assert joining.participant_for_token(db.session, meetup.id, tokens.pop()).id == person.id


def test_two_forms_are_two_people_even_with_the_same_name(app: Flask, meetup) -> None:
    """Two colleagues called the same, each on their own phone: each form has its own key."""
    for _phone in range(2):
        phone = app.test_client()
        key = join_key(phone.get(join_url(meetup)).get_data(as_text=True))
        assert phone.post(join_url(meetup), data={**GOOD, "join_key": key}).status_code == 302
    assert len(participants(meetup)) == 2


def test_a_corrected_form_keeps_its_key_and_still_registers_once(app: Flask, meetup) -> None:
    phone = app.test_client()
    key = join_key(phone.get(join_url(meetup)).get_data(as_text=True))
    wrong = phone.post(join_url(meetup), data={**GOOD, "display_name": "", "join_key": key})
    assert wrong.status_code == 200 and join_key(wrong.get_data(as_text=True)) == key
    assert participants(meetup) == []
    for tab in (phone, app.test_client()):
        assert tab.post(join_url(meetup), data={**GOOD, "join_key": key}).status_code == 302
    assert len(participants(meetup)) == 1


def test_a_made_up_or_foreign_join_key_never_reaches_someone_else(app: Flask, organiser,
                                                                    meetup) -> None:
    other = meetups.create_meetup(db.session, organiser, title="Meetup Utrecht")
    db.session.commit()
    key = join_key(app.test_client().get(join_url(other)).get_data(as_text=True))
    assert app.test_client().post(join_url(other),
                                  data={**GOOD, "join_key": key}).status_code == 302
    # The same key at another meetup, and keys too short to be a token: new people each time.
    for made_up in (key, "abc", "", "x" * 500):
        assert app.test_client().post(join_url(meetup),
                                      data={**GOOD, "join_key": made_up}).status_code == 302
    assert len(participants(meetup)) == 4
    assert len(participants(other)) == 1


def test_people_joining_at_the_same_moment_are_each_registered_once(app: Flask,
                                                                    meetup) -> None:
    """A room scanning the QR code at once: the forms share a commit, each phone its person."""
    phones = [app.test_client() for _ in range(8)]
    keys = [join_key(phone.get(join_url(meetup)).get_data(as_text=True)) for phone in phones]
    start = threading.Barrier(len(phones))
    answers: list[tuple[int, str]] = []

    def post(i: int) -> None:
        start.wait()
        response = phones[i].post(join_url(meetup), data={
            **GOOD, "display_name": f"Buur {i}", "join_key": keys[i]})
        answers.append((response.status_code, response.headers.get("Location", "")))

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(phones))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _ in answers] == [302] * len(phones)
    db.session.expire_all()
    assert sorted(p.display_name for p in participants(meetup)) == sorted(
        f"Buur {i}" for i in range(len(phones)))
    for i, phone in enumerate(phones):
        with phone.session_transaction() as cookie:
            token = cookie[PARTICIPANT_SESSION_KEY][str(meetup.id)]
        assert joining.participant_for_token(db.session, meetup.id, token).display_name \
            == f"Buur {i}"


def test_a_join_that_fails_in_a_shared_commit_leaves_the_others_stored(app: Flask, organiser,
                                                                       meetup) -> None:
    """Joins stored together: one for a meetup that has just ended is refused on its own."""
    ended = meetups.create_meetup(db.session, organiser, title="Meetup Utrecht")
    ended.phase = Phase.CLOSED
    db.session.commit()
    ids = {"open": meetup.id, "ended": ended.id}
    batcher = join_batch.JoinBatcher()
    start = threading.Barrier(4)
    outcomes: dict[str, object] = {}

    def join(name: str, where: str) -> None:
        with app.app_context():
            start.wait()
            try:
                outcomes[name] = batcher.join(db.session, ids[where],
                                              JoinRequest(name, GOOD["role"], "Buurtteam"), None)
            except WrongPhase as error:
                outcomes[name] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=join, args=args) for args in
               (("Anna", "open"), ("Bram", "ended"), ("Cor", "open"), ("Dina", "open"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert isinstance(outcomes["Bram"], WrongPhase)
    db.session.expire_all()
    assert sorted(p.display_name for p in participants(meetup)) == ["Anna", "Cor", "Dina"]
    assert participants(ended) == []


def test_more_people_than_one_commit_takes_are_stored_in_turns(app: Flask, meetup,
                                                               monkeypatch) -> None:
    """A batch holds at most MAX_BATCH joins; the first one left over leads the next commit,
    so a room larger than a batch is stored in turns and nobody waits forever."""
    monkeypatch.setattr(join_batch, "MAX_BATCH", 3)
    monkeypatch.setattr(join_batch, "WINDOW", 0.3)  # every form queues behind the leader
    stored: list[int] = []
    store = join_batch._store
    monkeypatch.setattr(join_batch, "_store",
                        lambda session, batch: (stored.append(len(batch)),
                                                store(session, batch))[1])
    phones = [app.test_client() for _ in range(8)]
    keys = [join_key(phone.get(join_url(meetup)).get_data(as_text=True)) for phone in phones]
    start = threading.Barrier(len(phones))
    statuses: list[int] = []

    def post(i: int) -> None:
        start.wait()
        statuses.append(phones[i].post(join_url(meetup), data={
            **GOOD, "display_name": f"Buur {i}", "join_key": keys[i]}).status_code)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(phones))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [302] * len(phones)
    assert sum(stored) == len(phones) and max(stored) <= 3 and len(stored) >= 3
    db.session.expire_all()
    assert sorted(p.display_name for p in participants(meetup)) == sorted(
        f"Buur {i}" for i in range(len(phones)))


def test_under_gevent_joins_whose_shared_commit_fails_all_get_the_error_page(
        tmp_path, database_url) -> None:
    """As ``meetup serve`` runs (gevent): five phones post the join form at the same moment
    and their one shared commit fails. Every phone gets the error page and no cookie (no
    phone may carry a participant that was never stored); pressing the button again, the
    same forms register each person once."""
    from tests.gevent_scenarios import run_scenario

    seen = run_scenario("joins_fail_together", tmp_path, database_url)
    assert seen["batches"][0] == 5, seen["batches"]  # the five joins shared one commit
    assert [(a["status"], a["error_page"]) for a in seen["failed"]] == [(500, True)] * 5
    assert [(a["set_cookies"], a["token"]) for a in seen["failed"]] == [([], None)] * 5
    assert seen["stored_after_failure"] == 0
    assert [a["status"] for a in seen["again"]] == [302] * 5
    assert all(a["token"] for a in seen["again"])
    assert seen["stored_names"] == [f"Buur {i}" for i in range(5)]
