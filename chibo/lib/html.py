"""Rich but safe text: what people type is kept as a small set of harmless HTML tags, never as script."""

import html

import nh3

ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "h3", "h4", "blockquote"}


def clean_html(text: str) -> str:
    """Sanitise rich text. Plain text (no tags) becomes paragraphs, one per blank-line-separated block."""
    text = (text or "").strip()
    if not text:
        return ""
    if "<" not in text:
        blocks = [block.strip() for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()]
        text = "".join("<p>" + html.escape(block).replace("\n", "<br>") + "</p>" for block in blocks)
    return nh3.clean(text, tags=ALLOWED_TAGS, attributes={}, link_rel=None)


def html_to_text(text: str) -> str:
    """Readable plain text of stored rich text, for diffs and for plain-text mail."""
    spaced = text.replace("</p>", "\n").replace("<br>", "\n").replace("</li>", "\n")
    return html.unescape(nh3.clean(spaced, tags=set())).strip()
