"""The organiser's forms: a meetup, one of its themes, and the delete confirmation.

Fields check only their type and length here; the domain rules live in
``meetup.services.meetups`` and its ``InvalidInput.field`` is put next to the right field by
:func:`attach_error`.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.core import Field
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

#: The phases that may start a countdown of their own, with the default the new-meetup form
#: suggests (minutes; None: no countdown). The closing phase never counts down.
TIMED_PHASES: tuple[tuple[str, Any, int | None], ...] = (
    ("registration", _l("Registration"), None),
    ("theme_choice", _l("Theme choice"), 5),
    ("tables", _l("Tables"), 5),
    ("round_1", _l("Round 1"), 10),
    ("round_2", _l("Round 2"), 10),
    ("round_3", _l("Round 3"), 10),
    ("voting", _l("Voting"), 5),
    ("agreements", _l("Agreements"), 20),
    ("plenary", _l("Plenary"), None),
)
MINUTES_MESSAGE = _l("Give a number of minutes between 1 and 180, or leave it empty.")

#: Empty rows offered below the existing directions and reading links, to add new ones.
EXTRA_ROWS = 3
NUMBER_MESSAGE = _l("Enter a whole number.")


class MeetupForm(FlaskForm):
    """Where and when, the welcome text and the evening's settings."""

    title = StringField(_l("Title"), validators=[DataRequired(_l("Give the meetup a title.")),
                                                 Length(max=200)])
    city = StringField(_l("City"), validators=[Length(max=120)])
    venue = StringField(_l("Venue"), validators=[Length(max=200)])
    date = DateField(_l("Date"), validators=[Optional()],
                     description=_l("Leave date and time empty if they are not known yet."))
    start_time = TimeField(_l("Start time"), validators=[Optional()],
                           format=["%H:%M", "%H:%M:%S"], description=_l("Dutch time, for example 19:30."))
    welcome = TextAreaField(_l("Welcome text"), validators=[Length(max=5000)],
                            description=_l("Shown at the top of the briefing page."))
    table_size = IntegerField(
        _l("People per table"), default=6,
        validators=[InputRequired(NUMBER_MESSAGE), NumberRange(min=2, max=12, message=_l(
            "A table seats between 2 and 12 people."))],
    )
    votes_per_person = IntegerField(
        _l("Votes per person"), default=3,
        validators=[InputRequired(NUMBER_MESSAGE), NumberRange(min=1, max=10, message=_l(
            "Give each person between 1 and 10 votes."))],
    )
    expected_participants = IntegerField(
        _l("Expected number of participants"), default=300,
        description=_l("Up to this number and a margin, everyone joins at once. Beyond it, "
                       "joining slows to 20 people a minute, so that nobody can fill the room "
                       "with fake names. More people than expected? Raise the number, also "
                       "during the evening."),
        render_kw={"inputmode": "numeric", "min": "1", "max": "10000"},
        validators=[Optional(), NumberRange(min=1, max=10_000, message=_l(
            "Give a number between 1 and 10,000."))],
    )
    report_shows_emails = BooleanField(
        _l("The shared report for the municipality lists the e-mail addresses of people who "
           "agreed to it (off: names and e-mail addresses stay in your own report only)"))
    code_before_opening = BooleanField(
        _l("The short code works before the evening opens (otherwise from two hours before "
           "the start; the QR code on the big screen always works)"))
    # Follow-up mail (issue 23): for owners who ask for reminders on their phone.
    organiser_digest = BooleanField(
        _l("Mail me a weekly digest of the owners' updates (after the meetup is closed)"))
    reminder_days_before = IntegerField(
        _l("Reminder this many days before the first step's date (0: none)"), default=3,
        validators=[Optional(), NumberRange(min=0, max=30, message=_l(
            "Choose between 0 and 30 days."))])
    followup_every_weeks = IntegerField(
        _l("\"How is it going?\" every … weeks after the date"), default=4,
        validators=[Optional(), NumberRange(min=1, max=26, message=_l(
            "Choose between 1 and 26 weeks."))])
    followup_max = IntegerField(
        _l("At most this many times (0: never)"), default=6,
        validators=[Optional(), NumberRange(min=0, max=12, message=_l(
            "Choose between 0 and 12 times."))])

    def minute_fields(self) -> list[Field]:
        """The default-duration field of every timed phase, in the order of the evening."""
        return [getattr(self, f"minutes_{key}") for key, _label, _default in TIMED_PHASES]

    def phase_minutes(self) -> dict[str, int]:
        """``{phase: minutes}`` for the phases with a duration filled in."""
        return {key: getattr(self, f"minutes_{key}").data for key, _label, _default in TIMED_PHASES
                if getattr(self, f"minutes_{key}").data is not None}

    def fill_phase_minutes(self, values: dict[str, int] | None) -> None:
        """Show a meetup's stored durations (an empty field: no countdown)."""
        for key, _label, _default in TIMED_PHASES:
            getattr(self, f"minutes_{key}").data = (values or {}).get(key)

    def validate(self, extra_validators: Any = None) -> bool:
        """Date and start time go together: both filled in, or both empty."""
        valid = super().validate(extra_validators)
        if self.date.errors or self.start_time.errors:
            return valid
        if self.date.data is not None and self.start_time.data is None:
            self.start_time.errors = [*self.start_time.errors, _l("Fill in the start time.")]
            return False
        if self.date.data is None and self.start_time.data is not None:
            self.date.errors = [*self.date.errors, _l("Fill in the date.")]
            return False
        return valid


for _key, _label, _default in TIMED_PHASES:
    setattr(MeetupForm, f"minutes_{_key}", IntegerField(
        _label, default=_default, render_kw={"inputmode": "numeric", "min": "1", "max": "180"},
        validators=[Optional(), NumberRange(min=1, max=180, message=MINUTES_MESSAGE)]))


class DirectionForm(Form):
    """One direction (sub-question) of a theme; a row of the directions list."""

    position = IntegerField(_l("Order"), validators=[Optional()],
                            render_kw={"inputmode": "numeric", "class": "position"})
    code = StringField(_l("Number"), validators=[Length(max=12)])
    title = StringField(_l("Title"), validators=[Length(max=200)])
    prompt = TextAreaField(_l("Question for the tables"), validators=[Length(max=2000)])
    remove = BooleanField(_l("Remove"))


class ReadingLinkForm(Form):
    """One reading link: a title and an https address."""

    position = IntegerField(_l("Order"), validators=[Optional()],
                            render_kw={"inputmode": "numeric", "class": "position"})
    title = StringField(_l("Title"), validators=[Length(max=300)])
    url = StringField(_l("Web address"), validators=[Length(max=2000)],
                      render_kw={"inputmode": "url", "placeholder": "https://"})
    remove = BooleanField(_l("Remove"))


class ThemeForm(FlaskForm):
    """A meetup's copy of a theme."""

    title = StringField(_l("Short title"), validators=[DataRequired(_l("Give the theme a title.")),
                                                       Length(max=120)])
    subject = StringField(_l("Subject"), validators=[Length(max=120)])
    question = TextAreaField(_l("Central question"),
                             validators=[DataRequired(_l("Fill in the central question.")),
                                         Length(max=1000)])
    introduction = TextAreaField(_l("Introduction"), validators=[Length(max=5000)],
                                 render_kw={"rows": 8})
    directions = FieldList(FormField(DirectionForm), min_entries=0)
    reading_links = FieldList(FormField(ReadingLinkForm), min_entries=0)
    examples = TextAreaField(_l("Example initiatives"), validators=[Length(max=5000)],
                             description=_l("One per line."), render_kw={"rows": 6})
    capacity = IntegerField(
        _l("Maximum number of participants"), render_kw={"inputmode": "numeric"},
        validators=[Optional(), NumberRange(min=1, message=_l(
            "A cap must be at least 1, or empty for no cap.")),
                    NumberRange(max=10_000, message=_l("A cap can be at most %(n)s.",
                                                       n=10_000))],
        description=_l("Leave empty for no maximum."),
    )

    def add_empty_rows(self, count: int = EXTRA_ROWS) -> None:
        """Offer ``count`` empty rows to add directions and links, numbered after the rest."""
        for rows in (self.directions, self.reading_links):
            for _ in range(count):
                entry = rows.append_entry()
                entry.form.position.data = len(rows.entries)

    def rows(self, name: str) -> list[dict[str, Any]]:
        """The posted rows of ``directions`` or ``reading_links`` as plain dicts, form order."""
        return [entry.form.data for entry in getattr(self, name).entries]


class ConfirmForm(FlaskForm):
    """A button and its CSRF token, nothing else (delete confirmation)."""


def find_field(form: FlaskForm, name: str) -> Field | None:
    """The field called ``name``, also inside lists: ``directions-2-title``."""
    if name in form._fields:
        return form._fields[name]
    head, _sep, rest = name.partition("-")
    container = form._fields.get(head)
    if isinstance(container, FieldList) and rest:
        index_text, _sep, sub = rest.partition("-")
        if index_text.isdigit() and int(index_text) < len(container.entries):
            entry = container.entries[int(index_text)]
            if sub and isinstance(entry, FormField):
                return entry.form._fields.get(sub)
    return None


def attach_error(form: FlaskForm, field_name: str | None, message: Any,
                 aliases: dict[str, str] | None = None) -> bool:
    """Put a domain error next to its field; False when no field matches (show it on top)."""
    if not field_name:
        return False
    field = find_field(form, (aliases or {}).get(field_name, field_name))
    if field is None:
        return False
    field.errors = [*field.errors, str(message)]  # errors may be a tuple after validation
    return True
