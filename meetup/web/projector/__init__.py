"""The big screen: QR code while people join, then tables, timer, questions and plenary."""

from flask import Blueprint

bp = Blueprint("projector", __name__)

from meetup.web.projector import qr, screen  # noqa: F401  (routes register on bp)
