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


#: Every placeholder style the code uses: ``%(name)s`` (gettext), ``{name}`` (str.format and the
#: page's own ``t()``), and positional ``%s`` / ``%d``. ``%%`` is a literal percent sign.
PLACEHOLDER = re.compile(r"%%|%\(\w+\)[sd]|\{\w+\}|%[sd]")


def placeholders(text: str) -> list[str]:
    """The placeholders in ``text``, sorted (positional ones keep their order)."""
    found = [p for p in PLACEHOLDER.findall(text) if p != "%%"]
    named = sorted(p for p in found if p not in ("%s", "%d"))
    return named + [p for p in found if p in ("%s", "%d")]


def test_the_placeholder_check_sees_every_style() -> None:
    assert placeholders("%(n)s of {total}, %s and %d, 100%%") == \
        ["%(n)s", "{total}", "%s", "%d"]
    assert placeholders("Afspraak {n} van") != placeholders("Agreement {n} of {total}")


def test_translations_keep_their_placeholders() -> None:
    """A Dutch string that drops, adds or renames a placeholder shows a raw ``{name}`` or
    loses the number on screen (or fails to format at all)."""
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="nl")
    wrong = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if len(ids) == 1:
            for string in strings:
                if placeholders(string) != placeholders(ids[0]):
                    wrong.append(f"{ids[0]!r} -> {string!r}")
        else:  # plural forms: each form uses the placeholders of the msgid or msgid_plural
            allowed = set(placeholders(ids[0])) | set(placeholders(ids[-1]))
            for string in strings:
                if not set(placeholders(string)) <= allowed:
                    wrong.append(f"{ids[0]!r} -> {string!r}")
            if set().union(*(set(placeholders(s)) for s in strings)) != \
                    set(placeholders(ids[-1])):
                wrong.append(f"{ids[-1]!r} (plural forms lose a placeholder)")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


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


def test_every_msgid_is_in_the_catalogue_once() -> None:
    """Branches append their entries to the catalogue and merge it as a union
    (.gitattributes): the same msgid added twice is silently read as one of the two
    translations, and a page shows the other one than its test expects."""
    text = PO.read_text(encoding="utf-8")
    msgids = re.findall(r'^msgid ((?:".*"\n)+)', text, flags=re.M)
    seen: set[str] = set()
    doubles = sorted({m for m in msgids if m in seen or seen.add(m)})
    assert not doubles, "msgids in messages.po more than once:\n" + "".join(doubles)
