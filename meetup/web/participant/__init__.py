"""The participant's pages on the phone: join, then the live evening."""

from flask import Blueprint

bp = Blueprint("participant", __name__)

from meetup.web.participant import join, live, privacy  # noqa: F401  (routes register on bp)
