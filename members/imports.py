"""Members imported into a cell from the Excel list secretaries already keep.

The file is read, every row checked, and the result shown before anything is written: ``read_members`` only
reads; ``import_members`` writes all the rows when every one is valid, or only the valid ones when asked to.
Row numbers in errors are the rows Excel shows. Columns are found by their Vietnamese headers, compared
without accents, case or extra spaces, so "HỌ VÀ TÊN", "Họ và tên" and "Ho va ten" are one column.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel
from simple_history.utils import bulk_create_with_history

from chibo.lib.text import name_error, name_key, normalize, search_key, unsafe_character
from chibo.lib.uploads import XLSX, detect_content_type
from members.models import Member, Organisation, phone_validator, today
from members.rules import member_dates_errors

if TYPE_CHECKING:
    from django.contrib.auth.models import User

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_ROWS = 10_000
# What the workbook unpacks to: openpyxl holds the shared strings in memory, whatever the reading mode, so a small
# file whose one string unpacks to hundreds of megabytes would take a worker down. Checked before anything is read.
DEFAULT_MAX_UNPACKED_BYTES = 20 * 1024 * 1024
# An ordinary workbook's parts unpack to a few times, at most some tens of times, their packed size.
DEFAULT_MAX_RATIO = 100
# Parts smaller than this are not judged by their ratio (a tiny part of repeated text packs tightly and is harmless).
RATIO_CHECKED_FROM = 1024 * 1024
DEFAULT_MAX_COLUMNS = 50
MAX_PARTS = 1000
# Secretaries' lists often start with a title ("DANH SÁCH ĐẢNG VIÊN CHI BỘ …") above the header row.
HEADER_SEARCH_ROWS = 15
EARLIEST = dt.date(1900, 1, 1)
# Excel's serial number of 1 January 1900 is 1; a plain number below this (1910) is not taken for a date.
EARLIEST_SERIAL = 3654


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # the header written in the template and in exports (the file's own language)
    required: bool = False
    aliases: tuple[str, ...] = ()

    def header_keys(self) -> set[str]:
        return {header_key(self.header), *(header_key(alias) for alias in self.aliases)}


COLUMNS: tuple[Column, ...] = (
    Column("full_name", "Họ và tên", True, ("Họ tên", "Họ và tên đảng viên", "Họ tên đảng viên", "Tên đảng viên")),
    Column("birth_date", "Ngày sinh", True, ("Ngày tháng năm sinh", "Sinh ngày", "Ngày, tháng, năm sinh")),
    Column("sex", "Giới tính", True, ("Nam/Nữ", "Nam, nữ", "Phái")),
    Column(
        "admitted_on",
        "Ngày vào Đảng",
        True,
        ("Ngày kết nạp", "Ngày kết nạp Đảng", "Ngày vào đảng (kết nạp)", "Ngày kết nạp vào Đảng"),
    ),
    Column(
        "official_on",
        "Ngày chính thức",
        False,
        ("Ngày công nhận chính thức", "Ngày đảng viên chính thức", "Ngày chuyển chính thức", "Ngày được công nhận"),
    ),
    Column("address", "Nơi cư trú", False, ("Địa chỉ", "Nơi ở", "Nơi ở hiện nay", "Chỗ ở hiện nay", "Địa chỉ cư trú")),
    Column("phone", "Số điện thoại", False, ("Điện thoại", "SĐT", "Số ĐT", "ĐT", "Di động")),
)
BY_FIELD = {column.field: column for column in COLUMNS}


class ImportFileError(Exception):
    """The file as a whole cannot be read: not a workbook, too large, no header, a required column missing."""


@dataclass(frozen=True)
class RowError:
    row: int  # as Excel numbers it
    column: str  # the column's header, or "" for the row as a whole
    message: str


@dataclass
class ImportRow:
    row: int
    values: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)


@dataclass
class ImportResult:
    file_errors: list[str] = field(default_factory=list)
    rows: list[ImportRow] = field(default_factory=list)  # every data row read, in file order
    created: int = 0

    @property
    def errors(self) -> list[RowError]:
        return [error for row in self.rows for error in row.errors]

    @property
    def valid_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if not row.errors]

    @property
    def invalid_count(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    @property
    def is_valid(self) -> bool:
        return not self.file_errors and bool(self.rows) and not self.invalid_count

    @property
    def written(self) -> bool:
        return self.created > 0


def _max_length(name: str) -> int:
    """The length of one of Member's text columns (each has one)."""
    field = Member._meta.get_field(name)
    if not isinstance(field, models.Field) or field.max_length is None:
        raise TypeError(f"Member.{name} is not a text column with a length")
    return field.max_length


def max_bytes() -> int:
    return int(settings.CHIBO.get("IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_rows() -> int:
    return int(settings.CHIBO.get("IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def max_unpacked_bytes() -> int:
    return int(settings.CHIBO.get("IMPORT_MAX_UNPACKED_BYTES", DEFAULT_MAX_UNPACKED_BYTES))


def max_ratio() -> int:
    return int(settings.CHIBO.get("IMPORT_MAX_RATIO", DEFAULT_MAX_RATIO))


def max_columns() -> int:
    return int(settings.CHIBO.get("IMPORT_MAX_COLUMNS", DEFAULT_MAX_COLUMNS))


def max_sheet_rows() -> int:
    """The rows read in all, empty ones included: the members, the title above them, and as many empty rows
    again between groups; past this the file is refused rather than read row after empty row."""
    return 2 * max_rows() + HEADER_SEARCH_ROWS


# ---------------------------------------------------------------------------------------------------
# One value at a time
# ---------------------------------------------------------------------------------------------------


def header_key(text: Any) -> str:
    """A header compared without accents, case, punctuation or extra spaces: "Nam/Nữ" → "nam nu"."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", search_key(str(text or ""))).split())


_DATE_TEXT = re.compile(r"^(\d{1,2})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d{4})$")
_ISO_TEXT = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_date(value: Any, *, on: dt.date) -> dt.date | None:
    """A real Excel date, or text day first (05/03/1962, 5/3/1962, 05-03-1962, 05.03.1962). Empty → None.

    Raises ValueError with the message for the user when it is not a date, does not exist, or is after ``on``.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if not EARLIEST_SERIAL <= value < 2958466:
            raise ValueError(_("Not a date: write it as dd/mm/yyyy, e.g. 05/03/1962."))
        day = from_excel(value).date()
    else:
        text = str(value).strip()
        if match := _DATE_TEXT.match(text):
            day_s, _sep, month_s, year_s = match.groups()
        elif match := _ISO_TEXT.match(text):
            year_s, month_s, day_s = match.groups()
        else:
            raise ValueError(_("Not a date: write it as dd/mm/yyyy, e.g. 05/03/1962."))
        try:
            day = dt.date(int(year_s), int(month_s), int(day_s))
        except ValueError:
            raise ValueError(_("This date does not exist: %(text)s.") % {"text": text}) from None
    if day > on:
        raise ValueError(_("The date is in the future."))
    if day < EARLIEST:
        raise ValueError(_("The date is too early."))
    return day


_SEXES = {"nam": Member.Sex.MALE, "nu": Member.Sex.FEMALE}


def parse_sex(value: Any) -> str:
    sex = _SEXES.get(header_key(value))
    if sex is None:
        raise ValueError(_("Write Nam or Nữ."))
    return sex


def parse_phone(value: Any) -> str:
    """Digits of a Vietnamese phone number; a number cell that lost its leading 0 gets it back. Empty → ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if not text:
        return ""
    phone = "".join(ch for ch in text if ch.isdigit() or ch == "+")
    if phone.startswith("+84"):
        phone = "0" + phone[3:]
    elif phone.startswith("84") and len(phone) in (11, 12):
        phone = "0" + phone[2:]
    elif isinstance(value, int) and len(phone) in (9, 10) and not phone.startswith("0"):
        phone = "0" + phone
    try:
        phone_validator(phone)
    except ValidationError as exc:
        raise ValueError(str(exc.messages[0])) from None
    return phone


def _check_characters(text: str) -> None:
    # Excel writes a control character as _x0000_, which openpyxl reads back as the character itself.
    if unsafe_character(text) is not None:
        raise ValueError(_("The text contains a hidden or control character that cannot be saved."))


def parse_name(value: Any) -> str:
    name = normalize(str(value or ""))
    _check_characters(name)
    if not name:
        raise ValueError(_("The name is missing."))
    if error := name_error(name):
        raise ValueError(error)
    if len(name.split()) < 2:
        raise ValueError(_("Enter the full name: family name and given name."))
    if len(name) > _max_length("full_name"):
        raise ValueError(_("The name is too long."))
    return name


def parse_text(value: Any, limit: int) -> str:
    text = normalize(str(value if value is not None else ""))
    _check_characters(text)
    if len(text) > limit:
        raise ValueError(_("Too long: at most %(n)d characters.") % {"n": limit})
    return text


def duplicate_key(name: str, birth: dt.date | None) -> tuple[str, dt.date | None]:
    """Two rows are one person when their names (folded: ``name_key``) and birth dates agree."""
    return name_key(name), birth


# ---------------------------------------------------------------------------------------------------
# One row at a time
# ---------------------------------------------------------------------------------------------------


def check_row(number: int, raw: dict[str, Any], *, on: dt.date) -> ImportRow:
    """Parse and check one data row (not against other rows or the database)."""
    row = ImportRow(number, {})

    def fail(field_name: str, message: str) -> None:
        row.errors.append(RowError(number, BY_FIELD[field_name].header, message))

    parsers: dict[str, Any] = {
        "full_name": parse_name,
        "sex": parse_sex,
        "phone": parse_phone,
        "address": lambda v: parse_text(v, _max_length("address")),
    }
    for name in ("full_name", "birth_date", "sex", "admitted_on", "official_on", "address", "phone"):
        value = raw.get(name)
        try:
            if name in parsers:
                row.values[name] = parsers[name](value)
            else:
                row.values[name] = parse_date(value, on=on)
        except ValueError as exc:
            fail(name, str(exc))
    failed = {error.column for error in row.errors}
    birth, admitted, official = (row.values.get(f) for f in ("birth_date", "admitted_on", "official_on"))
    if BY_FIELD["birth_date"].header not in failed and birth is None:
        fail("birth_date", _("The birth date is missing."))
    if BY_FIELD["admitted_on"].header not in failed and admitted is None:
        fail("admitted_on", _("The admission date is missing."))
    for field_name, message in member_dates_errors(birth, admitted, official).items():
        fail(field_name, message)
    return row


def check_duplicates(cell: Organisation, rows: list[ImportRow]) -> None:
    """Mark rows repeating an earlier row of the file or a member of the cell.

    The cell's members are read in one query (a cell has hundreds, not thousands), rather than a lookup by the
    file's names, whose size would be bounded by the database's limit on query parameters."""
    name_header = BY_FIELD["full_name"].header
    candidates = [row for row in rows if row.values.get("full_name") and row.values.get("birth_date")]
    existing = {
        duplicate_key(name, birth)
        for name, birth in Member.objects.filter(cell=cell, birth_date__isnull=False).values_list(
            "full_name", "birth_date"
        )
    }
    seen: dict[tuple[str, dt.date | None], int] = {}
    for row in candidates:
        key = duplicate_key(row.values["full_name"], row.values["birth_date"])
        if key in seen:
            message = _("The same name and birth date as row %(row)d.") % {"row": seen[key]}
            row.errors.append(RowError(row.row, name_header, message))
        elif key in existing:
            message = _("%(name)s, born %(birth)s, is already a member of this cell.") % {
                "name": row.values["full_name"],
                "birth": row.values["birth_date"].strftime("%d/%m/%Y"),
            }
            row.errors.append(RowError(row.row, name_header, message))
        seen.setdefault(key, row.row)


# ---------------------------------------------------------------------------------------------------
# The file
# ---------------------------------------------------------------------------------------------------


def match_headers(values: tuple[Any, ...]) -> dict[str, int]:
    """{field: column index} for the recognised headers of one row."""
    found: dict[str, int] = {}
    for index, value in enumerate(values):
        key = header_key(value)
        if not key:
            continue
        for column in COLUMNS:
            if column.field not in found and key in column.header_keys():
                found[column.field] = index
                break
    return found


def check_package(fileobj: IO[bytes]) -> None:
    """Refuse a workbook that would unpack to too much, from the sizes its ZIP directory declares (the reader
    never unpacks a part past its declared size: a part that lies fails its checksum instead). Leaves it rewound."""
    try:
        with zipfile.ZipFile(fileobj) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ImportFileError(_("The Excel file cannot be read; it may be damaged.")) from None
    finally:
        fileobj.seek(0)
    if len(parts) > MAX_PARTS:
        raise ImportFileError(
            _("The workbook has %(count)d parts; at most %(limit)d are accepted.")
            % {"count": len(parts), "limit": MAX_PARTS}
        )
    unpacked = sum(part.file_size for part in parts)
    if unpacked > max_unpacked_bytes():
        raise ImportFileError(
            _(
                "The workbook unpacks to %(size)s; at most %(limit)s is accepted. Remove pictures and unused "
                "sheets, or split the list into smaller files."
            )
            % {"size": filesizeformat(unpacked), "limit": filesizeformat(max_unpacked_bytes())}
        )
    for part in parts:
        if part.file_size >= RATIO_CHECKED_FROM and part.file_size > max_ratio() * max(part.compress_size, 1):
            raise ImportFileError(
                _(
                    "The workbook is packed far more tightly than an Excel list is: one of its parts unpacks to "
                    "%(ratio)d times its size, at most %(limit)d times is accepted. It is not read."
                )
                % {"ratio": part.file_size // max(part.compress_size, 1), "limit": max_ratio()}
            )


def open_workbook(fileobj: IO[bytes]) -> Any:
    """The first sheet of an .xlsx file, after checking its size and its content (not its name)."""
    fileobj.seek(0, 2)
    size = fileobj.tell()
    fileobj.seek(0)
    if size > max_bytes():
        raise ImportFileError(
            _("The file is %(size)s; at most %(limit)s is accepted.")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes())}
        )
    if detect_content_type(fileobj) != XLSX:
        raise ImportFileError(
            _("This is not an Excel workbook (.xlsx). Save the list in Excel as “Excel Workbook” and try again.")
        )
    check_package(fileobj)
    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, SyntaxError):  # XML parse errors are SyntaxErrors
        raise ImportFileError(_("The Excel file cannot be read; it may be damaged.")) from None
    if not workbook.worksheets:
        return None
    sheet = workbook.worksheets[0]
    # The size the sheet declares is not trusted: the reader would pad every row to its width and add its
    # empty rows. Each row is then as wide as its last cell, and the rows are counted as they are read.
    sheet.reset_dimensions()
    return sheet


def sheet_rows(sheet: Any) -> Iterator[tuple[Any, ...]]:
    """The values of each row, read one at a time. The sheet's XML is parsed as the rows are read, so a damaged
    sheet fails here, half-way through the file; whatever the reader raises then means the file cannot be read.
    A sheet running past ``max_sheet_rows()`` rows, or a row with values past ``max_columns()``, is refused."""
    rows = sheet.iter_rows(values_only=True)
    number = 0
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception:  # the reader of an untrusted file: any failure means a damaged file
            raise ImportFileError(_("The Excel file cannot be read; it may be damaged.")) from None
        number += 1
        if number > max_sheet_rows():
            message = _(
                "The sheet runs past row %(n)d; at most %(n)d rows are read. Delete the empty rows at its end "
                "or split the list into smaller files."
            )
            raise ImportFileError(message % {"n": max_sheet_rows()})
        if len(values) > max_columns() and any(value is not None for value in values[max_columns() :]):
            message = _(
                "Row %(row)d has values past column %(n)d; at most %(n)d columns are read. Delete the extra "
                "columns and try again."
            )
            raise ImportFileError(message % {"row": number, "n": max_columns()})
        yield values


def read_rows(fileobj: IO[bytes], *, on: dt.date) -> list[ImportRow]:
    """Every data row under the header, parsed and checked one by one. Raises ImportFileError."""
    sheet = open_workbook(fileobj)
    if sheet is None:
        raise ImportFileError(_("The file has no sheet."))
    rows = sheet_rows(sheet)
    columns: dict[str, int] = {}
    number = 0
    for values in rows:
        number += 1
        found = match_headers(values)
        if "full_name" in found:
            columns = found
            break
        if number >= HEADER_SEARCH_ROWS:
            break
    if not columns:
        raise ImportFileError(
            _("No header row with the column “%(column)s” was found in the first %(n)d rows.")
            % {"column": BY_FIELD["full_name"].header, "n": HEADER_SEARCH_ROWS}
        )
    missing = [c.header for c in COLUMNS if c.required and c.field not in columns]
    if missing:
        raise ImportFileError(
            _("The file lacks the required columns: %(columns)s.") % {"columns": ", ".join(f"“{h}”" for h in missing)}
        )
    parsed: list[ImportRow] = []
    for values in rows:
        number += 1
        raw = {name: values[index] if index < len(values) else None for name, index in columns.items()}
        if all(value is None or (isinstance(value, str) and not value.strip()) for value in raw.values()):
            continue
        if len(parsed) >= max_rows():
            message = _("The file has more than %(n)d members; split it into smaller files.")
            raise ImportFileError(message % {"n": max_rows()})
        parsed.append(check_row(number, raw, on=on))
    if not parsed:
        raise ImportFileError(_("The file has no members under its header row."))
    return parsed


def read_members(cell: Organisation, fileobj: IO[bytes]) -> ImportResult:
    """Read and check the whole file against the cell. Writes nothing."""
    try:
        rows = read_rows(fileobj, on=today())
    except ImportFileError as exc:
        return ImportResult(file_errors=[str(exc)])
    check_duplicates(cell, rows)
    return ImportResult(rows=rows)


def import_members(
    cell: Organisation, fileobj: IO[bytes], *, user: User | None, only_valid: bool = False
) -> ImportResult:
    """Read the file and add its members to ``cell``: all of them when every row is valid, else nothing, unless
    ``only_valid`` asks for the valid rows alone. ``result.created`` says how many were written."""
    with transaction.atomic():
        # The cell's row is locked so that two imports into one cell cannot both miss each other's duplicates.
        Organisation.objects.select_for_update().filter(pk=cell.pk).first()
        result = read_members(cell, fileobj)
        if result.file_errors or (result.invalid_count and not only_valid):
            return result
        members = [_member(cell, row.values) for row in result.valid_rows]
        if members:
            bulk_create_with_history(
                members,
                Member,
                batch_size=500,
                default_user=user,
                default_change_reason=_("Imported from an Excel file"),
            )
        result.created = len(members)
    return result


def _member(cell: Organisation, values: dict[str, Any]) -> Member:
    name = values["full_name"]
    return Member(
        cell=cell,
        full_name=name,
        search_name=search_key(name),  # bulk_create skips Member.save(), which sets it
        birth_date=values["birth_date"],
        sex=values["sex"],
        admitted_on=values["admitted_on"],
        official_on=values.get("official_on"),
        address=values.get("address", ""),
        phone=values.get("phone", ""),
    )
