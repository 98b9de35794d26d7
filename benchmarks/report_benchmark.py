"""Benchmark: the agreement report of a big meetup (500 agreements, 3,000 notes).

Run standalone: ``.venv/bin/python benchmarks/report_benchmark.py [--agreements N] [--notes N]``.
Builds its own temporary SQLite database, seeds it, then times gathering and each builder
separately and prints seconds, the page count and the file sizes. Target: the PDF report in
under 5 s (gather + build) on the project's 2-core machine.
"""

from __future__ import annotations

import argparse
import random
import secrets
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from meetup import create_app  # noqa: E402
from meetup.extensions import db  # noqa: E402
from meetup.models import (  # noqa: E402
    Agreement,
    AgreementUpdate,
    Commitment,
    Note,
    Participant,
    Phase,
    Table,
    Vote,
)
from meetup.services import content, meetups, organisers  # noqa: E402

#: Names in every script the report must print: Latin with diacritics, Turkish, Polish,
#: Vietnamese, Arabic, Persian, Tigrinya/Amharic (Ge'ez), Cyrillic and Chinese.
FIRST = ["Şükrü", "Nguyễn Thị", "Zoë", "Łukasz", "Ørjan", "Anna", "Mohammed", "Fatima", "Daan",
         "Sanne", "Jesús", "Björn", "Chloé", "Ayşe", "Dmitrij", "Ngozi", "Priya", "Kees",
         "محمد", "فاطمه", "ተስፋይ", "አበበ", "Дмитрий", "王", "李"]
LAST = ["Yılmaz", "Hương", "de Vries", "Nowak", "Håland", "Jansen", "El Amrani", "Bakker",
        "Ødegård", "Öztürk", "Müller", "Dąbrowski", "Nguyễn", "van Dijk", "Čapek", "Smit",
        "الحسن", "رضایی", "ገብረ", "በቀለ", "Иванов", "芳", "明"]
#: Notes that are not Dutch: one in twenty.
FOREIGN_NOTES = ["نحتاج مترجما في كل لقاء مع الأهل", "کلاس زبان برای والدین", "ቋንቋ ንወለድቲ",
                 "Родители не понимают письма школы", "家长需要翻译", "Goed idee 😀 👍",
                 "Phụ huynh cần thông dịch viên"]
WORDS = ("voorlezen ouders school bibliotheek taal overdracht buurtteam leerplicht jongerenwerk "
         "huiswerk kinderopvang peuters mentor zorg gesprek tolk sport cultuur wijk gemeente "
         "samen elke week maand plan start netwerk brugklas groep acht").split()


def sentence(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).capitalize()


def seed(n_agreements: int, n_notes: int, n_participants: int, rng: random.Random,
         organiser_email: str = "bench@example.org") -> int:
    organiser = organisers.create_organiser(db.session, organiser_email,
                                            "correct horse battery", name="Bench Organisator")
    meetup = meetups.create_meetup(db.session, organiser, title="Meetup Benchmarkstad",
                                   city="Benchmarkstad", venue="Stadhuis",
                                   starts_at=datetime(2026, 12, 3, 17, 30, tzinfo=UTC))
    meetup.phase = Phase.CLOSED
    db.session.flush()
    themes = list(meetup.themes)
    n_tables = max(1, n_participants // 6)
    db.session.execute(insert(Table), [
        {"meetup_id": meetup.id, "theme_id": themes[i % len(themes)].id, "number": i + 1}
        for i in range(n_tables)])
    tables = db.session.execute(
        Table.__table__.select().where(Table.meetup_id == meetup.id)).all()
    roles = content.role_keys()
    people = []
    for i in range(n_participants):
        table = tables[i % n_tables]
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}"
        consent = rng.random() < 0.5
        people.append({
            "meetup_id": meetup.id, "display_name": name, "role": rng.choice(roles),
            "organisation": f"Organisatie {rng.randint(1, 120)}",
            "email": f"p{i}@example.org" if consent or rng.random() < 0.3 else None,
            "email_consent": consent, "theme_id": table.theme_id, "table_id": table.id,
            "token_hash": secrets.token_hex(32)})
    db.session.execute(insert(Participant), people)
    pids = [p.id for p in db.session.execute(
        Participant.__table__.select().where(Participant.meetup_id == meetup.id)).all()]
    rounds = ("happens", "connect", "missing")
    db.session.execute(insert(Note), [
        {"uuid": uuid.uuid4(), "meetup_id": meetup.id, "table_id": tables[i % n_tables].id,
         "author_id": rng.choice(pids), "round": rounds[(i // n_tables) % 3],
         "text": (f"{sentence(rng, 2, 10)} {rng.choice(FOREIGN_NOTES)}" if i % 20 == 0
                  else sentence(rng, 4, 30))[:280], "hidden": rng.random() < 0.02}
        for i in range(n_notes)])
    note_ids = [n.id for n in db.session.execute(
        Note.__table__.select().where(Note.meetup_id == meetup.id)).all()]
    db.session.execute(insert(Vote), [
        {"uuid": uuid.uuid4(), "note_id": rng.choice(note_ids), "participant_id": pid}
        for pid in pids for _ in range(3)])
    partners = content.partners()
    agreements = []
    n_drafts = n_agreements // 10  # drafts come on top: they are not in the report
    for i in range(n_agreements + n_drafts):
        table = tables[i % n_tables]
        agreements.append({
            "uuid": uuid.uuid4(), "meetup_id": meetup.id, "table_id": table.id,
            "theme_id": table.theme_id, "what": sentence(rng, 5, 25),
            "owner_name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            "owner_organisation": f"Organisatie {rng.randint(1, 120)}",
            "partners": rng.sample(partners, rng.randint(0, 4)),
            "first_step": sentence(rng, 3, 15), "success_measure": sentence(rng, 3, 15),
            "due_date": date(2027, 1, 1) + timedelta(days=rng.randint(0, 365))
            if rng.random() < 0.9 else None,
            "status": "draft" if i >= n_agreements else
            rng.choice(["planned", "planned", "in_progress", "done", "stopped"]),
            "followup_token": secrets.token_urlsafe(32)})
    db.session.execute(insert(Agreement), agreements)
    aids = [a.id for a in db.session.execute(
        Agreement.__table__.select().where(Agreement.meetup_id == meetup.id)).all()]
    db.session.execute(insert(Commitment), [
        {"agreement_id": aid, "participant_id": pid}
        for aid in aids for pid in rng.sample(pids, rng.randint(1, 4))])
    db.session.execute(insert(AgreementUpdate), [
        {"agreement_id": aid, "status": "in_progress", "note": sentence(rng, 3, 12),
         "source": "owner"} for aid in aids if rng.random() < 0.4])
    db.session.commit()
    return meetup.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agreements", type=int, default=500)
    parser.add_argument("--notes", type=int, default=3000)
    parser.add_argument("--participants", type=int, default=600)
    parser.add_argument("--keep", type=Path, help="write the PDF here to look at it")
    args = parser.parse_args()

    from meetup.models import Meetup
    from meetup.reports import csv_export, decidim, json_export
    from meetup.reports.data import gather_report
    from meetup.reports.followup_pdf import build_followup_pdf_with_pages
    from meetup.reports.pdf import build_report_pdf_with_pages

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3",
                          "INSTANCE_PATH": f"{tmp}/instance"})
        with app.app_context():
            db.create_all()  # a throw-away benchmark database, not a real one
            start = time.perf_counter()
            meetup_id = seed(args.agreements, args.notes, args.participants, random.Random(7))
            print(f"seeded in {time.perf_counter() - start:.2f} s "
                  f"({args.agreements} finalised agreements + 10% drafts, {args.notes} notes, "
                  f"{args.participants} participants)")
            meetup = db.session.get(Meetup, meetup_id)

            start, cpu = time.perf_counter(), time.process_time()
            report = gather_report(db.session, meetup)
            gather_s, gather_cpu = time.perf_counter() - start, time.process_time() - cpu
            start, cpu = time.perf_counter(), time.process_time()
            pdf, pages = build_report_pdf_with_pages(report)
            build_s, build_cpu = time.perf_counter() - start, time.process_time() - cpu
            print(f"report: {report.agreement_count} finalised agreements, "
                  f"{report.note_count} visible notes, {len(report.contacts)} contacts")
            print("              wall     cpu   (cpu = this process only; wall includes waiting "
                  "for a shared machine)")
            print(f"gather      {gather_s:6.2f} s {gather_cpu:6.2f} s")
            print(f"build PDF   {build_s:6.2f} s {build_cpu:6.2f} s   {pages} pages, "
                  f"{len(pdf) / 1024:,.0f} KiB")
            print(f"total PDF   {gather_s + build_s:6.2f} s {gather_cpu + build_cpu:6.2f} s   "
                  "(target < 5 s; first build of the process, fonts loaded)")
            start, cpu = time.perf_counter(), time.process_time()
            build_report_pdf_with_pages(report)
            print(f"again       {time.perf_counter() - start:6.2f} s "
                  f"{time.process_time() - cpu:6.2f} s   (a running server's next report)")
            for name, builder in (("agreements CSV", csv_export.agreements_csv),
                                  ("notes CSV", csv_export.notes_csv),
                                  ("JSON", json_export.report_json),
                                  ("Decidim CSV", decidim.decidim_csv)):
                start = time.perf_counter()
                data = builder(report)
                print(f"{name:<15} {time.perf_counter() - start:6.2f} s   "
                      f"{len(data) / 1024:,.0f} KiB")
            start = time.perf_counter()
            followup, followup_pages = build_followup_pdf_with_pages(report)
            print(f"follow-up PDF {time.perf_counter() - start:6.2f} s   {followup_pages} pages, "
                  f"{len(followup) / 1024:,.0f} KiB")
            if args.keep:
                args.keep.write_bytes(pdf)
                print(f"PDF written to {args.keep}")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
