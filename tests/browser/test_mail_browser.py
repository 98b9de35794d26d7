"""Follow-up mail in real browsers (issue 23): the table picks the owner, the owner ticks
"Stuur mij herinneringen" on the phone, the development mailbox shows what was mailed when
the meetup closed, and the unsubscribe page. Axe-clean, no sideways scroll at 320 px.

The server runs with a development mailbox and its mail scheduler every second (the greenlet
inside ``meetup serve``)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from meetup.extensions import db
from meetup.models import Phase, ReminderConsent, Unsubscribe
from meetup.services import agreements, phases, unsubscribe
from meetup.services.agreements import today_in_amsterdam
from tests.browser.conftest import login
from tests.browser.test_live_support import (
    assert_accessible,
    assert_no_sideways_scroll,
    expect_connected,
    phone_as,
    seat_people,
    watch_errors,
)
from tests.servers import LiveServer, live_server

MAILBOX: dict[str, Path] = {}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    box = tmp_path_factory.mktemp("mailbox")
    MAILBOX["path"] = box
    with live_server(tmp_path_factory.mktemp("live"), MEETUP_MAIL_DEV_MAILBOX=str(box),
                     MEETUP_MAIL_INTERVAL="1") as srv:
        yield srv


def open_phone(context: BrowserContext, server_app: Any, base: str, meetup_id: int,
               token: str) -> tuple[Page, list[str]]:
    phone_as(context, server_app, base, meetup_id, token)
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(f"{base}/live/{meetup_id}")
    expect_connected(page)
    return page, errors


def _evening(meetup: Any, organiser: Any) -> tuple[Any, str, Any]:
    """Anna and Bram at one table in the agreements phase; a final agreement whose owner is
    Anna (picked from the table) and a draft without owner."""
    (anna, anna_token), (bram, _bram_token) = seat_people(meetup, organiser, [
        ("Anna de Vries", "leerkracht_po", "OBS De Regenboog", "taal"),
        ("Bram Bakker", "jeugdwerk", "Jongerenwerk Hilversum", "taal")], "agreements")
    anna.email = "anna@example.org"
    final = agreements.create_draft(db.session, anna, uuid.uuid4())
    agreements.update_agreement(db.session, anna, final.uuid, {
        "what": "Voorleesouders in groep 1-2", "owner": anna.id, "first_step": "Ouders vragen",
        "due_date": (today_in_amsterdam() + timedelta(days=20)).isoformat()})
    agreements.finalise(db.session, anna, final.uuid)
    draft = agreements.create_draft(db.session, bram, uuid.uuid4())
    agreements.update_agreement(db.session, bram, draft.uuid, {"what": "Taalcafé"})
    db.session.commit()
    return anna, anna_token, draft


def test_the_owner_is_picked_from_the_table_and_ticks_reminders_on_the_phone(
        server, server_app, live_meetup, live_organiser, new_phone) -> None:
    anna, token, draft = _evening(live_meetup, live_organiser)
    page, errors = open_phone(new_phone(320), server_app, server.base_url, live_meetup.id,
                              token)
    # The draft: "Wie trekt het?" offers the people at the table; picking fills in the name.
    picker = page.locator(f"#ag-{draft.uuid}-owner-pick")
    expect(picker).to_be_visible()
    picker.select_option(str(anna.id))
    expect(page.locator(f"#ag-{draft.uuid}-owner_name")).to_have_value("Anna de Vries")
    expect(page.locator(f"#ag-{draft.uuid}-owner_organisation")).to_have_value(
        "OBS De Regenboog")

    # The final agreement Anna leads: the consent, with the address she gave at joining.
    box = page.get_by_label("Stuur mij herinneringen over deze afspraak")
    expect(box.first).not_to_be_checked()
    email = page.get_by_label("Je e-mailadres").first
    expect(email).to_have_value("anna@example.org")
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    box.first.check()
    expect(page.get_by_text("Aan: mail gaat naar anna@example.org")).to_be_visible()
    consent = _wait_for(lambda: db.session.scalar(select(ReminderConsent).where(
        ReminderConsent.participant_id == anna.id)))
    assert consent is not None and consent.email == "anna@example.org" \
        and consent.withdrawn_at is None
    # Still there after a reload; then withdrawn from the phone.
    page.reload()
    expect_connected(page)
    box = page.get_by_label("Stuur mij herinneringen over deze afspraak").first
    expect(box).to_be_checked()
    box.uncheck()
    expect(page.get_by_text("Aan: mail gaat naar")).to_have_count(0)
    assert _wait_for(lambda: db.session.get(ReminderConsent, consent.id).withdrawn_at)
    assert errors == []


def _wait_for(read: Any, timeout: float = 10.0) -> Any:
    """``read()`` once it returns something (the server commits after the page showed it)."""
    deadline = time.monotonic() + timeout
    while True:
        db.session.rollback()
        db.session.expire_all()
        found = read()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def _wait_for_mail(folder: Path, timeout: float = 30.0) -> None:
    """Until the server's scheduler has written a mail (a condition, polled)."""
    deadline = time.monotonic() + timeout
    while not list(folder.glob("*.eml")):
        assert time.monotonic() < deadline, "the mail scheduler wrote nothing"
        time.sleep(0.1)


def test_the_development_mailbox_shows_what_the_owner_received_at_the_close(
        server, server_app, live_meetup, live_organiser, laptop, new_phone) -> None:
    anna, token, _draft = _evening(live_meetup, live_organiser)
    page, errors = open_phone(new_phone(), server_app, server.base_url, live_meetup.id, token)
    page.get_by_label("Stuur mij herinneringen over deze afspraak").first.check()
    expect(page.get_by_text("Aan: mail gaat naar anna@example.org")).to_be_visible()
    phases.set_phase(db.session, db.session.merge(live_meetup), Phase.CLOSED, live_organiser)
    db.session.commit()
    _wait_for_mail(MAILBOX["path"])

    organiser = laptop.new_page()
    organiser_errors = watch_errors(organiser)
    login(organiser, server.base_url, live_organiser)
    organiser.goto(f"{server.base_url}/organiser/meetups/{live_meetup.id}")
    organiser.get_by_role("link", name="Open de ontwikkelmailbox").click()
    expect(organiser.get_by_text("Alleen voor ontwikkeling en demonstratie.")).to_be_visible()
    organiser.get_by_role("link", name="Je afspraak van Meetup Hilversum: Voorleesouders "
                                         "in groep 1-2").click()
    expect(organiser.get_by_text("Deze mail is niet verstuurd.")).to_be_visible()
    expect(organiser.locator(".mail-text")).to_contain_text("Ouders vragen")
    expect(organiser.get_by_text("afspraak.ics")).to_be_visible()
    assert_accessible(organiser)
    organiser.set_viewport_size({"width": 320, "height": 780})
    assert_no_sideways_scroll(organiser)
    organiser.goto(f"{server.base_url}/organiser/mailbox")
    assert_accessible(organiser)
    assert_no_sideways_scroll(organiser)
    assert errors == [] and organiser_errors == []


def test_the_unsubscribe_page_asks_then_confirms(
        server, server_app, live_meetup, new_phone) -> None:
    token = unsubscribe.make_token(server_app.config["SECRET_KEY"], live_meetup.id,
                                   "anna@example.org")
    page = new_phone(320).new_page()
    errors = watch_errors(page)
    page.goto(f"{server.base_url}/u/{token}")
    expect(page.get_by_role("heading", name="Geen mail meer over deze meetup")).to_be_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    page.get_by_role("button", name="Stop alle mail over deze meetup").click()
    expect(page.get_by_text("Klaar: je krijgt op dit adres geen herinneringen")).to_be_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    assert errors == []
    db.session.expire_all()
    assert db.session.scalar(select(Unsubscribe.how).where(
        Unsubscribe.meetup_id == live_meetup.id)) == "link"


def test_the_follow_up_board_with_500_agreements_on_a_laptop_and_at_320_px(
        server, server_app, live_meetup, live_organiser, laptop) -> None:
    from datetime import date

    from tests.report_factories import add_agreement

    meetup = db.session.merge(live_meetup)
    meetup.phase = Phase.CLOSED
    for n in range(500):
        add_agreement(meetup, what=f"Afspraak nummer {n} over voorlezen en taal",
                      owner_name=f"Trekker {n}", owner_organisation="Bibliotheek Gooi",
                      due_date=date(2027, 3, 1), status="in_progress" if n % 3 else "done")
    db.session.commit()
    page = laptop.new_page()
    errors = watch_errors(page)
    login(page, server.base_url, live_organiser)
    page.goto(f"{server.base_url}/organiser/meetups/{live_meetup.id}/board")
    expect(page.get_by_text("500 afspraken")).to_be_visible()
    assert_no_sideways_scroll(page)
    page.get_by_role("link", name="Gerealiseerd", exact=True).click()
    expect(page.get_by_text("167 afspraken")).to_be_visible()
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 780})
    assert_no_sideways_scroll(page)
    page.get_by_role("link", name="Afspraak nummer 3 over voorlezen en taal").click()
    expect(page.get_by_role("heading", name="Leg een update vast namens de trekker")).to_be_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    page.get_by_label("Bezig").check()
    page.get_by_label("Korte toelichting (mag leeg blijven)").fill("Gebeld: loopt weer")
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.get_by_text("De update is opgeslagen, gemarkeerd als door jou vastgelegd.")) \
        .to_be_visible()
    expect(page.locator(".history")).to_contain_text("Gebeld: loopt weer")
    assert errors == []


def test_a_refused_mail_shows_on_the_board_with_the_servers_reason_at_320_px(
        server, server_app, live_meetup, live_organiser, new_phone) -> None:
    """The mail server refused the owner's address for good: the board says "geweigerd" with
    the server's words, and the agreement's page says what to do; both fit 320 px."""
    from datetime import UTC, date, datetime

    from meetup.models import MailKind, OutboxMail
    from tests.report_factories import add_agreement

    meetup = db.session.merge(live_meetup)
    meetup.phase = Phase.CLOSED
    agreement = add_agreement(meetup, what="Spreekuur GGD op school", owner_name="Carla Jansen",
                              owner_organisation="GGD Gooi", due_date=date(2027, 3, 1),
                              status="planned")
    db.session.flush()
    reason = ("550 5.1.1 <carla.jansen-van-der-heijden@ggd-gooi-en-vechtstreek.example.nl>: "
              "Recipient address rejected: User unknown in virtual mailbox table")
    db.session.add(OutboxMail(
        meetup_id=meetup.id, agreement_id=agreement.id, kind=MailKind.OWNER_CLOSED,
        recipient="carla.jansen-van-der-heijden@ggd-gooi-en-vechtstreek.example.nl",
        dedup_key=f"refused:{agreement.id}", data={}, due_at=datetime.now(UTC),
        failed_at=datetime.now(UTC), attempts=1, last_error=reason, cancel_reason=""))
    db.session.commit()
    page = new_phone(320).new_page()
    errors = watch_errors(page)
    login(page, server.base_url, live_organiser)
    page.goto(f"{server.base_url}/organiser/meetups/{live_meetup.id}/board")
    row = page.get_by_role("row").filter(has_text="Spreekuur GGD op school")
    expect(row).to_contain_text("geweigerd: 1")
    expect(row).to_contain_text("Recipient address rejected: User unknown")
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    page.get_by_role("link", name="Spreekuur GGD op school").click()
    expect(page.get_by_text("De mailserver weigerde de mail: 550 5.1.1")).to_be_visible()
    expect(page.get_by_text("Controleer het adres met de eigenaar, of stuur de link zelf.")) \
        .to_be_visible()
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    assert errors == []
