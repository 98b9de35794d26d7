"""Everything on the projector fits (issue 24, point 8): in the Tafels phase, with and without
the organiser's message, from 0 to 1,000 people, at 1920x1080 and 1280x720, no text is cut:
not the second line of names on a table card, not a theme name ("De grote overs…").

Measured in the browser: an element whose overflow is hidden (or clipped, or ellipsed) and
whose content is bigger than its box cuts text; so does anything outside the screen. Rooms are
inserted in bulk (a real room of 1,000 would take minutes to join one by one); screenshots go to
``MEETUP_SCREENSHOTS`` when set, else to the test's tmp directory.
"""

from __future__ import annotations

import hashlib
from typing import Any

from playwright.sync_api import Page, expect
from sqlalchemy import insert, select

from meetup.extensions import db
from meetup.models import Participant, Phase, Table
from meetup.services import content, phases
from tests.browser.test_live_support import assert_accessible
from tests.browser.test_projector_organiser import (
    SCREENS,
    open_projector,
    screen_context,
    shots_dir,
)

#: Long first names as they come in: compounds, hyphens, no short forms.
NAMES = ["Anne-Marie", "Mohammed-Amin", "Bartholomeus", "Wilhelmina", "Christiaan", "Jan",
         "Fatima-Zahra", "Maximiliaan", "Evelien", "Oluwaseun", "Rosalinde", "Abdelkarim"]
MESSAGE = ("Welkom in de bibliotheek!\nDe koffie en thee staan achterin de zaal klaar.\n"
           "Om 21:30 sluiten we samen af in de grote zaal.")
#: As long as a message can be (500 characters), with a line break.
LONG_MESSAGE = ("Wie nog geen tafel heeft: meld je even bij de balie bij de ingang, dan krijg je "
                "er meteen een.\n" + "Daarna gaan we samen verder met de eerste ronde. " * 9)[:500]

#: Text that does not fit its box: the element cuts it off (or it leaves the screen).
CLIPPED = """() => {
  const out = [];
  const W = window.innerWidth, H = window.innerHeight;
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest(".visually-hidden, .skip-link, [hidden], script, style, template")) continue;
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) continue;  // hidden for sight (status for screen readers)
    const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
    const s = getComputedStyle(el);
    const clips = [s.overflowX, s.overflowY].some((v) => v !== "visible");
    const name = `${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 40)}"`;
    if (clips && (el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1))
      out.push(`${name}: ${el.scrollWidth}x${el.scrollHeight} in ${el.clientWidth}x${el.clientHeight}`);
    else if (own && (r.right > W + 0.5 || r.bottom > H + 0.5 || r.left < -0.5 || r.top < -0.5))
      out.push(`${name}: off screen ${Math.round(r.right)},${Math.round(r.bottom)}`);
  }
  return out;
}"""


def assert_nothing_clipped(page: Page, where: str) -> None:
    clipped = page.evaluate(CLIPPED)
    assert clipped == [], f"{where}: {clipped}"
    assert page.evaluate("document.documentElement.scrollHeight") <= page.viewport_size["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def _room(meetup: Any, people: int) -> int:
    """``people`` participants at tables of six (themes in turn); returns the table count."""
    themes = list(meetup.themes)
    count = -(-people // 6)
    db.session.execute(insert(Table), [
        {"meetup_id": meetup.id, "theme_id": themes[i % 3].id, "number": i + 1}
        for i in range(count)])
    ids = db.session.scalars(select(Table.id).where(Table.meetup_id == meetup.id)
                             .order_by(Table.number)).all()
    rows = []
    roles = content.role_keys()
    for i in range(people):
        table = i // 6
        rows.append({
            "meetup_id": meetup.id, "display_name": f"{NAMES[i % len(NAMES)]} de Vries-{i}",
            "role": roles[i % len(roles)], "organisation": f"Organisatie {i % 40}",
            "theme_id": themes[table % 3].id, "table_id": ids[table],
            "token_hash": hashlib.sha256(f"{meetup.id}-{i}".encode()).hexdigest()})
    if rows:
        db.session.execute(insert(Participant), rows)
    return count


def _message(meetup: Any, text: str) -> None:
    phases.send_message(db.session, meetup, text)
    db.session.commit()


def _look(page: Page, out: Any, name: str) -> None:
    page.screenshot(path=str(out / f"{name}.png"))


def test_table_cards_fit_with_and_without_a_message_from_0_to_1000_people(
        server, server_app, live_meetup, live_organiser, browser, tmp_path) -> None:
    out = shots_dir(tmp_path)
    meetup = db.session.merge(live_meetup)
    phases.set_phase(db.session, meetup, Phase.TABLES, live_organiser)
    db.session.commit()
    seated = 0
    for people in (0, 6, 40, 180, 1000):
        if people > seated:
            # Add the next people at new tables (table numbers go on).
            db.session.execute(db.delete(Participant).where(Participant.meetup_id == meetup.id))
            db.session.execute(db.delete(Table).where(Table.meetup_id == meetup.id))
            tables = _room(meetup, people)
            db.session.commit()
            seated = people
        else:
            tables = 0
        for width, height in SCREENS:
            context = screen_context(browser, width, height)
            page = open_projector(context, server.base_url, live_organiser, meetup)
            for message in ("", MESSAGE, LONG_MESSAGE):
                _message(meetup, message)
                page.reload()
                expect(page.locator("#connection-status")).to_have_attribute(
                    "data-state", "connected")
                expect(page.locator(".pr-banner")).to_have_count(1 if message else 0)
                if tables:
                    # Every name of the first card is on screen, also the second line.
                    first = page.locator(".pr-table").first
                    expect(first).to_contain_text("Tafel ")
                    number = int(first.locator(".pr-table__n").inner_text().split()[-1])
                    for i in range(6 * (number - 1), min(people, 6 * number)):
                        expect(first).to_contain_text(NAMES[i % len(NAMES)])
                    # Readable from the back: the names shrink at most to 70 %; more cards
                    # than fit that way go to the next page.
                    grid = page.locator(".pr-tables").get_attribute("class") or ""
                    assert not any(f"pr-fit--{n}" in grid for n in (65, 60, 55, 50))
                    shown = page.locator(".pr-table").count()
                    if shown < tables:
                        expect(page.locator(".pr-page")).to_contain_text(f"van {tables}")
                else:
                    expect(page.locator(".pr-table")).to_have_count(0)
                kind = "long" if message == LONG_MESSAGE else "message" if message else "plain"
                _look(page, out, f"tables-{people}-{kind}-{width}x{height}")
                assert_nothing_clipped(page, f"{people} people, {kind}, {width}x{height}")
            context.close()
    _message(meetup, MESSAGE)
    context = screen_context(browser, 1280, 720)
    page = open_projector(context, server.base_url, live_organiser, meetup)
    assert_accessible(page)
    context.close()


def test_the_join_screen_names_every_theme_whole_from_0_to_1000_people(
        server, server_app, live_meetup, live_organiser, browser, tmp_path) -> None:
    out = shots_dir(tmp_path)
    meetup = db.session.merge(live_meetup)
    for people in (0, 1000):
        if people:
            _room(meetup, people)
        phases.set_phase(db.session, meetup, Phase.THEME_CHOICE, live_organiser)
        db.session.commit()
        for width, height in SCREENS:
            context = screen_context(browser, width, height)
            page = open_projector(context, server.base_url, live_organiser, meetup)
            for message in ("", MESSAGE):
                _message(meetup, message)
                page.reload()
                expect(page.locator(".pr-bar__label").first).to_be_visible()
                for title in ("Taal centraal", "De grote oversteek", "Zorg vs. lesgeven"):
                    expect(page.locator(".pr-bar__label", has_text=title)).to_have_count(1)
                kind = "message" if message else "plain"
                _look(page, out, f"themes-{people}-{kind}-{width}x{height}")
                assert_nothing_clipped(page, f"theme choice, {people} people, {kind}, "
                                             f"{width}x{height}")
            context.close()


def _evening_content(meetup: Any) -> None:
    """Notes with dots at three tables (one per theme) and a final agreement with every field
    filled in, as people write them (not at the length limits)."""
    import uuid
    from datetime import date, timedelta

    from meetup.services import agreements, board

    people = db.session.scalars(select(Participant).where(Participant.meetup_id == meetup.id)
                                .order_by(Participant.id).limit(18)).all()
    phases.set_phase(db.session, meetup, Phase.ROUND_1)
    notes = []
    for i, person in enumerate(people[::6]):
        for n in range(3):
            notes.append((person, board.create_note(
                db.session, person, uuid.uuid4(), "happens",
                f"Tafel {i + 1}, idee {n + 1}: voorlezen met ouders in de bibliotheek, samen "
                "met de peuterspeelzaal en het consultatiebureau in de wijk")))
    phases.set_phase(db.session, meetup, Phase.VOTING)
    for person, note in notes:
        board.add_vote(db.session, person, uuid.uuid4(), note.uuid)
    phases.set_phase(db.session, meetup, Phase.AGREEMENTS)
    owner = people[0]
    draft = agreements.create_draft(db.session, owner, uuid.uuid4())
    agreements.update_agreement(db.session, owner, draft.uuid, {
        "what": "Elke maand een voorleesochtend in de bibliotheek voor ouders en peuters uit "
                "de wijk, met tolken voor ouders die weinig Nederlands spreken",
        "owner_name": "Noor Bakker", "owner_organisation": "OBS De Linde",
        "partners": ["Bibliotheek", "Consultatiebureau", "Peuterspeelzaal De Vlinder"],
        "first_step": "Een datum prikken met de bibliotheek en de eerste uitnodiging maken",
        "due_date": (date.today() + timedelta(days=20)).isoformat(),
        "success_measure": "Twintig ouders komen drie keer of vaker, en de helft leent daarna "
                           "zelf boeken"})
    agreements.finalise(db.session, owner, draft.uuid)
    db.session.commit()


def test_every_phase_fits_with_a_room_of_1000_and_a_message(
        server, server_app, live_meetup, live_organiser, browser, tmp_path) -> None:
    out = shots_dir(tmp_path)
    meetup = db.session.merge(live_meetup)
    _room(meetup, 1000)
    db.session.commit()
    _evening_content(meetup)
    for phase in (Phase.ROUND_1, Phase.VOTING, Phase.AGREEMENTS, Phase.PLENARY, Phase.CLOSED):
        phases.set_phase(db.session, meetup, phase, live_organiser)
        db.session.commit()
        for width, height in SCREENS:
            context = screen_context(browser, width, height)
            page = open_projector(context, server.base_url, live_organiser, meetup)
            for message in ("", MESSAGE, LONG_MESSAGE):
                _message(meetup, message)
                page.reload()
                expect(page.locator("#connection-status")).to_have_attribute(
                    "data-state", "connected")
                expect(page.locator(".pr-banner")).to_have_count(1 if message else 0)
                if phase is Phase.PLENARY:
                    expect(page.locator(".pr-facts")).to_contain_text("Gelukt als: Twintig")
                kind = "long" if message == LONG_MESSAGE else "message" if message else "plain"
                _look(page, out, f"{phase.value}-{kind}-{width}x{height}")
                assert_nothing_clipped(page, f"{phase.value}, {kind}, {width}x{height}")
            context.close()
