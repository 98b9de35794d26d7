"""Benchmark: the plenary of a big meetup (1,000 people at 170 tables, 3,000 notes, 500
final agreements, every theme's notes grouped and confirmed).

Run standalone: ``.venv/bin/python benchmarks/plenary_benchmark.py [--notes N] ...``. Seeds a temporary SQLite
database like ``report_benchmark.py``, groups and confirms each theme, then times what the
organiser's stepping and the screens ask of the server: the sequence of slides, the state of a
group slide and of an agreement slide, a step (``show``), keeping the slide when the sequence
changes (``upcoming`` + ``follow``), and the report gathered and built with the groups.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.report_benchmark import seed  # noqa: E402
from meetup import create_app  # noqa: E402
from meetup.extensions import db  # noqa: E402


def timed(label: str, action, repeat: int = 20) -> None:  # type: ignore[no-untyped-def]
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        runs.append((time.perf_counter() - start) * 1000)
    print(f"{label:<34} median {statistics.median(runs):7.1f} ms   max {max(runs):7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agreements", type=int, default=500)
    parser.add_argument("--notes", type=int, default=3000)
    parser.add_argument("--participants", type=int, default=1000)
    args = parser.parse_args()
    from meetup.models import Meetup, Phase
    from meetup.reports.data import gather_report
    from meetup.reports.pdf import build_report_pdf_with_pages
    from meetup.services import groupings, plenary

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
                          "INSTANCE_PATH": f"{tmp}/instance"})
        with app.test_request_context():
            db.create_all()  # a throw-away benchmark database, not a real one
            meetup_id = seed(args.agreements, args.notes, args.participants, random.Random(7))
            meetup = db.session.get(Meetup, meetup_id)
            meetup.phase = Phase.PLENARY
            start = time.perf_counter()
            for theme in meetup.themes:
                groupings.suggest(db.session, meetup, theme.id)
                groupings.confirm(db.session, meetup, theme.id)
            db.session.commit()
            print(f"grouped and confirmed 3 themes in {time.perf_counter() - start:.2f} s")
            sequence = plenary.slides(db.session, meetup)
            groups = sum(1 for s in sequence if s.kind == "group")
            print(f"sequence: {groups} groups, {len(sequence) - groups} agreements")

            timed("slides (the sequence)", lambda: plenary.slides(db.session, meetup))
            meetup.plenary_position = groups // 2
            timed("state, a group slide", lambda: plenary.state(db.session, meetup))
            meetup.plenary_position = groups + 10
            timed("state, an agreement slide", lambda: plenary.state(db.session, meetup))
            timed("show (a step)", lambda: plenary.show(db.session, meetup, groups - 1))
            timed("upcoming + follow", lambda: plenary.follow(
                db.session, meetup, plenary.upcoming(db.session, meetup)))
            db.session.rollback()

            start = time.perf_counter()
            report = gather_report(db.session, meetup)
            pdf, pages = build_report_pdf_with_pages(report)
            print(f"report with groups: {time.perf_counter() - start:.2f} s, {pages} pages, "
                  f"{len(pdf) / 1024:,.0f} KiB")


if __name__ == "__main__":
    main()
