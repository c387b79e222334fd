"""What an uploaded evidence file really is, judged by its content (magic bytes), never by its name alone.

Allowed: PDF, JPEG, PNG, and the Office Open XML documents people scan or type their reports in (.docx,
.xlsx; not the macro-enabled kinds). Everything else — HTML, SVG, scripts, executables, other archives, a
file whose name says one kind while its content is another — is refused with a message saying why.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The file name endings that agree with each kind; the first is added to a name that has none.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    PDF: (".pdf",),
    JPEG: (".jpg", ".jpeg"),
    PNG: (".png",),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
}

# The main part that tells a Word document from a workbook inside the ZIP container.
_OOXML_MAIN_PARTS = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX}
# [Content_Types].xml is small; reading more than this means something is wrong (or a zip bomb).
_CONTENT_TYPES_LIMIT = 1024 * 1024


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str  # the lower-case ending the file's name has, or should be given


def max_bytes() -> int:
    return int(getattr(settings, "CHIBO", {}).get("EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def detect_content_type(file: IO[bytes] | Any) -> str | None:
    """The content type of an allowed kind of file, or None. Reads the start of the file; leaves it rewound."""
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    if not isinstance(head, bytes):
        return None
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"PK\x03\x04"):
        try:
            return _ooxml_type(file)
        finally:
            file.seek(0)
    return None


def _ooxml_type(file: IO[bytes]) -> str | None:
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names:
                return None
            with archive.open("[Content_Types].xml") as part:
                content_types = part.read(_CONTENT_TYPES_LIMIT + 1)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        return None
    if len(content_types) > _CONTENT_TYPES_LIMIT:
        return None
    # Macro-enabled documents (.docm, .xlsm) carry code: not evidence.
    if b"macroEnabled" in content_types or any(name.lower().endswith("vbaproject.bin") for name in names):
        return None
    found = {kind for part_name, kind in _OOXML_MAIN_PARTS.items() if part_name in names}
    return found.pop() if len(found) == 1 else None


def allowed_kinds_label() -> str:
    return _("PDF, JPEG or PNG pictures, Word (.docx) or Excel (.xlsx)")


def check_upload(file: Any, *, limit: int | None = None) -> CheckedFile:
    """Accept an uploaded file or raise ValidationError with a message for the person who sent it."""
    limit = max_bytes() if limit is None else limit
    size = getattr(file, "size", None)
    if size is None:
        file.seek(0, 2)
        size = file.tell()
        file.seek(0)
    if not size:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > limit:
        raise ValidationError(
            _("The file is %(size)s; the largest allowed is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    content_type = detect_content_type(file)
    if content_type is None:
        raise ValidationError(
            _("This kind of file is not accepted. Send %(kinds)s.") % {"kinds": allowed_kinds_label()},
            code="forbidden_type",
        )
    suffix = PurePosixPath(getattr(file, "name", "") or "").suffix.lower()
    allowed = EXTENSIONS[content_type]
    if suffix and suffix not in allowed:
        raise ValidationError(
            _("The file is named %(suffix)s but its content is %(kind)s. Check that you chose the right file.")
            % {"suffix": suffix, "kind": allowed[0].lstrip(".").upper()},
            code="name_mismatch",
        )
    return CheckedFile(content_type=content_type, extension=suffix or allowed[0])
