"""The overview across a series as CSV (semicolons, for Dutch spreadsheets) and JSON; the
organisations that come back across its meetups as a CSV of their own and a JSON section."""

from __future__ import annotations

import json
from typing import Any

from meetup.reports.comparison import STATUS_WORDS
from meetup.reports.csv_export import write_csv
from meetup.reports.overview import Overview, OverviewRow
from meetup.reports.overview_organisations import ReturningOrganisation

CSV_HEADER = ["reeks", "meetup", "plaats", "datum", "thema", "afspraak", "trekker",
              "organisatie", "partners", "wanneer", "status", "toelichting", "gemeld op",
              "vervolg op afspraak"]


def _row(series: str, r: OverviewRow) -> list[str]:
    return [series, r.meetup_title, r.city, r.meetup_date.isoformat() if r.meetup_date else "",
            r.theme_title, r.what, r.owner_name, r.owner_organisation, ", ".join(r.partners),
            r.due_date.isoformat() if r.due_date else "", STATUS_WORDS.get(r.status, r.status),
            r.note, r.reported_at.isoformat() if r.reported_at else "",
            str(r.continues_id or "")]


def overview_csv(overview: Overview) -> bytes:
    """Semicolons, UTF-8 with BOM, cells that no spreadsheet runs as a formula."""
    return write_csv(CSV_HEADER, (_row(overview.series_name, r) for r in overview.rows))


def overview_dict(overview: Overview) -> dict[str, Any]:
    f = overview.filters
    return {
        "series": {"id": overview.series_id, "name": overview.series_name,
                   "meetups": overview.meetup_count},
        "filters": {"city": f.city, "year": f.year, "theme": f.theme, "status": f.status,
                    "organisation": f.organisation},
        "counts": dict(overview.counts),
        "returning_organisations": [_organisation_dict(o) for o in overview.returning],
        "themes": [{
            "key": t.key, "title": t.title,
            "agreements": [{
                "id": r.agreement_id, "meetup": {"id": r.meetup_id, "title": r.meetup_title,
                                                 "city": r.city,
                                                 "date": r.meetup_date.isoformat()
                                                 if r.meetup_date else None},
                "what": r.what, "owner_name": r.owner_name,
                "owner_organisation": r.owner_organisation, "partners": list(r.partners),
                "due_date": r.due_date.isoformat() if r.due_date else None,
                "status": r.status, "note": r.note,
                "reported_at": r.reported_at.isoformat() if r.reported_at else None,
                "continues": r.continues_id,
            } for r in t.rows]} for t in overview.themes],
    }


def overview_json(overview: Overview) -> bytes:
    return json.dumps(overview_dict(overview), ensure_ascii=False, indent=1).encode("utf-8")


ORGANISATIONS_HEADER = ["reeks", "organisatie", "ook geschreven als", "aantal meetups",
                        "meetup", "plaats", "datum", "rol", "thema", "afspraak", "trekker",
                        "status"]


def organisations_csv(overview: Overview) -> bytes:
    """One line per returning organisation, meetup, role and agreement."""
    def lines():  # type: ignore[no-untyped-def]
        for o in overview.returning:
            for m in o.meetups:
                for role, rows in (("trekker", m.as_owner), ("partner", m.as_partner)):
                    for r in rows:
                        yield [overview.series_name, o.name, ", ".join(o.other_names),
                               str(o.meetup_count), m.meetup_title, m.city,
                               m.meetup_date.isoformat() if m.meetup_date else "", role,
                               r.theme_title, r.what, r.owner_name,
                               STATUS_WORDS.get(r.status, r.status)]
    return write_csv(ORGANISATIONS_HEADER, lines())


def _organisation_dict(o: ReturningOrganisation) -> dict[str, Any]:
    def agreement(r: OverviewRow) -> dict[str, Any]:
        return {"id": r.agreement_id, "theme": r.theme_key, "what": r.what,
                "owner_name": r.owner_name, "status": r.status}
    return {"name": o.name, "other_names": list(o.other_names), "meetups": o.meetup_count,
            "as_owner": o.owner_count, "as_partner": o.partner_count,
            "per_meetup": [{"id": m.meetup_id, "title": m.meetup_title, "city": m.city,
                            "date": m.meetup_date.isoformat() if m.meetup_date else None,
                            "as_owner": [agreement(r) for r in m.as_owner],
                            "as_partner": [agreement(r) for r in m.as_partner]}
                           for m in o.meetups]}
