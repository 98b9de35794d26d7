"""Joining: type the short code, or arrive through the QR link, and fill in the join form.

The form creates the participant and puts their token in the signed session cookie
(``session["participants"][str(meetup_id)]``); that cookie is the phone's identity from then
on, so opening the QR link again brings the person straight back to the live page.
"""

from __future__ import annotations

import time
from functools import cache
from typing import Any

from babel import support
from flask import current_app, redirect, render_template, session, url_for
from flask_babel import format_date, format_datetime, format_time, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, SelectField, StringField
from wtforms.i18n import messages_path
from wtforms.validators import DataRequired, Length

from meetup.config import PARTICIPANT_SESSION_KEY
from meetup.extensions import db
from meetup.models import Meetup, Phase
from meetup.services import content, join_batch, joining
from meetup.services import meetups as meetup_service
from meetup.services.errors import Busy, InvalidInput, NotFound, WrongPhase
from meetup.web import attempts
from meetup.web.participant import bp

#: Longest e-mail address accepted (RFC 5321).
EMAIL_MAX = 254
ORGANISATIONS_LIST_ID = "organisation-suggestions"


@cache
def _wtforms_catalogue(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class _WTFormsTranslations:
    """WTForms' own messages in the visitor's language, each catalogue read once per process
    (Flask-WTF reads it again for every request: a tenth of a join's time)."""

    def gettext(self, string: str) -> str:
        return _wtforms_catalogue(str(get_locale() or "nl")).ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _wtforms_catalogue(str(get_locale() or "nl")).ungettext(singular, plural, n)


_TRANSLATIONS = _WTFormsTranslations()


class PhoneForm(FlaskForm):
    """The forms every phone of the room fills in."""

    class Meta:
        def get_translations(self, form: Any) -> Any:
            return _TRANSLATIONS


class CodeForm(PhoneForm):
    code = StringField(
        _l("Code on the big screen"),
        validators=[DataRequired(_l("Type the code from the big screen.")), Length(max=20)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
                   "inputmode": "text", "maxlength": 20},
    )


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class JoinForm(PhoneForm):
    """The join form; the joining service checks the values (one set of rules, one place)."""

    display_name = StringField(
        _l("Name"), filters=[_strip],
        render_kw={"autocomplete": "name", "autocapitalize": "words", "required": True,
                   "maxlength": joining.NAME_MAX, "spellcheck": "false"},
    )
    role = SelectField(_l("Role"), validate_choice=False, render_kw={"required": True})
    organisation = StringField(
        _l("Organisation"), filters=[_strip],
        render_kw={"autocomplete": "organization", "required": True,
                   "maxlength": joining.ORGANISATION_MAX},
    )
    email = EmailField(
        _l("E-mail address (optional)"), filters=[_strip],
        render_kw={"autocomplete": "email", "autocapitalize": "none", "spellcheck": "false",
                   "inputmode": "email", "maxlength": EMAIL_MAX},
    )
    email_consent = BooleanField(
        _l("My name, role, organisation and e-mail address may appear in the contact list "
           "of the report for the municipality."),
    )
    #: One key per rendered form: the same form posted twice registers one person.
    join_key = HiddenField()


@bp.route("/join", methods=["GET", "POST"])
def join() -> Any:
    """Type the short code shown on the projector; found, go on to the join form."""
    form = CodeForm()
    if form.validate_on_submit():
        address = attempts.client_address()
        if attempts.exhausted("CODE_GUESS_LIMIT", address):
            # Wrong codes are counted per address: guessing codes stops here.
            form.code.errors = [*form.code.errors,
                                _("Too many wrong codes. Wait a few minutes and try again.")]
            return render_template("participant/code.html", form=form), 429
        try:
            meetup = meetup_service.by_short_code(db.session, form.code.data)
        except NotFound as error:
            attempts.count("CODE_GUESS_LIMIT", address)
            form.code.errors = [*form.code.errors, str(error.message)]
        else:
            if joining.code_is_open(meetup):
                return redirect(url_for("participant.join_meetup", token=meetup.join_token))
            opens = joining.code_opens_at(meetup)
            form.code.errors = [*form.code.errors, _(
                "This code works from %(when)s. On the evening itself, scan the QR code on "
                "the big screen.", when=format_datetime(opens, "d MMMM y, HH:mm"))]
    return render_template("participant/code.html", form=form)


def _tokens() -> dict[str, str]:
    """The participant tokens in this browser's cookie, per meetup id (as strings)."""
    value = session.get(PARTICIPANT_SESSION_KEY)
    return dict(value) if isinstance(value, dict) else {}


def _role_choices() -> list[tuple[str, str]]:
    locale = str(get_locale() or "nl")
    return [("", _("Choose your role"))] + [
        (role["key"], role.get(locale) or role["nl"]) for role in content.roles()]


def meetup_when_where(meetup: Meetup) -> str:
    """"Hilversum · Bibliotheek · 3 december 2026, 18:30" in the visitor's language."""
    parts = [meetup.city, meetup.venue]
    if meetup.starts_at is not None:
        parts.append(f"{format_date(meetup.starts_at, 'long')}, "
                     f"{format_time(meetup.starts_at, 'HH:mm')}")
    return " · ".join(part for part in parts if part)


#: How long the organisations suggested on the form are kept (per meetup, per process): a
#: room of phones opening the form at once shares one read. A join in this process makes the
#: next form read again.
SUGGESTIONS_SECONDS = 2.0


def _kept_suggestions() -> dict[int, tuple[float, list[str]]]:
    return current_app.extensions.setdefault("meetup_join_suggestions", {})


def _suggestions(meetup: Meetup) -> list[str]:
    kept, now = _kept_suggestions(), time.monotonic()
    hit = kept.get(meetup.id)
    if hit is not None and now - hit[0] < SUGGESTIONS_SECONDS:
        return hit[1]
    found = joining.organisations(db.session, meetup)
    kept[meetup.id] = (now, found)
    return found


def _closed_page(meetup: Meetup) -> Any:
    return render_template("participant/join.html", meetup=meetup, closed=True,
                           when_where=meetup_when_where(meetup))


def _join_once(meetup_id: int, wanted: joining.JoinRequest, key: str | None) -> tuple[int, str]:
    """Store the join and commit: joins posted together share one commit (see join_batch)."""
    return join_batch.batcher(current_app.extensions).join(db.session, meetup_id, wanted, key)


@bp.route("/j/<token>", methods=["GET", "POST"])
def join_meetup(token: str) -> Any:
    """The join form behind the QR code; a phone that already joined goes straight on."""
    meetup = meetup_service.by_join_token(db.session, token)
    meetup_id = meetup.id  # also after the commit, which expires the loaded meetup
    tokens = _tokens()
    if joining.participant_for_token(db.session, meetup_id, tokens.get(str(meetup_id))):
        return redirect(url_for("participant.live", meetup_id=meetup_id))
    if meetup.phase is Phase.CLOSED:
        return _closed_page(meetup)

    form = JoinForm()
    form.role.choices = _role_choices()
    if not form.join_key.data:
        form.join_key.data = joining.new_join_key()
    errors: dict[str, InvalidInput] = {}
    status = 200
    if form.validate_on_submit():
        wanted = joining.JoinRequest(
            display_name=form.display_name.data or "",
            role=form.role.data or "",
            organisation=form.organisation.data or "",
            email=form.email.data or "",
            email_consent=bool(form.email_consent.data),
        )
        errors = joining.problems(wanted)
        address = attempts.client_address()
        if not errors and attempts.exhausted("JOIN_LIMIT_PER_ADDRESS", address):
            # Only when the operator set a per-address limit (off by default: a venue's
            # phones share one address). What the person typed stays in the form.
            errors = {"display_name": InvalidInput(_(
                "Many people are joining right now. Wait a minute and press the button "
                "again."))}
            status = 429
        elif not errors:
            try:
                _participant_id, secret = _join_once(meetup_id, wanted, form.join_key.data)
            except WrongPhase:
                return _closed_page(meetup)
            except Busy as error:
                # More people than the meetup expects, faster than it takes them beyond that
                # (services/admission.py): the form stays filled in, with a Dutch message.
                errors = {"display_name": error}
                status = 429
            except InvalidInput as error:
                errors = {error.field or "display_name": error}
            else:
                _kept_suggestions().pop(meetup_id, None)  # the next form offers it
                attempts.count("JOIN_LIMIT_PER_ADDRESS", address)
                session[PARTICIPANT_SESSION_KEY] = {**tokens, str(meetup_id): secret}
                session.permanent = True
                return redirect(url_for("participant.live", meetup_id=meetup_id))
        for name, error in errors.items():
            bound = getattr(form, name, form.display_name)
            bound.errors = [*bound.errors, str(error.message)]

    suggestions = _suggestions(meetup)
    if suggestions:
        form.organisation.render_kw = {**(form.organisation.render_kw or {}),
                                       "list": ORGANISATIONS_LIST_ID}
    return render_template(
        "participant/join.html", meetup=meetup, form=form, closed=False,
        has_errors=bool(errors), organisations=suggestions,
        organisations_list_id=ORGANISATIONS_LIST_ID,
        when_where=meetup_when_where(meetup)), status
