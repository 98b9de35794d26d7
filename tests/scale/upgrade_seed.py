"""Seed a meetup in its first round with the code of the release in use: run by that
release's own python (``releases/<name>/venv/bin/python upgrade_seed.py PHONES``) with the
installation's environment, so that an older release's schema gets rows written by its own
code. Prints JSON: the meetup's id and, per phone, its table and its token (the test signs
the cookies). Uses only services that exist since the first release.
"""

import json
import sys

from meetup import create_app
from meetup.extensions import db
from meetup.models import Phase
from meetup.services import joining, meetups, organisers, phases, tables

ROLES = ["leerkracht_po", "jeugdwerk", "ggd_jgz", "leerplicht", "ouder_vrijwilliger",
         "bibliotheek_cultuur_sport", "gemeente", "docent_vo"]

app = create_app({"SOCKETIO_ASYNC_MODE": "threading"})
with app.app_context():
    count = int(sys.argv[1])
    organiser = organisers.create_organiser(db.session, "upgrade-test@example.org",
                                            "Kansen gelijk voor elk kind 26")
    meetup = meetups.create_meetup(db.session, organiser, title="Meetup Hilversum")
    people = []
    for i in range(count):
        person, token = joining.join(db.session, meetup, joining.JoinRequest(
            f"Deelnemer {i}", ROLES[i % len(ROLES)], f"Organisatie {i % 7}"))
        joining.choose_theme(db.session, person, "taal")
        people.append((person, token))
    tables.form_tables(db.session, meetup)
    phases.set_phase(db.session, meetup, Phase.ROUND_1)
    db.session.commit()
    print(json.dumps({"meetup": meetup.id,
                      "phones": [[p.table_id, token] for p, token in people]}))
