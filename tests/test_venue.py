"""The venue laptop (``meetup venue``): which address the QR code points to, whether a second
address reaches the server, backups on a second folder; and the real command in a private
network namespace, warning when phones cannot reach the laptop."""

from __future__ import annotations

import socket
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from meetup.services import backup, venue
from meetup.services.venue import Interface
from tests.servers import free_port
from tests.venue_net import VenueNet, venue_net, venue_process

LO = Interface("lo", "127.0.0.1")
WIFI = Interface("wlp2s0", "192.168.1.23")
ETH = Interface("enp0s31f6", "10.0.0.7")
DOCKER = Interface("docker0", "172.17.0.1")
LINK_LOCAL = Interface("eth1", "169.254.10.2")
PUBLIC = Interface("eth2", "145.1.2.3")


def test_the_interface_with_the_default_route_wins_over_others() -> None:
    choice = venue.choose_address([LO, DOCKER, ETH, WIFI], default_source=WIFI.address)
    assert (choice.address, choice.interface, choice.how) == (WIFI.address, "wlp2s0",
                                                              "default-route")
    # The other real network is named (phones may be there); containers and loopback are not.
    assert choice.others == (ETH,)
    assert venue.public_url(choice.address, 5000) == "http://192.168.1.23:5000"


def test_without_a_default_route_the_first_private_address_of_a_real_interface() -> None:
    # No internet at the venue: often no default route at all.
    choice = venue.choose_address([LO, DOCKER, LINK_LOCAL, PUBLIC, WIFI, ETH],
                                  default_source=None)
    assert (choice.address, choice.how) == (WIFI.address, "private")
    assert choice.others == (PUBLIC, ETH)


def test_a_default_route_through_a_container_bridge_is_still_taken_only_when_it_is_real() -> None:
    # A default route whose address is not among the interfaces (a stale answer) is ignored.
    choice = venue.choose_address([LO, ETH], default_source="192.0.2.99")
    assert (choice.address, choice.how) == (ETH.address, "private")


def test_a_laptop_on_no_network_falls_back_to_loopback_and_says_phones_cannot_reach() -> None:
    for interfaces in ([LO], [LO, LINK_LOCAL], []):
        choice = venue.choose_address(interfaces, default_source=None)
        assert (choice.address, choice.how) == ("127.0.0.1", "none")
        assert not choice.reachable_by_phones


def test_an_address_given_by_the_organiser_wins() -> None:
    choice = venue.choose_address([LO, WIFI, ETH], default_source=WIFI.address, given=ETH.address)
    assert (choice.address, choice.interface, choice.how) == (ETH.address, ETH.name, "given")


def test_the_real_interfaces_are_read() -> None:
    assert LO in venue.local_interfaces()


class _Hello(BaseHTTPRequestHandler):
    def do_HEAD(self) -> None:  # noqa: N802
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[int]:
    server = HTTPServer(("127.0.0.1", 0), _Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_a_probe_reaches_a_listening_server_from_a_second_address(http_server: int) -> None:
    result = venue.probe("127.0.0.1", http_server, source="127.0.0.2")
    assert result.ok, result
    assert venue.isolation_suspected([result]) is False


def test_a_probe_to_an_address_that_refuses_suspects_isolation() -> None:
    with socket.socket() as closed:  # a port that nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    result = venue.probe("127.0.0.1", port, source="127.0.0.2")
    assert not result.ok and result.detail
    assert venue.isolation_suspected([result]) is True
    assert venue.isolation_suspected([]) is None  # nothing to test from: no verdict


def test_probes_come_from_the_other_addresses_unless_given() -> None:
    choice = venue.choose_address([LO, WIFI, ETH], default_source=WIFI.address)
    assert venue.probe_sources(choice) == [ETH.address]
    assert venue.probe_sources(choice, ["10.9.9.9"]) == ["10.9.9.9"]


def _database(path: Path) -> str:
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE notes (text TEXT)")
        con.execute("INSERT INTO notes VALUES ('Voorleesochtend met de bibliotheek')")
    return f"sqlite:///{path}"


def test_the_rolling_backup_is_copied_to_the_stick_keeping_the_newest(tmp_path: Path) -> None:
    url = _database(tmp_path / "live.sqlite3")
    stick = tmp_path / "usb"
    for minute in range(4):
        made = backup.rolling_backup(url, tmp_path / "backups", keep=3,
                                     now=datetime(2026, 12, 3, 19, minute, tzinfo=UTC))
        backup.copy_rolling(made, stick, keep=3)
    copies = sorted(p.name for p in stick.iterdir())
    assert copies == sorted(p.name for p in (tmp_path / "backups").iterdir())
    assert len(copies) == 3 and copies[-1].startswith("meetup-20261203-1903")
    with sqlite3.connect(stick / copies[-1]) as con:
        assert con.execute("SELECT text FROM notes").fetchone() == (
            "Voorleesochtend met de bibliotheek",)


# -- the real command, in a private network namespace ------------------------------------------


@pytest.fixture(scope="module")
def net() -> Iterator[VenueNet]:
    with venue_net() as made:
        yield made


@pytest.mark.server
def test_venue_warns_when_phones_cannot_reach_the_address(net: VenueNet, tmp_path: Path) -> None:
    port = free_port()
    # The address given is this machine's end of the link, where nothing listens on the port:
    # a probe from the laptop's second address is refused, as on a guest Wi-Fi.
    with venue_process(net, tmp_path, port, "--address", net.host_address) as run:
        run.wait_for_line(rf"Phones join at:\s+http://{net.host_address}:{port}")
        run.wait_for_line(rf"from {net.second_address}: FAILED")
        run.wait_for_line("WARNING: the network seems to isolate its clients")
        run.wait_for_line("start a hotspot on the laptop or a phone")


@pytest.mark.server
def test_venue_does_not_warn_when_a_second_address_reaches_it(net: VenueNet,
                                                              tmp_path: Path) -> None:
    port = free_port()
    with venue_process(net, tmp_path, port, "--backup-dir", str(tmp_path / "usb"),
                       "--backup-interval", "1") as run:
        run.wait_for_line(rf"Phones join at:\s+http://{net.laptop_address}:{port}\s*$")
        run.wait_for_line(rf"Reached {net.laptop_address}:{port} from {net.second_address}: ok")
        # The USB stick receives a rolling backup, a sound copy of the evening's database.
        stick = tmp_path / "usb"
        copy = run.wait_for(lambda: next(stick.glob("meetup-*.sqlite3"), None),
                            "a backup on the stick")
        with sqlite3.connect(copy) as con:
            assert con.execute("SELECT title FROM meetups").fetchone() == ("Meetup Hilversum",)
        assert "isolate" not in run.output


def test_a_stick_pulled_out_does_not_stop_the_backups(tmp_path: Path,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    from meetup.cli import housekeeping_once
    from meetup.extensions import db
    from tests.conftest import make_app

    gone = tmp_path / "usb"
    gone.write_text("not a folder: the stick is gone")
    app = make_app(tmp_path, BACKUP_DIR=str(tmp_path / "backups"), BACKUP_COPY_DIR=str(gone))
    with app.app_context():
        db.create_all()
    housekeeping_once(app, {})
    assert len(list((tmp_path / "backups").glob("meetup-*.sqlite3"))) == 1
    assert "could not be copied" in caplog.text
    # Back in: the next round's backup reaches it.
    gone.unlink()
    state: dict[str, object] = {}
    housekeeping_once(app, state)
    assert len(list(gone.glob("meetup-*.sqlite3"))) == 1
