#!/usr/bin/env python3
"""Fill the Vietnamese message catalogue from translation tables.

Usage: .venv/bin/python scripts/translations-merge.py TABLE.tsv [...]

Each line of a table is `msgid<TAB>msgstr`, with newlines and tabs written `\\n` and `\\t`.
An entry is filled when it is empty or fuzzy; a plural entry gets the translation as its
only form (Vietnamese has one). Run `baocao makemessages -l vi -l en` first, so that the new
msgids exist, and `baocao compilemessages` afterwards.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

CATALOGUE = Path(__file__).resolve().parent.parent / "baocao/locale/vi/LC_MESSAGES/django.po"


def _unescape(text: str) -> str:
    return text.replace("\\n", "\n").replace("\\t", "\t")


def main(paths: list[str]) -> int:
    table: dict[str, str] = {}
    for path in paths:
        for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            msgid, tab, msgstr = line.partition("\t")
            if not tab or not msgstr:
                print(f"{path}:{number}: expected msgid<TAB>msgstr", file=sys.stderr)
                return 1
            table[_unescape(msgid)] = _unescape(msgstr)
    catalogue = polib.pofile(str(CATALOGUE), wrapwidth=100)
    filled = 0
    for entry in catalogue:
        translation = table.get(entry.msgid)
        if translation is None or entry.obsolete:
            continue
        empty = not entry.msgstr and not any(entry.msgstr_plural.values())
        if not (empty or entry.fuzzy):
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = {0: translation}
        else:
            entry.msgstr = translation
        if entry.fuzzy:
            entry.flags.remove("fuzzy")
            entry.previous_msgid = None
        filled += 1
    catalogue.save()
    missing = [e.msgid for e in catalogue.untranslated_entries() if not e.obsolete]
    print(f"{filled} filled; {len(missing)} still untranslated")
    for msgid in missing[:50]:
        print("  " + msgid.replace("\n", "\\n"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
