"""Browser tests: a real server on loopback and headless Debian Chromium via Playwright.

Every test here is marked ``browser``. The server and browser are shared per module; each test
makes its own meetup so tests do not see each other's data.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from meetup.extensions import db
from meetup.models import Meetup, Organiser
from meetup.services import meetups, organisers
from tests.servers import LiveServer, inprocess_app, live_server

PASSWORD = "browser-test-password"
AXE = (Path(__file__).resolve().parent.parent / "vendor" / "axe-4.10.3.min.js").read_text()
CHROMIUM_ARGS = ["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with live_server(tmp_path_factory.mktemp("live")) as srv:
        yield srv


@pytest.fixture(scope="module")
def server_app(server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An in-process app on the server's database, to seed and inspect data."""
    with inprocess_app(server.database_url, server.env["MEETUP_SECRET_KEY"],
                       tmp_path_factory.mktemp("instance")) as app:
        yield app


@pytest.fixture
def live_organiser(server_app: Flask) -> Organiser:
    import secrets

    org = organisers.create_organiser(
        db.session, f"org-{secrets.token_hex(4)}@example.org", PASSWORD, name="Organisator")
    db.session.commit()
    return org


@pytest.fixture
def live_meetup(live_organiser: Organiser) -> Meetup:
    m = meetups.create_meetup(
        db.session, live_organiser, title="Meetup Hilversum", city="Hilversum",
        venue="Bibliotheek Hilversum", starts_at=datetime(2026, 12, 3, 17, 30, tzinfo=UTC))
    db.session.commit()
    return m


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(
        executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def phone(browser: Browser, playwright_instance: Playwright) -> Iterator[BrowserContext]:
    """A phone-sized browser context (Pixel 7: 412 px wide, touch)."""
    context = browser.new_context(**playwright_instance.devices["Pixel 7"], locale="nl-NL")
    yield context
    context.close()


@pytest.fixture
def new_phone(browser: Browser, playwright_instance: Playwright) -> Iterator[Any]:
    """Factory for several phones in one test."""
    contexts: list[BrowserContext] = []

    def make(width: int | None = None) -> BrowserContext:
        device = dict(playwright_instance.devices["Pixel 7"])
        if width:
            device["viewport"] = {"width": width, "height": 780}
        ctx = browser.new_context(**device, locale="nl-NL")
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def laptop(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="nl-NL")
    yield context
    context.close()


def login(page: Page, base_url: str, organiser: Organiser) -> None:
    page.goto(f"{base_url}/organiser/login")
    page.get_by_label("E-mailadres").fill(organiser.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{base_url}/organiser/**")


def axe_violations(page: Page, *, tags: tuple[str, ...] = ("wcag2a", "wcag2aa", "wcag21a",
                                                             "wcag21aa")) -> list[dict]:
    """Run axe-core in the page (CSP allows evaluate) and return the violations."""
    page.evaluate(AXE)
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        list(tags))
    return result["violations"]


def describe(violations: list[dict]) -> str:
    return json.dumps([
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:3]]}
        for v in violations], indent=1)
