"""Dutch is the default and complete catalogue; English is one click away."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "meetup/translations/nl/LC_MESSAGES/messages.po"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
            "lazy_ngettext": (1, 2)}


def _extracted_msgids() -> dict[str, str]:
    with (ROOT / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def test_every_ui_string_has_a_dutch_translation() -> None:
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="nl")
    missing = []
    for msgid, where in sorted(_extracted_msgids().items()):
        entry = catalog.get(msgid)
        if entry is None or not entry.string or entry.fuzzy:
            missing.append(f"{where}: {msgid!r}")
        elif isinstance(entry.string, tuple) and not all(entry.string):
            missing.append(f"{where}: {msgid!r} (plural)")
    assert not missing, "untranslated UI strings:\n" + "\n".join(missing)


def test_translations_keep_their_placeholders() -> None:
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="nl")
    pattern = re.compile(r"%\(\w+\)s")
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(pattern.findall(ids[0]))
        for string in strings:
            assert set(pattern.findall(string)) <= wanted | set(pattern.findall(ids[-1])), message.id


def test_pages_speak_dutch_by_default_and_english_on_request(client) -> None:
    dutch = client.get("/").get_data(as_text=True)
    assert "Aanmelden met een code" in dutch
    assert 'lang="nl"' in dutch
    english = client.get("/?lang=en").get_data(as_text=True)
    assert "Join with a code" in english
    assert 'lang="en"' in english


def test_the_language_choice_sticks(client) -> None:
    response = client.get("/lang/en", headers={"Referer": "http://meetup.test/"})
    assert response.status_code == 302
    assert "Join with a code" in client.get("/").get_data(as_text=True)
