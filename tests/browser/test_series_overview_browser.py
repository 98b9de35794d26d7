"""The overview across a series in the browser: the organisations that come back across its
meetups, narrowed by a filter, and the PDF for the national partners (issue 25, point 6)."""

from __future__ import annotations

import subprocess

from playwright.sync_api import expect

from meetup.extensions import db
from tests.browser.conftest import login
from tests.browser.test_live_support import (
    assert_accessible,
    assert_no_sideways_scroll,
    watch_errors,
)
from tests.series_factories import (
    earlier_meetup,
    finished_agreement,
    follow_up,
    seated_at_agreements,
)


def test_the_returning_organisations_filter_by_theme_and_the_pdf_follows_at_320_px(
        server, server_app, live_organiser, new_phone) -> None:
    earlier, _made = earlier_meetup(live_organiser)
    later = follow_up(live_organiser, earlier)
    people = seated_at_agreements(later, live_organiser)
    finished_agreement(people["taal"], "Voorlezen in Bussum", "Carla", "Bieb Gooi")
    finished_agreement(people["zorg"], "Spreekuur in Bussum", "Dirk", "Gem. Bussum",
                       ["ggd  gooi"])
    db.session.commit()
    page = new_phone(320).new_page()
    errors = watch_errors(page)
    login(page, server.base_url, live_organiser)
    page.goto(f"{server.base_url}/organiser/series/{later.series_id}/overview")
    page.get_by_role("link", name="Organisaties die terugkomen").click()
    count = page.locator("#organisations-count")
    expect(count).to_have_text("Organisaties in meer dan één meetup: 2.")
    expect(page.get_by_role("heading", name="Bibliotheek Gooi")).to_be_visible()
    expect(page.get_by_text("Ook geschreven als: Bieb Gooi")).to_be_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page)

    page.get_by_label("Thema").select_option(label="Zorg vs. lesgeven")
    page.get_by_role("button", name="Filteren").click()
    expect(count).to_have_text("Organisaties in meer dan één meetup: 1.")
    ggd = page.get_by_role("region", name="GGD Gooi", exact=True)
    expect(ggd).to_contain_text("Zorgspreekuur op school")
    expect(ggd).to_contain_text("Spreekuur in Bussum")
    expect(page.get_by_role("heading", name="Bibliotheek Gooi")).to_have_count(0)
    expect(page.get_by_role("link", name="Afspraken", exact=True)).to_have_attribute(
        "href", f"/organiser/series/{later.series_id}/overview?theme=zorg")
    with page.expect_download() as download:
        page.get_by_role("link", name="Pdf voor de landelijke partners").click()
    text = " ".join(subprocess.run(["pdftotext", download.value.path(), "-"],
                                   capture_output=True, text=True, check=True).stdout.split())
    assert "Alleen de afspraken met thema Zorg vs. lesgeven." in text
    assert "GGD Gooi (2 meetups)" in text and "Bibliotheek Gooi (2 meetups)" not in text
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    assert errors == []
