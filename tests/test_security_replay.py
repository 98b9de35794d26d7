"""A replayed ``op`` answers only with state its sender may see (issue 14, point 6).

The attack: a phone resends one of its own earlier writes (same ``op``) but puts another
table's draft agreement uuid in the payload. The server recognises the ``op`` as done and
answers "with the current state" - which used to be the *other* table's draft. Replaying
someone else's ``op`` must not reveal anything either.
"""

from __future__ import annotations

import pytest
from flask import Flask

from meetup.models import Meetup, Phase
from tests.realtime_helpers import Evening, emit_ok, new_op, set_phase


@pytest.fixture
def evening(app: Flask, meetup: Meetup) -> Evening:
    evening = Evening(app, meetup)
    set_phase(meetup, Phase.AGREEMENTS)
    evening.drain()
    return evening


def test_replaying_an_own_op_with_another_tables_draft_reveals_nothing(
        evening: Evening) -> None:
    # Carla's table (zorg) drafts an agreement; Anna sits at the taal table.
    secret = new_op()
    emit_ok(evening["carla"], "agreement.create", {"agreement": secret})
    emit_ok(evening["carla"], "agreement.update",
            {"agreement": secret, "fields": {"what": "Vertrouwelijk plan van tafel zorg"}})
    op = new_op()
    evening["anna"].emit("agreement.create", {"op": op, "agreement": new_op()}, callback=True)
    replay = evening["anna"].emit("agreement.update", {
        "op": op, "agreement": secret, "fields": {"what": "x"}}, callback=True)
    assert replay["ok"] is True and replay.get("duplicate") is True
    assert "agreement" not in replay
    again = evening["anna"].emit("agreement.create", {"op": op, "agreement": secret},
                                 callback=True)
    # The same op as the same event: at most Anna's own first answer (her own draft) again,
    # never the other table's draft named in the new payload.
    assert again.get("agreement", {}).get("uuid") != secret
    assert "Vertrouwelijk" not in str(again)


def test_replaying_someone_elses_op_reveals_nothing(evening: Evening) -> None:
    mine = new_op()
    op = new_op()
    ack = evening["carla"].emit("agreement.create", {"op": op, "agreement": mine},
                                callback=True)
    assert ack["ok"] is True and "agreement" in ack
    # Dirk sits at the same table, so he may see the draft - but not through Carla's op.
    stolen = evening["dirk"].emit("agreement.create", {"op": op, "agreement": mine},
                                  callback=True)
    assert stolen.get("duplicate") is True and "agreement" not in stolen
    # And Anna at another table learns nothing either.
    stolen = evening["anna"].emit("agreement.create", {"op": op, "agreement": mine},
                                  callback=True)
    assert "agreement" not in stolen


def test_a_genuine_resend_still_gets_its_own_state(evening: Evening) -> None:
    """The reason replays answer with state at all: a phone that lost its ack."""
    op, agreement = new_op(), new_op()
    first = evening["anna"].emit("agreement.create", {"op": op, "agreement": agreement},
                                 callback=True)
    resent = evening["anna"].emit("agreement.create", {"op": op, "agreement": agreement},
                                  callback=True)
    assert resent["duplicate"] is True
    assert resent["agreement"]["uuid"] == first["agreement"]["uuid"] == agreement
