"""A whole evening in real browsers: an organiser laptop, the projector and three phones."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.browser.test_live_support import (
    expect_connected,
    join_phone,
    open_control,
    phone_as,
    seat_people,
    set_phase,
    watch_errors,
)


def test_a_whole_evening_from_joining_to_the_calendar_file(server, server_app, live_meetup,
                                                           live_organiser, laptop, new_phone):
    base = server.base_url
    control, control_errors = open_control(laptop, base, live_organiser, live_meetup)
    projector = laptop.new_page()
    projector.goto(f"{base}/projector/{live_meetup.id}")
    expect(projector.locator(".pr-code")).to_contain_text(live_meetup.short_code)

    fatima, fatima_errors = join_phone(new_phone(360), base, live_meetup, "Fatima El Amrani",
                                       "Leerkracht PO", "OBS De Linde")
    joost, joost_errors = join_phone(new_phone(360), base, live_meetup, "Joost Bakker",
                                     "Gemeente", "Gemeente Hilversum")
    sanne, sanne_errors = join_phone(new_phone(360), base, live_meetup, "Sanne de Wit",
                                     "Jeugd- en jongerenwerk", "Jongerenwerk Hilversum")
    expect(fatima.get_by_role("heading", name="Welkom, Fatima!")).to_be_visible()
    expect(projector.locator(".pr-joined")).to_have_text("3 mensen aangemeld")

    # Theme choice: two phones pick "Taal centraal", one "De grote oversteek".
    set_phase(control, "Themakeuze")
    for phone, theme in ((fatima, "Taal centraal"), (joost, "Taal centraal"),
                         (sanne, "De grote oversteek")):
        card = phone.locator(".theme-card", has=phone.get_by_role("heading", name=theme))
        card.get_by_role("button", name="Kies dit thema").click()
        expect(card.get_by_role("button", name="Jouw keuze")).to_have_attribute(
            "aria-pressed", "true")
    expect(projector.locator(".pr-bar--taal .pr-bar__count")).to_have_text("2")

    # The organiser forms tables; the phones learn their table.
    control.get_by_role("button", name="Tafels indelen").click()
    expect(control.locator("#tables-result")).to_have_text("2 tafels ingedeeld.")
    set_phase(control, "Tafels")
    expect(fatima.locator(".table-call")).to_have_text(re.compile(r"Ga naar tafel \d+"))
    table_fatima = fatima.locator(".table-call").inner_text()
    expect(joost.locator(".table-call")).to_have_text(table_fatima)
    expect(sanne.locator(".table-call")).not_to_have_text(table_fatima)
    expect(fatima.locator(".members")).to_contain_text("Joost")
    expect(fatima.locator(".members")).to_contain_text("Gemeente")

    # Round 1: a note appears at the same table, not at the other one.
    set_phase(control, "Ronde 1")
    expect(fatima.get_by_role("heading", name="Wat gebeurt er al?")).to_be_visible()
    note_text = "De bibliotheek leest elke week voor op school"
    fatima.get_by_label("Jouw notitie").fill(note_text)
    expect(fatima.locator("#note-counter")).to_have_text(f"{len(note_text)} van 280 tekens")
    fatima.get_by_role("button", name="Plaatsen").click()
    expect(joost.locator(".note-text", has_text=note_text)).to_be_visible()
    expect(joost.locator(".note-meta").first).to_have_text("van Fatima")
    sanne.get_by_label("Jouw notitie").fill("Overstapdag voor groep 8")
    sanne.get_by_role("button", name="Plaatsen").click()
    expect(sanne.locator(".note-text", has_text="Overstapdag")).to_be_visible()
    expect(joost.locator(".note-text", has_text="Overstapdag")).to_have_count(0)
    expect(sanne.locator(".note-text", has_text=note_text)).to_have_count(0)
    expect(control.locator(".ol-note__text", has_text=note_text)).to_be_visible()

    # Voting: Joost puts a dot on Fatima's note; Fatima sees the tally live.
    set_phase(control, "Stemmen")
    expect(joost.locator(".votes-left")).to_have_text("Je hebt nog 3 stippen")
    joost.locator(".note--vote", has_text=note_text).get_by_role(
        "button", name="+ Stip geven").click()
    expect(joost.locator(".votes-left")).to_have_text("Je hebt nog 2 stippen")
    expect(fatima.locator(".note--vote", has_text=note_text).locator(".tally")).to_contain_text(
        "1 stip")

    # Agreements: Fatima drafts, Joost sees it; finishing without a date is refused in Dutch.
    set_phase(control, "Afspraken")
    fatima.get_by_role("button", name="+ Nieuwe afspraak").click()
    fatima.get_by_label("Wat gaan we doen?").fill("Elke maand een voorleesochtend in de wijk")
    fatima.get_by_label("Wie trekt het? (naam)").fill("Fatima El Amrani")
    fatima.get_by_label("Organisatie").fill("OBS De Linde")
    fatima.get_by_label("Eerste stap").fill("Rooster maken met de bibliotheek")
    fatima.get_by_label("Eerste stap").blur()
    expect(joost.get_by_label("Wat gaan we doen?")).to_have_value(
        "Elke maand een voorleesochtend in de wijk")
    expect(joost.get_by_label("Eerste stap")).to_have_value("Rooster maken met de bibliotheek")
    joost.get_by_text("Kies uit de lijst (0 gekozen)").click()
    joost.get_by_label("Bibliotheek", exact=True).check()
    expect(fatima.get_by_label("Bibliotheek", exact=True)).to_be_checked()

    fatima.get_by_role("button", name="Afronden").click()
    alert = fatima.locator(".agreement [role=alert]")
    expect(alert).to_have_text("Om af te ronden vul je nog in: de datum.")
    expect(fatima.get_by_label("Wanneer?")).to_have_attribute("aria-invalid", "true")
    first_step = date.today() + timedelta(days=30)
    joost.get_by_label("Wanneer?").fill(first_step.isoformat())
    expect(fatima.get_by_label("Wanneer?")).to_have_value(first_step.isoformat())
    expect(fatima.get_by_label("Wanneer?")).not_to_have_attribute("aria-invalid", "true")
    fatima.get_by_role("button", name="Afronden").click()
    expect(fatima.locator(".chip--final")).to_have_text("Afgerond")
    expect(joost.locator(".chip--final")).to_have_text("Afgerond")

    joost.get_by_role("button", name="Ik doe mee").click()
    expect(joost.get_by_role("button", name="✓ Je doet mee")).to_have_attribute(
        "aria-pressed", "true")
    expect(fatima.locator(".signed-count")).to_have_text("1 persoon doet mee")
    expect(control.locator(".ol-table", has_text="De grote oversteek").locator(
        ".ol-warning")).to_have_text("⚠ Nog geen afgeronde afspraak")

    # Plenary: the projector shows the agreement in large type.
    set_phase(control, "Plenair")
    expect(control.locator(".ol-plenary-pos")).to_have_text("Afspraak 1 van 1")
    expect(projector.locator(".pr-agreement__what")).to_have_text(
        "Elke maand een voorleesochtend in de wijk")
    expect(projector.locator(".pr-facts")).to_contain_text(
        "Trekker: Fatima El Amrani, OBS De Linde")
    expect(projector.locator(".pr-facts")).to_contain_text("Met Bibliotheek")
    expect(projector.locator(".pr-signed")).to_contain_text("1 persoon doet mee")

    # Closing: Joost sees his commitment and downloads it for his calendar.
    set_phase(control, "Afgesloten")
    expect(joost.get_by_role("heading", name="Bedankt voor je inzet!")).to_be_visible()
    expect(joost.locator(".commitments")).to_contain_text("voorleesochtend")
    with joost.expect_download() as download_info:
        joost.get_by_role("link", name="Zet je eerste stappen in je agenda (.ics)").click()
    ics = download_info.value.path().read_text(encoding="utf-8")
    assert f"DTSTART;VALUE=DATE:{first_step.strftime('%Y%m%d')}" in ics
    assert "Rooster maken met de bibliotheek" in ics.replace("\r\n ", "")
    expect(projector.locator(".pr-closed")).to_contain_text("Vanavond maakten we 1 afspraak.")

    # Fatima pulls the agreement: her closing screen holds its private follow-up link.
    followup = fatima.get_by_role("link", name="Voortgang bijwerken")
    expect(followup).to_be_visible()
    assert joost.get_by_role("link", name="Voortgang bijwerken").count() == 0
    followup.click()
    expect(fatima.get_by_text("Elke maand een voorleesochtend in de wijk").first).to_be_visible()
    assert "/f/" in fatima.url

    assert control_errors == [] and fatima_errors == [] and joost_errors == []
    assert sanne_errors == []


def test_the_organiser_steers_timer_message_moderation_and_seating(
        server, server_app, live_meetup, live_organiser, laptop, new_phone):
    base = server.base_url
    joined = seat_people(live_meetup, live_organiser, [
        ("Mirjam Visser", "leerkracht_po", "OBS De Linde", "taal"),
        ("Kees Mulder", "gemeente", "Gemeente Hilversum", "zorg"),
    ], "round_1")
    control, control_errors = open_control(laptop, base, live_organiser, live_meetup)
    context = new_phone(360)
    phone_as(context, server_app, base, live_meetup.id, joined[0][1])
    phone = context.new_page()
    phone_errors = watch_errors(phone)
    phone.goto(f"{base}/live/{live_meetup.id}")
    expect_connected(phone)
    timer = phone.locator("#live-timer")

    # The countdown: same on the phone, paused, extended, cleared.
    control.get_by_label("Minuten").fill("2")
    control.get_by_role("button", name="Aftelling starten").click()
    expect(timer).to_have_text(re.compile(r"[12]:\d\d"))
    control.get_by_role("button", name="Pauzeren").click()
    expect(timer).to_have_class(re.compile("timer--paused"))
    expect(control.locator("#timer-state")).to_have_text("gepauzeerd")
    control.get_by_role("button", name="+5 min").click()
    expect(timer).to_have_text(re.compile(r"[67]:\d\d"))
    control.get_by_role("button", name="Hervatten").click()
    expect(timer).not_to_have_class(re.compile("timer--paused"))
    control.get_by_role("button", name="Wissen").click()
    expect(timer).to_be_hidden()

    # A message on every screen, and gone again.
    control.get_by_label("Bericht", exact=True).fill("De koffie staat klaar")
    control.get_by_role("button", name="Versturen").click()
    expect(phone.locator(".banner")).to_contain_text("De koffie staat klaar")
    control.get_by_role("button", name="Bericht weghalen").click()
    expect(phone.locator(".banner")).to_have_count(0)

    # Moderation: a hidden note leaves the phone and comes back.
    phone.get_by_label("Jouw notitie").fill("Dit hoort hier niet")
    phone.get_by_role("button", name="Plaatsen").click()
    expect(phone.locator(".note-meta")).to_have_text("van Mirjam")
    note = control.locator(".ol-note", has_text="Dit hoort hier niet")
    note.get_by_role("button", name="Verbergen").click()
    expect(phone.locator(".note-text", has_text="Dit hoort hier niet")).to_have_count(0)
    expect(note).to_contain_text("Verborgen")
    note.get_by_role("button", name="Terugzetten").click()
    expect(phone.locator(".note-text", has_text="Dit hoort hier niet")).to_have_count(1)

    # Moving Mirjam to Kees's table: her phone follows.
    kicker = phone.locator(".kicker")
    before = kicker.inner_text()
    target = "2" if before.startswith("Tafel 1") else "1"
    control.get_by_role("button", name="Verplaats Mirjam Visser").click()
    control.get_by_label("Naar tafel").select_option(target)
    control.get_by_role("button", name="Verplaatsen", exact=True).click()
    expect(kicker).to_have_text(re.compile(rf"^Tafel {target} "))
    expect(control.locator(f"#table-{target}-title").locator("xpath=..")).to_contain_text(
        "Mirjam Visser")

    # A cap per theme is saved.
    control.get_by_label("Maximum voor Taal centraal").fill("25")
    control.locator('[data-action="cap-save"][data-theme="taal"]').click()
    expect(control.locator("#live-done")).to_have_text("Gedaan.")
    control.reload()
    expect_connected(control)
    expect(control.get_by_label("Maximum voor Taal centraal")).to_have_value("25")

    assert control_errors == [] and phone_errors == []
