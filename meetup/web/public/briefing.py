"""The public briefing page of a meetup: what participants read before the evening.

No login: whoever has the link (``/b/<short code>``) can read it. Unknown codes are counted
per address, so the page cannot be used to guess codes. It shows what the organiser
prepared (where, when, welcome text, the themes) and how the evening goes.
"""

from __future__ import annotations

from typing import Any

from flask import abort, render_template

from meetup.extensions import db
from meetup.services import joining
from meetup.services import meetups as meetup_service
from meetup.services.errors import NotFound
from meetup.web import attempts
from meetup.web.public import bp


def _paragraphs(text: str | None) -> list[str]:
    """Free text split on blank lines, for <p> elements."""
    blocks = [" ".join(block.split()) for block in (text or "").replace("\r\n", "\n").split("\n\n")]
    return [block for block in blocks if block]


@bp.route("/b/<short_code>")
@bp.route("/b/<code>")  # the same page, for links built with ``code=``
def briefing(short_code: str | None = None, code: str | None = None) -> Any:
    address = attempts.client_address()
    if attempts.exhausted("BRIEFING_GUESS_LIMIT", address):
        abort(429)  # too many unknown codes from this address: guessing stops here
    try:
        meetup = meetup_service.by_short_code(db.session, short_code or code or "")
    except NotFound:
        attempts.count("BRIEFING_GUESS_LIMIT", address)
        abort(404)
    # The link carries the code, but the page shows it (and it works) only once joining by
    # code is open; before that it says from when.
    return render_template("public/briefing.html", meetup=meetup,
                           welcome=_paragraphs(meetup.welcome), paragraphs=_paragraphs,
                           code_open=joining.code_is_open(meetup),
                           code_opens_at=joining.code_opens_at(meetup))
