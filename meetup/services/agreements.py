"""Concrete agreements written at a table: drafts, finalising, and people signing on.

Rules:

- Agreements are written in the ``agreements`` and ``plenary`` phases (a table may still
  fix a detail while the plenary runs). Any participant of the table may start a draft and
  edit the table's drafts and final agreements.
- Final means complete: what, who takes the lead (name and organisation), the first step and a
  date. Finalising an incomplete agreement raises :class:`NotReady` naming what is missing; an
  edit that would make a final agreement incomplete is refused the same way. Reopening makes
  it a draft again; only drafts can be deleted (softly).
- Signing on ("ik doe mee") is open to the table for all its agreements, and in the plenary
  phase to everyone for any final agreement (the one on the projector, typically).

Every change raises the meetup's revision once; idempotent repeats change nothing.
"""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from meetup.models import Agreement, AgreementStatus, Commitment, Participant, Phase
from meetup.models.agreement import name_key
from meetup.models.types import utcnow
from meetup.services import operations
from meetup.services.board import parse_uuid
from meetup.services.errors import Conflict, Forbidden, InvalidInput, NotFound, NotReady, WrongPhase

WRITING_PHASES = (Phase.AGREEMENTS, Phase.PLENARY)
#: Fields that must be filled in before an agreement can be final, in form order.
REQUIRED_FIELDS = ("what", "owner_name", "owner_organisation", "first_step", "due_date")
#: Text fields and their longest length.
TEXT_LIMITS = {"what": 1000, "owner_name": 120, "owner_organisation": 120, "first_step": 500,
               "success_measure": 500}
EDITABLE_FIELDS = (*TEXT_LIMITS, "partners", "due_date")
PARTNER_MAX_LENGTH = 120
PARTNERS_MAX = 12
FIELD_LABELS = {
    "what": _l("what you will do"),
    "owner_name": _l("who takes the lead"),
    "owner_organisation": _l("their organisation"),
    "first_step": _l("the first step"),
    "due_date": _l("the date"),
}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ZONE = ZoneInfo("Europe/Amsterdam")


class _LazyList:
    """Translated labels joined by commas, rendered when the message is (in its locale)."""

    def __init__(self, items: list[Any]) -> None:
        self.items = items

    def __str__(self) -> str:
        return ", ".join(str(item) for item in self.items)


def today_in_amsterdam(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(_ZONE).date()


def missing_fields(agreement: Agreement | dict[str, Any]) -> list[str]:
    """The required fields still empty, in form order (``owner`` = name and organisation)."""
    def value(name: str) -> Any:
        if isinstance(agreement, dict):
            return agreement.get(name)
        return getattr(agreement, name)

    missing = []
    for name in REQUIRED_FIELDS:
        current = value(name)
        if current is None or (isinstance(current, str) and not current.strip()):
            missing.append(name)
    return missing


def not_ready(missing: list[str]) -> NotReady:
    labels = _LazyList([FIELD_LABELS[name] for name in missing])
    return NotReady(missing, _l("To finalise, still fill in: %(fields)s.", fields=labels))


def _writing_phase(participant: Participant) -> None:
    if participant.meetup.phase not in WRITING_PHASES:
        raise WrongPhase(_l("Agreements are written after the voting."))


def _find(
    session: Session, participant: Participant, agreement_uuid: uuid.UUID | str,
    *, plenary_final_ok: bool = False,
) -> Agreement:
    """The agreement if this participant may touch it; NotFound / Forbidden otherwise."""
    agreement = session.scalar(
        select(Agreement).where(Agreement.uuid == parse_uuid(agreement_uuid, "agreement"))
    )
    if agreement is None or agreement.meetup_id != participant.meetup_id \
            or agreement.deleted_at is not None:
        raise NotFound(_l("This agreement does not exist (any more)."), field="agreement")
    if agreement.table_id is None or agreement.table_id != participant.table_id:
        if not (plenary_final_ok and participant.meetup.phase is Phase.PLENARY
                and agreement.status.is_final):
            raise Forbidden(_l("This agreement belongs to another table."))
    return agreement


def create_draft(
    session: Session, participant: Participant, agreement_uuid: uuid.UUID | str
) -> Agreement:
    """Start an empty draft for the own table; the same UUID again returns it unchanged."""
    agreement_uuid = parse_uuid(agreement_uuid, "agreement")
    existing = session.scalar(select(Agreement).where(Agreement.uuid == agreement_uuid))
    if existing is not None:
        if existing.meetup_id != participant.meetup_id or existing.table_id != participant.table_id:
            raise Conflict(field="agreement")
        return existing
    if participant.table_id is None:
        raise Conflict(_l("You do not have a table yet."))
    _writing_phase(participant)
    operations.bump(session, participant.meetup)
    table = participant.table
    agreement = Agreement(
        uuid=agreement_uuid, meetup_id=participant.meetup_id, table_id=table.id,
        theme_id=table.theme_id, created_by_id=participant.id, partners=[],
        status=AgreementStatus.DRAFT, followup_token=secrets.token_urlsafe(24),
    )
    session.add(agreement)
    session.flush()
    return agreement


def _clean_partners(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(field="partners")
    partners: list[str] = []
    seen: set[str] = set()
    for raw in value:
        name = " ".join(raw.split())
        if not name or name.casefold() in seen:
            continue
        if len(name) > PARTNER_MAX_LENGTH:
            raise InvalidInput(_l("A partner can have at most %(n)s characters.",
                                  n=PARTNER_MAX_LENGTH), field="partners")
        seen.add(name.casefold())
        partners.append(name)
    if len(partners) > PARTNERS_MAX:
        raise InvalidInput(_l("Choose at most %(n)s partners.", n=PARTNERS_MAX),
                           field="partners")
    return partners


def _clean_date(value: Any, today: date) -> date | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise InvalidInput(_l("Enter a valid date."), field="due_date")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(_l("Enter a valid date."), field="due_date") from None
    if parsed < today:
        raise InvalidInput(_l("Choose a date that is not in the past."), field="due_date")
    return parsed


def clean_fields(fields: dict[str, Any], today: date) -> dict[str, Any]:
    """Validated, normalised values for the given fields; InvalidInput names the bad field."""
    if not isinstance(fields, dict):
        raise InvalidInput(field="fields")
    cleaned: dict[str, Any] = {}
    for name, value in fields.items():
        if name in TEXT_LIMITS:
            if value is None:
                value = ""
            if not isinstance(value, str):
                raise InvalidInput(field=name)
            value = value.strip()
            if len(value) > TEXT_LIMITS[name]:
                raise InvalidInput(_l("This can have at most %(n)s characters.",
                                      n=TEXT_LIMITS[name]), field=name)
            cleaned[name] = value
        elif name == "partners":
            cleaned[name] = _clean_partners(value)
        elif name == "due_date":
            cleaned[name] = _clean_date(value, today)
        elif name == "owner":
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                raise InvalidInput(field="owner")
            cleaned[name] = value
        else:
            raise InvalidInput(_l("This field does not exist."), field=str(name)[:40])
    return cleaned


def _pick_owner(session: Session, participant: Participant, agreement: Agreement,
                cleaned: dict[str, Any]) -> dict[str, Any]:
    """``owner``: a person at the agreement's table becomes its owner (name and, when still
    empty, organisation filled in); None lets the table type a name again."""
    cleaned = dict(cleaned)
    owner_id = cleaned.pop("owner")
    if owner_id is None:
        cleaned["owner_id"] = None
        return cleaned
    person = session.get(Participant, owner_id)
    if person is None or person.meetup_id != participant.meetup_id \
            or person.table_id is None or person.table_id != agreement.table_id:
        raise InvalidInput(_l("Choose someone at this table."), field="owner")
    cleaned["owner_id"] = person.id
    cleaned["owner_name"] = person.display_name[:TEXT_LIMITS["owner_name"]]
    if not (cleaned.get("owner_organisation") or agreement.owner_organisation):
        cleaned["owner_organisation"] = person.organisation[:TEXT_LIMITS["owner_organisation"]]
    return cleaned


def update_agreement(
    session: Session,
    participant: Participant,
    agreement_uuid: uuid.UUID | str,
    fields: dict[str, Any],
    *,
    today: date | None = None,
) -> Agreement:
    """Change some fields of a draft or final agreement of the own table."""
    agreement = _find(session, participant, agreement_uuid)
    _writing_phase(participant)
    cleaned = clean_fields(fields, today or today_in_amsterdam())
    if "owner" in cleaned:
        cleaned = _pick_owner(session, participant, agreement, cleaned)
    elif "owner_name" in cleaned and agreement.owner_id is not None \
            and name_key(cleaned["owner_name"]) != name_key(agreement.owner_name):
        cleaned["owner_id"] = None  # a typed name: no longer the person picked
    changed = {k: v for k, v in cleaned.items() if getattr(agreement, k) != v}
    if not changed:
        return agreement
    if agreement.status.is_final:
        after = {name: changed.get(name, getattr(agreement, name)) for name in REQUIRED_FIELDS}
        missing = missing_fields(after)
        if missing:
            raise not_ready(missing)
    operations.bump(session, participant.meetup)
    for name, value in changed.items():
        setattr(agreement, name, value)
    session.flush()
    return agreement


def finalise(
    session: Session, participant: Participant, agreement_uuid: uuid.UUID | str
) -> Agreement:
    """Make a complete draft final ("gepland"); NotReady lists what is missing."""
    agreement = _find(session, participant, agreement_uuid)
    if agreement.status.is_final:
        return agreement
    _writing_phase(participant)
    missing = missing_fields(agreement)
    if missing:
        raise not_ready(missing)
    operations.bump(session, participant.meetup)
    agreement.status = AgreementStatus.PLANNED
    agreement.finalised_at = utcnow()
    session.flush()
    return agreement


def reopen(
    session: Session, participant: Participant, agreement_uuid: uuid.UUID | str
) -> Agreement:
    """Turn a final agreement back into a draft."""
    agreement = _find(session, participant, agreement_uuid)
    if not agreement.status.is_final:
        return agreement
    _writing_phase(participant)
    operations.bump(session, participant.meetup)
    agreement.status = AgreementStatus.DRAFT
    agreement.finalised_at = None
    session.flush()
    return agreement


def delete_draft(
    session: Session, participant: Participant, agreement_uuid: uuid.UUID | str
) -> Agreement:
    """Throw a draft away (kept, marked deleted). Deleting it again changes nothing."""
    parsed = parse_uuid(agreement_uuid, "agreement")
    gone = session.scalar(select(Agreement).where(Agreement.uuid == parsed,
                                                  Agreement.deleted_at.is_not(None)))
    if gone is not None and gone.meetup_id == participant.meetup_id \
            and gone.table_id == participant.table_id:
        return gone
    agreement = _find(session, participant, parsed)
    if agreement.status.is_final:
        raise Conflict(_l("Only drafts can be deleted. Reopen the agreement first."))
    _writing_phase(participant)
    operations.bump(session, participant.meetup)
    agreement.deleted_at = utcnow()
    session.flush()
    return agreement


def _commitment(
    session: Session, agreement: Agreement, participant: Participant
) -> Commitment | None:
    return session.scalar(
        select(Commitment).where(Commitment.agreement_id == agreement.id,
                                 Commitment.participant_id == participant.id)
    )


def sign(
    session: Session, participant: Participant, agreement_uuid: uuid.UUID | str
) -> Agreement:
    """Sign on to an agreement ("ik doe mee"); signing twice changes nothing."""
    _writing_phase(participant)
    agreement = _find(session, participant, agreement_uuid, plenary_final_ok=True)
    if _commitment(session, agreement, participant) is None:
        operations.bump(session, participant.meetup)
        session.add(Commitment(agreement_id=agreement.id, participant_id=participant.id))
        session.flush()
        session.expire(agreement, ["commitments"])
    return agreement


def unsign(
    session: Session, participant: Participant, agreement_uuid: uuid.UUID | str
) -> Agreement:
    """Take the signature back; without one, nothing changes."""
    _writing_phase(participant)
    agreement = _find(session, participant, agreement_uuid, plenary_final_ok=True)
    commitment = _commitment(session, agreement, participant)
    if commitment is not None:
        operations.bump(session, participant.meetup)
        session.delete(commitment)
        session.flush()
        session.expire(agreement, ["commitments"])
    return agreement


def signed_by(session: Session, participant: Participant) -> list[Agreement]:
    """The agreements this participant signed on to ("ik doe mee"), by due date."""
    return list(session.scalars(
        select(Agreement)
        .join(Commitment, Commitment.agreement_id == Agreement.id)
        .where(Commitment.participant_id == participant.id,
               Agreement.meetup_id == participant.meetup_id,
               Agreement.deleted_at.is_(None))
        .order_by(Agreement.due_date, Agreement.id)
    ))


def taking_part(session: Session, participant: Participant) -> list[Agreement]:
    """What this participant takes part in: what they signed on to, and the final agreements
    of their table that they lead (an owner takes part, signed or not); by due date."""
    chosen = {a.id: a for a in signed_by(session, participant)}
    if participant.table_id is not None:
        for agreement in session.scalars(
            select(Agreement).where(Agreement.table_id == participant.table_id,
                                    Agreement.deleted_at.is_(None),
                                    Agreement.status != AgreementStatus.DRAFT)
        ):
            if agreement.owned_by(participant):
                chosen.setdefault(agreement.id, agreement)
    return sorted(chosen.values(), key=lambda a: (a.due_date is None, a.due_date or date.min,
                                                    a.id))
