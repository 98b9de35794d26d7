"""An agreement in the wire format of docs/realtime.md, and who signed on to it.

Below both :mod:`snapshot` and :mod:`plenary`, so that neither has to import the other for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from meetup.models import Agreement, Commitment, Participant
from meetup.services.agreements import missing_fields
from meetup.services.phases import iso


def signers_of(session: Session, agreement_ids: Iterable[int]) -> dict[int, list[str]]:
    """First names of the people who signed on, per agreement id (in signing order)."""
    ids = list(agreement_ids)
    signers: dict[int, list[str]] = {agreement_id: [] for agreement_id in ids}
    if ids:
        rows = session.execute(
            select(Commitment.agreement_id, Participant.display_name)
            .join(Participant, Commitment.participant_id == Participant.id)
            .where(Commitment.agreement_id.in_(ids))
            .order_by(Commitment.id)
        )
        for agreement_id, name in rows:
            signers[agreement_id].append(name.split()[0] if name.strip() else "")
    return signers


def serialise_agreement(agreement: Agreement, signers: list[str] | None = None) -> dict[str, Any]:
    """An agreement on the wire; without ``signers`` they are read from its commitments."""
    if signers is None:
        signers = [c.participant.first_name for c in agreement.commitments]
    return {
        "uuid": str(agreement.uuid),
        "table": agreement.table.number if agreement.table is not None else None,
        "theme": agreement.theme.key if agreement.theme is not None else None,
        "status": str(agreement.status),
        "what": agreement.what,
        "owner_name": agreement.owner_name,
        "owner": agreement.owner_id,
        "owner_organisation": agreement.owner_organisation,
        "partners": list(agreement.partners or []),
        "first_step": agreement.first_step,
        "due_date": agreement.due_date.isoformat() if agreement.due_date else None,
        "success_measure": agreement.success_measure,
        "signed": len(signers),
        "signers": signers,
        "missing": missing_fields(agreement),
        "finalised_at": iso(agreement.finalised_at),
        "updated_at": iso(agreement.updated_at),
        "continues": _continues(agreement),
    }


def _continues(agreement: Agreement) -> dict[str, Any] | None:
    """The agreement of last time this one continues: ``{uuid, what}``, or None."""
    if agreement.continues_agreement_id is None:
        return None
    earlier = agreement.continues
    return {"uuid": str(earlier.uuid), "what": earlier.what} if earlier is not None else None
