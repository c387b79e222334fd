"""PDF documents: a template rendered to HTML, laid out by WeasyPrint with the bundled serif.

``render_pdf`` is a pure function of its template and context: it reads nothing from the database itself,
so callers load (and prefetch) what the template shows. WeasyPrint is imported inside the function because
loading it (pango, fontconfig) takes a noticeable moment and most requests never print.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.template.loader import render_to_string

from chibo.lib.layout import FONT_DIR, document_context


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render ``template_name`` (an HTML page extending ``pdf/party_document.html``) to PDF bytes."""
    import weasyprint
    from weasyprint.urls import URLFetcher

    class BundledFilesOnly(URLFetcher):
        """Fetches the bundled fonts and nothing else: no network, no other local file, whatever the text."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if not _is_bundled(url):
                raise ValueError(f"Not a bundled document resource: {url}")
            return super().fetch(url, headers)

    html = render_to_string(template_name, {**document_context(embed_fonts=True), **context})
    document = weasyprint.HTML(string=html, base_url=FONT_DIR.as_uri() + "/", url_fetcher=BundledFilesOnly())
    return document.write_pdf()


def _is_bundled(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme != "file":
        return False
    path = Path(unquote(parts.path)).resolve()
    return path.is_relative_to(FONT_DIR)
