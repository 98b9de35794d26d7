"""JSON export of the report: the meetup, the figures, the agreements and the notes.

No contact details and no follow-up tokens: the file is meant to be passed on.
"""

from __future__ import annotations

import json
from typing import Any

from meetup.reports import texts
from meetup.reports.data import AgreementRow, NoteRow, Report

SCHEMA_VERSION = 1


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def agreement_dict(a: AgreementRow) -> dict[str, Any]:
    return {
        "number": a.number,
        "theme": a.theme_key,
        "theme_title": a.theme_title,
        "table": a.table_number,
        "what": a.what,
        "owner": {"name": a.owner_name, "organisation": a.owner_organisation},
        "partners": list(a.partners),
        "first_step": a.first_step,
        "due_date": _iso(a.due_date),
        "success_measure": a.success_measure,
        "status": a.status,
        "status_label": texts.STATUS.get(a.status, a.status),
        "signed_on": a.signed_on,
        "finalised_at": _iso(a.finalised_at),
        "updates": [{"status": u.status, "note": u.note, "source": u.source,
                     "created_at": _iso(u.created_at)} for u in a.updates],
    }


def note_dict(n: NoteRow) -> dict[str, Any]:
    return {"theme": n.theme_key, "theme_title": n.theme_title, "table": n.table_number,
            "round": n.round, "round_label": texts.ROUND[n.round], "text": n.text,
            "votes": n.votes}


def report_json(report: Report) -> bytes:
    """The report as UTF-8 JSON bytes (non-ASCII kept readable)."""
    data = {
        "schema_version": SCHEMA_VERSION,
        "generated_at": _iso(report.generated_at),
        "privacy": texts.PRIVACY,
        "meetup": {"title": report.title, "city": report.city, "venue": report.venue,
                   "starts_at": _iso(report.starts_at), "organiser": report.organiser_name,
                   "phase": report.phase},
        "summary": {
            "participants": report.participants_total,
            "participants_by_role": {c.label: c.count for c in report.by_role},
            "participants_by_theme": {c.label: c.count for c in report.by_theme},
            "tables": report.table_count,
            "notes": report.note_count,
            "agreements": report.agreement_count,
            "drafts_not_included": report.draft_count,
        },
        "themes": [{"key": t.key, "title": t.title, "question": t.question,
                    "participants": t.participants, "tables": list(t.table_numbers),
                    "agreements": [a.number for a in t.agreements],
                    "groups_round": t.groups_round,
                    "groups": [{"title": g.title, "tables": list(g.table_numbers),
                                "note_count": len(g.notes), "votes": g.votes,
                                "notes": [note_dict(n) for n in g.notes]}
                               for g in t.groups]} for t in report.themes],
        "agreements": [agreement_dict(a) for a in report.agreements],
        "notes": [note_dict(n) for n in report.notes],
    }
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
