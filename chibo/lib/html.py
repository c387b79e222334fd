"""Long texts are plain paragraphs: what people type is stored as they typed it, never as HTML.

A blank line starts a new paragraph; a single line break is kept inside its paragraph. ``text_blocks`` reads a
text that way, once for every place that shows it: the ``paragraphs`` template filter (pages, print pages,
PDFs, escaped there), the Word export (``chibo.lib.docx.add_text``) and the version diffs. ``tidy_paragraphs``
is what a form stores.

``html_to_text`` turns the sanitised HTML the resolution's sections were once stored as into such text (the
data migration ``resolutions.0016`` uses it): paragraphs become blank-line-separated blocks, line breaks stay,
list items become "- " lines ("1. " in a numbered list), emphasis is dropped and entities are decoded.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# The tags the old sanitiser kept (and a few an editor might paste): their presence marks a value as HTML.
_TAG = re.compile(r"<\s*/?\s*(p|br|strong|b|em|i|u|ul|ol|li|h[1-6]|blockquote|div|span)\b[^>]*>", re.IGNORECASE)
_BLANK_LINE = re.compile(r"\n[ \t\u00a0]*\n")
_MORE_BLANK_LINES = re.compile(r"\n{3,}")


def text_blocks(text: str | None) -> list[list[str]]:
    """The paragraphs of a plain text, each as its lines (trailing spaces dropped, blank paragraphs skipped)."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    blocks = []
    for block in _BLANK_LINE.split(text):
        lines = [line.rstrip() for line in block.split("\n")]
        lines = [line for line in lines if line.strip()]
        if lines:
            blocks.append(lines)
    return blocks


def tidy_paragraphs(text: str | None) -> str:
    """A typed text as it is stored: Unix line breaks, no trailing spaces, at most one blank line in a row."""
    text = "\n".join(line.rstrip() for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return _MORE_BLANK_LINES.sub("\n\n", text).strip("\n").rstrip()


def looks_like_html(text: str | None) -> bool:
    return text is not None and _TAG.search(text) is not None


class _PlainText(HTMLParser):
    """Collects the blocks of an HTML fragment as plain text."""

    BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.lines: list[str] = []
        self.line: list[str] = []
        self.prefix = ""  # the indent of the line being written, in a list
        self.marker = ""  # a list item's marker, written before its first text
        self.lists: list[list[int]] = []  # [ordered, next number] per open list

    def _end_line(self) -> None:
        body = " ".join("".join(self.line).split())
        if body:
            self.lines.append(self.prefix + body)
        self.line = []
        if self.lists:
            self.prefix = "  " * len(self.lists)  # a second paragraph of an item is indented under it

    def _end_block(self) -> None:
        self._end_line()
        if self.lines:
            self.blocks.append("\n".join(self.lines))
        self.lines = []
        self.prefix = self.marker = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            if "".join(self.line).strip():
                self._end_line()
            elif not self.lists:
                self._end_block()  # two line breaks in a row: a paragraph
        elif tag in ("ul", "ol"):
            if self.lists:
                self._end_line()
            else:
                self._end_block()
            self.lists.append([tag == "ol", 1])
        elif tag == "li":
            self._end_line()
            ordered, number = self.lists[-1] if self.lists else (False, 1)
            if self.lists:
                self.lists[-1][1] = number + 1
            depth = max(len(self.lists), 1)
            self.marker = "  " * (depth - 1) + (f"{number}. " if ordered else "- ")
            self.prefix = ""
        elif tag in self.BLOCKS:
            if self.lists:
                if "".join(self.line).strip():
                    self._end_line()
            else:
                self._end_block()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol"):
            self._end_line()
            if self.lists:
                self.lists.pop()
            self.marker = ""
            if not self.lists:
                self._end_block()
        elif tag == "li":
            self._end_line()
            self.marker = ""
        elif tag in self.BLOCKS and not self.lists:
            self._end_block()

    def handle_data(self, data: str) -> None:
        if self.marker and data.strip():
            self.prefix, self.marker = self.marker, ""
        self.line.append(data)

    def text(self) -> str:
        self.close()
        self._end_block()
        return "\n\n".join(self.blocks)


def html_to_text(text: str | None) -> str:
    """Plain paragraphs of a stored HTML fragment; a text without HTML tags is returned as it is (tidied)."""
    if not looks_like_html(text):
        return tidy_paragraphs(text)
    parser = _PlainText()
    parser.feed(text or "")
    return parser.text()
