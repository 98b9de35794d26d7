"""Dashboard and preparing meetups (create, edit, delete, themes)."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from meetup.extensions import db
from meetup.models import Meetup, Phase, Theme
from meetup.services import access, links
from meetup.services import meetups as meetup_service
from meetup.services.errors import InvalidInput
from meetup.web.organiser import bp
from meetup.web.organiser import mail as mail_face
from meetup.web.organiser.auth import login_required, meetup_for
from meetup.web.organiser.forms import ConfirmForm, MeetupForm, ThemeForm, attach_error

#: The phases as the organiser reads them.
PHASE_LABELS = {
    Phase.RETROSPECTIVE: _l("Look back"),
    Phase.REGISTRATION: _l("Registration"),
    Phase.THEME_CHOICE: _l("Theme choice"),
    Phase.TABLES: _l("Tables"),
    Phase.ROUND_1: _l("Round 1"),
    Phase.ROUND_2: _l("Round 2"),
    Phase.ROUND_3: _l("Round 3"),
    Phase.VOTING: _l("Voting"),
    Phase.AGREEMENTS: _l("Agreements"),
    Phase.PLENARY: _l("Plenary"),
    Phase.CLOSED: _l("Closed"),
}
#: Service field names that the form calls differently.
MEETUP_FIELD_ALIASES = {"starts_at": "date"}


def share_base() -> str:
    """The base of links to share: MEETUP_PUBLIC_URL when set, else this request's host."""
    return links.base_url(current_app.config.get("PUBLIC_URL"), request.url_root)


def _owned(meetup_id: int, action: str | None = None) -> Meetup:
    return meetup_for(meetup_id, action)


def _meetup_fields(form: MeetupForm) -> dict[str, Any]:
    starts_at = None
    if form.date.data is not None and form.start_time.data is not None:
        starts_at = meetup_service.local_to_utc(form.date.data, form.start_time.data)
    # Left empty: the number stays as it was (a new meetup: the default).
    expected = {} if form.expected_participants.data is None else {
        "expected_participants": form.expected_participants.data}
    return {
        **expected,
        "title": form.title.data or "",
        "city": form.city.data or "",
        "venue": form.venue.data or "",
        "starts_at": starts_at,
        "welcome": form.welcome.data or "",
        "table_size": form.table_size.data,
        "votes_per_person": form.votes_per_person.data,
        "phase_minutes": form.phase_minutes(),
        "code_before_opening": bool(form.code_before_opening.data),
        "report_shows_emails": bool(form.report_shows_emails.data),
        # Left empty: the default (3 days, every 4 weeks, at most 6).
        "reminder_days_before": _or(form.reminder_days_before.data, 3),
        "followup_every_weeks": _or(form.followup_every_weeks.data, 4),
        "followup_max": _or(form.followup_max.data, 6),
        "organiser_digest": bool(form.organiser_digest.data),
    }


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


def _show_error(form: Any, error: InvalidInput, aliases: dict[str, str] | None = None) -> None:
    """Put the domain error next to its field, or on top of the form when it has none."""
    db.session.rollback()
    if not attach_error(form, error.field, error.message, aliases):
        flash(str(error.message))


@bp.route("/")
@login_required
def dashboard() -> Any:
    items = meetup_service.meetups_of(db.session, g.organiser)
    counts = meetup_service.participant_counts(db.session, [m.id for m in items])
    return render_template("organiser/dashboard.html", meetups=items, counts=counts,
                           phase_labels=PHASE_LABELS,
                           runs=set(access.organisation_ids(db.session, g.organiser, access.RUN)),
                           managed=[m.organisation for m in access.memberships_of(
                               db.session, g.organiser)
                               if access.allows(access.Role(m.role), access.MANAGE)])


@bp.route("/meetups/new", methods=["GET", "POST"])
@login_required
def new_meetup() -> Any:
    access.home_organisation(db.session, g.organiser)  # Forbidden for a meekijker only
    form = MeetupForm()
    if form.validate_on_submit():
        try:
            meetup = meetup_service.create_meetup(db.session, g.organiser, **_meetup_fields(form))
            db.session.commit()
        except InvalidInput as error:
            _show_error(form, error, MEETUP_FIELD_ALIASES)
        else:
            flash(_("The meetup is ready. Check the themes before you share the briefing."))
            return redirect(url_for("organiser.meetup", meetup_id=meetup.id))
    return render_template("organiser/meetup_form.html", form=form, meetup=None)


@bp.route("/meetups/<int:meetup_id>")
@login_required
def meetup(meetup_id: int) -> Any:
    item = _owned(meetup_id)
    return render_template(
        "organiser/meetup.html",
        meetup=item,
        phase_label=PHASE_LABELS[item.phase],
        participants=meetup_service.participant_count(db.session, item),
        join_url=links.join_url(share_base(), item),
        briefing_url=links.briefing_url(share_base(), item),
        mail=mail_face.status_for(item),
    )


@bp.route("/meetups/<int:meetup_id>/edit", methods=["GET", "POST"])
@login_required
def edit_meetup(meetup_id: int) -> Any:
    item = _owned(meetup_id, access.RUN)
    form = MeetupForm(obj=item)
    if request.method == "GET" and item.starts_at is not None:
        form.date.data, form.start_time.data = meetup_service.utc_to_local(item.starts_at)
    if request.method == "GET":
        form.fill_phase_minutes(item.phase_minutes)
    if form.validate_on_submit():
        try:
            meetup_service.update_meetup(db.session, item, **_meetup_fields(form))
            db.session.commit()
        except InvalidInput as error:
            _show_error(form, error, MEETUP_FIELD_ALIASES)
        else:
            flash(_("Your changes are saved."))
            return redirect(url_for("organiser.meetup", meetup_id=item.id))
    return render_template("organiser/meetup_form.html", form=form, meetup=item)


@bp.route("/meetups/<int:meetup_id>/delete", methods=["GET", "POST"])
@login_required
def delete_meetup(meetup_id: int) -> Any:
    item = _owned(meetup_id, access.RUN)
    form = ConfirmForm()
    if form.validate_on_submit():
        title = item.title
        meetup_service.delete_meetup(db.session, item)
        db.session.commit()
        flash(_("The meetup %(title)s is deleted.", title=title))
        return redirect(url_for("organiser.dashboard"))
    return render_template(
        "organiser/meetup_delete.html", meetup=item, form=form,
        participants=meetup_service.participant_count(db.session, item),
    )


def _theme_form_data(theme: Theme) -> dict[str, Any]:
    return {
        "title": theme.title,
        "subject": theme.subject,
        "question": theme.question,
        "introduction": theme.introduction,
        "directions": [{**d, "position": i} for i, d in enumerate(theme.directions or [], 1)],
        "reading_links": [{**r, "position": i}
                          for i, r in enumerate(theme.reading_links or [], 1)],
        "examples": "\n".join(theme.examples or []),
        "capacity": theme.capacity,
    }


@bp.route("/meetups/<int:meetup_id>/themes/<key>", methods=["GET", "POST"])
@login_required
def edit_theme(meetup_id: int, key: str) -> Any:
    item = _owned(meetup_id, access.RUN)
    theme = meetup_service.theme_of(item, key)
    form = ThemeForm() if request.method == "POST" else ThemeForm(
        formdata=None, data=_theme_form_data(theme))
    if form.validate_on_submit():
        try:
            meetup_service.update_theme(
                db.session, theme,
                title=form.title.data, subject=form.subject.data or "",
                question=form.question.data, introduction=form.introduction.data or "",
                directions=form.rows("directions"), reading_links=form.rows("reading_links"),
                examples=form.examples.data or "", capacity=form.capacity.data,
            )
            db.session.commit()
        except InvalidInput as error:
            _show_error(form, error)
        else:
            flash(_("The theme %(title)s is saved.", title=theme.title))
            return redirect(url_for("organiser.meetup", meetup_id=item.id) + "#themes")
    if request.method == "GET":
        form.add_empty_rows()
    return render_template("organiser/theme_form.html", form=form, meetup=item, theme=theme)
