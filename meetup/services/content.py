"""The default content: themes, participant roles and partner organisations.

It lives in ``meetup/content/defaults.json`` (data, not code) and is copied into every new
meetup, where the organiser can edit it.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

DEFAULTS_FILE = Path(__file__).resolve().parent.parent / "content" / "defaults.json"


@cache
def defaults() -> dict[str, Any]:
    """The parsed defaults file (read once per process)."""
    with DEFAULTS_FILE.open(encoding="utf-8") as fh:
        return json.load(fh)


def default_themes() -> list[dict[str, Any]]:
    return defaults()["themes"]


def roles() -> list[dict[str, str]]:
    """``[{"key", "nl", "en"}]`` in display order."""
    return defaults()["roles"]


def role_keys() -> list[str]:
    return [r["key"] for r in roles()]


def role_label(key: str, locale: str = "nl") -> str:
    """The role's label in ``locale`` (Dutch by default); the key itself if unknown."""
    for role in roles():
        if role["key"] == key:
            return role.get(locale) or role["nl"]
    return key


def partners() -> list[str]:
    """Kinds of partner organisations around the child, for the agreement form."""
    return defaults()["partners"]
