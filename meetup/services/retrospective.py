"""The Terugblik (issue 25): a follow-up meetup looks back at the earlier meetup's agreements.

An optional first phase (:attr:`Phase.RETROSPECTIVE`), only for a meetup that follows on from
an earlier one. The projector shows the earlier meetup's final agreements theme by theme
(tonight's theme order, then themes only the earlier meetup had), each with its latest
follow-up status (``no_news`` when its owner never reported) and the counts per status; the
organiser steps through them like the plenary (``meetup.retrospective_position``).

Owners in the room update their agreement from their phone. A phone is matched to an earlier
agreement by the e-mail address the person gave when joining tonight: the same address (case
and spaces do not matter) as the earlier agreement's reminder consent, or as the e-mail of the
participant the earlier table picked as owner. Owners can also use their private follow-up
link (:mod:`followup`); an update given while a follow-up meetup is in its Terugblik is marked
``retrospective`` in the agreement's history either way.

A face that records a follow-up update outside a socket event (the follow-up link, plain HTTP)
sends :data:`changed` after its commit; the real-time face broadcasts the new state.
"""

from __future__ import annotations

import uuid
from typing import Any

from blinker import Namespace
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from meetup.models import (
    Agreement,
    AgreementStatus,
    AgreementUpdate,
    ConsentKind,
    Meetup,
    Participant,
    Phase,
    ReminderConsent,
    Theme,
)
from meetup.services import followup, operations
from meetup.services.errors import Forbidden, InvalidInput, NotFound, WrongPhase

#: The status of an earlier agreement whose owner has not reported yet.
NO_NEWS = "no_news"
#: The order statuses are counted and shown in.
STATUS_ORDER = ("done", "in_progress", "planned", "stopped", NO_NEWS)
#: The one-line note an owner may add in the room.
NOTE_MAX = 200
#: How an update given at the Terugblik is marked in the follow-up history.
SOURCE = "retrospective"

#: ``changed.send(meetup_id=, state=, seq=)``: a follow-up update outside a socket event
#: changed what a meetup's Terugblik shows, and that change is committed.
changed = Namespace().signal("retrospective-changed")


def offered(meetup: Meetup) -> bool:
    """The Terugblik is offered only to a meetup that follows on from an earlier one."""
    return meetup.previous_meetup_id is not None


def check_offered(meetup: Meetup) -> None:
    if not offered(meetup):
        raise InvalidInput(_l("A look back is only possible for a meetup that follows on from "
                              "an earlier one."), field="phase")


def _email_key(email: str | None) -> str:
    return (email or "").strip().casefold()


def sequence(session: Session, meetup: Meetup) -> list[tuple[Agreement, str]]:
    """The earlier meetup's final agreements in Terugblik order, with their theme key."""
    if meetup.previous_meetup_id is None:
        return []
    previous = meetup.previous_meetup
    assert previous is not None
    rows = session.execute(
        select(Agreement, Theme.key).join(Theme, Agreement.theme_id == Theme.id, isouter=True)
        .where(Agreement.meetup_id == previous.id, Agreement.deleted_at.is_(None),
               Agreement.status != AgreementStatus.DRAFT)
        .order_by(Agreement.finalised_at, Agreement.id)).all()
    order = [t.key for t in meetup.themes] + [t.key for t in previous.themes
                                              if meetup.theme_by_key(t.key) is None]
    rank = {key: i for i, key in enumerate(order)}
    return sorted(((a, key or "") for a, key in rows),
                  key=lambda row: rank.get(row[1], len(rank)))


def latest_updates(session: Session, ids: list[int]) -> dict[int, AgreementUpdate]:
    """The last follow-up update of each agreement (one query)."""
    latest: dict[int, AgreementUpdate] = {}
    if ids:
        for update in session.scalars(select(AgreementUpdate)
                                      .where(AgreementUpdate.agreement_id.in_(ids))
                                      .order_by(AgreementUpdate.id)):
            latest[update.agreement_id] = update
    return latest


def _status(update: AgreementUpdate | None) -> str:
    return str(update.status) if update is not None else NO_NEWS


def entry(agreement: Agreement, theme_key: str, update: AgreementUpdate | None,
          titles: dict[str, str]) -> dict[str, Any]:
    """An earlier agreement on the wire."""
    return {
        "uuid": str(agreement.uuid),
        "what": agreement.what,
        "owner_name": agreement.owner_name,
        "owner_organisation": agreement.owner_organisation,
        "theme": theme_key,
        "theme_title": titles.get(theme_key, ""),
        "status": _status(update),
        "note": update.note if update is not None else "",
        "reported_at": update.created_at.isoformat() if update is not None else None,
        "at_retrospective": update is not None and update.source == SOURCE,
    }


def _titles(meetup: Meetup) -> dict[str, str]:
    titles: dict[str, str] = {}
    if meetup.previous_meetup is not None:
        titles.update({t.key: t.title for t in meetup.previous_meetup.themes})
    titles.update({t.key: t.title for t in meetup.themes})
    return titles


def _clamp(position: int | None, total: int) -> int:
    return min(max(position or 0, 0), max(total - 1, 0))


def state(session: Session, meetup: Meetup) -> dict[str, Any] | None:
    """The Terugblik on the wire (None for a meetup that follows on from no earlier one).

    ``{position, total, counts, themes, agreement, previous}``: ``position`` indexes the whole
    sequence; ``counts`` per status over every earlier agreement (:data:`STATUS_ORDER`);
    ``themes`` ``[{key, title, total, counts}]`` in order; ``agreement`` the one on the
    projector with its place in its theme (``theme_n``, ``theme_total``), None when there is
    none.
    """
    if not offered(meetup):
        return None
    rows = sequence(session, meetup)
    latest = latest_updates(session, [a.id for a, _ in rows])
    titles = _titles(meetup)
    position = _clamp(meetup.retrospective_position, len(rows))
    themes: dict[str, dict[str, Any]] = {}
    counts = dict.fromkeys(STATUS_ORDER, 0)
    for agreement, key in rows:
        status = _status(latest.get(agreement.id))
        counts[status] += 1
        theme = themes.setdefault(key, {"key": key, "title": titles.get(key, ""), "total": 0,
                                        "counts": dict.fromkeys(STATUS_ORDER, 0)})
        theme["total"] += 1
        theme["counts"][status] += 1
    shown = None
    if rows:
        agreement, key = rows[position]
        shown = entry(agreement, key, latest.get(agreement.id), titles)
        same = [i for i, (_, k) in enumerate(rows) if k == key]
        shown["theme_n"] = same.index(position) + 1
        shown["theme_total"] = len(same)
    previous = meetup.previous_meetup
    assert previous is not None
    return {
        "position": position, "total": len(rows), "counts": counts,
        "themes": list(themes.values()), "agreement": shown,
        "previous": {"title": previous.title, "city": previous.city or ""},
    }


def show(session: Session, meetup: Meetup, position: int) -> dict[str, Any]:
    """Put the earlier agreement at ``position`` (clamped) on the projector."""
    check_offered(meetup)
    if isinstance(position, bool) or not isinstance(position, int):
        raise InvalidInput(field="position")
    meetup.retrospective_position = _clamp(position, len(sequence(session, meetup)))
    session.flush()
    operations.bump(session, meetup)
    result = state(session, meetup)
    assert result is not None
    return result


def matched(session: Session, participant: Participant) -> list[Agreement]:
    """The earlier agreements this person may update tonight, matched by their e-mail.

    Empty when they gave no e-mail address, or their meetup follows on from none.
    """
    meetup = participant.meetup
    email = _email_key(participant.email)
    if not email or meetup.previous_meetup_id is None:
        return []
    earlier = {a.id: a for a, _ in sequence(session, meetup)}
    if not earlier:
        return []
    ids = set()
    for agreement_id, address in session.execute(
            select(ReminderConsent.agreement_id, ReminderConsent.email)
            .where(ReminderConsent.agreement_id.in_(earlier),
                   ReminderConsent.kind == ConsentKind.REMINDERS,
                   ReminderConsent.withdrawn_at.is_(None))):
        if _email_key(address) == email:
            ids.add(agreement_id)
    for agreement_id, address in session.execute(
            select(Agreement.id, Participant.email)
            .join(Participant, Agreement.owner_id == Participant.id)
            .where(Agreement.id.in_(earlier))):
        if _email_key(address) == email:
            ids.add(agreement_id)
    return [a for a_id, a in earlier.items() if a_id in ids]


def mine(session: Session, participant: Participant) -> list[dict[str, Any]]:
    """The matched agreements as this person's phone shows them."""
    found = matched(session, participant)
    keys = dict(session.execute(select(Agreement.id, Theme.key)
                                .join(Theme, Agreement.theme_id == Theme.id)
                                .where(Agreement.id.in_([a.id for a in found]))).all()) \
        if found else {}
    latest = latest_updates(session, [a.id for a in found])
    titles = _titles(participant.meetup)
    return [entry(a, keys.get(a.id, ""), latest.get(a.id), titles) for a in found]


def mine_one(session: Session, participant: Participant,
             agreement_uuid: uuid.UUID) -> dict[str, Any] | None:
    """One matched agreement as this person's phone shows it; None when not matched."""
    return next((e for e in mine(session, participant) if e["uuid"] == str(agreement_uuid)),
                None)


def update(session: Session, participant: Participant, agreement_uuid: uuid.UUID,
           status: str, note: str = "") -> Agreement:
    """An owner in the room reports how their earlier agreement stands.

    Only in the Terugblik and only for an agreement matched to this person: any other
    agreement is Forbidden, whatever id the phone sends. The note is one line. The update is
    kept in the earlier agreement's follow-up history, marked as given at the Terugblik.
    """
    meetup = participant.meetup
    if meetup.phase is not Phase.RETROSPECTIVE:
        raise WrongPhase(_l("The look back is over."))
    agreement = next((a for a in matched(session, participant) if a.uuid == agreement_uuid),
                     None)
    if agreement is None:
        exists = session.scalar(select(Agreement.id).where(Agreement.uuid == agreement_uuid))
        if exists is None:
            raise NotFound(_l("This agreement does not exist."), field="agreement")
        raise Forbidden(_l("You can only update an agreement you lead."), field="agreement")
    note = " ".join((note or "").split())
    if len(note) > NOTE_MAX:
        raise InvalidInput(_l("Keep the note to at most %(n)s characters.", n=NOTE_MAX),
                           field="note")
    first = not session.scalar(select(AgreementUpdate.id)
                               .where(AgreementUpdate.agreement_id == agreement.id).limit(1))
    followup.record_update(session, agreement, status, note, source=SOURCE, first_word=first)
    operations.bump(session, meetup)
    return agreement


def live_meetups(session: Session, agreement: Agreement) -> list[Meetup]:
    """The follow-up meetups of ``agreement``'s meetup that are in their Terugblik now."""
    return list(session.scalars(select(Meetup).where(
        Meetup.previous_meetup_id == agreement.meetup_id,
        Meetup.phase == Phase.RETROSPECTIVE)))


def source_for(session: Session, agreement: Agreement, source: str) -> str:
    """The source to record for an update through the follow-up link: ``retrospective`` while
    a follow-up meetup looks back at this agreement, else ``source`` as given."""
    return SOURCE if live_meetups(session, agreement) else source


def after_link_update(session: Session, agreement: Agreement) -> list[Meetup]:
    """An update through the follow-up link was recorded: every follow-up meetup in its
    Terugblik gets a new revision (its ``seq``). Returns them, for the face to announce
    :data:`changed` after its commit."""
    found = live_meetups(session, agreement)
    for meetup in found:
        operations.bump(session, meetup)
    return found
