"""The live projector screen, 16:9: QR and counts while people join, then tables, timer and
questions, and in the plenary the confirmed groups of notes and then the agreements, one at a
time, as the organiser steps through them.

The page is a shell; ``static/js/projector.js`` renders the live state from the socket.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template, request
from flask_babel import lazy_gettext as _l

from meetup.services import links
from meetup.web.organiser.auth import login_required, meetup_for
from meetup.web.participant.live import COMMON_TEXTS, phase_label, role_texts, texts
from meetup.web.projector import bp

PROJECTOR_TEXTS: dict[str, Any] = {
    "scan": _l("Scan the QR code with your phone"),
    "or_type": _l("or go to {address} and type the code"),
    "code": _l("Code"),
    "joined_one": _l("1 person has joined"),
    "joined_other": _l("{n} people have joined"),
    "per_theme": _l("Per theme"),
    "per_role": _l("Per role"),
    "choose_theme_now": _l("Choose your theme on your phone"),
    "find_table": _l("Find your table: your phone shows the number"),
    "voting_question": _l("Which ideas will your table work out? Give your dots."),
    "agreements_question": _l("Make it concrete: who does what, with whom, and when?"),
    "tables_title": _l("Tables"),
    "plenary_none": _l("The groups and agreements appear here one by one."),
    "owner_line": _l("Led by {owner}"),
    "partners_line": _l("With {partners}"),
    "first_step_line": _l("First step: {step}"),
    "due_line": _l("Date of the first step: {date}"),
    "measure_line": _l("It worked when: {measure}"),
    "closing_title": _l("Thank you all!"),
    "closing_count_one": _l("Tonight we made 1 agreement."),
    "closing_count_other": _l("Tonight we made {n} agreements."),
    "qr_alt": _l("QR code with the link {url}"),
    "other_roles": _l("Other roles"),
    "tables_page": _l("Tables {from}–{to} of {total}"),
    "tables_with_final": _l("{n} of {total} tables have a final agreement"),
    "top_notes_title": _l("Most dots per theme"),
    "no_dots_yet": _l("No dots yet"),
    "dots_one": _l("1 dot"),
    "dots_other": _l("{n} dots"),
    "retro_join": _l("Join on your phone: scan, or go to {address} and type {code}"),
}


@bp.route("/<int:meetup_id>")
@login_required
def screen(meetup_id: int) -> Any:
    meetup = meetup_for(meetup_id)
    base = links.base_url(current_app.config.get("PUBLIC_URL"), request.url_root)
    return render_template(
        "projector/screen.html",
        meetup=meetup,
        phase_label=phase_label(meetup),
        join_url=links.join_url(base, meetup),
        code_address=links.display_address(links.code_url(base)),
        texts=texts(COMMON_TEXTS, PROJECTOR_TEXTS, role_texts()),
    )
