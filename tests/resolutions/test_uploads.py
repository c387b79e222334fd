"""Evidence files are judged by their content, not their name: tiny files made here, one row per case."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from chibo.lib.uploads import (
    DEFAULT_MAX_BYTES,
    DOCX,
    JPEG,
    PDF,
    PNG,
    XLSX,
    check_upload,
    detect_content_type,
    max_bytes,
)

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
HTML_BYTES = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG_BYTES = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
ELF_BYTES = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 32


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _content_types(main: str) -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'content-types"><Override PartName="/' + main.encode() + b'" ContentType="application/vnd.'
        b'openxmlformats-officedocument.main+xml"/></Types>'
    )


DOCX_BYTES = _zip({"[Content_Types].xml": _content_types("word/document.xml"), "word/document.xml": b"<w:document/>"})
XLSX_BYTES = _zip({"[Content_Types].xml": _content_types("xl/workbook.xml"), "xl/workbook.xml": b"<workbook/>"})
DOCM_BYTES = _zip(
    {
        "[Content_Types].xml": b"<Types><Default ContentType='application/vnd.ms-word.document.macroEnabled.main+xml'/>"
        b"</Types>",
        "word/document.xml": b"<w:document/>",
        "word/vbaProject.bin": b"\x00\x01",
    }
)
PLAIN_ZIP_BYTES = _zip({"notes.txt": b"hello"})
BROKEN_ZIP_BYTES = b"PK\x03\x04" + b"\x00" * 40


@pytest.mark.parametrize(
    ("name", "content", "content_type", "extension"),
    [
        ("bien-ban.pdf", PDF_BYTES, PDF, ".pdf"),
        ("anh-chup.jpg", JPEG_BYTES, JPEG, ".jpg"),
        ("ANH-CHUP.JPEG", JPEG_BYTES, JPEG, ".jpeg"),
        ("man-hinh.png", PNG_BYTES, PNG, ".png"),
        ("bao-cao.docx", DOCX_BYTES, DOCX, ".docx"),
        ("danh-sach.xlsx", XLSX_BYTES, XLSX, ".xlsx"),
        # a name without an ending is given the one its content calls for
        ("scan", PDF_BYTES, PDF, ".pdf"),
    ],
)
def test_allowed_files_are_accepted_with_their_detected_type(
    name: str, content: bytes, content_type: str, extension: str
) -> None:
    checked = check_upload(SimpleUploadedFile(name, content))
    assert (checked.content_type, checked.extension) == (content_type, extension)


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("trang.html", HTML_BYTES, "forbidden_type"),
        ("bao-cao.pdf", HTML_BYTES, "forbidden_type"),  # a .pdf name on a web page
        ("hinh.svg", SVG_BYTES, "forbidden_type"),
        ("hinh.png", SVG_BYTES, "forbidden_type"),
        ("setup.exe", EXE_BYTES, "forbidden_type"),
        ("hoa-don.pdf", EXE_BYTES, "forbidden_type"),
        ("chay", ELF_BYTES, "forbidden_type"),
        ("ghi-chu.txt", b"Da van dong 20 ho.", "forbidden_type"),
        ("bao-cao.docm", DOCM_BYTES, "forbidden_type"),  # macros: code, not evidence
        ("bao-cao.docx", DOCM_BYTES, "forbidden_type"),
        ("tai-lieu.zip", PLAIN_ZIP_BYTES, "forbidden_type"),
        ("tai-lieu.docx", PLAIN_ZIP_BYTES, "forbidden_type"),
        ("hong.docx", BROKEN_ZIP_BYTES, "forbidden_type"),
        ("anh.pdf", PNG_BYTES, "name_mismatch"),  # a .pdf name on a picture
        ("bao-cao.xlsx", DOCX_BYTES, "name_mismatch"),
        ("anh.html", JPEG_BYTES, "name_mismatch"),
        ("rong.pdf", b"", "empty"),
    ],
)
def test_other_files_are_refused_with_a_reason(name: str, content: bytes, code: str) -> None:
    with pytest.raises(ValidationError) as refused:
        check_upload(SimpleUploadedFile(name, content))
    assert refused.value.code == code
    assert refused.value.messages[0]


@pytest.mark.parametrize(("limit", "accepted"), [(len(PDF_BYTES), True), (len(PDF_BYTES) - 1, False)])
def test_the_size_limit_comes_from_the_settings(settings, limit: int, accepted: bool) -> None:
    settings.CHIBO = {**settings.CHIBO, "EVIDENCE_MAX_BYTES": limit}
    upload = SimpleUploadedFile("bien-ban.pdf", PDF_BYTES)
    if accepted:
        assert check_upload(upload).content_type == PDF
    else:
        with pytest.raises(ValidationError) as refused:
            check_upload(upload)
        assert refused.value.code == "too_large"


def test_the_size_limit_defaults_to_ten_megabytes(settings) -> None:
    settings.CHIBO = {key: value for key, value in settings.CHIBO.items() if key != "EVIDENCE_MAX_BYTES"}
    assert max_bytes() == DEFAULT_MAX_BYTES == 10 * 1024 * 1024


def test_detection_leaves_the_file_rewound() -> None:
    handle = io.BytesIO(DOCX_BYTES)
    handle.read(7)
    assert detect_content_type(handle) == DOCX
    assert handle.tell() == 0
