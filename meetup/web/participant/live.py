"""The live evening on the phone, and the participant's calendar file of their commitments.

The page is a shell: the state arrives over the socket (see docs/realtime.md) and
``static/js/phone.js`` renders one view per phase. Texts for the script come from here,
translated, in a JSON block; the configuration in data- attributes.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, redirect, render_template, session, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from meetup.config import PARTICIPANT_SESSION_KEY
from meetup.extensions import db
from meetup.models import Meetup, Participant
from meetup.models.types import utcnow
from meetup.services import agreements as agreement_service
from meetup.services import content, joining
from meetup.services.calendar import commitments_calendar
from meetup.web.participant import bp

#: Texts every live page needs: connection, timer, phases and the three round questions.
COMMON_TEXTS: dict[str, Any] = {
    "connecting": _l("Connecting…"),
    "connected": _l("Connected"),
    "reconnecting": _l("Reconnecting…"),
    "offline": _l("Offline — what you enter is kept"),
    "refused": _l("You have no access to this meetup (any more)."),
    "error": _l("Something went wrong. Please try again."),
    "time_up": _l("Time is up"),
    "paused": _l("paused"),
    "time_left": _l("Time left"),
    "message_label": _l("Message from the organiser"),
    "phase_retrospective": _l("Look back"),
    "phase_registration": _l("Registration"),
    "phase_theme_choice": _l("Theme choice"),
    "phase_tables": _l("Tables"),
    "phase_round_1": _l("Round 1"),
    "phase_round_2": _l("Round 2"),
    "phase_round_3": _l("Round 3"),
    "phase_voting": _l("Voting"),
    "phase_agreements": _l("Agreements"),
    "phase_plenary": _l("Plenary"),
    "phase_closed": _l("Closed"),
    "round_happens": _l("What is already happening?"),
    "round_connect": _l("Where can we connect with each other?"),
    "round_missing": _l("What is still missing?"),
    "people_one": _l("1 person"),
    "people_other": _l("{n} people"),
    "table_n": _l("Table {n}"),
    "plenary_position": _l("Agreement {n} of {total}"),
    "plenary_group_position": _l("Group {n} of {total}"),
    "group_notes_one": _l("1 note"),
    "group_notes_other": _l("{n} notes"),
    "group_tables_one": _l("from 1 table"),
    "group_tables_other": _l("from {n} tables"),
    "group_more": _l("+{n} more"),
    "field_what": _l("What are we going to do?"),
    "field_owner_name": _l("Who takes the lead? (name)"),
    "field_owner_organisation": _l("Organisation"),
    "field_partners": _l("With which partners?"),
    "field_first_step": _l("First step"),
    "field_due_date": _l("When? (date of the first step)"),
    "field_success_measure": _l("How do we know it worked?"),
    "signed_one": _l("1 person joins in"),
    "signed_other": _l("{n} people join in"),
    "status_draft": _l("Draft"),
    "status_final": _l("Final"),
    "slow": _l("Connected — sending is slow; what you enter is kept"),
    # The Terugblik (issue 25): shared by the organiser, the projector and the phones.
    "retro_title": _l("Looking back at {title}"),
    "retro_position": _l("Agreement {n} of {total}"),
    "retro_none": _l("Last time, no agreements were made."),
    "retro_status_done": _l("done"),
    "retro_status_in_progress": _l("in progress"),
    "retro_status_planned": _l("planned"),
    "retro_status_stopped": _l("stopped"),
    "retro_status_no_news": _l("no word yet"),
    "retro_note": _l("“{note}”"),
    "retro_updated_here": _l("updated just now, in the room"),
}

#: Texts of the phone in the Terugblik (issue 25).
RETRO_PHONE_TEXTS: dict[str, Any] = {
    "retro_intro": _l("We look back at the agreements of last time. Do you lead one? Tell "
                      "everyone how it stands: the big screen shows it at once."),
    "retro_loading": _l("Looking for your agreements of last time…"),
    "retro_mine_none": _l("We found no agreement of last time for your e-mail address. Watch "
                          "the big screen, or use the follow-up link from your mail."),
    "retro_mine_title": _l("Your agreements of last time"),
    "retro_now": _l("Now: {status}"),
    "retro_how": _l("How does it stand?"),
    "retro_note_label": _l("In one line: what happened? (optional)"),
    "retro_save": _l("Save and show"),
    "retro_saved": _l("Saved: the big screen shows it."),
}

#: Texts of the phone app.
PHONE_TEXTS: dict[str, Any] = {
    "welcome": _l("Welcome, {name}!"),
    "wait": _l("Hold on: the organiser will start the theme choice in a moment."),
    "your_theme": _l("Your theme: {theme}"),
    "choose_theme": _l("Choose a theme"),
    "choose_theme_intro": _l("Pick the theme you want to work on tonight."),
    "choose": _l("Choose this theme"),
    "chosen": _l("Your choice"),
    "full": _l("Full"),
    "max_people": _l("max. {n}"),
    "directions": _l("Directions"),
    "go_to_table": _l("Go to table {n}"),
    "at_your_table": _l("At your table"),
    "no_table": _l("You will get a table in a moment. Hold on."),
    "no_table_yet": _l("You do not have a table yet. Ask the organiser."),
    "your_note": _l("Your note"),
    "post": _l("Post"),
    "counter": _l("{n} of {max} characters"),
    "table_notes": _l("Notes of your table"),
    "no_notes": _l("No notes yet. Write the first one!"),
    "earlier_rounds": _l("Earlier rounds"),
    "edit": _l("Edit"),
    "delete": _l("Delete"),
    "save": _l("Save"),
    "cancel": _l("Cancel"),
    "edit_note": _l("Edit your note"),
    "sending": _l("Sending…"),
    "by": _l("by {name}"),
    "inspiration": _l("Inspiration: the directions of your theme"),
    "voting_intro": _l("Give dots to the ideas your table wants to work out."),
    "votes_left_one": _l("You have 1 dot left"),
    "votes_left_other": _l("You have {n} dots left"),
    "votes_none": _l("You have used all your dots"),
    "add_dot": _l("Add a dot"),
    "remove_dot": _l("Remove a dot"),
    "dots_one": _l("1 dot"),
    "dots_other": _l("{n} dots"),
    "my_dots": _l("{n} of them yours"),
    "agreements_title": _l("Agreements of your table"),
    "agreements_intro": _l("Make it concrete: who does what, with whom, and when?"),
    "new_agreement": _l("New agreement"),
    "no_agreements": _l("No agreements yet. Start one!"),
    "agreement_n": _l("Agreement {n}"),
    "partner_other": _l("Other partner"),
    "add_partner": _l("Add"),
    "choose_partners": _l("Choose from the list"),
    "partners_chosen": _l("{n} chosen"),
    "finalise": _l("Finish"),
    "reopen": _l("Edit again"),
    "delete_agreement": _l("Delete draft"),
    "confirm_delete_agreement": _l("Delete this draft for everyone at your table?"),
    "sign": _l("I'm in"),
    "unsign": _l("I'm out"),
    "you_signed": _l("You are in"),
    "owner_line": _l("Led by {owner}"),
    "partners_line": _l("With {partners}"),
    "first_step_line": _l("First step: {step}"),
    "due_line": _l("Date of the first step: {date}"),
    "measure_line": _l("It worked when: {measure}"),
    "closing_title": _l("Thank you for taking part!"),
    "closing_intro": _l("These are the agreements of your table."),
    "my_commitments": _l("What you take part in"),
    "no_commitments": _l("You are not taking part in an agreement yet."),
    "no_final_agreements": _l("Your table has no final agreements."),
    "calendar": _l("Put your first steps in your calendar (.ics)"),
    "followups_title": _l("Agreements you lead"),
    "followups_intro": _l("Keep this private link: with it you tell the organiser and the "
                          "municipality how the agreement is going."),
    "followup_link": _l("Update the progress"),
    "plenary_intro": _l("First what the tables found together, then the agreements of every table."),
    "plenary_now": _l("Now on the big screen"),
    "plenary_waiting": _l("Nothing on the big screen yet."),
    "no_followups": _l("You do not lead an agreement."),
    "you_lead": _l("you lead it"),
    "top_notes": _l("Most dots at your table: start from these"),
    "choose_theme_late": _l("Choose a theme: you get a table with that theme right away."),
    "notice_table": _l("You are now at table {n}"),
    "notice_moved_at": _l("You are now at table {n}: the organiser moved you at {time}."),
    "notice_seated_at": _l("You are now at table {n} (since {time})."),
    "closing_intro_no_table": _l("Thank you for coming. Below is what you take part in."),
    "notice_note_hidden": _l("The organiser has hidden one of your notes."),
    "notice_ok": _l("OK"),
    # Follow-up mail (issue 23).
    "owner_pick": _l("Who takes the lead? Pick someone at your table"),
    "owner_pick_other": _l("Someone else: type the name below"),
    "reminders_label": _l("Send me reminders about this agreement"),
    "reminders_signed_label": _l("Mail me the agreements I take part in"),
    "reminders_email": _l("Your e-mail address"),
    "reminders_hint": _l("Only for this: a mail after the meetup, reminders around the date, and "
                         "now and then \"how is it going?\". Every mail has a link to stop."),
    "reminders_on": _l("On: mail goes to {email}. Untick to stop."),
    "reminders_need_email": _l("Fill in your e-mail address first."),
}

#: Texts of the phone that keep what a person typed (unsent notes, refused writes, undo).
KEPT_TEXTS: dict[str, Any] = {
    "unsent_title": _l("Not sent"),
    "unsent_intro": _l("This text did not reach your table. Copy it to keep it, or throw it away."),
    "unsent_count_one": _l("1 text, tap to fold or unfold"),
    "unsent_count_other": _l("{n} texts, tap to fold or unfold"),
    "unsent_for": _l("For the question: {question}"),
    "unsent_edit": _l("Your change to a note"),
    "unsent_field": _l("Agreement, {field}"),
    "unsent_reason": _l("Not accepted: {reason}"),
    "earlier_drafts_title": _l("Not sent yet, for an earlier question"),
    "post_again": _l("Post anyway"),
    "copy": _l("Copy"),
    "copied": _l("Copied"),
    "copy_by_hand": _l("Select the text and copy it yourself."),
    "discard": _l("Throw away"),
    "note_deleted": _l("Note deleted."),
    "undo": _l("Undo"),
    "still_drafting": _l("Still being written at your table"),
    "still_drafting_intro": _l("You can keep writing this agreement during the plenary."),
}


#: Texts of continuing an agreement of the previous meetup in the series (issue 25).
CONTINUE_TEXTS: dict[str, Any] = {
    "continue_title": _l("Continue an agreement from last time"),
    "continue_this": _l("Continue with this one"),
    "continue_loading": _l("Loading the agreements of last time…"),
    "continue_none": _l("Last time, no agreements were made on this theme."),
    "continue_offline": _l("Not connected: try again in a moment."),
    "continues_line": _l("Continues: {what}"),
    "earlier_status_planned": _l("planned"),
    "earlier_status_in_progress": _l("in progress"),
    "earlier_status_done": _l("done"),
    "earlier_status_stopped": _l("stopped"),
}


def texts(*groups: dict[str, Any]) -> dict[str, str]:
    """The texts for the script, translated now (lazy strings resolved per request)."""
    merged: dict[str, str] = {}
    for group in groups:
        merged.update({key: str(value) for key, value in group.items()})
    return merged


def role_texts() -> dict[str, str]:
    """``role_<key>``: the role labels in the page's language (the projector's bars)."""
    locale = str(get_locale() or "nl")
    return {f"role_{role['key']}": content.role_label(role["key"], locale)
            for role in content.roles()}


def phase_label(meetup: Meetup) -> str:
    return str(COMMON_TEXTS.get(f"phase_{meetup.phase.value}", meetup.phase.value))


def current_participant(meetup_id: int) -> Participant | None:
    """The participant this browser joined ``meetup_id`` as (signed cookie), or None."""
    tokens = session.get(PARTICIPANT_SESSION_KEY) or {}
    token = tokens.get(str(meetup_id)) if isinstance(tokens, dict) else None
    return joining.participant_for_token(db.session, meetup_id, token)


def _meetup_or_404(meetup_id: int) -> Meetup:
    meetup = db.session.get(Meetup, meetup_id)
    if meetup is None:
        abort(404)
    return meetup


@bp.route("/live/<int:meetup_id>")
def live(meetup_id: int) -> Any:
    meetup = _meetup_or_404(meetup_id)
    participant = current_participant(meetup_id)
    if participant is None:
        return redirect(url_for("participant.join_meetup", token=meetup.join_token))
    return render_template(
        "participant/live.html",
        meetup=meetup,
        participant=participant,
        phase_label=phase_label(meetup),
        texts=texts(COMMON_TEXTS, PHONE_TEXTS, KEPT_TEXTS, CONTINUE_TEXTS, RETRO_PHONE_TEXTS),
    )


@bp.route("/live/<int:meetup_id>/afspraken.ics")
def ics(meetup_id: int) -> Any:
    """What this participant takes part in (signed on to, or leads), as all-day events of
    their first step."""
    meetup = _meetup_or_404(meetup_id)
    participant = current_participant(meetup_id)
    if participant is None:
        return redirect(url_for("participant.join_meetup", token=meetup.join_token))
    agreements = agreement_service.taking_part(db.session, participant)
    body = commitments_calendar(agreements, name=meetup.title, stamp=utcnow())
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="afspraken.ics"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
