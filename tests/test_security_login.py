"""Attacks on the organiser's login (issue 14, point 1).

- Guessing passwords: failed logins are counted per address and per account; once spent,
  further tries are refused *before* any password is hashed, so guessing neither succeeds nor
  costs the server the 170 ms of hashing that would slow every phone.
- Hashing on the event loop: under gevent the hash runs in gevent's thread pool, so the loop
  keeps answering phones while a password is hashed, and while a login checks one.
- Weak passwords: ``create-organiser --password`` refuses passwords on every guessing list.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from meetup.models import Organiser
from meetup.services import organisers
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent


def attempt(client: FlaskClient, email: str, password: str, address: str = "203.0.113.7"):
    return client.post("/organiser/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every password hash check the server performs, by the password tried."""
    seen: list[str] = []
    real = organisers.password_matches

    def counting(password_hash: str, password: str) -> bool:
        seen.append(password)
        return real(password_hash, password)

    monkeypatch.setattr(organisers, "password_matches", counting)
    return seen


def test_guessing_one_account_is_stopped_and_costs_no_hashing(
        app: Flask, client: FlaskClient, organiser: Organiser, hashes: list[str]) -> None:
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "5 per minute"
    for guess in range(5):
        assert attempt(client, organiser.email, f"guess number {guess}").status_code == 200
    assert len(hashes) == 5
    hashes.clear()
    # The right password does not get through either while the allowance is spent ...
    refused = attempt(client, organiser.email, PASSWORD)
    assert refused.status_code == 429
    assert "Te veel mislukte pogingen" in refused.get_data(as_text=True)
    # ... and nothing was hashed for it.
    assert hashes == []


def test_guessing_from_many_addresses_still_hits_the_account_limit(
        app: Flask, client: FlaskClient, organiser: Organiser, hashes: list[str]) -> None:
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "3 per minute"
    for n in range(3):
        attempt(client, organiser.email, "wrong password!", address=f"198.51.100.{n}")
    assert attempt(client, organiser.email, "wrong password!",
                   address="198.51.100.99").status_code == 429


def test_one_address_guessing_many_accounts_is_stopped(
        app: Flask, client: FlaskClient, organiser: Organiser, hashes: list[str]) -> None:
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "4 per minute"
    for n in range(4):
        attempt(client, f"someone{n}@example.org", "wrong password!")
    assert attempt(client, "another@example.org", "wrong password!").status_code == 429
    # Someone else in the building is not affected.
    assert attempt(client, organiser.email, PASSWORD, address="192.0.2.50").status_code == 302


def test_a_successful_login_does_not_use_up_the_allowance(
        app: Flask, client: FlaskClient, organiser: Organiser) -> None:
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "2 per minute"
    for _ in range(4):
        assert attempt(client, organiser.email, PASSWORD).status_code == 302
        client.post("/organiser/logout")


def test_the_limit_uses_redis_when_workers_share_a_message_queue(tmp_path: Path,
                                                                 monkeypatch) -> None:
    from meetup.config import build_config

    monkeypatch.setenv("MEETUP_MESSAGE_QUEUE", "redis://127.0.0.1:6379/0")
    assert build_config(str(tmp_path), {"SECRET_KEY": "x"})["RATELIMIT_STORAGE_URI"] == \
        "redis://127.0.0.1:6379/0"
    monkeypatch.delenv("MEETUP_MESSAGE_QUEUE")
    assert build_config(str(tmp_path), {"SECRET_KEY": "x"})["RATELIMIT_STORAGE_URI"] == \
        "memory://"


def test_under_gevent_the_loop_keeps_running_while_a_password_is_hashed() -> None:
    """A greenlet (a phone's socket) gets to run while a login's hash is computed."""
    script = textwrap.dedent("""
        from gevent import monkey
        monkey.patch_all()
        import gevent
        from meetup.services import organisers

        ticks = 0
        done = False

        def phone():
            global ticks
            while not done:
                ticks += 1
                gevent.sleep(0)

        gevent.spawn(phone)
        organisers.hash_password("a password to hash, slowly")
        done = True
        print("ticks", ticks)
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, check=True)
    ticks = int(result.stdout.split()[-1])
    assert ticks > 0, "the event loop was blocked for the whole hash"


def test_under_gevent_the_phones_keep_running_while_a_login_checks_a_password(
        tmp_path: Path) -> None:
    """Logging in (right password, wrong password, an address without an account) checks a
    password hash, 170 ms of scrypt: each check runs while a phone's greenlet keeps going."""
    from tests.gevent_scenarios import run_scenario

    seen = run_scenario("login_checks_off_the_loop", tmp_path)
    assert {case: seen[case]["status"] for case in seen} == {
        "right": 302, "wrong": 200, "unknown": 200}
    for case, login in seen.items():
        assert login["ticks_per_check"], f"{case}: no password was checked"
        assert all(ticks > 0 for ticks in login["ticks_per_check"]), \
            f"{case}: the phones stood still while the password was checked"


@pytest.mark.parametrize("weak", [
    "password123", "Wachtwoord2024!", "1234567890", "aaaaaaaaaaaa", "qwertyuiop",
    "abcdefghij", "121212121212", "jan.de.vries1",
])
def test_create_organiser_refuses_weak_passwords(app: Flask, weak: str) -> None:
    result = app.test_cli_runner().invoke(
        args=["create-organiser", "jan.de.vries@example.org", "--password", weak])
    assert result.exit_code != 0
    assert "te makkelijk te raden" in result.output or "minstens" in result.output
    assert Organiser.query.count() == 0


def test_a_sentence_or_a_generated_password_is_accepted(app: Flask) -> None:
    assert organisers.password_problem("de kat krabt de krullen", "jan@example.org") is None
    assert organisers.password_problem(organisers.generate_password()) is None
