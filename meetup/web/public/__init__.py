"""Public pages: home, the briefing per meetup, the shared report, follow-up links."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from meetup.web.public import (  # noqa: E402,F401  (routes register on bp)
    briefing, health, pages, reports, unsubscribe)
