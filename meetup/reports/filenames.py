"""File names of downloads: light enough for any page to import (no PDF builder behind it, so
a restarting server does not load reportlab before it listens; see ``reports/lazy.py``)."""

from __future__ import annotations

import re
import unicodedata


def slug(text: str) -> str:
    """ASCII file-name part: ``Meetup Zoë's-Gravenhage`` -> ``meetup-zoes-gravenhage``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "meetup"
