"""An earlier meetup with finalised agreements per theme, and its follow-up (issue 25)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from meetup.extensions import db
from meetup.models import Agreement, Meetup, Organiser, Participant, Phase
from meetup.services import agreements, followup, joining, meetups, series, tables
from meetup.services.joining import JoinRequest

TODAY = date(2026, 6, 1)


def finished_agreement(person: Participant, what: str, owner: str, organisation: str,
                       partners: list[str] | None = None) -> Agreement:
    draft = agreements.create_draft(db.session, person, uuid.uuid4())
    agreements.update_agreement(db.session, person, draft.uuid, {
        "what": what, "owner_name": owner, "owner_organisation": organisation,
        "first_step": "Eerste overleg plannen", "due_date": "2026-09-01",
        "partners": partners or [], "success_measure": "Elke school doet mee"}, today=TODAY)
    return agreements.finalise(db.session, person, draft.uuid)


def earlier_meetup(organiser: Organiser, title: str = "Meetup Hilversum",
                   city: str = "Hilversum") -> tuple[Meetup, dict[str, Agreement]]:
    """A closed meetup with agreements: two of theme taal (one followed up), one of zorg."""
    earlier = meetups.create_meetup(db.session, organiser, title=title, city=city,
                                    venue="Bibliotheek", table_size=4, votes_per_person=5,
                                    phase_minutes={"round_1": 12}, reminder_days_before=5,
                                    followup_every_weeks=6, followup_max=2,
                                    organiser_digest=True, expected_participants=120,
                                    starts_at=datetime(2026, 5, 20, 17, 30, tzinfo=UTC))
    earlier.settings = {"note": "kept"}
    meetups.update_theme(db.session, earlier.theme_by_key("taal"),
                         question="Hoe krijgt elk kind taal mee?",
                         directions=[{"code": "1.1", "title": "Voorlezen", "prompt": "Wie?"}])
    people = {}
    for name, theme in (("Ans", "taal"), ("Bert", "zorg")):
        person, _ = joining.join(db.session, earlier, JoinRequest(f"{name} de Vries",
                                                                  "gemeente", "Gemeente"))
        joining.choose_theme(db.session, person, theme)
        people[theme] = person
    tables.form_tables(db.session, earlier, organiser)
    earlier.phase = Phase.AGREEMENTS
    made = {
        "voorlezen": finished_agreement(people["taal"], "Voorleesouders op elke school",
                                        "Fatima", "Bibliotheek Gooi", ["GGD"]),
        "taalcafe": finished_agreement(people["taal"], "Taalcafé voor ouders", "Henk",
                                       "Buurtwerk"),
        "zorg": finished_agreement(people["zorg"], "Zorgspreekuur op school", "Sanne",
                                   "GGD Gooi"),
    }
    followup.record_update(db.session, made["voorlezen"], "in_progress", "Drie scholen doen mee")
    earlier.phase = Phase.CLOSED
    db.session.commit()
    return earlier, made


def follow_up(organiser: Organiser, earlier: Meetup, name: str = "Meetup Kansenongelijkheid Gooi",
              city: str = "Bussum") -> Meetup:
    later = series.create_follow_up(db.session, organiser, earlier, title="Meetup Bussum",
                                    city=city, series_name=name,
                                    starts_at=datetime(2026, 11, 5, 18, 30, tzinfo=UTC))
    db.session.commit()
    return later


def seated_at_agreements(meetup: Meetup, organiser: Organiser,
                         people: tuple[tuple[str, str], ...] = (("Carla Smit", "taal"),
                                                                 ("Dirk Bos", "zorg"))
                         ) -> dict[str, Participant]:
    """People at tables of their theme, the meetup in the agreements phase."""
    seated = {}
    for name, theme in people:
        person, _ = joining.join(db.session, meetup, JoinRequest(name, "gemeente", "Gemeente"))
        joining.choose_theme(db.session, person, theme)
        seated[theme] = person
    tables.form_tables(db.session, meetup, organiser)
    meetup.phase = Phase.AGREEMENTS
    db.session.commit()
    return seated
