#!/usr/bin/env python3
"""Compile every ``locale/**/django.po`` under schwarmdesk/ into ``django.mo`` next to it.

Uses polib (a dev dependency), so GNU gettext's ``msgfmt`` is not needed. Both files are
committed; ``tests/web/test_pages.py::test_translations_compiled`` fails when a .mo is stale.

Usage: .venv/bin/python scripts/compile_translations.py [--check]
  --check   compile nothing; exit 1 and name every .mo that is missing or out of date

Updating the German catalog after changing strings (needs GNU gettext's xgettext):
  cd schwarmdesk && DJANGO_SETTINGS_MODULE=tests.settings PYTHONPATH=.. \
    ../.venv/bin/django-admin makemessages -l de --add-location=file --ignore=migrations
then translate the new entries in locale/de/LC_MESSAGES/django.po and run this script.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = ROOT / "schwarmdesk"


def find_catalogs(base: Path = PACKAGE_DIR) -> Iterator[Path]:
    """Every django.po below a ``locale`` directory, in a stable order."""
    yield from sorted(path for path in base.rglob("locale/**/django.po") if path.is_file())


Key = tuple[str, str, str]


def compiled_entries(catalog: polib.POFile | polib.MOFile) -> dict[Key, tuple[str, ...]]:
    """What a .mo file carries for a catalog: its translated, non-fuzzy, non-obsolete entries.

    The key is (context, singular, plural), the value the translation or the plural forms.
    The header (metadata, which holds the plural rule) is compared under the empty key.
    """
    entries: dict[Key, tuple[str, ...]] = {
        ("", "", ""): tuple(f"{name}: {value}" for name, value in sorted(catalog.metadata.items()))
    }
    for entry in catalog.translated_entries():
        key = (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")
        if entry.msgid_plural:
            forms = entry.msgstr_plural
            entries[key] = tuple(forms[index] for index in sorted(forms))
        else:
            entries[key] = (entry.msgstr,)
    return entries


def is_up_to_date(po_path: Path) -> bool:
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return False
    expected = compiled_entries(polib.pofile(str(po_path)))
    actual = compiled_entries(polib.mofile(str(mo_path)))
    return expected == actual


def compile_catalog(po_path: Path) -> Path:
    mo_path = po_path.with_suffix(".mo")
    polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
    return mo_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--check", action="store_true", help="report stale .mo files instead of writing them"
    )
    arguments = parser.parse_args(argv)
    catalogs = list(find_catalogs())
    if not catalogs:
        print(f"no django.po found below {PACKAGE_DIR}", file=sys.stderr)
        return 1
    if arguments.check:
        stale = [path for path in catalogs if not is_up_to_date(path)]
        for path in stale:
            print(f"stale: {path.with_suffix('.mo').relative_to(ROOT)}", file=sys.stderr)
        return 1 if stale else 0
    for path in catalogs:
        mo_path = compile_catalog(path)
        print(f"compiled {path.relative_to(ROOT)} -> {mo_path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
