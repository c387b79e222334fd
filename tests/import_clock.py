"""Which test modules read the clock when they are imported.

A value computed at import (``TODAY = dt.date.today()``, a parametrize list of dates, a helper called at module
level) is the real day, not the one the suite pins (``tests/clock.py``): it turns a test red in December or on a
leap day. This imports every module of a package with a profiler that watches the calls that read the date
(``date.today``, ``datetime.now``, ``datetime.today``, ``datetime.utcnow``; ``django.utils.timezone.now`` and
``localdate`` end in one of them) and reports each one made by module-level code of the package (class bodies,
decorators and default values included, and functions they call), not by a library the module imports.

    python -m tests.import_clock [ROOT PACKAGE]     prints one JSON list of [module, file, line]
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import sys
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parents[1]
READS = {(dt.date, "today"), (dt.datetime, "now"), (dt.datetime, "today"), (dt.datetime, "utcnow")}
NAMES = {name for _, name in READS}
CO_NEWLOCALS = 0x0002  # set on the code of functions, not on modules and class bodies


def modules(root: Path, package: str) -> list[str]:
    """Every module of ``package`` (a folder under ``root``), conftest files first as pytest loads them."""
    folder = root / package.replace(".", os.sep)
    names = []
    for path in sorted(folder.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return sorted(names, key=lambda name: (not name.endswith("conftest"), name))


def _culprit(frame: FrameType | None, folder: str) -> tuple[str, int] | None:
    """The module-level line of the package behind a clock read, walking out from the call; None when the read
    belongs to another module being imported, or to a function that module-level code did not call."""
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.startswith("<frozen importlib"):
            return None  # an import in between: the imported module is responsible, and is checked on its own
        if filename.startswith(folder) and not frame.f_code.co_flags & CO_NEWLOCALS:
            return filename, frame.f_lineno
        frame = frame.f_back
    return None


def clock_reads_at_import(root: Path, package: str) -> list[tuple[str, str, int]]:
    """Import each module of ``package`` and list (module, file, line) of every clock read at import."""
    folder = str(root / package.replace(".", os.sep)) + os.sep
    found: list[tuple[str, str, int]] = []
    current = ""

    def profile(frame: FrameType, event: str, arg: object) -> None:
        if event != "c_call" or getattr(arg, "__name__", "") not in NAMES:
            return
        owner = getattr(arg, "__self__", None)
        if not isinstance(owner, type) or (owner, getattr(arg, "__name__", "")) not in READS:
            return
        culprit = _culprit(frame, folder)
        if culprit is not None:
            filename, line = culprit
            found.append((current, str(Path(filename).relative_to(root)), line))

    for name in modules(root, package):
        current = name
        sys.setprofile(profile)
        try:
            importlib.import_module(name)
        finally:
            sys.setprofile(None)
    return sorted(set(found))


def main(argv: list[str]) -> int:
    root, package = (Path(argv[0]), argv[1]) if argv else (ROOT, "tests")
    sys.path.insert(0, str(root))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.test_settings")
    import django

    django.setup()
    json.dump(clock_reads_at_import(root, package), sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
