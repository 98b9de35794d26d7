"""The projector and the organiser's live page with a full room (issue 11, points 6, 10, 11,
13, 14, 15, 16).

Big rooms (1,000 people, 30 or 170 tables) are seeded through the services directly; a few
python-socketio clients play the phones whose writes the screens must follow. Screenshots go
to ``MEETUP_SCREENSHOTS`` when set (to look at the pages), else to the test's tmp directory.
"""

from __future__ import annotations

import os
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import PIL.Image
import pytest
import zxingcpp
from playwright.sync_api import Browser, BrowserContext, Page, expect

from meetup.extensions import db
from meetup.models import Meetup, Participant
from meetup.services import content, joining, links, meetups, phases, tables
from meetup.services.joining import JoinRequest
from tests.browser.conftest import login
from tests.browser.test_live_support import (
    assert_accessible,
    assert_no_sideways_scroll,
    expect_connected,
    open_control,
    set_phase,
    watch_errors,
)
from tests.socket_clients import Socket

SCREENS = [(1920, 1080), (1280, 720)]
#: Seeding 1,000 people through the services takes a while on a shared 2-core machine.
BIG_ROOM = pytest.mark.timeout(600)
THEMES = ("taal", "overgangen", "zorg")
MESSAGE = ("Welkom in de bibliotheek!\nDe koffie en thee staan achterin de zaal klaar.\n"
           "Om 21:30 sluiten we samen af in de grote zaal.")


def shots_dir(tmp_path: Path) -> Path:
    target = Path(os.environ.get("MEETUP_SCREENSHOTS") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)
    return target


def seed_room(meetup: Meetup, organiser: Any, people: int, *, phase: str,
              form: bool = True) -> list[tuple[Participant, str]]:
    """``people`` participants with every role and theme, tables formed, in ``phase``."""
    roles = content.role_keys()
    # The organiser expected this room (otherwise the live page says more came than expected).
    meetup.expected_participants = max(meetup.expected_participants, people)
    joined = []
    for i in range(people):
        participant, token = joining.join(db.session, meetup, JoinRequest(
            f"Deelnemer{i:04d} Achternaam", roles[(i % len(roles)) if i % 3 else (i // 3) % 4], f"Organisatie {i % 40}"))
        joining.choose_theme(db.session, participant, THEMES[i % 3])
        joined.append((participant, token))
    if form:
        tables.form_tables(db.session, meetup, organiser)
    phases.set_phase(db.session, meetup, phase, organiser)
    db.session.commit()
    return joined


def cookie_for(server_app: Any, meetup_id: int, token: str) -> str:
    serializer = server_app.session_interface.get_signing_serializer(server_app)
    value = serializer.dumps({"participants": {str(meetup_id): token}, "_permanent": True})
    return f"{server_app.config['SESSION_COOKIE_NAME']}={value}"


def phone_socket(server: Any, server_app: Any, meetup: Meetup, token: str) -> Socket:
    return Socket(server, cookie_for(server_app, meetup.id, token), meetup.id).connect()


def screen_context(browser: Browser, width: int, height: int) -> BrowserContext:
    return browser.new_context(viewport={"width": width, "height": height}, locale="nl-NL")


def open_projector(context: BrowserContext, base: str, organiser: Any, meetup: Meetup) -> Page:
    page = context.new_page()
    login(page, base, organiser)
    page.goto(f"{base}/projector/{meetup.id}")
    expect_connected(page)
    return page


def inside_viewport(page: Page, selector: str) -> None:
    """Every element matching ``selector`` is wholly on screen, and the page does not scroll."""
    size = page.viewport_size
    boxes = page.locator(selector).evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return [r.left, r.top, r.right, r.bottom]; })")
    assert boxes, selector
    for left, top, right, bottom in boxes:
        assert left >= 0 and top >= 0, (selector, left, top)
        assert right <= size["width"] + 0.5 and bottom <= size["height"] + 0.5, (
            selector, right, bottom, size)
    assert page.evaluate("document.documentElement.scrollHeight") <= size["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]


def decode_qr(page: Page, path: Path) -> str:
    page.screenshot(path=str(path))
    found = zxingcpp.read_barcodes(PIL.Image.open(path))
    assert found, f"no QR code found in {path}"
    return found[0].text


# -- the projector --------------------------------------------------------------------------


@BIG_ROOM
def test_qr_and_code_stay_on_screen_and_decodable_with_1000_people_and_a_long_message(
        server, server_app, live_meetup, live_organiser, browser, tmp_path):
    seed_room(live_meetup, live_organiser, 1000, phase="registration", form=False)
    phases.send_message(db.session, live_meetup, MESSAGE)
    db.session.commit()
    join_url = links.join_url(server.base_url + "/", live_meetup)
    out = shots_dir(tmp_path)
    for width, height in SCREENS:
        context = screen_context(browser, width, height)
        page = open_projector(context, server.base_url, live_organiser, live_meetup)
        errors = watch_errors(page)
        expect(page.locator(".pr-joined")).to_have_text("1000 mensen aangemeld")
        expect(page.locator(".pr-banner")).to_contain_text("Om 21:30 sluiten we samen af")
        inside_viewport(page, ".pr-join__qr img")
        inside_viewport(page, ".pr-code")
        inside_viewport(page, ".pr-banner")
        assert decode_qr(page, out / f"projector-join-{width}x{height}.png") == join_url

        # The role list is bounded: the five biggest roles and "overige".
        roles = page.locator(".pr-bars").nth(1).locator(".pr-bar")
        expect(roles).to_have_count(6)
        expect(roles.last.locator(".pr-bar__label")).to_have_text("Overige rollen")
        # The audience sees no connection status, no buttons and no label twice.
        status = page.locator("#connection-status")
        assert status.bounding_box()["width"] <= 1
        assert page.get_by_role("button").count() == 0
        body = page.locator("body").inner_text()
        assert body.count("Aanmelden") == 1 and body.count(live_meetup.short_code) == 1
        assert_accessible(page)
        assert errors == []

        # Theme choice keeps the QR code for late arrivals.
        if width == 1280:
            phases.set_phase(db.session, live_meetup, "theme_choice", live_organiser)
            db.session.commit()
            page.reload()
            expect_connected(page)
            expect(page.get_by_role("heading", name="Kies je thema op je telefoon")).to_be_visible()
            inside_viewport(page, ".pr-join__qr img")
            assert decode_qr(page, out / "projector-theme-choice-1280x720.png") == join_url
        context.close()


@BIG_ROOM
def test_thirty_tables_fit_one_screen_and_more_turn_pages(
        server, server_app, live_meetup, live_organiser, browser, tmp_path):
    seed_room(live_meetup, live_organiser, 180, phase="tables")
    assert len(live_meetup.tables) == 30
    out = shots_dir(tmp_path)
    for width, height in SCREENS:
        context = screen_context(browser, width, height)
        page = open_projector(context, server.base_url, live_organiser, live_meetup)
        expect(page.locator(".pr-table")).to_have_count(30)
        inside_viewport(page, ".pr-table")
        expect(page.locator(".pr-page")).to_have_count(0)
        page.screenshot(path=str(out / f"projector-30-tables-{width}x{height}.png"))
        phases.set_phase(db.session, live_meetup, "round_1", live_organiser)
        db.session.commit()
        page.reload()
        expect_connected(page)
        expect(page.get_by_role("heading", name="Wat gebeurt er al?")).to_be_visible()
        # The phase is named once (top bar), not again above the question.
        assert page.locator("body").inner_text().count("Ronde 1") == 1
        inside_viewport(page, ".pr-table")
        phases.set_phase(db.session, live_meetup, "tables", live_organiser)
        db.session.commit()
        context.close()


@BIG_ROOM
def test_a_room_of_170_tables_shows_them_in_pages(
        server, server_app, live_meetup, live_organiser, browser, tmp_path):
    seed_room(live_meetup, live_organiser, 1000, phase="tables")
    count = len(live_meetup.tables)
    assert count >= 160
    context = screen_context(browser, 1280, 720)
    page = open_projector(context, server.base_url, live_organiser, live_meetup)
    expect(page.locator(".pr-page")).to_contain_text(f"van {count}")
    tiles = page.locator(".pr-table").count()
    assert 0 < tiles <= 30
    inside_viewport(page, ".pr-table")
    page.screenshot(path=str(shots_dir(tmp_path) / "projector-170-tables-1280x720.png"))
    context.close()


def _agreement(sock: Socket, what: str) -> str:
    agreement = str(uuid.uuid4())
    sock.write("agreement.create", {"agreement": agreement})
    sock.write("agreement.update", {"agreement": agreement, "fields": {
        "what": what, "owner_name": "Noor", "owner_organisation": "OBS De Linde",
        "first_step": "Bellen", "due_date": (date.today() + timedelta(days=20)).isoformat()}})
    return agreement


def test_voting_agreements_and_plenary_progress_follow_the_room(
        server, server_app, live_meetup, live_organiser, browser, laptop, tmp_path):
    joined = seed_room(live_meetup, live_organiser, 12, phase="round_1")
    by_table: dict[int, list[str]] = {}
    for participant, token in joined:
        by_table.setdefault(participant.table.number, []).append(token)
    numbers = sorted(by_table)
    first = phone_socket(server, server_app, live_meetup, by_table[numbers[0]][0])
    second = phone_socket(server, server_app, live_meetup, by_table[numbers[0]][1])
    other = phone_socket(server, server_app, live_meetup, by_table[numbers[1]][0])
    note = str(uuid.uuid4())
    first.write("note.create", {"note": note, "round": "happens",
                                "text": "Een vaste voorleesochtend met de bibliotheek"})
    control, control_errors = open_control(laptop, server.base_url, live_organiser, live_meetup)
    context = screen_context(browser, 1280, 720)
    projector = open_projector(context, server.base_url, live_organiser, live_meetup)
    projector_errors = watch_errors(projector)
    out = shots_dir(tmp_path)

    # Voting: the note with the most dots appears under its theme as the dots come in.
    set_phase(control, "Stemmen")
    expect(projector.get_by_role("heading", name="Meeste stippen per thema")).to_be_visible()
    second.write("vote.add", {"vote": str(uuid.uuid4()), "note": note})
    top = projector.locator(".pr-toplist li", has_text="Een vaste voorleesochtend")
    expect(top).to_contain_text("1 stip")
    first.write("vote.add", {"vote": str(uuid.uuid4()), "note": note})
    expect(top).to_contain_text("2 stippen")
    projector.screenshot(path=str(out / "projector-voting-1280x720.png"))
    assert_accessible(projector)

    # Agreements: "x van N tafels" follows every agreement made final.
    set_phase(control, "Afspraken")
    done = projector.locator(".pr-done__text")
    expect(done).to_have_text(f"0 van {len(numbers)} tafels hebben een afgeronde afspraak")
    mine = _agreement(first, "Voorleesochtend elke maand")
    theirs = _agreement(other, "Spreekuur van de jeugdverpleegkundige op school")
    first.write("agreement.finalise", {"agreement": mine})
    expect(done).to_have_text(f"1 van {len(numbers)} tafels hebben een afgeronde afspraak")
    projector.screenshot(path=str(out / "projector-agreements-1280x720.png"))
    inside_viewport(projector, ".pr-theme")

    # Plenary: an agreement finalised now joins the list at once, "x van N" follows.
    set_phase(control, "Plenair")
    expect(control.locator(".ol-plenary-pos")).to_have_text("Afspraak 1 van 1")
    expect(projector.locator(".pr-agreement__what")).to_have_text("Voorleesochtend elke maand")
    other.write("agreement.finalise", {"agreement": theirs})
    expect(control.locator(".ol-plenary-pos")).to_have_text("Afspraak 1 van 2")
    expect(projector.locator(".pr-kicker")).to_contain_text("Afspraak 1 van 2")
    next_button = control.get_by_role("button", name="Volgende dia →")
    expect(next_button).to_be_enabled()
    next_button.click()
    expect(projector.locator(".pr-agreement__what")).to_have_text(
        "Spreekuur van de jeugdverpleegkundige op school")
    # The last agreement: "next" is disabled and looks it.
    expect(next_button).to_be_disabled()
    assert float(next_button.evaluate("b => getComputedStyle(b).opacity")) < 0.7
    # Reopened while on screen: the list shrinks and the other one is shown.
    other.write("agreement.reopen", {"agreement": theirs})
    expect(control.locator(".ol-plenary-pos")).to_have_text("Afspraak 1 van 1")
    expect(projector.locator(".pr-agreement__what")).to_have_text("Voorleesochtend elke maand")
    projector.screenshot(path=str(out / "projector-plenary-1280x720.png"))
    assert_accessible(projector)
    for sock in (first, second, other):
        sock.close()
    context.close()
    assert projector_errors == [] and control_errors == []


def test_the_plenary_controls_appear_when_the_first_agreement_is_final(
        server, server_app, live_meetup, live_organiser, laptop):
    joined = seed_room(live_meetup, live_organiser, 4, phase="agreements")
    sock = phone_socket(server, server_app, live_meetup, joined[0][1])
    draft = _agreement(sock, "Samen een ouderavond over taal")
    control, errors = open_control(laptop, server.base_url, live_organiser, live_meetup)
    set_phase(control, "Plenair")
    expect(control.locator("#plenary-control")).to_contain_text(
        "Nog geen bevestigde groepen of afgeronde afspraken.")
    expect(control.get_by_role("button", name="Volgende dia →")).to_have_count(0)
    sock.write("agreement.finalise", {"agreement": draft})
    expect(control.locator(".ol-plenary-pos")).to_have_text("Afspraak 1 van 1")
    expect(control.locator(".ol-plenary-what")).to_contain_text("Samen een ouderavond over taal")
    sock.close()
    assert errors == []


def test_the_projector_on_a_narrow_window_does_not_scroll_sideways(
        server, server_app, live_meetup, live_organiser, browser):
    seed_room(live_meetup, live_organiser, 30, phase="registration", form=False)
    context = screen_context(browser, 320, 640)
    page = open_projector(context, server.base_url, live_organiser, live_meetup)
    expect(page.locator(".pr-code")).to_be_visible()
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    context.close()


# -- the organiser's live page ----------------------------------------------------------------


@BIG_ROOM
def test_the_organiser_page_with_170_tables_on_a_laptop(
        server, server_app, live_meetup, live_organiser, laptop, tmp_path):
    joined = seed_room(live_meetup, live_organiser, 1000, phase="round_1")
    count = len(live_meetup.tables)
    control, errors = open_control(laptop, server.base_url, live_organiser, live_meetup)
    expect(control.locator(".ol-table")).to_have_count(count)
    # One dialog moves people: no dropdown per person.
    assert control.locator("#overview select").count() == 0
    expect(control.locator(".ol-attention")).to_contain_text("Er vraagt nu niets je aandacht.")
    # The sticky bar (phase, countdown, message) stays in view while scrolling down the rows.
    bar = control.locator(".ol-bar")
    assert bar.bounding_box()["height"] < 768 / 3
    control.locator(f"#table-{count}-title").scroll_into_view_if_needed()
    assert bar.bounding_box()["y"] <= 1
    expect(control.get_by_role("button", name="Volgende →")).to_be_in_viewport()
    expect(control.get_by_label("Bericht", exact=True)).to_be_in_viewport()
    control.screenshot(path=str(shots_dir(tmp_path) / "organiser-170-tables-1366x768.png"))
    control.evaluate("window.scrollTo(0, 0)")

    # Moving a person: the dialog from their name, the row follows.
    person, _token = joined[0]
    before = person.table.number
    target = 2 if before == 1 else 1
    control.get_by_role("button", name=f"Verplaats {person.display_name}").click()
    dialog = control.get_by_role("dialog", name="Iemand naar een andere tafel verplaatsen")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Wie?")).to_have_value(str(person.id))
    assert_accessible(control)
    dialog.get_by_label("Naar tafel").select_option(str(target))
    dialog.get_by_role("button", name="Verplaatsen", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(control.locator(f"#table-{target}-title").locator("xpath=..")).to_contain_text(
        person.display_name)
    expect(control.locator(f"#table-{before}-title").locator("xpath=..")).not_to_contain_text(
        person.display_name)
    assert errors == []


def test_a_late_arrival_leaves_the_list_without_a_table_the_moment_they_are_seated(
        server, server_app, live_meetup, live_organiser, laptop, tmp_path):
    seed_room(live_meetup, live_organiser, 12, phase="round_1")
    control, errors = open_control(laptop, server.base_url, live_organiser, live_meetup)
    expect(control.locator("#unseated")).to_be_hidden()
    late, token = joining.join(db.session, live_meetup,
                               JoinRequest("Laat Binnen", "gemeente", "Gemeente Hilversum"))
    other, other_token = joining.join(db.session, live_meetup,
                                      JoinRequest("Ook Laat", "jeugdwerk", "Jongerenwerk"))
    db.session.commit()
    late_phone = phone_socket(server, server_app, live_meetup, token)
    other_phone = phone_socket(server, server_app, live_meetup, other_token)

    # They appear near the top, and in the summary.
    unseated = control.locator("#unseated")
    expect(unseated).to_be_visible()
    expect(unseated).to_contain_text("Zonder tafel (2)")
    expect(unseated).to_contain_text("Laat Binnen")
    expect(control.locator(".ol-attention")).to_contain_text("2 mensen zonder tafel")
    assert unseated.bounding_box()["y"] < control.locator("#overview").bounding_box()["y"]
    control.screenshot(path=str(shots_dir(tmp_path) / "organiser-unseated-1366x768.png"))
    assert_accessible(control)

    # Choosing a theme seats one at once: gone from the list without a new phase.
    ack = late_phone.write("theme.choose", {"theme": "taal"})
    assert ack["table"] is not None
    expect(unseated).to_contain_text("Zonder tafel (1)")
    expect(unseated).not_to_contain_text("Laat Binnen")
    expect(control.locator(f"#table-{ack['table']}-title").locator("xpath=..")).to_contain_text(
        "Laat Binnen")

    # The organiser seats the other through the dialog; the list disappears.
    unseated.get_by_role("button", name="Verplaats Ook Laat").click()
    dialog = control.get_by_role("dialog")
    dialog.get_by_label("Naar tafel").select_option("1")
    dialog.get_by_role("button", name="Verplaatsen", exact=True).click()
    expect(unseated).to_be_hidden()
    expect(control.locator(".ol-attention")).to_contain_text("Er vraagt nu niets je aandacht.")
    for sock in (late_phone, other_phone):
        sock.close()
    assert other.id and errors == []


def test_attention_near_the_end_hidden_notes_and_the_default_countdown(
        server, server_app, live_meetup, live_organiser, laptop, tmp_path):
    meetups.update_meetup(db.session, live_meetup, phase_minutes={"agreements": 25})
    joined = seed_room(live_meetup, live_organiser, 12, phase="round_1")
    sock = phone_socket(server, server_app, live_meetup, joined[0][1])
    note = str(uuid.uuid4())
    sock.write("note.create", {"note": note, "round": "happens", "text": "Dit hoort hier niet"})
    control, errors = open_control(laptop, server.base_url, live_organiser, live_meetup)
    timer = control.locator(".ol-timer")

    # No countdown yet: its buttons are disabled and look it.
    pause = control.get_by_role("button", name="Pauzeren")
    expect(pause).to_be_disabled()
    assert float(pause.evaluate("b => getComputedStyle(b).opacity")) < 0.7

    # Hiding a note shows up in the summary.
    control.locator(".ol-note", has_text="Dit hoort hier niet").get_by_role(
        "button", name="Verbergen").click()
    expect(control.locator(".ol-attention")).to_contain_text("1 verborgen notitie")

    # Entering "Afspraken" starts its 25 minutes everywhere; tables without a final
    # agreement are listed.
    set_phase(control, "Afspraken")
    expect(timer).to_have_text(re_minutes(24, 25))
    expect(control.get_by_label("Minuten")).to_have_value("25")
    expect(pause).to_be_enabled()
    n = len(live_meetup.tables)
    expect(control.locator(".ol-attention")).to_contain_text(
        f"{n} tafels zonder afgeronde afspraak")
    expect(control.locator(".ol-table--warn")).to_have_count(n)
    # The organiser can still change it.
    control.get_by_label("Minuten").fill("3")
    control.get_by_role("button", name="Aftelling starten").click()
    expect(timer).to_have_text(re_minutes(2, 3))
    assert_accessible(control)
    sock.close()
    assert errors == []


def re_minutes(low: int, high: int) -> Any:
    import re

    return re.compile(rf"^({low}|{high}):\d\d$")


def test_the_organiser_page_on_a_narrow_window(server, server_app, live_meetup, live_organiser,
                                               browser):
    seed_room(live_meetup, live_organiser, 8, phase="round_1")
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="nl-NL")
    page, errors = open_control(context, server.base_url, live_organiser, live_meetup)
    expect(page.locator(".ol-table")).to_have_count(len(live_meetup.tables))
    too_wide = page.evaluate("""() => Array.from(document.querySelectorAll('body *'))
        .filter(e => e.getBoundingClientRect().right > innerWidth + 0.5)
        .map(e => e.tagName + '.' + e.className).slice(0, 5)""")
    assert too_wide == []
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    context.close()
    assert errors == []
