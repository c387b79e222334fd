"""Every user-facing string has its Vietnamese translation.

Extracts the strings from a copy of the code (so the working tree is not touched) and checks that the
Vietnamese catalogue, merged with them, has nothing untranslated or fuzzy.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["manage.py", "chibo", "members", "resolutions", "evaluations", "templates", "locale"]


def test_the_vietnamese_catalogue_is_complete(tmp_path: Path) -> None:
    assert shutil.which("msgfmt"), "gettext is required: sudo apt-get install -y gettext"
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        else:
            shutil.copy(source, tmp_path / name)
    env = {
        **os.environ,
        "DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "chibo.settings",
        "DATABASE_URL": "sqlite://:memory:",
    }
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "vi", "--no-obsolete", "-v0"],
        cwd=tmp_path,
        env=env,
        check=True,
        timeout=120,
    )
    catalogue = tmp_path / "locale/vi/LC_MESSAGES/django.po"
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", os.devnull, str(catalogue)],
        capture_output=True,
        text=True,
        check=True,
    )
    statistics = result.stderr.strip()
    assert "untranslated" not in statistics, _missing(catalogue)
    assert "fuzzy" not in statistics, _missing(catalogue)


def _missing(catalogue: Path) -> str:
    """The msgids left without a translation, for the failure message."""
    text = catalogue.read_text(encoding="utf-8").split("\n\n")
    return "untranslated or fuzzy: " + " | ".join(
        block.split("msgid ", 1)[1].split("\n", 1)[0]
        for block in text[1:]
        if 'msgstr ""\n\n' in block + "\n\n" or "#, fuzzy" in block
    )
