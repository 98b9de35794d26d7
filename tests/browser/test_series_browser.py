"""A series in the browser: the organiser makes a follow-up meetup, a phone continues an
agreement of last time, and the web report compares (issue 25)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from meetup.extensions import db
from meetup.models import Agreement, Meetup
from tests.browser.conftest import login
from tests.browser.test_live_support import (
    assert_accessible,
    assert_no_sideways_scroll,
    expect_connected,
    phone_as,
    seat_people,
    watch_errors,
)
from tests.realtime_helpers import wait_until
from tests.series_factories import earlier_meetup, follow_up


def test_the_organiser_makes_a_follow_up_meetup_from_the_meetup_list(
        server, server_app, live_organiser, new_phone) -> None:
    earlier, _made = earlier_meetup(live_organiser)
    page = new_phone(320).new_page()
    errors = watch_errors(page)
    login(page, server.base_url, live_organiser)
    page.goto(f"{server.base_url}/organiser/")
    page.get_by_role("link", name="Vervolgmeetup maken van Meetup Hilversum").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vervolgmeetup")
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    page.get_by_label("Naam van de reeks").fill("Meetup Kansenongelijkheid Gooi")
    page.get_by_label("Titel").fill("Meetup Bussum")
    page.get_by_label("Plaats").fill("Bussum")
    page.get_by_role("button", name="Vervolgmeetup aanmaken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meetup Bussum")
    db.session.expire_all()
    later = db.session.query(Meetup).filter_by(title="Meetup Bussum",
                                               organiser_id=live_organiser.id).one()
    assert later.previous_meetup_id == earlier.id
    assert later.theme_by_key("taal").question == "Hoe krijgt elk kind taal mee?"

    page.goto(f"{server.base_url}/organiser/")
    page.get_by_role("link", name="Meetup Kansenongelijkheid Gooi").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meetup Kansenongelijkheid Gooi")
    rows = page.locator("table.meetup-list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("Bussum")
    expect(rows.nth(1)).to_contain_text("Meetup Hilversum")
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    assert errors == []


def test_a_phone_continues_an_agreement_of_last_time(server, server_app, live_organiser,
                                                     new_phone) -> None:
    earlier, made = earlier_meetup(live_organiser)
    later = follow_up(live_organiser, earlier)
    (person, token), = seat_people(later, live_organiser,
                                   [("Carla Smit", "gemeente", "Gemeente Bussum", "taal")],
                                   "agreements")
    context = new_phone(320)
    phone_as(context, server_app, server.base_url, later.id, token)
    page = context.new_page()
    errors = watch_errors(page)
    page.goto(f"{server.base_url}/live/{later.id}")
    expect_connected(page)
    page.get_by_role("button", name="Verder met een afspraak van vorige keer").click()
    earlier_list = page.locator(".earlier-agreements")
    expect(earlier_list).to_contain_text("Voorleesouders op elke school")
    expect(earlier_list).to_contain_text("Taalcafé voor ouders")
    expect(earlier_list).not_to_contain_text("Zorgspreekuur")  # another theme
    expect(earlier_list).to_contain_text("bezig")
    assert_accessible(page)
    assert_no_sideways_scroll(page)

    page.locator(".earlier-agreement", has_text="Voorleesouders op elke school") \
        .get_by_role("button", name="Hiermee verder").click()
    card = page.locator("li.agreement--draft").first
    expect(card).to_contain_text("Vervolg op: Voorleesouders op elke school")
    what = card.get_by_label("Wat gaan we doen?")
    expect(what).to_have_value("Voorleesouders op elke school")
    expect(card.get_by_role("textbox", name=re.compile("^Wie trekt"))).to_have_value("Fatima")
    what.fill("Voorleesouders, nu ook op de BSO")
    what.blur()
    expect(page.locator("#connection-status")).to_have_attribute("data-state", "connected")

    def stored() -> Agreement | None:
        db.session.expire_all()
        return db.session.query(Agreement).filter_by(meetup_id=later.id).one_or_none()

    found = wait_until(lambda: (a := stored()) is not None
                       and a.what == "Voorleesouders, nu ook op de BSO" and a)
    assert found is not None and found.continues_agreement_id == made["voorlezen"].id
    assert found.what == "Voorleesouders, nu ook op de BSO"
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    assert errors == []


def test_the_web_report_compares_with_last_time_at_320_px(server, server_app, live_organiser,
                                                          new_phone) -> None:
    earlier, made = earlier_meetup(live_organiser)
    later = follow_up(live_organiser, earlier)
    page = new_phone(320).new_page()
    errors = watch_errors(page)
    login(page, server.base_url, live_organiser)
    page.goto(f"{server.base_url}/organiser/meetups/{later.id}/report/web")
    chapter = page.locator("#comparison")
    expect(chapter.get_by_role("heading", level=2)).to_have_text(
        "Wat werd er van de vorige afspraken?")
    expect(chapter).to_contain_text("Deze meetup is een vervolg op Meetup Hilversum.")
    expect(chapter.locator(".earlier", has_text="Taalcafé voor ouders")).to_contain_text(
        "nog geen bericht")
    expect(chapter.locator(".earlier", has_text="Voorleesouders op elke school")) \
        .to_contain_text("Bezig")
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    assert errors == []


def test_the_overview_across_the_series_filters_by_city_at_320_px(
        server, server_app, live_organiser, new_phone) -> None:
    earlier, _made = earlier_meetup(live_organiser)
    later = follow_up(live_organiser, earlier)
    page = new_phone(320).new_page()
    errors = watch_errors(page)
    login(page, server.base_url, live_organiser)
    page.goto(f"{server.base_url}/organiser/series/{later.series_id}")
    page.get_by_role("link", name="Afspraken in de hele reeks").click()
    expect(page.locator("#overview-count")).to_contain_text("3 van 3 afspraken getoond.")
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    page.get_by_label("Thema").select_option(label="Zorg vs. lesgeven")
    page.get_by_role("button", name="Filteren").click()
    expect(page.locator("#overview-count")).to_contain_text("1 van 3 afspraken getoond.")
    expect(page.get_by_text("Zorgspreekuur op school")).to_be_visible()
    expect(page.get_by_text("Voorleesouders op elke school")).to_have_count(0)
    expect(page.get_by_label("Thema")).to_have_value("zorg")
    with page.expect_download() as download:
        page.get_by_role("link", name="Downloaden als CSV").click()
    body = open(download.value.path(), encoding="utf-8-sig").read()
    assert "Zorgspreekuur op school" in body and "Voorleesouders" not in body
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    assert errors == []
