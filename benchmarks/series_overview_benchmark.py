"""Benchmark: the overview across a series (issue 25, point 6) with 50 meetups and 5,000
final agreements, a third of them followed up.

Run standalone: ``.venv/bin/python benchmarks/series_overview_benchmark.py [--meetups N]
[--agreements N] [--repeat N]``. Seeds a temporary SQLite database (bulk inserts), logs an
organiser in with the test client and times the page as the organiser gets it (request,
gathering and rendering), unfiltered and filtered, and the CSV and JSON exports. Beside each
figure a floor: the plain SELECT of the same agreements, the least any overview can cost.
Also the organisations that come back (the page, unfiltered and filtered, and its CSV; a
fifth of the names are typed in other capitals and spacing, so matching has work to do)
and the PDF for the national partners (``--pdf-repeat`` builds through the route, and its
page count and size). Prints p50 / p95 / max in milliseconds, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import secrets
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from meetup import create_app  # noqa: E402
from meetup.extensions import db  # noqa: E402

CITIES = ("Hilversum", "Bussum", "Huizen", "Naarden", "Laren", "Blaricum", "Weesp",
          "Almere", "Amersfoort", "Utrecht")
ORGS = tuple(f"Organisatie {i}" for i in range(1, 81))
PASSWORD = "correct horse battery"


def spelled(name: str, rng: random.Random) -> str:
    """The name as typed: now and then in other capitals or with extra spaces."""
    roll = rng.random()
    return name.upper() if roll < 0.1 else f" {name.lower()}  " if roll < 0.2 else name


def seed(n_meetups: int, n_agreements: int, rng: random.Random) -> int:
    from meetup.models import Agreement, AgreementUpdate, Phase, Series
    from meetup.services import meetups, organisers

    organiser = organisers.create_organiser(db.session, "bench@example.org", PASSWORD)
    from meetup.services import access
    series = Series(organiser_id=organiser.id,
                    organisation_id=access.home_organisation(db.session, organiser).id,
                    name="Meetup Kansenongelijkheid Benchmark")
    db.session.add(series)
    db.session.flush()
    created = []
    previous = None
    for i in range(n_meetups):
        m = meetups.create_meetup(
            db.session, organiser, title=f"Meetup {i + 1}", city=CITIES[i % len(CITIES)],
            starts_at=datetime(2024, 1, 10, 18, tzinfo=UTC) + timedelta(days=30 * i))
        m.series_id, m.phase = series.id, Phase.CLOSED
        m.previous_meetup_id = previous.id if previous else None
        db.session.flush()
        created.append(m)
        previous = m
    rows = []
    for j in range(n_agreements):
        m = created[j % n_meetups]
        theme = m.themes[j % 3]
        rows.append({
            "uuid": uuid.uuid4(), "meetup_id": m.id, "theme_id": theme.id,
            "what": f"Afspraak {j}: voorleesouders en taalcafés op {rng.randint(1, 40)} scholen",
            "owner_name": f"Trekker {j}", "owner_organisation": spelled(rng.choice(ORGS), rng),
            "partners": [spelled(o, rng) for o in rng.sample(ORGS, 2)], "first_step": "Overleg plannen",
            "due_date": date(2026, 1, 1) + timedelta(days=rng.randint(0, 365)),
            "success_measure": "", "status": "planned", "followup_token": secrets.token_hex(20),
            "finalised_at": m.starts_at, "created_at": m.starts_at, "updated_at": m.starts_at})
    db.session.execute(insert(Agreement), rows)
    ids = list(db.session.scalars(select(Agreement.id)))
    updates = [{"agreement_id": a, "status": rng.choice(["in_progress", "done", "stopped"]),
                "note": "Stand van zaken", "source": "owner",
                "created_at": datetime(2026, 6, 1, tzinfo=UTC)}
               for a in ids if rng.random() < 1 / 3]
    db.session.execute(insert(AgreementUpdate), updates)
    db.session.commit()
    return series.id


def timed(action, repeat: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        runs.append((time.perf_counter() - start) * 1000)
    runs.sort()
    p95 = runs[min(len(runs) - 1, round(0.95 * (len(runs) - 1)))]
    return {"p50": round(statistics.median(runs), 1), "p95": round(p95, 1),
            "max": round(runs[-1], 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetups", type=int, default=50)
    parser.add_argument("--agreements", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--pdf-repeat", type=int, default=5)
    args = parser.parse_args()
    from meetup.models import Agreement

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
                          "INSTANCE_PATH": f"{tmp}/instance"})
        with app.app_context():
            db.create_all()  # a throw-away benchmark database, not a real one
            start = time.perf_counter()
            series_id = seed(args.meetups, args.agreements, random.Random(25))
            print(f"seeded {args.meetups} meetups, {args.agreements} agreements in "
                  f"{time.perf_counter() - start:.1f} s")
        client = app.test_client()
        assert client.post("/organiser/login", data={"email": "bench@example.org",
                                                     "password": PASSWORD}).status_code == 302
        base = f"/organiser/series/{series_id}/overview"

        def get(path: str) -> None:
            response = client.get(path)
            assert response.status_code == 200, response.status_code
            response.get_data()

        def floor() -> None:
            with app.app_context():
                db.session.execute(select(Agreement.id, Agreement.what, Agreement.owner_name)
                                   ).all()
                db.session.remove()

        figures = {
            "floor_select": timed(floor, args.repeat),
            "page": timed(lambda: get(base), args.repeat),
            "page_filtered": timed(lambda: get(base + "?city=Bussum&status=done"), args.repeat),
            "csv": timed(lambda: get(base.replace("overview", "overview.csv")), args.repeat),
            "json": timed(lambda: get(base.replace("overview", "overview.json")), args.repeat),
            "organisations": timed(lambda: get(base + "/organisations"), args.repeat),
            "organisations_filtered": timed(
                lambda: get(base + "/organisations?theme=taal&year=2025"), args.repeat),
            "organisations_csv": timed(lambda: get(base + "/organisations.csv"), args.repeat),
            "pdf": timed(lambda: get(base.replace("overview", "overview.pdf")),
                         args.pdf_repeat),
        }
        with app.app_context():
            from meetup.models import Series
            from meetup.reports.overview import gather_overview
            from meetup.reports.overview_pdf import build_overview_pdf_with_pages

            overview = gather_overview(db.session, db.session.get(Series, series_id))
            made: list[tuple[bytes, int]] = []
            figures["pdf_build_only"] = timed(
                lambda: made.append(build_overview_pdf_with_pages(overview)), args.pdf_repeat)
            pdf, pages = made[-1]
            returning = len(overview.returning)
            db.session.remove()
        for name, f in figures.items():
            print(f"{name:<22} p50 {f['p50']:8.1f} ms   p95 {f['p95']:8.1f} ms   "
                  f"max {f['max']:8.1f} ms")
        print(f"pdf: {pages} pages, {len(pdf) // 1024} KiB; {returning} returning organisations")
        print(json.dumps({"meetups": args.meetups, "agreements": args.agreements,
                          "repeat": args.repeat, "pdf_repeat": args.pdf_repeat,
                          "pdf_pages": pages, "pdf_kib": len(pdf) // 1024,
                          "returning_organisations": returning,
                          **{k: v for k, v in figures.items()},
                          "machine": f"{platform.machine()} {os.cpu_count()} cores"}))


if __name__ == "__main__":
    main()
