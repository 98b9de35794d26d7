"""The organiser's pages: log in, prepare meetups, run the evening, reports."""

from flask import Blueprint

bp = Blueprint("organiser", __name__)

from meetup.web.organiser import (  # noqa: F401  (routes register on bp)
    account,
    auth,
    board,
    groups,
    live,
    mail,
    meetups,
    members,
    reports,
    series,
    series_overview,
)
