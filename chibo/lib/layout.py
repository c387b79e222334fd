"""The layout of party documents (thể thức văn bản của Đảng), in one place.

Values follow Hướng dẫn 36-HD/VPTW (2018), appendix 3, as summarised in the domain notes. Newer rules
(Quy định 399-QĐ/TW and Hướng dẫn 05-HD/VPTW, 2026) are not yet confirmed here: when they are, change the
values below and every document (resolutions, minutes, reports) follows.

The words printed here ("ĐẢNG CỘNG SẢN VIỆT NAM", "ngày … tháng … năm …") are the fixed Vietnamese text of
the official form, not interface strings, so they are not translated.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent / "fonts"


@dataclass(frozen=True)
class FontFace:
    """One file of the bundled serif, for an ``@font-face`` rule."""

    filename: str
    weight: str
    style: str

    @property
    def path(self) -> Path:
        return FONT_DIR / self.filename

    @property
    def url(self) -> str:
        return self.path.as_uri()


@dataclass(frozen=True)
class PartyDocumentLayout:
    page_size: str = "A4"
    margin_top_mm: float = 20
    margin_bottom_mm: float = 20
    margin_left_mm: float = 30
    margin_right_mm: float = 15

    # A Times New Roman-style serif with every Vietnamese letter. Liberation Serif 2.x is bundled in
    # chibo/lib/fonts (SIL OFL 1.1) and embedded in every PDF; the browser's print page falls back to the
    # metric-compatible fonts people have installed.
    font_family: str = "Liberation Serif"
    fallback_families: tuple[str, ...] = ("Times New Roman", "Tinos")

    body_pt: float = 14
    line_height: float = 1.3
    paragraph_indent_mm: float = 10
    paragraph_spacing_pt: float = 6
    list_indent_mm: float = 20

    party_name: str = "ĐẢNG CỘNG SẢN VIỆT NAM"
    party_name_pt: float = 15  # bold, upper case, a solid rule under it as long as the words
    upper_body_pt: float = 14  # upper case, regular
    issuing_body_pt: float = 14  # upper case, bold
    number_prefix: str = "Số"  # no colon after "Số"
    number_pt: float = 14
    place_date_pt: float = 14  # italics
    # Space above the place-and-date line, so that it sits level with the number line on the left.
    place_date_gap_pt: float = 28
    document_type_pt: float = 16  # centred, bold
    subject_pt: float = 14  # centred, bold
    heading_pt: float = 14
    signature_pt: float = 14
    recipients_title_pt: float = 14  # "Nơi nhận:", underlined
    recipients_pt: float = 12
    page_number_pt: float = 14
    # Page numbers at the top centre from page 2; True would number the first page as well.
    number_first_page: bool = False

    # 36-HD/VPTW asks for a leading zero on days below 10 and on months 1 and 2 ("tháng 01", "tháng 02"),
    # so that nobody can turn them into 11 or 12 by adding a digit. Party offices commonly pad every month
    # below 10 ("tháng 05", as in the example of the older 11-HD/VPTW); set False to pad only 01 and 02.
    pad_every_month: bool = True

    @property
    def font_stack(self) -> str:
        """The CSS ``font-family`` value: the bundled family first, generic serif last."""
        return ", ".join(f'"{name}"' for name in (self.font_family, *self.fallback_families)) + ", serif"


LAYOUT = PartyDocumentLayout()

FONT_FACES = (
    FontFace("LiberationSerif-Regular.ttf", "normal", "normal"),
    FontFace("LiberationSerif-Bold.ttf", "bold", "normal"),
    FontFace("LiberationSerif-Italic.ttf", "normal", "italic"),
    FontFace("LiberationSerif-BoldItalic.ttf", "bold", "italic"),
)


def date_line(day: dt.date, layout: PartyDocumentLayout = LAYOUT) -> str:
    """ "ngày 05 tháng 03 năm 2026": the date as party documents write it."""
    month = f"{day.month:02d}" if layout.pad_every_month or day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def place_and_date(place: str, day: dt.date, layout: PartyDocumentLayout = LAYOUT) -> str:
    """ "Phú Khương, ngày 28 tháng 11 năm 2026", the italic line under the party's name."""
    place = " ".join((place or "").split())
    return f"{place}, {date_line(day, layout)}" if place else date_line(day, layout).capitalize()


def upper(text: str) -> str:
    """Upper case in composed form, so "Chi bộ khu phố 1" prints "CHI BỘ KHU PHỐ 1" with its marks intact."""
    return unicodedata.normalize("NFC", (text or "").upper())


_PARTY_BODY_WORDS = ("đảng bộ", "đảng ủy", "đảng uỷ", "chi bộ", "ban ", "văn phòng")
_UNIT_WORDS = ("phường", "xã", "thị trấn", "đặc khu", "tỉnh", "thành phố")


def _folded(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join((text or "").split())).casefold()


def party_body_name(name: str) -> str:
    """The name of a party organisation as a header writes it: "Phường Phú Khương" → "Đảng bộ phường Phú Khương".

    Organisations are usually named "Đảng bộ phường …" already; a bare unit name gets "Đảng bộ" in front.
    """
    name = unicodedata.normalize("NFC", " ".join((name or "").split()))
    if not name or _folded(name).startswith(_PARTY_BODY_WORDS):
        return name
    return f"Đảng bộ {name[0].lower()}{name[1:]}"


def committee_name(name: str) -> str:
    """The committee that leads a party organisation, as a recipient: "Đảng bộ phường X" → "Đảng ủy phường X"."""
    name = party_body_name(name)
    if _folded(name).startswith("đảng bộ"):
        return "Đảng ủy" + name[len("Đảng bộ") :]
    return name


def place_from_name(name: str) -> str:
    """A place for the date line from an organisation's name when no place name is recorded.

    "Đảng bộ phường Phú Khương" → "Phú Khương"; "Đảng bộ phường 4" → "Phường 4" (a number alone is no place).
    """
    words = unicodedata.normalize("NFC", " ".join((name or "").split())).split(" ")
    folded = [w.casefold() for w in words]
    if folded[:2] in (["đảng", "bộ"], ["đảng", "ủy"], ["đảng", "uỷ"], ["chi", "bộ"]):
        words, folded = words[2:], folded[2:]
    for unit in _UNIT_WORDS:
        size = len(unit.split())
        if folded[:size] == unit.split() and len(words) > size:
            rest = words[size:]
            if rest[0][:1].isdigit():
                return " ".join([words[0].capitalize(), *words[1:]])
            return " ".join(rest)
    return " ".join(words)


# ---------------------------------------------------------------------------------------------------
# Signatures and numbers
# ---------------------------------------------------------------------------------------------------

# The bodies that sign documents: the "T/M" line (on behalf of), the head's title, the deputy's title.
CELL = "cell"
CELL_COMMITTEE = "cell_committee"
PARTY_COMMITTEE = "party_committee"
STANDING_COMMITTEE = "standing_committee"
INSPECTION_COMMITTEE = "inspection_committee"
SIGNING_BODIES: dict[str, tuple[str, str, str]] = {
    CELL: ("T/M CHI BỘ", "BÍ THƯ", "PHÓ BÍ THƯ"),
    CELL_COMMITTEE: ("T/M CHI ỦY", "BÍ THƯ", "PHÓ BÍ THƯ"),
    PARTY_COMMITTEE: ("T/M ĐẢNG ỦY", "BÍ THƯ", "PHÓ BÍ THƯ"),
    STANDING_COMMITTEE: ("T/M BAN THƯỜNG VỤ", "BÍ THƯ", "PHÓ BÍ THƯ"),
    INSPECTION_COMMITTEE: ("T/M ỦY BAN KIỂM TRA", "CHỦ NHIỆM", "PHÓ CHỦ NHIỆM"),
}

# Which body issues (and signs) each document, by whether the issuing organisation is a cell. The notice of an
# inspection's conclusion is signed for the body that conducted it (the inspection names it).
RESOLUTION = "resolution"
MEETING_PACK = "meeting_pack"
EVALUATION_REPORT = "evaluation_report"
SUMMARY_REPORT = "summary_report"
DOCUMENT_BODIES: dict[str, dict[bool, str]] = {
    RESOLUTION: {True: CELL},
    MEETING_PACK: {True: CELL},
    EVALUATION_REPORT: {True: CELL},
    SUMMARY_REPORT: {False: PARTY_COMMITTEE, True: CELL},
}


@dataclass(frozen=True)
class Signature:
    """One signature block: the "T/M …" line (empty when the signer signs in their own name), the title, the
    name under the space left for the signature (empty only when nobody holds the office)."""

    for_line: str
    title: str
    name: str


def signature(body: str, *, head: str = "", deputy: str = "") -> Signature:
    """Who signs for ``body``: its head (the secretary) under the head's title; when no head is recorded, the
    deputy under the deputy's title ("T/M ĐẢNG ỦY / PHÓ BÍ THƯ"); with neither, the head's title and no name, to
    be signed and written by hand."""
    for_line, head_title, deputy_title = SIGNING_BODIES[body]
    head, deputy = " ".join(head.split()), " ".join(deputy.split())
    if head or not deputy:
        return Signature(for_line, head_title, head)
    return Signature(for_line, deputy_title, deputy)


def document_signature(document: str, *, is_cell: bool, head: str = "", deputy: str = "") -> Signature:
    """The signature of a document issued by an organisation (a cell, or a committee above the cells)."""
    return signature(DOCUMENT_BODIES[document][is_cell], head=head, deputy=deputy)


def minutes_signatures(*, recorder: str, chair: str) -> tuple[Signature, Signature]:
    """The minutes are signed by the recorder on the left (THƯ KÝ) and the chair on the right (CHỦ TRÌ), each in
    their own name."""
    return Signature("", "THƯ KÝ", " ".join(recorder.split())), Signature("", "CHỦ TRÌ", " ".join(chair.split()))


# The abbreviation of the issuing body after the document's kind: "05-NQ/CB" (a cell), "12-BC/ĐU" (a committee).
ISSUER_MARKS = {True: "CB", False: "ĐU"}
REPORT = "BC"


def document_number(seq: int, kind: str, *, is_cell: bool) -> str:
    """ "12-BC/ĐU": the document's number in its issuer's run of that kind and year (printed after "Số")."""
    return f"{seq:02d}-{kind}/{ISSUER_MARKS[is_cell]}"


def blank_number(kind: str, *, is_cell: bool) -> str:
    """ "-BC/ĐU": the number line of a document numbered by hand; the blank before it is left for the number."""
    return f"-{kind}/{ISSUER_MARKS[is_cell]}"


def number_text(value: Decimal | int | float | None) -> str:
    """A number as Vietnamese documents write it: "1.250", "90,5", "100" (no trailing zeros)."""
    if value is None:
        return ""
    quantity = Decimal(str(value)).normalize()
    if quantity == quantity.to_integral_value():
        quantity = quantity.quantize(Decimal(1))
    text = f"{quantity:,f}"  # "1,250.5"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def percent(part: int, whole: int, places: int = 2) -> Decimal | None:
    """``part`` as a percentage of ``whole`` to ``places`` decimals, rounded half up as documents round:
    2 of 3 → 66.67, 1 of 16 → 6.3 to one decimal. None when ``whole`` is 0 (no share to give)."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


_ROMAN = ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def roman(number: int) -> str:
    """Roman numerals for section headings (I to XXXIX is plenty for a resolution)."""
    out = []
    for value, letters in _ROMAN:
        count, number = divmod(number, value)
        out.append(letters * count)
    return "".join(out)


def document_context(*, embed_fonts: bool) -> dict[str, object]:
    """What ``pdf/party_document.html`` needs besides the document itself.

    ``embed_fonts`` gives the ``@font-face`` rules for the bundled files (file URLs, for WeasyPrint); a page
    for the browser leaves them out and uses the installed fonts of ``font_stack``.
    """
    return {"layout": LAYOUT, "font_faces": FONT_FACES if embed_fonts else ()}
