"""Dutch is the default language: every message has a Dutch translation, none is a fuzzy guess,
and placeholders survive translation (a lost %(name)s raises at run time)."""

import re
from pathlib import Path

import polib

PO = Path(__file__).resolve().parents[2] / "locale" / "nl" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")


def _entries() -> list[polib.POEntry]:
    return [e for e in polib.pofile(str(PO)) if not e.obsolete]


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = _entries()
    assert len(entries) > 1000
    assert [e.msgid for e in entries if not e.translated()] == []
    assert [e.msgid for e in entries if "fuzzy" in e.flags] == []


def test_placeholders_survive_translation():
    wrong = []
    for entry in _entries():
        wanted = sorted(set(PLACEHOLDER.findall(entry.msgid)))
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            if sorted(set(PLACEHOLDER.findall(text))) != wanted:
                wrong.append(entry.msgid)
    assert wrong == []


def test_no_message_is_defined_twice():
    """Merged branches append to the same catalogue; a second definition of a message makes
    msgfmt and makemessages stop, so the catalogue could no longer be regenerated."""
    seen: set[tuple[str | None, str]] = set()
    twice = []
    for entry in _entries():
        key = (entry.msgctxt, entry.msgid)
        if key in seen:
            twice.append(entry.msgid)
        seen.add(key)
    assert twice == []
