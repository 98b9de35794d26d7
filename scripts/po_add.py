"""Add or update Dutch translations in the catalogue, safely from several processes.

Usage: python scripts/po_add.py translations.json
where the JSON file maps English msgids to Dutch msgstrs ({"Log in": "Inloggen"}).
Plural entries: {"%(num)s note": ["%(num)s notitie", "%(num)s notities"]} with the English
plural as key "msgid|plural" is not supported; use ngettext sparingly and add those by hand.
The file lock keeps concurrent writers from losing each other's entries.
"""

from __future__ import annotations

import fcntl
import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "meetup/translations/nl/LC_MESSAGES/messages.po"


def add(entries: dict[str, str]) -> int:
    PO.parent.mkdir(parents=True, exist_ok=True)
    lock_path = PO.with_suffix(".lock")
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if PO.exists():
            with PO.open("rb") as fh:
                catalog = read_po(fh, locale="nl")
        else:
            catalog = Catalog(locale="nl", project="meetup", fuzzy=False)
        for msgid, msgstr in entries.items():
            existing = catalog.get(msgid)
            if existing is None:
                catalog.add(msgid, msgstr)
            else:  # Catalog.add keeps the old string of an existing entry
                existing.string = msgstr
                existing.flags.discard("fuzzy")
        with PO.open("wb") as fh:
            write_po(fh, catalog, width=100, sort_output=True, omit_header=False)
    return len(entries)


if __name__ == "__main__":
    data = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    print(f"{add(data)} entries written to {PO}")
