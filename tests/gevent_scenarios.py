"""Scenarios that run the way ``meetup serve`` runs: gevent patches the standard library first.

The suite itself runs on plain threads, where the socket writer and the join batcher mostly
see batches of one. These scenarios run in a child process that calls ``monkey.patch_all()``
before anything else is imported (as ``meetup.__main__`` does), so the app picks Socket.IO's
gevent mode, write events go through the group-commit writer (``realtime/writer.py``), joins
posted together share a commit (``services/join_batch.py``) and CPU-heavy work goes to
gevent's thread pool. A scenario drives the app in process (Flask and Socket.IO test clients,
one greenlet per phone), prints what a person would notice as JSON on its last line, and the
test asserts on that.

A commit that fails (:func:`_failing_commit`) first lets the other greenlets run, as a commit
does when the database driver waits for the server under gevent (PostgreSQL), then raises.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

_CHILD = ("from gevent import monkey; monkey.patch_all()\n"
          "import sys\n"
          "from tests import gevent_scenarios\n"
          "gevent_scenarios.main(*sys.argv[1:])\n")


def run_scenario(name: str, tmp_path: Path, database_url: str | None = None,
                 timeout: float = 120) -> dict[str, Any]:
    """Run scenario ``name`` in a gevent-patched child process; returns what it reported.

    ``database_url``: the test's database (the ``database_url`` fixture, so that the
    PostgreSQL run of ``make test`` runs the scenario on PostgreSQL); else SQLite in
    ``tmp_path``."""
    database_url = database_url or f"sqlite:///{tmp_path / 'gevent.sqlite3'}"
    result = subprocess.run([sys.executable, "-c", _CHILD, name, str(tmp_path), database_url],
                            cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0 or not result.stdout.strip():
        raise AssertionError(f"scenario {name} failed:\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


# -- the child process ---------------------------------------------------------------------


def main(name: str, tmp: str, database_url: str) -> None:
    global _DATABASE_URL
    _DATABASE_URL = database_url
    result = SCENARIOS[name](Path(tmp))
    print(json.dumps(result))


_DATABASE_URL = ""


def _app(tmp: Path) -> Any:
    """The test suite's app, but in gevent mode and answering errors as in production."""
    from tests.conftest import make_app

    return make_app(tmp, SQLALCHEMY_DATABASE_URI=_DATABASE_URL, TESTING=False,
                    SOCKETIO_ASYNC_MODE="gevent")


def _failing_commit() -> None:
    import gevent
    from sqlalchemy.exc import OperationalError

    gevent.sleep(0)  # the driver waits for the database: other greenlets run meanwhile
    raise OperationalError("COMMIT", {}, Exception("disk I/O error"))


def _wait(test: Any, timeout: float = 10.0) -> Any:
    """Poll ``test`` (yielding to other greenlets) until it returns something truthy."""
    import time

    import gevent

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = test()
        if found:
            return found
        gevent.sleep(0.01)
    raise AssertionError(f"condition not met within {timeout} s")


def group_commit_fails(tmp: Path) -> dict[str, Any]:
    """Four phones and the organiser write at the same moment; their shared commit fails.

    Reports each write's acknowledgement, the batches the writer ran, every event each socket
    received (until a later write, committed normally, reached Bram's phone) and the notes
    and messages stored.
    """
    import gevent
    from sqlalchemy import create_engine, text

    from meetup.extensions import db
    from meetup.realtime import writer
    from meetup.services import meetups, organisers
    from tests.conftest import PASSWORD
    from tests.realtime_helpers import Evening, new_op

    app = _app(tmp)
    with app.app_context():
        db.create_all()
        organiser = organisers.create_organiser(db.session, "ada@example.org", PASSWORD)
        meetup = meetups.create_meetup(db.session, organiser, title="Meetup Hilversum")
        db.session.commit()
        evening = Evening(app, meetup)
        sockets = {**evening.sockets, "organiser": evening.organiser,
                   "projector": evening.projector}
        committer = writer.committer(app)
        batches: list[int] = []
        run_batch = committer.run_batch

        def counted(jobs: list[writer.Job]) -> None:
            batches.append(len(jobs))
            run_batch(jobs)

        committer.run_batch = counted
        writes = {
            "anna": ("note.create", {"round": "happens", "text": "Voorleesouders"}),
            "bram": ("note.create", {"round": "happens", "text": "Taalmaatjes"}),
            "carla": ("note.create", {"round": "happens", "text": "Spreekuur GGD"}),
            "dirk": ("note.create", {"round": "happens", "text": "Huiswerkklas"}),
            "organiser": ("message.send", {"text": "Nog vijf minuten"}),
        }
        evening.drain()
        db.session.commit = _failing_commit  # type: ignore[method-assign]
        greenlets = {
            who: gevent.spawn(sockets[who].emit, event, {"op": new_op(), "note": new_op(),
                                                         **payload}, callback=True)
            for who, (event, payload) in writes.items()}
        gevent.joinall(list(greenlets.values()), timeout=30, raise_error=True)
        acks = {who: greenlet.value for who, greenlet in greenlets.items()}
        del db.session.commit  # the scoped session's own commit again

        # A write committed normally afterwards: once Bram hears it, the writer has sent
        # everything of the failed batch that it was ever going to send.
        later = evening["anna"].emit("note.create", {"op": new_op(), "note": new_op(),
                                                     "round": "happens", "text": "Nu wel"},
                                     callback=True)
        heard: dict[str, list[str]] = {who: [] for who in sockets}

        def bram_heard_the_later_note() -> bool:
            for who, sock in sockets.items():
                for item in sock.get_received():
                    args = item["args"]
                    payload = args[0] if isinstance(args, list) and args else args
                    note = payload.get("note") if isinstance(payload, dict) else None
                    label = item["name"]
                    if isinstance(note, dict) and note.get("text"):
                        label += ":" + note["text"]
                    heard[who].append(label)
            return "note:Nu wel" in heard["bram"]

        _wait(bram_heard_the_later_note)
        outside = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
        with outside.connect() as conn:
            notes = list(conn.execute(text("SELECT text FROM notes ORDER BY id")).scalars())
        outside.dispose()
        return {"acks": acks, "later": later, "batches": batches, "heard": heard,
                "stored_notes": notes}


def joins_fail_together(tmp: Path) -> dict[str, Any]:
    """Five phones post the join form at the same moment; the commit they share fails. Then
    they press the button again (the same forms), with the database working."""
    import gevent

    from meetup.config import PARTICIPANT_SESSION_KEY
    from meetup.extensions import db
    from meetup.models import Participant
    from meetup.services import join_batch, meetups, organisers
    from tests.conftest import PASSWORD

    app = _app(tmp)
    phones = 5
    with app.app_context():
        db.create_all()
        organiser = organisers.create_organiser(db.session, "ada@example.org", PASSWORD)
        meetup = meetups.create_meetup(db.session, organiser, title="Meetup Hilversum")
        db.session.commit()
        url = f"/j/{meetup.join_token}"
        meetup_id = meetup.id
        clients = [app.test_client() for _ in range(phones)]
        forms = []
        for i, client in enumerate(clients):
            page = client.get(url).get_data(as_text=True)
            key = page.split('name="join_key" type="hidden" value="', 1)[1].split('"', 1)[0]
            forms.append({"display_name": f"Buur {i}", "role": "leerkracht_po",
                          "organisation": "OBS De Regenboog", "join_key": key})

        batcher = join_batch.batcher(app.extensions)
        batches: list[int] = []
        store = join_batch._store

        def counted(session: Any, batch: list[Any]) -> None:
            batches.append(len(batch))
            store(session, batch)

        class EveryoneQueued:
            """The leader's short wait for more joins lasts until every phone's join is
            queued (a condition instead of the 3 ms window, so the batch holds all five)."""

            @staticmethod
            def sleep(_seconds: float) -> None:
                _wait(lambda: len(batcher._queue) >= phones)

        join_batch._store = counted
        join_batch.time = EveryoneQueued  # type: ignore[assignment]

        def post(i: int) -> dict[str, Any]:
            response = clients[i].post(url, data=forms[i])
            with clients[i].session_transaction() as cookie:
                tokens = dict(cookie.get(PARTICIPANT_SESSION_KEY) or {})
            return {"status": response.status_code,
                    "page": response.get_data(as_text=True),
                    "set_cookies": [c.split("=", 1)[0]
                                    for c in response.headers.getlist("Set-Cookie")],
                    "token": tokens.get(str(meetup_id))}

        db.session.commit = _failing_commit  # type: ignore[method-assign]
        greenlets = [gevent.spawn(post, i) for i in range(phones)]
        gevent.joinall(greenlets, timeout=30, raise_error=True)
        del db.session.commit
        failed = [greenlet.value for greenlet in greenlets]
        db.session.expire_all()
        stored_after_failure = db.session.query(Participant).count()

        greenlets = [gevent.spawn(post, i) for i in range(phones)]
        gevent.joinall(greenlets, timeout=30, raise_error=True)
        again = [greenlet.value for greenlet in greenlets]
        db.session.expire_all()
        names = sorted(p.display_name for p in db.session.query(Participant))
        for answer in (*failed, *again):
            answer["error_page"] = "Er ging iets mis. Probeer het nog eens." in answer.pop("page")
        return {"batches": batches, "failed": failed, "stored_after_failure":
                stored_after_failure, "again": again, "stored_names": names}


def login_checks_off_the_loop(tmp: Path) -> dict[str, Any]:
    """An organiser logs in (right password, wrong password, unknown address) while a phone's
    greenlet keeps running. For every password check: how often the phone ran during it."""
    import gevent

    from meetup.extensions import db
    from meetup.services import organisers
    from tests.conftest import PASSWORD

    app = _app(tmp)
    ticks = 0
    during: list[int] = []
    real_check = organisers.check_password_hash

    def watched_check(password_hash: str, password: str) -> bool:
        before = ticks
        try:
            return real_check(password_hash, password)
        finally:
            during.append(ticks - before)

    def phone() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            gevent.sleep(0)

    with app.app_context():
        db.create_all()
        organisers.create_organiser(db.session, "ada@example.org", PASSWORD)
        db.session.commit()
        organisers.check_password_hash = watched_check  # type: ignore[assignment]
        runner = gevent.spawn(phone)
        result: dict[str, Any] = {}
        for case, email, password in (("right", "ada@example.org", PASSWORD),
                                      ("wrong", "ada@example.org", "not the password"),
                                      ("unknown", "bob@example.org", PASSWORD)):
            during.clear()
            response = app.test_client().post("/organiser/login",
                                              data={"email": email, "password": password})
            result[case] = {"status": response.status_code, "ticks_per_check": list(during)}
        runner.kill()
        return result


SCENARIOS = {
    "group_commit_fails": group_commit_fails,
    "joins_fail_together": joins_fail_together,
    "login_checks_off_the_loop": login_checks_off_the_loop,
}
