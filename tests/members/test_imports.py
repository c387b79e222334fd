"""Importing a cell's members from the Excel list secretaries keep: each value's parsing, the row errors a
messy file shows (and that nothing is written), the import itself, and the upload → preview → confirm pages."""

from __future__ import annotations

import datetime as dt
import io
import os
import time
import unicodedata
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from members.imports import (
    check_row,
    header_key,
    import_members,
    match_headers,
    parse_date,
    parse_name,
    parse_phone,
    parse_sex,
    read_members,
)
from members.models import Member, OrganisationVersion, today
from tests.factories import MemberFactory

HEADERS = [
    "STT",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Ngày vào Đảng",
    "Ngày chính thức",
    "Nơi cư trú",
    "Số điện thoại",
]


def workbook(rows: list[list[Any]], *, headers: list[str] = HEADERS, title_rows: int = 2) -> io.BytesIO:
    """An .xlsx list as secretaries keep it: a title, a blank row, the header, the members."""
    book = Workbook()
    sheet = book.active
    for i in range(title_rows):
        sheet.append(["DANH SÁCH ĐẢNG VIÊN CHI BỘ KHU PHỐ 1" if i == 0 else None])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Ngọc", "Minh"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hồng", "Lan", "Mai", "Nam", "Phúc", "Quang", "Sơn", "Tâm", "Thảo", "Vy"]


def clean_rows(n: int) -> list[list[Any]]:
    """n valid rows, with the usual mess: every date form, numbers that lost their 0, spaces, decomposed names."""
    rows = []
    for i in range(n):
        name = f"{FAMILY[i % 10]} {MIDDLE[(i // 10) % 5]} {GIVEN[(i // 50) % 15]}"
        birth = dt.date(1950 + i % 40, 1 + i % 12, 1 + i % 28)
        admitted = dt.date(birth.year + 25, 3, 2)
        forms: list[Any] = [
            birth,
            birth.strftime("%d/%m/%Y"),
            f"{birth.day}/{birth.month}/{birth.year}",
            birth.strftime("%d-%m-%Y"),
            birth.strftime("%d.%m.%Y"),
        ]
        if i % 7 == 0:
            name = "  " + unicodedata.normalize("NFD", name).replace(" ", "   ") + " "
        phone: Any = ["0912345678", 912345678, "0912.345.678", "+84 912 345 678", None][i % 5]
        rows.append(
            [
                i + 1,
                name,
                forms[i % 5],
                ["Nam", "Nữ", "NAM", " nữ "][i % 4],
                admitted.strftime("%d/%m/%Y") if i % 2 else admitted,
                dt.date(admitted.year + 1, 3, 2) if i % 3 else None,
                f"Tổ {i % 9 + 1}, khu phố 1",
                phone,
            ]
        )
    return rows


# ---------------------------------------------------------------------------------------------------
# One value at a time
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("05/03/1962", dt.date(1962, 3, 5)),
        ("5/3/1962", dt.date(1962, 3, 5)),
        ("05-03-1962", dt.date(1962, 3, 5)),
        ("05.03.1962", dt.date(1962, 3, 5)),
        (" 05 / 03 / 1962 ", dt.date(1962, 3, 5)),
        ("1962-03-05", dt.date(1962, 3, 5)),
        (dt.datetime(1962, 3, 5, 0, 0), dt.date(1962, 3, 5)),
        (dt.date(1962, 3, 5), dt.date(1962, 3, 5)),
        (22710, dt.date(1962, 3, 5)),  # an Excel serial number in a cell without a date format
        (None, None),
        ("   ", None),
    ],
)
def test_dates_are_read_in_the_usual_vietnamese_forms(value, expected) -> None:
    assert parse_date(value, on=today()) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("31/02/1962", "không có thật"),
        ("29/02/2023", "không có thật"),
        ("05/13/1962", "không có thật"),
        ("05/03/62", "dd/mm/yyyy"),
        ("05/03-1962", "dd/mm/yyyy"),
        ("năm 1962", "dd/mm/yyyy"),
        (1962, "dd/mm/yyyy"),
        ("01/01/2999", "tương lai"),
        ("01/01/1850", "quá xa"),
    ],
)
def test_impossible_and_future_dates_are_refused(value, message) -> None:
    with pytest.raises(ValueError, match=message):
        parse_date(value, on=today())


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Nam", "male"), ("NAM", "male"), (" nam ", "male"), ("Nữ", "female"), ("nu", "female"), ("NỮ", "female")],
)
def test_sex_is_nam_or_nu(value, expected) -> None:
    assert parse_sex(value) == expected


@pytest.mark.parametrize("value", ["", None, "x", "Male", "Nam Nữ", 1])
def test_other_sex_values_are_refused(value) -> None:
    with pytest.raises(ValueError, match="Nam hoặc Nữ"):
        parse_sex(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        (912345678, "0912345678"),
        (912345678.0, "0912345678"),
        ("02753822123", "02753822123"),
        (None, ""),
        ("", ""),
    ],
)
def test_phones_are_kept_as_digits(value, expected) -> None:
    assert parse_phone(value) == expected


@pytest.mark.parametrize("value", ["12345", "0112345678", "091234567890", "không có"])
def test_bad_phones_are_refused(value) -> None:
    with pytest.raises(ValueError, match="số điện thoại"):
        parse_phone(value)


def test_names_are_composed_and_spaces_collapsed() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn  Thị   Hồng ")
    assert parse_name(decomposed) == "Nguyễn Thị Hồng"
    assert unicodedata.is_normalized("NFC", parse_name(decomposed))
    for bad, message in [("", "Thiếu họ tên"), ("   ", "Thiếu họ tên"), ("Hồng", "họ và tên"), ("A " * 80, "quá dài")]:
        with pytest.raises(ValueError, match=message):
            parse_name(bad)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            HEADERS,
            {"full_name": 1, "birth_date": 2, "sex": 3, "admitted_on": 4, "official_on": 5, "address": 6, "phone": 7},
        ),
        (
            ["HỌ VÀ TÊN", " ngày  sinh ", "GIỚI TÍNH", "Ngày kết nạp"],
            {"full_name": 0, "birth_date": 1, "sex": 2, "admitted_on": 3},
        ),
        (
            ["Ho ten", "Ngay sinh", "Nam/Nữ", "Ngày kết nạp Đảng", "Địa chỉ", "SĐT"],
            {"full_name": 0, "birth_date": 1, "sex": 2, "admitted_on": 3, "address": 4, "phone": 5},
        ),
        ([None, "Ghi chú", "Họ tên đảng viên"], {"full_name": 2}),
    ],
)
def test_headers_are_matched_without_accents_case_or_spaces(headers, expected) -> None:
    assert match_headers(tuple(headers)) == expected


@pytest.mark.parametrize(
    ("admitted", "official", "error"),
    [
        ("15/03/2025", "15/03/2026", ""),  # the day the twelve months end
        ("15/03/2025", None, ""),  # still probationary
        (
            "15/03/2025",
            "14/03/2026",
            "Thời gian dự bị là đủ mười hai tháng: đảng viên vào Đảng ngày 15/03/2025 sớm nhất từ ngày 15/03/2026 "
            "mới được công nhận chính thức, không thể từ ngày 14/03/2026 (sớm 1 ngày).",
        ),
        ("29/02/2024", "28/02/2025", ""),
        (
            "29/02/2024",
            "01/09/2024",
            "Thời gian dự bị là đủ mười hai tháng: đảng viên vào Đảng ngày 29/02/2024 sớm nhất từ ngày 28/02/2025 "
            "mới được công nhận chính thức, không thể từ ngày 01/09/2024 (sớm 180 ngày).",
        ),
        ("15/03/2025", "01/01/2025", "Ngày chính thức không thể trước ngày vào Đảng."),
    ],
)
def test_an_official_date_less_than_twelve_months_after_admission_is_a_row_error(admitted, official, error) -> None:
    raw = {"full_name": "Lý Thị Dự", "birth_date": "05/03/1990", "sex": "Nữ", "admitted_on": admitted}
    row = check_row(7, {**raw, "official_on": official}, on=dt.date(2026, 11, 18))
    assert [(e.row, e.column, e.message) for e in row.errors] == ([(7, "Ngày chính thức", error)] if error else [])


@pytest.mark.parametrize(
    ("birth", "admitted", "error"),
    [
        ("19/05/1990", "19/05/2008", ""),  # the 18th birthday
        ("19/05/1990", "18/05/2008", "Đảng viên được kết nạp khi đủ 18 tuổi trở lên."),
        ("29/02/1992", "28/02/2010", ""),  # born on 29 February: 18 on 28 February of a common year
        ("29/02/1992", "27/02/2010", "Đảng viên được kết nạp khi đủ 18 tuổi trở lên."),
    ],
)
def test_a_member_admitted_before_18_is_a_row_error_worded_as_on_the_form(birth, admitted, error) -> None:
    raw = {"full_name": "Lý Thị Dự", "birth_date": birth, "sex": "Nữ", "admitted_on": admitted}
    row = check_row(7, raw, on=dt.date(2026, 11, 18))
    assert [(e.row, e.column, e.message) for e in row.errors] == ([(7, "Ngày vào Đảng", error)] if error else [])
    # The form checks a member through the model's clean(): the same rule, the same words.
    member = Member(full_name="Lý Thị Dự", birth_date=row.values["birth_date"], admitted_on=row.values["admitted_on"])
    try:
        member.clean()
        on_the_form: dict[str, list[str]] = {}
    except ValidationError as exc:
        on_the_form = exc.message_dict
    assert on_the_form.get("admitted_on", [""]) == [error]


def test_header_key() -> None:
    assert header_key("  Họ  và TÊN ") == header_key(unicodedata.normalize("NFD", "họ và tên")) == "ho va ten"


# ---------------------------------------------------------------------------------------------------
# A whole file
# ---------------------------------------------------------------------------------------------------


def messy_file(cell) -> tuple[io.BytesIO, set[tuple[int, str]]]:
    """300 rows of which exactly 10 are bad, each in its own way; returns the file and the expected errors."""
    rows = clean_rows(300)
    existing = rows[40]
    MemberFactory.create(cell=cell, full_name=existing[1].strip(), birth_date=parse_date(existing[2], on=today()))
    rows[40] = [41, "Trần Văn Khác", "01/01/1960", "Nam", "01/01/1990", None, None, None]  # replaces the row moved out
    bad = {
        3: (2, "31/02/1970", "Ngày sinh"),
        10: (4, (today() + dt.timedelta(days=5)).strftime("%d/%m/%Y"), "Ngày vào Đảng"),
        25: (1, "", "Họ và tên"),
        50: (3, "X", "Giới tính"),
        77: (7, "12345", "Số điện thoại"),
        90: (5, "01/01/1960", "Ngày chính thức"),  # before admission
        120: (4, "01/01/1960", "Ngày vào Đảng"),  # at 17 or younger
        150: (2, "năm 1970", "Ngày sinh"),
    }
    expected = set()
    for index, (column, value, header) in bad.items():
        rows[index][column] = value
        expected.add((index + 4, header))  # title, blank, header: data starts on row 4
    # A repeat of row 4's member typed with decomposed letters and extra spaces.
    rows[200][1] = "  " + unicodedata.normalize("NFD", rows[0][1].strip().upper())
    rows[200][2] = parse_date(rows[0][2], on=today())
    expected.add((204, "Họ và tên"))
    # A member the cell already has.
    rows[250][1], rows[250][2] = existing[1], existing[2]
    expected.add((254, "Họ và tên"))
    return workbook(rows), expected


def test_a_messy_file_shows_exactly_its_ten_bad_rows_and_writes_nothing(tree, people) -> None:
    cell = tree.cell_a1
    fileobj, expected = messy_file(cell)
    before = Member.objects.count(), Member.history.count()
    result = import_members(cell, fileobj, user=people["secretary"])
    assert len(result.rows) == 300
    assert {(e.row, e.column) for e in result.errors} == expected
    assert len(result.errors) == result.invalid_count == 10
    assert result.created == 0
    assert (Member.objects.count(), Member.history.count()) == before
    messages = {e.row: e.message for e in result.errors}
    assert "không có thật" in messages[7]
    assert "tương lai" in messages[14]
    assert "dòng 4" in messages[204]
    assert "đã là đảng viên của chi bộ" in messages[254]


def test_the_cleaned_file_imports_300_members(tree, people) -> None:
    cell = tree.cell_a1
    before = Member.objects.count()
    result = import_members(cell, workbook(clean_rows(300)), user=people["secretary"])
    assert (result.errors, result.created) == ([], 300)
    assert Member.objects.count() == before + 300
    imported = Member.objects.filter(cell=cell).exclude(user__isnull=False)
    first = imported.get(full_name="Nguyễn Văn An")  # row 1 was decomposed with extra spaces
    assert (first.search_name, first.birth_date, first.sex, first.phone) == (
        "nguyen van an",
        dt.date(1950, 1, 1),
        "male",
        "0912345678",
    )
    assert first.history.get().history_user == people["secretary"]
    assert imported.filter(official_on__isnull=True).count() == 100


def test_only_the_valid_rows_are_imported_when_asked(tree, people) -> None:
    cell = tree.cell_a1
    fileobj, _expected = messy_file(cell)
    result = import_members(cell, fileobj, user=people["secretary"], only_valid=True)
    assert result.created == 290
    assert Member.objects.filter(cell=cell, phone="12345").count() == 0


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: io.BytesIO(b"Ho va ten,Ngay sinh\nA,1\n"), "không phải là tệp Excel"),
        (lambda: io.BytesIO(b"PK\x03\x04 not really a zip"), "không phải là tệp Excel"),
        (lambda: workbook([["1", "Nguyễn Văn A"]], headers=["STT", "Tên"]), "Họ và tên"),
        (
            lambda: workbook([[1, "Nguyễn Văn A", "01/01/1960"]], headers=["STT", "Họ và tên", "Ngày sinh"]),
            "“Giới tính”, “Ngày vào Đảng”",
        ),
        (lambda: workbook([]), "không có đảng viên"),
    ],
)
def test_a_file_that_cannot_be_read_says_why(tree, make, message) -> None:
    result = read_members(tree.cell_a1, make())
    assert result.rows == []
    assert message in " ".join(result.file_errors)


def test_a_file_too_large_is_refused(tree, settings) -> None:
    settings.CHIBO = {**settings.CHIBO, "IMPORT_MAX_BYTES": 1000}
    result = read_members(tree.cell_a1, workbook(clean_rows(50)))
    assert "tối đa" in result.file_errors[0]


def test_too_many_rows_are_refused(tree, settings) -> None:
    settings.CHIBO = {**settings.CHIBO, "IMPORT_MAX_ROWS": 20}
    result = import_members(tree.cell_a1, workbook(clean_rows(21)), user=None)
    assert result.file_errors
    assert result.created == 0


def _import_queries(cell, n: int) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        result = import_members(cell, workbook(clean_rows(n)), user=None)
    assert result.created == n
    return [q["sql"] for q in queries]


def test_the_import_reads_the_same_way_whatever_the_size(tree) -> None:
    """Only the bulk inserts grow with the file (the database takes so many rows per INSERT); the reads do not:
    the lock on the cell, the cell's members and the cell's path (its cache token is renewed), whatever the number
    of rows."""
    small, large = _import_queries(tree.cell_a1, 10), _import_queries(tree.cell_a2, 400)
    reads = [[sql for sql in queries if not sql.startswith("INSERT")] for queries in (small, large)]
    assert len(reads[0]) == len(reads[1])
    assert sum(sql.startswith("SELECT") for sql in reads[1]) == 3

    def inserts(queries: list[str], model: type[models.Model]) -> int:
        return sum(sql.startswith(f'INSERT INTO "{model._meta.db_table}"') for sql in queries)

    # The members and their history go in by the batch (at least 30 rows an INSERT, on either database); the
    # cell's cache token is renewed once, whatever the size.
    for model in (Member, Member.history.model):
        assert inserts(large, model) <= 400 // 30 + 1
    assert inserts(small, OrganisationVersion) == inserts(large, OrganisationVersion) == 1
    assert sum(sql.startswith("INSERT") for sql in large) == sum(
        inserts(large, model) for model in (Member, Member.history.model, OrganisationVersion)
    )


# ---------------------------------------------------------------------------------------------------
# The pages
# ---------------------------------------------------------------------------------------------------


def _upload(client, cell, fileobj, name="danh-sach.xlsx"):
    upload = SimpleUploadedFile(name, fileobj.getvalue())
    return client.post(reverse("members:member-import", args=[cell.pk]), {"action": "preview", "file": upload})


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_upload_preview_then_confirm(client_for, tree, media) -> None:
    cell = tree.cell_a1
    client = client_for("secretary")
    before = Member.objects.count()
    response = _upload(client, cell, workbook(clean_rows(12)))
    assert response.status_code == 200
    assert "12 đảng viên" in response.content.decode()
    assert Member.objects.count() == before
    token = response.context["token"]
    assert list((media / "member-imports").iterdir())
    response = client.post(reverse("members:member-import", args=[cell.pk]), {"action": "import", "token": token})
    assert response.status_code == 302
    assert Member.objects.count() == before + 12
    assert not list((media / "member-imports").iterdir())  # the stored upload is removed
    again = client.post(reverse("members:member-import", args=[cell.pk]), {"action": "import", "token": token})
    assert again.status_code == 302
    assert Member.objects.count() == before + 12


def test_the_preview_lists_the_errors_and_offers_the_valid_rows(client_for, tree, media) -> None:
    cell = tree.cell_a1
    client = client_for("secretary")
    fileobj, _expected = messy_file(cell)
    response = _upload(client, cell, fileobj)
    page = response.content.decode()
    assert "10 dòng có lỗi" in page
    assert "import_valid" in page
    assert 'value="import"' not in page
    before = Member.objects.count()
    token = response.context["token"]
    url = reverse("members:member-import", args=[cell.pk])
    refused = client.post(url, {"action": "import", "token": token})  # all rows: refused, the preview again
    assert refused.status_code == 200
    assert Member.objects.count() == before
    assert client.post(url, {"action": "import_valid", "token": token}).status_code == 302
    assert Member.objects.count() == before + 290


def test_a_token_is_good_only_for_its_own_user_and_cell(client_for, tree, people, media) -> None:
    cell = tree.cell_a1
    response = _upload(client_for("secretary"), cell, workbook(clean_rows(3)))
    token = response.context["token"]
    before = Member.objects.count()
    deputy = client_for("deputy")  # another session of the same cell
    assert (
        deputy.post(reverse("members:member-import", args=[cell.pk]), {"action": "import", "token": token}).status_code
        == 302
    )
    assert Member.objects.count() == before


def test_a_bad_upload_gives_a_clear_message(client_for, tree, media) -> None:
    response = _upload(client_for("secretary"), tree.cell_a1, io.BytesIO(b"<html>not a workbook</html>"))
    assert response.status_code == 200
    assert "không phải là tệp Excel" in response.content.decode()
    assert not (media / "member-imports").exists()


def test_the_blank_template_has_the_import_headers(client_for, tree) -> None:
    response = client_for("secretary").get(reverse("members:member-import-template", args=[tree.cell_a1.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers == HEADERS
    assert read_members(tree.cell_a1, io.BytesIO(response.content)).file_errors  # no members yet, but readable


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("secretary", 200),
        ("deputy", 200),
        ("admin", 200),
        ("standing", 403),
        ("committee", 403),
        ("other_secretary", 404),
    ],
)
def test_who_imports(client_for, tree, who, status) -> None:
    for name in ("members:member-import", "members:member-import-template"):
        assert client_for(who).get(reverse(name, args=[tree.cell_a1.pk])).status_code == status


def test_uploads_left_unconfirmed_for_a_day_are_removed(client_for, tree, media) -> None:
    folder = media / "member-imports"
    folder.mkdir(parents=True)
    old, recent = folder / "old.xlsx", folder / "recent.xlsx"
    old.write_bytes(b"x")
    recent.write_bytes(b"x")
    # Ages are read against the clock (pinned in tests), not against the real day the files were written.
    now = time.time()
    os.utime(old, (now - 2 * 86400, now - 2 * 86400))
    os.utime(recent, (now - 3600, now - 3600))
    _upload(client_for("secretary"), tree.cell_a1, workbook(clean_rows(2)))
    assert not old.exists()
    assert recent.exists()
