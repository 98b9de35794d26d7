"""The ``meetup`` command line: organiser accounts, the demo seed, the URLs, and ``meetup demo``.

Commands run with the app context pushed, as the ``meetup`` console script (a FlaskGroup) does.
"""

from __future__ import annotations

import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from click.testing import Result
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from meetup.extensions import db
from meetup.models import Meetup, Organiser

ROOT = Path(__file__).resolve().parent.parent


def run(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=list(args))


def log_in(client: FlaskClient, email: str, password: str) -> bool:
    response = client.post("/organiser/login", data={"email": email, "password": password})
    client.post("/organiser/logout")
    return response.status_code == 302


def organiser_count() -> int:
    return db.session.scalar(select(func.count(Organiser.id))) or 0


def test_create_organiser_prints_a_password_that_works(app: Flask, client: FlaskClient) -> None:
    result = run(app, "create-organiser", "Fatima@Example.org", "--name", "Fatima")
    assert result.exit_code == 0, result.output
    found = re.findall(r"Password \(shown once\): (\S+)", result.output)
    assert len(found) == 1
    password = found[0]
    assert result.output.count(password) == 1  # printed once
    assert len(password) >= 10
    assert log_in(client, "fatima@example.org", password)
    assert not log_in(client, "fatima@example.org", password + "x")


def test_create_organiser_with_a_chosen_password(app: Flask, client: FlaskClient) -> None:
    result = run(app, "create-organiser", "jan@example.org", "--password", "een lang wachtwoord")
    assert result.exit_code == 0, result.output
    assert "Password" not in result.output  # nothing to show: the organiser chose it
    assert log_in(client, "jan@example.org", "een lang wachtwoord")


def test_a_second_account_with_the_same_address_is_refused(app: Flask) -> None:
    assert run(app, "create-organiser", "jan@example.org").exit_code == 0
    result = run(app, "create-organiser", "JAN@example.org ", "--password", "een lang wachtwoord")
    assert result.exit_code != 0
    assert "Er is al een organisator met dit e-mailadres." in result.output
    assert "Traceback" not in result.output
    assert organiser_count() == 1


def test_a_short_password_is_refused(app: Flask) -> None:
    result = run(app, "create-organiser", "jan@example.org", "--password", "kort")
    assert result.exit_code != 0
    assert "minstens 10 tekens" in result.output
    assert organiser_count() == 0


def test_seed_demo_creates_hilversum_once(app: Flask, client: FlaskClient) -> None:
    result = run(app, "seed-demo")
    assert result.exit_code == 0, result.output
    # Tonight's meetup; the earlier evening it follows on from is tested in test_demo.py.
    meetup = db.session.scalar(select(Meetup).where(Meetup.title == "Meetup Hilversum"))
    assert meetup is not None and meetup.previous_meetup is not None
    assert [t.key for t in meetup.themes] == ["taal", "overgangen", "zorg"]
    email, password = re.search(r"Demo organiser: (\S+)\s+password \(shown once\): (\S+)",
                                result.output).groups()
    assert meetup.organiser.email == email
    assert log_in(client, email, password)

    again = run(app, "seed-demo")
    assert again.exit_code == 0
    assert "nothing seeded" in again.output
    assert db.session.scalar(select(func.count(Meetup.id))) == 2  # tonight's and the earlier
    assert organiser_count() == 1
    assert log_in(client, email, password)  # the first password still works


def test_urls_lists_organiser_projector_and_join_links(app: Flask, meetup: Meetup) -> None:
    result = run(app, "urls")
    assert result.exit_code == 0, result.output
    assert re.search(r"http://\S+/organiser/", result.output)
    assert re.search(rf"http://\S+/organiser/meetups/{meetup.id}\b", result.output)
    assert re.search(rf"http://\S+/projector/{meetup.id}\b", result.output)
    assert f"/j/{meetup.join_token}" in result.output
    assert meetup.short_code in result.output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pump(stream, lines: queue.Queue[str]) -> None:  # noqa: ANN001
    for line in stream:
        lines.put(line)


@pytest.mark.server
def test_meetup_demo_serves_the_seeded_meetup(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "MEETUP_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
           "MEETUP_SECRET_KEY": "demo-test-secret", "MEETUP_HOST": "127.0.0.1",
           "MEETUP_PORT": str(port), "PYTHONUNBUFFERED": "1"}
    env.pop("MEETUP_PUBLIC_URL", None)
    command = [str(Path(sys.executable).parent / "meetup"), "demo"]
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True).start()
        output, join_url = [], None
        deadline = time.monotonic() + 90
        while join_url is None:
            remaining = deadline - time.monotonic()
            assert remaining > 0, "no join URL printed:\n" + "".join(output)
            try:
                line = lines.get(timeout=remaining)
            except queue.Empty:
                continue
            output.append(line)
            match = re.search(r"join:\s+(http://\S+/j/\S+)", line)
            join_url = match.group(1) if match else None
        base = f"http://127.0.0.1:{port}"
        assert join_url.startswith(base)

        home = _get_when_up(base + "/", deadline)
        assert home.status_code == 200
        assert "Aanmelden met een code" in home.text
        joined = requests.get(join_url, timeout=10)
        assert joined.status_code == 200
        assert 'lang="nl"' in joined.text and "Meetup Hilversum" in joined.text
        assert "Naar de inhoud" in joined.text
        # The demo keeps mail in a development mailbox, so its mail scheduler runs (issue 23).
        import sqlite3
        while True:
            with sqlite3.connect(tmp_path / "demo.sqlite3") as conn:
                beats = conn.execute("select count(*) from scheduler_heartbeats").fetchone()[0]
            if beats or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert beats == 1
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def _get_when_up(url: str, deadline: float) -> requests.Response:
    """The URL's response, retrying while the server is still opening its socket."""
    while True:
        try:
            return requests.get(url, timeout=10)
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.server
def test_a_room_connecting_while_the_server_is_busy_waits_instead_of_being_dropped(
        tmp_path: Path) -> None:
    """``meetup serve`` listens with a queue of 2,048 handshakes. While the server is busy
    (here: stopped), 300 phones open a connection at once: the kernel completes every
    handshake and queues it, and once the server runs again each phone gets its page. With
    gevent's queue of 128, every phone past the 129th would be dropped and wait 1-3 s for
    its own retry."""
    import select
    import signal

    from tests.servers import live_server

    phones = 300
    with live_server(tmp_path) as server:
        assert server.process is not None
        port = int(server.base_url.rsplit(":", 1)[1])
        connections = []
        os.kill(server.process.pid, signal.SIGSTOP)
        try:
            for _ in range(phones):
                connection = socket.socket()
                connection.setblocking(False)
                connection.connect_ex(("127.0.0.1", port))
                connections.append(connection)
            waiting, established = set(connections), 0
            deadline = time.monotonic() + 10
            while waiting and time.monotonic() < deadline:
                _, ready, _ = select.select([], list(waiting), [], 0.2)
                for connection in ready:
                    waiting.discard(connection)
                    if connection.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                        established += 1
            assert established == phones, f"{phones - established} handshakes dropped"
            for connection in connections:
                connection.sendall(b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        finally:
            os.kill(server.process.pid, signal.SIGCONT)
        answered = 0
        for connection in connections:
            connection.setblocking(True)
            connection.settimeout(60)
            answered += b" 200 " in connection.makefile("rb").readline()
            connection.close()
        assert answered == phones
