"""The organiser's follow-up board (issue 23, point 6): ``/organiser/meetups/<id>/board`` with
filters, and one page per agreement to resend its link, change its owner, or record an update
on the owner's behalf (marked as the organiser's)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from meetup.extensions import db
from meetup.reports.texts import TIMEZONE
from meetup.services import followup, followup_board
from meetup.services.errors import InvalidInput
from meetup.web.organiser import bp
from meetup.web.organiser.auth import login_required, meetup_for
from meetup.web.organiser.reports import external_url
from meetup.web.public.reports import FollowupForm


class OwnerForm(FlaskForm):
    owner_name = StringField(_l("Who takes the lead? (name)"), validators=[Length(max=120)])
    owner_organisation = StringField(_l("Organisation"), validators=[Length(max=120)])


class ResendForm(FlaskForm):
    """Only the CSRF token and the button."""


class OnBehalfForm(FollowupForm):
    note = TextAreaField(_l("Short note (optional)"),
                         validators=[Length(max=followup.NOTE_MAX)],
                         render_kw={"maxlength": followup.NOTE_MAX, "rows": 3})


def _today() -> Any:
    return datetime.now(UTC).astimezone(TIMEZONE).date()


@bp.route("/meetups/<int:meetup_id>/board")
@login_required
def board(meetup_id: int) -> Any:
    meetup = meetup_for(meetup_id)
    chosen = request.args.get("filter", "all")
    if chosen not in followup_board.FILTERS:
        chosen = "all"
    rows = followup_board.rows(db.session, meetup, _today(), chosen)
    return render_template("organiser/board.html", meetup=meetup, rows=rows, chosen=chosen,
                           filters=followup_board.FILTERS)


@bp.route("/meetups/<int:meetup_id>/board/<int:agreement_id>", methods=["GET", "POST"])
@login_required
def board_agreement(meetup_id: int, agreement_id: int) -> Any:
    meetup = meetup_for(meetup_id)
    agreement = followup_board.agreement_of(db.session, meetup, agreement_id)
    here = url_for("organiser.board_agreement", meetup_id=meetup.id, agreement_id=agreement.id)
    # Three small forms, told apart by their ``action`` (each posts only its own fields).
    owner = OwnerForm(obj=agreement if request.method == "GET" else None)
    update = OnBehalfForm(data={"status": agreement.status.value}
                          if request.method == "GET" else None)
    resend = ResendForm()
    action = request.form.get("action")
    if request.method == "POST":
        try:
            if action == "resend" and resend.validate_on_submit():
                if followup_board.resend_link(db.session, agreement):
                    flash(_("The link is queued for the owner's mail."))
                else:
                    flash(_("The owner gave no e-mail address for reminders: copy the link "
                            "and send it yourself."))
                db.session.commit()
                return redirect(here)
            if action == "owner" and owner.validate_on_submit():
                followup_board.change_owner(db.session, agreement, owner.owner_name.data,
                                            owner.owner_organisation.data, g.organiser.id)
                db.session.commit()
                flash(_("The owner is changed."))
                return redirect(here)
            if action == "update" and update.validate_on_submit():
                followup.record_update(db.session, agreement, update.status.data,
                                       update.note.data or "", source="organiser")
                db.session.commit()
                flash(_("The update is saved, marked as recorded by you."))
                return redirect(here)
        except InvalidInput as error:
            db.session.rollback()
            form = owner if action == "owner" else update
            field = getattr(form, error.field or "", None) or \
                getattr(form, "note", None) or form.owner_name  # type: ignore[union-attr]
            field.errors = [*field.errors, str(error.message)]
    link = external_url("public.followup", token=agreement.followup_token)
    rows = [r for r in followup_board.rows(db.session, meetup, _today()) if r.id == agreement.id]
    status = 422 if owner.errors or update.errors else 200
    return render_template("organiser/board_agreement.html", meetup=meetup,
                           agreement=agreement, row=rows[0] if rows else None, link=link,
                           owner_form=owner, update_form=update, resend_form=resend), status
