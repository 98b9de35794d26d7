"""The organiser's grouping page: suggested groups of each theme's notes, edited and confirmed.

Plain forms (post, then redirect back to the group that was edited), so that the page works
the same with 3,000 notes and without any script; the clustering runs off the event loop.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from meetup.extensions import db
from meetup.models import Meetup, Phase, Round
from meetup.services import grouping as clustering
from meetup.services import groupings, plenary
from meetup.services.errors import DomainError, InvalidInput
from meetup.web.organiser import bp
from meetup.web.organiser.auth import login_required, meetup_for

ROUND_LABELS = {
    None: _l("All three rounds"),
    Round.HAPPENS: _l("Round 1: what already happens?"),
    Round.CONNECT: _l("Round 2: where can we connect?"),
    Round.MISSING: _l("Round 3: what is missing?"),
}
#: Ids in forms are database ids: anything outside this range is no id of ours.
_MAX_ID = 2**31 - 1


def _ids(name: str) -> list[int]:
    out = []
    for raw in request.form.getlist(name):
        if raw.isdigit() and 0 < int(raw) <= _MAX_ID:
            out.append(int(raw))
    return out


def _id(name: str) -> int | None:
    found = _ids(name)
    return found[0] if found else None


def _owned(meetup_id: int) -> Meetup:
    return meetup_for(meetup_id)


@bp.route("/meetups/<int:meetup_id>/groups")
@login_required
def groups(meetup_id: int) -> Any:
    meetup = _owned(meetup_id)
    views = {view.theme_id: view for view in groupings.views(db.session, meetup)}
    themes = list(meetup.themes)
    current = request.args.get("theme", type=int)
    theme = next((t for t in themes if t.id == current), themes[0] if themes else None)
    return render_template(
        "organiser/groups.html", meetup=meetup, themes=themes, theme=theme,
        view=views.get(theme.id) if theme else None, views=views,
        can_group=meetup.phase in groupings.GROUPING_PHASES,
        round_labels=ROUND_LABELS, default_similarity=clustering.DEFAULT_SIMILARITY,
        min_similarity=clustering.MIN_SIMILARITY, max_similarity=clustering.MAX_SIMILARITY,
    )


def _parse_round(raw: str | None) -> Round | None:
    if not raw:
        return None
    try:
        return Round(raw)
    except ValueError:
        raise InvalidInput(_l("Choose a round."), field="round") from None


@bp.route("/meetups/<int:meetup_id>/groups/<int:theme_id>", methods=["POST"])
@login_required
def edit_groups(meetup_id: int, theme_id: int) -> Any:
    """One form endpoint for every edit; ``action`` says which (one commit per request)."""
    meetup = _owned(meetup_id)
    action = request.form.get("action", "")
    anchor = ""
    before = plenary.slides(db.session, meetup)
    shown = None
    try:
        if action == "suggest":
            made = groupings.suggest(db.session, meetup, theme_id,
                                     round_=_parse_round(request.form.get("round")),
                                     similarity=_similarity())
            flash(_("New groups suggested. Check them, then confirm."), "success")
            if getattr(made, "vectors_missing", 0):
                flash(_("%(num)s notes were not analysed yet, so these groups go by shared "
                        "words only. Suggest again in a minute for groups by meaning.",
                        num=made.vectors_missing), "info")
        elif action == "confirm":
            groupings.confirm(db.session, meetup, theme_id)
            flash(_("Groups confirmed: the projector may show them in the plenary."), "success")
        elif action == "rename":
            group_id = _required("group")
            groupings.rename(db.session, meetup, theme_id, group_id, request.form.get("title"))
            anchor = f"group-{group_id}"
        elif action == "move":
            raw_target = request.form.get("target")
            target = None if raw_target == "new" else _required("target")
            groupings.move_notes(db.session, meetup, theme_id, _ticked(), target)
            anchor = f"group-{target}" if target else ""
        elif action == "split":
            group_id = _required("group")
            groupings.split(db.session, meetup, theme_id, group_id, _ticked())
            anchor = f"group-{group_id}"
        elif action == "merge":
            into = _required("target")
            groupings.merge(db.session, meetup, theme_id, into, [_required("group")])
            anchor = f"group-{into}"
        else:
            raise InvalidInput(_l("Choose what to do."))
        shown = plenary.after_grouping_edit(db.session, meetup, before)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        shown = None
    else:
        db.session.commit()
    if shown is not None:
        # The projector (in the plenary) and the organiser's live page follow at once.
        plenary.changed.send(current_app._get_current_object(), meetup_id=meetup.id,
                             state=shown, seq=meetup.revision,
                             everyone=meetup.phase is Phase.PLENARY)
    return redirect(url_for("organiser.groups", meetup_id=meetup.id, theme=theme_id,
                            _anchor=anchor or None))


def _similarity() -> float:
    """The slider sends a percentage; the service takes a fraction."""
    raw = request.form.get("similarity", "")
    try:
        return groupings.parse_similarity(float(raw) / 100)
    except ValueError:
        raise InvalidInput(_l("Choose how alike notes must be."), field="similarity") from None


def _required(name: str) -> int:
    value = _id(name)
    if value is None:
        raise InvalidInput(_l("Choose a group."), field=name)
    return value


def _ticked() -> list[int]:
    notes = _ids("note")
    if not notes:
        raise InvalidInput(_l("Tick the notes first."), field="note")
    return notes
