"""Parts of pages rendered once and kept in the shared cache, under a key that names everything they show.

A part of a page (a cell's roll, a resolution's tasks, a meeting's agenda) shows rows under an organisation; it
changes when they do, and with the day, the language, what the viewer may do and the code that renders it. The
page gives a key that names the first ones (the organisation's token from ``members.versions``, which every
write under it renews; the day; the viewer's rights the part tests; the object's id), ``cached_part`` adds the
language and the release (a digest of the project's code, templates and catalogues, so that a new release never
serves a part rendered by the old one), and keeps the HTML under it.

A part is rendered from its context alone, without the request: no context processor (the user, the access, the
bell) slips into what another viewer is served. The one value of the request a part may hold is the CSRF token of
its forms: it is rendered as a placeholder and replaced by the request's own token each time the part is served,
so that no session's token is ever stored or shown to another.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

# What a part's forms hold in place of the CSRF token until it is served (letters and underscores only: it comes
# out of the template's escaping as it went in).
CSRF_PLACEHOLDER = "__chibo_csrf_token_placeholder__"
# The suffixes of the files a release digest reads.
RELEASE_SUFFIXES = (".py", ".html", ".txt", ".mo")
SKIPPED_FOLDERS = {".venv", "node_modules", "var", "tests", "bench", "static", "staticfiles", "media", ".git"}


def part_seconds() -> int:
    return int(settings.CHIBO.get("PART_CACHE_SECONDS", 24 * 3600))


@functools.cache
def release() -> str:
    """A digest of the project's code, templates and catalogues, read once per process."""
    digest = hashlib.sha256()
    root = Path(settings.BASE_DIR)
    for path in sorted(_release_files(root)):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _release_files(folder: Path) -> Iterable[Path]:
    for entry in folder.iterdir():
        if entry.is_dir():
            if entry.name not in SKIPPED_FOLDERS and not entry.name.startswith("."):
                yield from _release_files(entry)
        elif entry.suffix in RELEASE_SUFFIXES:
            yield entry


def part_key(template_name: str, key: Iterable[object]) -> str:
    """The cache key of a part: its template, the page's key, the language and the release."""
    named = repr((template_name, tuple(key), translation.get_language(), release()))
    return f"part:{hashlib.sha256(named.encode()).hexdigest()}"


def render_part(template_name: str, context: dict[str, Any]) -> str:
    """The part rendered from its context alone, its forms holding the placeholder for the CSRF token."""
    return render_to_string(template_name, {**context, "csrf_token": CSRF_PLACEHOLDER})


def serve_part(request: HttpRequest, html: str) -> SafeString:
    """The part as this request is served it: its forms carry the request's own CSRF token."""
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    return mark_safe(html)  # rendered by our template, which escaped what it shows


def cached_part(
    request: HttpRequest, template_name: str, key: Iterable[object], context: Callable[[], dict[str, Any]]
) -> SafeString:
    """The part rendered by ``template_name`` from ``context()``, from the shared cache when it was rendered under
    the same key (``context`` is called only when it was not). ``key`` must name everything the context holds
    that the part shows: an organisation's token, the day, the viewer's rights, the object's id, the query."""
    full_key = part_key(template_name, key)
    html = cache.get(full_key)
    if not isinstance(html, str):
        html = render_part(template_name, context())
        cache.set(full_key, html, timeout=part_seconds())
    return serve_part(request, html)
