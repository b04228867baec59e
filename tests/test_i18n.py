"""Danish is the default; every Danish text has an English translation."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

PO_FILE = Path(__file__).resolve().parents[1] / "locale" / "en" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\{\s*\w+\s*\}\}")


def _unquote(lines: list[str]) -> str:
    return "".join(line.strip()[1:-1] for line in lines)


def po_entries(path: Path = PO_FILE) -> list[tuple[str, list[str], bool]]:
    """(msgid, msgstrs, fuzzy) for every entry but the header."""
    entries: list[tuple[str, list[str], bool]] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = block.strip().splitlines()
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        parts: dict[str, list[str]] = {}
        current = None
        for line in lines:
            if line.startswith("#"):
                continue
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) (".*")$', line)
            if match:
                current = match.group(1)
                parts[current] = [match.group(2)]
            elif current and line.startswith('"'):
                parts[current].append(line)
        if "msgid" not in parts:
            continue
        msgid = _unquote(parts["msgid"])
        if not msgid:
            continue
        strs = [_unquote(v) for k, v in sorted(parts.items()) if k.startswith("msgstr")]
        entries.append((msgid, strs, fuzzy))
    return entries


def test_every_text_has_an_english_translation() -> None:
    entries = po_entries()
    assert len(entries) > 100
    missing = [msgid for msgid, strs, fuzzy in entries if fuzzy or not all(strs)]
    assert missing == [], f"untranslated or fuzzy: {missing[:10]}"


def plural_sources(path: Path = PO_FILE) -> dict[str, str]:
    """msgid -> msgid_plural for the entries with plural forms."""
    pattern = re.compile(r'^msgid (".*")\nmsgid_plural (".*")$', re.MULTILINE)
    text = path.read_text(encoding="utf-8")
    return {_unquote([m.group(1)]): _unquote([m.group(2)]) for m in pattern.finditer(text)}


def test_translations_keep_their_placeholders() -> None:
    plurals = plural_sources()

    def placeholders(text: str) -> list[str]:
        return sorted(PLACEHOLDER.findall(text))

    broken = [
        msgid
        for msgid, strs, _fuzzy in po_entries()
        for n, text in enumerate(strs)
        # A plural form is compared with the Danish plural; a singular may drop the count.
        if placeholders(plurals.get(msgid, msgid) if n else msgid) != placeholders(text)
        and "%" not in msgid
    ]
    assert broken == []


@pytest.mark.django_db
def test_pages_speak_danish_by_default_and_english_on_request(demo: Any, client_for: Any) -> None:
    client = client_for("laerer")
    danish = client.get("/organisation/aadal/kontakt/").content.decode()
    assert "Hvem kontakter jeg?" in danish
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/organisation/aadal/kontakt/").content.decode()
    assert "Hvem kontakter jeg?" not in english
    assert '<html lang="en">' in english


@pytest.mark.django_db
def test_the_translation_file_holds_every_text_of_the_code(tmp_path: Path, settings: Any) -> None:
    """makemessages, run afresh on a copy of the code, finds no text the .po file lacks."""
    import os
    import shutil

    from django.core.management import call_command

    shutil.copytree(PO_FILE.parents[3] / "ssp", tmp_path / "ssp")
    (tmp_path / "locale").mkdir()
    settings.LOCALE_PATHS = [str(tmp_path / "locale")]
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        call_command("makemessages", locale=["en"], no_location=True, verbosity=0)
    finally:
        os.chdir(cwd)
    fresh = tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po"
    fresh_ids = {msgid for msgid, _strs, _fuzzy in po_entries(fresh)}
    committed = {msgid for msgid, _strs, _fuzzy in po_entries()}
    assert fresh_ids, "makemessages found no texts"
    assert fresh_ids - committed == set(), "run makemessages -l en and translate the new texts"
