"""The big screen: QR code while people join, then tables, timer, questions and plenary."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("projector", __name__)
