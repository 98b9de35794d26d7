"""The members page of an organisation (for its beheerders) and accepting an invitation.

Thin: every rule is in ``services.organisations`` and ``services.access``.
"""

from __future__ import annotations

from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from meetup.extensions import db
from meetup.models import Role
from meetup.services import access, mail_queue, organisations
from meetup.services.errors import Conflict, InvalidInput
from meetup.web.organiser import bp
from meetup.web.organiser.auth import login_required, start_session

ROLE_LABELS = {Role.BEHEERDER.value: _l("Manager"),
               Role.ORGANISATOR.value: _l("Organiser"),
               Role.MEEKIJKER.value: _l("Viewer")}
ROLE_HINTS = {Role.BEHEERDER.value: _l("manages the organisation, its members and its series"),
              Role.ORGANISATOR.value: _l("prepares and runs meetups"),
              Role.MEEKIJKER.value: _l("reads reports and follow-up, changes nothing")}


def get_locale_code() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "nl"


def _role_choices() -> list[tuple[str, Any]]:
    return [(role, ROLE_LABELS[role]) for role in ROLE_LABELS]


class InviteForm(FlaskForm):
    invite_email = EmailField(_l("E-mail address"),
                       validators=[DataRequired(_l("Enter an e-mail address.")), Length(max=254)],
                       render_kw={"autocomplete": "off", "autocapitalize": "none",
                                  "spellcheck": "false"})
    invite_role = SelectField(_l("Role"), choices=_role_choices,
                              default=Role.ORGANISATOR.value)


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=_role_choices)


class ButtonForm(FlaskForm):
    """Only the CSRF token: the button is the whole form."""


class AcceptForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[Length(max=120)],
                       render_kw={"autocomplete": "name"})
    password = PasswordField(_l("Choose a password"),
                             validators=[DataRequired(_l("Enter a password.")), Length(max=200)],
                             render_kw={"autocomplete": "new-password"})


#: The session key holding a new invitation link until the members page showed it once
#: (post, redirect, get: the link is never in a URL or the database).
NEW_LINK = "new_invitation_link"


def _page(organisation: Any, invite_form: InviteForm | None = None, status: int = 200) -> Any:
    new_link = session.pop(NEW_LINK, None)
    return render_template(
        "organiser/members.html", organisation=organisation,
        members=organisations.members(db.session, organisation),
        invitations=organisations.pending(db.session, organisation),
        invite_form=invite_form or InviteForm(formdata=None), role_form_for=_role_form,
        button=ButtonForm(), role_labels=ROLE_LABELS, role_hints=ROLE_HINTS,
        new_link=new_link), status


def _role_form(membership: Any) -> RoleForm:
    form = RoleForm(formdata=None)
    form.role.data = membership.role
    return form


def _organisation(organisation_id: int) -> Any:
    return access.organisation_for(db.session, g.organiser, organisation_id, access.MANAGE)


@bp.route("/organisations/<int:organisation_id>/members")
@login_required
def members(organisation_id: int) -> Any:
    return _page(_organisation(organisation_id))


@bp.route("/organisations/<int:organisation_id>/invitations", methods=["POST"])
@login_required
def invite(organisation_id: int) -> Any:
    organisation = _organisation(organisation_id)
    form = InviteForm()
    if not form.validate_on_submit():
        return _page(organisation, form, status=400)
    try:
        invitation, token = organisations.invite(db.session, g.organiser, organisation,
                                                 form.invite_email.data or "",
                                                 form.invite_role.data or "")
        path = url_for("organiser.invitation", token=token)
        mailed = bool(current_app.config.get("SMTP_URL"))
        if mailed:  # the outbox sends it (same transaction: made and queued, or neither)
            mail_queue.queue_invitation(db.session, invitation, path, get_locale_code(),
                                        g.organiser.name)
        db.session.commit()
    except (InvalidInput, Conflict) as error:
        db.session.rollback()
        form.invite_email.errors = [*form.invite_email.errors, str(error.message)]
        return _page(organisation, form, status=400)
    session[NEW_LINK] = url_for("organiser.invitation", token=token, _external=True)
    if mailed:
        flash(_("The link is also sent by e-mail to %(email)s.", email=invitation.email))
    return redirect(url_for("organiser.members", organisation_id=organisation.id,
                            _anchor="new-invitation"))


@bp.route("/organisations/<int:organisation_id>/members/<int:membership_id>/role",
          methods=["POST"])
@login_required
def change_role(organisation_id: int, membership_id: int) -> Any:
    organisation = _organisation(organisation_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            organisations.change_role(db.session, g.organiser, organisation, membership_id,
                                      form.role.data or "")
            db.session.commit()
        except Conflict as error:
            db.session.rollback()
            flash(str(error.message))
        else:
            flash(_("The role is changed."))
    return redirect(url_for("organiser.members", organisation_id=organisation.id))


@bp.route("/organisations/<int:organisation_id>/members/<int:membership_id>/remove",
          methods=["POST"])
@login_required
def remove_member(organisation_id: int, membership_id: int) -> Any:
    organisation = _organisation(organisation_id)
    if ButtonForm().validate_on_submit():
        try:
            removed = organisations.remove_member(db.session, g.organiser, organisation,
                                                  membership_id)
            db.session.commit()
        except Conflict as error:
            db.session.rollback()
            flash(str(error.message))
        else:
            organisations.sessions_ended.send(organiser_id=removed.id)
            flash(_("%(name)s is removed; their sessions have ended.", name=removed.name))
            if removed.id == g.organiser.id:
                return redirect(url_for("organiser.login"))
    return redirect(url_for("organiser.members", organisation_id=organisation.id))


@bp.route("/organisations/<int:organisation_id>/invitations/<int:invitation_id>/withdraw",
          methods=["POST"])
@login_required
def withdraw_invitation(organisation_id: int, invitation_id: int) -> Any:
    organisation = _organisation(organisation_id)
    if ButtonForm().validate_on_submit():
        organisations.withdraw(db.session, g.organiser, organisation, invitation_id)
        db.session.commit()
        flash(_("The invitation is withdrawn; its link no longer works."))
    return redirect(url_for("organiser.members", organisation_id=organisation.id))


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def invitation(token: str) -> Any:
    """Accept an invitation: a new account, or the logged-in account with the invited address."""
    if len(token) > 100:
        abort(404)
    item = organisations.by_token(db.session, token)
    organiser = g.get("organiser")
    has_account = organisations.account_exists(db.session, item)
    form = AcceptForm() if organiser is None and not has_account else ButtonForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            member = organisations.accept(
                db.session, item, organiser,
                name=getattr(form, "name", None) and form.name.data or "",
                password=getattr(form, "password", None) and form.password.data or "")
            db.session.commit()
        except InvalidInput as error:
            db.session.rollback()
            target = form.password if error.field == "password" and hasattr(form, "password") \
                else None
            if target is not None:
                target.errors = [*target.errors, str(error.message)]
            else:
                flash(str(error.message))
        else:
            if organiser is None:
                start_session(member)
            flash(_("Welcome to %(organisation)s.", organisation=item.organisation.name))
            return redirect(url_for("organiser.dashboard"))
    return render_template("organiser/invitation.html", invitation=item, form=form,
                           organiser=organiser, has_account=has_account,
                           role_label=ROLE_LABELS.get(item.role, item.role),
                           login_url=url_for("organiser.login", next=request.path))
