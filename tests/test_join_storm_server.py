"""A room behind one address joins at once on the real server; a flood stops at the room's size.

Phones on a venue's Wi-Fi reach an internet server through one NAT address: here every phone
is 127.0.0.1. With default settings, 61 phones post the join form at the same moment (then the
rest of 300), all through the QR link, and none is refused (issue 21). A script posting 120 join
forms at once to a meetup expecting 20 gets in only the expected number and its margin, however
the posts interleave in the gevent server.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from flask import Flask

from meetup.extensions import db
from meetup.models import Meetup, Organiser, Participant
from meetup.services import meetups, organisers
from tests.servers import LiveServer, inprocess_app, live_server
from tests.socket_clients import CSRF

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("MEETUP_JOIN_LIMIT_PER_ADDRESS", raising=False)  # default settings
        with live_server(tmp_path_factory.mktemp("joinstorm")) as srv:
            yield srv


@pytest.fixture(scope="module")
def seed_app(server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with inprocess_app(server.database_url, server.env["MEETUP_SECRET_KEY"],
                       tmp_path_factory.mktemp("seed")) as app:
        yield app


def new_meetup(seed_app: Flask, **fields: int) -> Meetup:
    organiser = db.session.query(Organiser).first() or organisers.create_organiser(
        db.session, "storm@example.org", "rustig-zeven-tafels-lang")
    found = meetups.create_meetup(db.session, organiser, title="Zaal achter één adres",
                                  **fields)
    db.session.commit()
    return found


def post_join_forms(server: LiveServer, meetup: Meetup, count: int, at_once: int) -> list[int]:
    """``count`` phones fill in the form; the first ``at_once`` post it at the same moment
    (each has its form and CSRF token first), the rest as soon as a phone before them is done."""
    url = f"{server.base_url}/j/{meetup.join_token}"
    together = threading.Barrier(at_once)

    def one(n: int) -> int:
        browser = requests.Session()
        token = CSRF.search(browser.get(url, timeout=30).text)
        assert token is not None
        if n < at_once:
            together.wait(timeout=60)
        return browser.post(url, timeout=60, allow_redirects=False, headers={"Referer": url},
                            data={"csrf_token": token.group(1), "display_name": f"Telefoon {n}",
                                  "role": "leerkracht_po",
                                  "organisation": "OBS De Regenboog"}).status_code
    with ThreadPoolExecutor(max_workers=at_once) as pool:
        return list(pool.map(one, range(count)))


def stored(meetup: Meetup) -> int:
    db.session.expire_all()
    return db.session.query(Participant).filter_by(meetup_id=meetup.id).count()


def test_three_hundred_phones_behind_one_address_all_join(server: LiveServer,
                                                           seed_app: Flask) -> None:
    room = new_meetup(seed_app)
    statuses = post_join_forms(server, room, 300, at_once=61)
    assert statuses.count(302) == 300, {s: statuses.count(s) for s in set(statuses)}
    assert stored(room) == 300


def test_a_flood_of_join_forms_at_once_stops_at_the_expected_size(server: LiveServer,
                                                                   seed_app: Flask) -> None:
    room = new_meetup(seed_app, expected_participants=20)
    statuses = post_join_forms(server, room, 120, at_once=60)
    # 20 expected and a margin of 10; beyond that 20 a minute, used up by the first 30 already.
    assert statuses.count(302) == 30 and statuses.count(429) == 90, \
        {s: statuses.count(s) for s in set(statuses)}
    assert stored(room) == 30
