"""Public pages: home, the briefing per meetup, the shared report, follow-up links."""

from flask import Blueprint

bp = Blueprint("public", __name__)

from meetup.web.public import briefing, health, pages, reports, unsubscribe  # noqa: F401  (routes register on bp)
