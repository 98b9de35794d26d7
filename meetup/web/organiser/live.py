"""Running the evening from the laptop: phases, timer, message, tables, moderation, plenary.

The page is a shell; ``static/js/organiser-live.js`` renders the live state it receives over
the socket and sends every action as an acknowledged socket write (docs/realtime.md).
"""

from __future__ import annotations

from typing import Any

from flask import g, render_template, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError

from meetup.extensions import db
from meetup.models import Phase
from meetup.services import access
from meetup.web.organiser import bp
from meetup.web.organiser.auth import login_required, meetup_for
from meetup.web.participant.live import COMMON_TEXTS, phase_label, role_texts, texts

ORGANISER_TEXTS: dict[str, Any] = {
    "previous": _l("Previous"),
    "next": _l("Next"),
    "current_phase": _l("Now: {phase}"),
    "pause": _l("Pause"),
    "resume": _l("Resume"),
    "no_timer": _l("No countdown running"),
    "message_current": _l("On all screens now: {text}"),
    "message_none": _l("No message on the screens."),
    "tables_formed_one": _l("1 table formed."),
    "tables_formed_other": _l("{n} tables formed."),
    "tables_none": _l("No tables yet."),
    "no_cap": _l("no cap"),
    "cap_label": _l("Cap for {theme}"),
    "save": _l("Save"),
    "participants_one": _l("1 participant"),
    "participants_other": _l("{n} participants"),
    "unseated_n": _l("Without a table ({n})"),
    "unseated_hint": _l("Choose a name to give this person a table."),
    "no_theme": _l("no theme yet"),
    "move_person": _l("Move {name}"),
    "choose_table": _l("Choose a table"),
    "choose_person": _l("Choose a person"),
    "choose_person_first": _l("Choose who moves."),
    "choose_table_first": _l("Choose the table."),
    "no_table": _l("no table"),
    "overview_caption": _l("Tables with their people, notes per round, dots and agreements"),
    "col_table": _l("Table"),
    "col_people": _l("People"),
    "attention_none": _l("Nothing needs your attention right now."),
    "attention_unseated_one": _l("1 person without a table"),
    "attention_unseated_other": _l("{n} people without a table"),
    "attention_no_agreement_one": _l("1 table without a final agreement: {tables}"),
    "attention_no_agreement_other": _l("{n} tables without a final agreement: {tables}"),
    "attention_hidden_one": _l("1 hidden note"),
    "attention_hidden_other": _l("{n} hidden notes"),
    "attention_expected": _l("More people are joining than expected ({n}; expected {expected}): "
                             "newcomers now get in at 20 a minute. Raise the expected number "
                             "in the meetup's settings."),
    "moderation_count": _l("The newest {shown} of {total} notes; choose a table to see them all."),
    "notes_one": _l("1 note"),
    "notes_other": _l("{n} notes"),
    "notes_per_round": _l("Notes per round"),
    "dots_label": _l("Dots"),
    "agreements_count": _l("{n} ({final} final)"),
    "no_agreement_warning": _l("No final agreement yet"),
    "hide": _l("Hide"),
    "unhide": _l("Put back"),
    "hidden": _l("Hidden"),
    "no_notes": _l("No notes yet."),
    "plenary_none": _l("No confirmed groups or final agreements yet."),
    "plenary_sequence": _l("Groups: {groups} · agreements: {agreements}"),
    "previous_slide": _l("Previous slide"),
    "next_slide": _l("Next slide"),
    "no_tables_yet": _l("Tables appear here once they are formed."),
    "dots_one": _l("1 dot"),
    "dots_other": _l("{n} dots"),
    "done": _l("Done."),
    "table_theme": _l("Table {n} · {theme}"),
    "retro_counts_title": _l("All agreements of last time"),
}


def optional_url(endpoint: str, **values: Any) -> str | None:
    """A link to a page another part of the app provides, or None while it does not exist."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


@bp.route("/meetups/<int:meetup_id>/live")
@login_required
def live(meetup_id: int) -> Any:
    meetup = meetup_for(meetup_id)
    # A meekijker watches: the page says so (every change is refused by the server).
    watching = not access.may(db.session, g.organiser, meetup, access.RUN)
    return render_template(
        "organiser/live.html",
        meetup=meetup,
        phases=[phase.value for phase in Phase],
        phase_label=phase_label(meetup),
        report_url=optional_url("organiser.report", meetup_id=meetup.id),
        meetup_url=optional_url("organiser.meetup", meetup_id=meetup.id),
        # Where the organiser raises the expected number when more people come (issue 21).
        settings_url=None if watching else url_for(
            "organiser.edit_meetup", meetup_id=meetup.id) + "#expected_participants",
        texts=texts(COMMON_TEXTS, ORGANISER_TEXTS, role_texts()),
        watching_only=watching,
    )
