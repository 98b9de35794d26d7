"""The venue laptop for real: ``meetup venue`` in a private network namespace (the laptop on
the venue's network), the projector in the laptop's browser and a phone on that network.

What a person notices: the projector shows the laptop's network address and a QR code that
scans to it; a phone opens it and joins; nothing on the pages comes from outside (there is no
internet); the USB stick receives a backup.
"""

from __future__ import annotations

import io
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import PIL.Image
import pytest
import zxingcpp
from playwright.sync_api import Browser, Page, Playwright

from tests.servers import free_port
from tests.venue_net import VenueNet, venue_net, venue_process


@pytest.fixture(scope="module")
def net() -> Iterator[VenueNet]:
    with venue_net() as made:
        yield made


@pytest.fixture(scope="module")
def browser(net: VenueNet, playwright_instance: Playwright) -> Iterator[Browser]:
    """Chromium as in conftest, also let through to the laptop's test address (the resolver
    rules map every other address, IP literals too, to "not found")."""
    from tests.browser.conftest import CHROMIUM_ARGS

    args = [CHROMIUM_ARGS[0] + f" , EXCLUDE {net.laptop_address}"]
    launched = playwright_instance.chromium.launch(
        executable_path="/usr/bin/chromium", headless=True, args=args)
    yield launched
    launched.close()


def requests_seen(page: Page) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    return seen


def test_phones_join_the_laptop_over_the_venue_network_without_internet(
        net: VenueNet, tmp_path: Path, browser: Browser,
        playwright_instance: Playwright) -> None:
    port = free_port()
    stick = tmp_path / "usb"
    with venue_process(net, tmp_path, port, "--backup-dir", str(stick),
                       "--backup-interval", "1") as run:
        base = run.wait_for_line(r"Phones join at:\s+(\S+)").group(1)
        assert base == f"http://{net.laptop_address}:{port}"
        email = run.wait_for_line(r"Demo organiser: (\S+)").group(1)
        password = run.wait_for_line(r"Password \(shown once, note it down\): (\S+)").group(1)
        meetup_id = run.wait_for_line(r"projector:\s+\S+/projector/(\d+)").group(1)
        run.wait_for_line(r"Reached .* ok")
        assert "isolate" not in run.output

        # The organiser's laptop opens the projector at the address that was printed.
        laptop = browser.new_context(viewport={"width": 1366, "height": 768}, locale="nl-NL")
        projector = laptop.new_page()
        laptop_requests = requests_seen(projector)
        projector.goto(f"{base}/organiser/login")
        projector.get_by_label("E-mailadres").fill(email)
        projector.get_by_label("Wachtwoord").fill(password)
        projector.get_by_role("button", name="Inloggen").click()
        projector.wait_for_url(f"{base}/organiser/**")
        projector.goto(f"{base}/projector/{meetup_id}")
        projector.wait_for_load_state("networkidle")
        # The address in text, for people who type it, and the QR code pointing to the laptop.
        address = f"{net.laptop_address}:{port}/join"
        assert projector.get_by_text(re.compile(re.escape(address))).first.is_visible()
        shot = PIL.Image.open(io.BytesIO(projector.screenshot()))
        join_url = zxingcpp.read_barcodes(shot)[0].text
        assert join_url.startswith(f"{base}/j/")

        # A phone on the venue's network scans it and joins.
        phone_context = browser.new_context(**playwright_instance.devices["Pixel 7"],
                                            locale="nl-NL")
        phone = phone_context.new_page()
        phone_requests = requests_seen(phone)
        phone.goto(join_url)
        phone.get_by_label("Naam", exact=True).fill("Zoë de Vries")
        phone.get_by_label("Rol", exact=True).select_option(label="Jeugd- en jongerenwerk")
        phone.get_by_label("Organisatie", exact=True).fill("Jongerenwerk Hilversum")
        phone.get_by_role("button", name="Aanmelden").click()
        phone.wait_for_url(f"{base}/live/{meetup_id}")
        phone.wait_for_load_state("networkidle")
        run.wait_for_line(r"A phone reached the laptop \(from ")

        # No internet at the venue: every request of both pages stays on the laptop.
        outside = [url for url in laptop_requests + phone_requests
                   if not url.startswith((f"{base}/", f"ws://{net.laptop_address}:{port}/",
                                          "data:"))]
        assert outside == []

        # The USB stick holds a backup with the person who just joined.
        def backup_with_zoe() -> bool:
            for copy in stick.glob("meetup-*.sqlite3"):
                with sqlite3.connect(copy) as con:
                    names = {row[0] for row in con.execute(
                        "SELECT display_name FROM participants")}
                if "Zoë de Vries" in names:
                    return True
            return False

        run.wait_for(backup_with_zoe, "a backup on the stick holding the new participant")
        phone_context.close()
        laptop.close()
