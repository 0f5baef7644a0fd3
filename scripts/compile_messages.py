"""Compile the .po translation files to .mo with polib, so no system gettext is needed."""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent / "src" / "samen"


def main() -> None:
    for po_path in ROOT.glob("**/locale/*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))


if __name__ == "__main__":
    main()
