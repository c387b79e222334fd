"""The dashboard's exports: the Excel file reads back the numbers the page shows, with the page's access rules;
the monthly summary PDF is built by the Celery task (eager in the test settings) into one stored report per
organisation and month, in the official layout with the bundled serif."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from unittest import mock

import openpyxl
import pytest
from django.urls import reverse

from dashboards import tasks
from dashboards.dashboard import dashboard
from dashboards.exports import (
    HEADER_ROW,
    HEADERS,
    LIGHT_WORDS,
    adopted_value,
    on_time_value,
    render_summary_pdf,
    review_value,
)
from dashboards.models import SummaryReport
from dashboards.tasks import request_summary_pdf
from resolutions.models import Resolution
from tests.dashboards.test_dashboard import DAY, frozen, world  # noqa: F401  (the fixture is used by name)
from tests.resolutions.test_pdf import flat, in_order, pdf_fonts, pdf_text

pytestmark = pytest.mark.django_db


def xlsx_url(org, **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("dashboards:dashboard-xlsx", kwargs={"org_id": org.pk}) + (f"?{query}" if query else "")


def page_url(org, **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("dashboards:dashboard", kwargs={"org_id": org.pk}) + (f"?{query}" if query else "")


def read_sheet(content: bytes, name: str = "Theo dõi") -> list[list[object]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book[name]
    return [list(row) for row in sheet.iter_rows(min_row=HEADER_ROW, values_only=True)]


def as_date(value: object) -> object:
    return value.date() if isinstance(value, dt.datetime) else value


def page_numbers(row) -> list[object]:
    """What the page shows for a row, in the order of the sheet's columns."""
    return [
        row.org.name,
        row.resolution.number if row.resolution else None,
        on_time_value(row),
        row.figures.tasks_total,
        row.figures.tasks_done,
        row.figures.tasks_overdue,
        row.progress,
        row.last_meeting,
        row.attendance_month,
        row.attendance_year,
        review_value(row),
        LIGHT_WORDS.get(row.light or ""),
        row.figures.adopted_month,
        row.upper_pending,
    ]


# ---------------------------------------------------------------------------------------------------
# Excel
# ---------------------------------------------------------------------------------------------------


def test_the_excel_file_reads_back_the_numbers_the_page_shows(world, client_for) -> None:  # noqa: F811
    client = client_for("standing")
    with frozen():
        page = client.get(page_url(world.ward_a))
        response = client.get(xlsx_url(world.ward_a))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert response["Content-Disposition"].startswith("attachment;")
    assert "theo-doi-phuong-phu-khuong-2026-03-27.xlsx" in response["Content-Disposition"]

    header, *lines = read_sheet(response.content)
    assert tuple(header) == tuple(label for label, _width in HEADERS)
    # The rows the page shows, in its order, as the dashboard computes them.
    board = dashboard(world.ward_a, DAY)
    by_path = {row.org.path: row for row in board.rows}
    shown = [by_path[row.path] for row in page.context["rows"]]
    assert len(lines) == len(shown) + 1  # and the total line the page shows in its footer
    for line, row in zip(lines, shown, strict=False):
        expected = page_numbers(row)
        assert [as_date(v) for v in line] == expected, row.org.name
    total = lines[-1]
    assert total[3:7] == [
        board.total.figures.tasks_total,
        board.total.figures.tasks_done,
        board.total.figures.tasks_overdue,
        board.total.progress,
    ]
    assert total[8:10] == [board.total.attendance_month, board.total.attendance_year]
    # And the same as a fresh reading of the dashboard for the same organisation and day.
    fresh = dashboard(world.ward_a, DAY)
    assert [line[5] for line in lines[:-1]] == [r.figures.tasks_overdue for r in fresh.rows]


def test_numbers_are_numbers_dates_are_dates_and_the_header_is_frozen(world, client_for) -> None:  # noqa: F811
    with frozen():
        content = client_for("standing").get(xlsx_url(world.ward_a)).content
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book["Theo dõi"]
    assert "Phường Phú Khương" in sheet["A1"].value
    assert "ngày 27/03/2026" in sheet["A1"].value
    assert sheet.freeze_panes == f"B{HEADER_ROW + 1}"
    assert sheet.column_dimensions["A"].width > 20
    first = HEADER_ROW + 1
    for column in "DEFGIJ":
        assert isinstance(sheet[f"{column}{first}"].value, int), column
    last_meeting = sheet[f"H{first}"]
    assert last_meeting.is_date
    assert last_meeting.number_format == "DD/MM/YYYY"
    assert as_date(last_meeting.value) == dt.date(2026, 3, 5)

    months = book["Theo tháng"]
    board = dashboard(world.ward_a, DAY)
    rows = list(months.iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    assert [as_date(r[0]) for r in rows] == board.months
    assert [r[3] for r in rows] == board.attendance_series
    assert [r[4] for r in rows] == board.overdue_series
    assert [(r[1], r[2]) for r in rows] == board.attendance_counts
    assert months[f"A{HEADER_ROW + 1}"].is_date


def test_the_excel_file_follows_the_pages_sort_and_filter(world, client_for) -> None:  # noqa: F811
    client = client_for("standing")
    with frozen():
        by_overdue = read_sheet(client.get(xlsx_url(world.ward_a, sort="overdue", dir="desc")).content)
        off_track = read_sheet(client.get(xlsx_url(world.ward_a, light="off_track")).content)
    assert [line[0] for line in by_overdue[1:3]] == [world.cell_a2.name, world.cell_a1.name]
    assert off_track[1][0] == world.cell_a2.name
    assert not str(off_track[2][0]).startswith(world.cell_a1.name)  # the total line, not A1


def test_a_member_in_charge_gets_only_their_cells(world, client_for) -> None:  # noqa: F811
    with frozen():
        content = client_for("in_charge").get(xlsx_url(world.ward_a)).content
    _header, *lines = read_sheet(content)
    assert [line[0] for line in lines] == [world.cell_a1.name]  # one row: no total line


def test_a_city_sheet_has_one_line_per_ward_with_its_cells_summed(world, client_for) -> None:  # noqa: F811
    with frozen():
        content = client_for("admin").get(xlsx_url(world.city)).content
    _header, *wards, total = read_sheet(content)
    board = dashboard(world.city, DAY)
    assert len(wards) == 2
    (a,) = [line for line in wards if str(line[0]).startswith(world.ward_a.name)]
    assert a[3:6] == [
        board.rows[0].figures.tasks_total,
        board.rows[0].figures.tasks_done,
        board.rows[0].figures.tasks_overdue,
    ]
    assert a[2] == board.rows[0].figures.on_time
    assert total[3] == board.total.figures.tasks_total


@pytest.mark.parametrize(
    ("who", "org_name", "status"),
    [
        ("standing", "ward_a", 200),
        ("in_charge", "ward_a", 200),
        ("secretary", "cell_a1", 200),
        ("member", "ward_a", 403),
        ("other_secretary", "ward_a", 404),
        ("standing", "ward_b", 404),
    ],
)
def test_excel_access_follows_the_dashboard(world, client_for, who, org_name, status) -> None:  # noqa: F811
    with frozen():
        assert client_for(who).get(xlsx_url(getattr(world, org_name))).status_code == status


def test_the_page_offers_the_excel_file_with_its_query_string(world, client_for) -> None:  # noqa: F811
    with frozen():
        body = client_for("standing").get(page_url(world.ward_a, sort="overdue", dir="desc")).content.decode()
    assert xlsx_url(world.ward_a) + "?sort=overdue&amp;dir=desc" in body
    assert reverse("dashboards:dashboard-summary", kwargs={"org_id": world.ward_a.pk}) in body


def test_a_member_in_charge_is_not_offered_the_ward_summary(world, client_for) -> None:  # noqa: F811
    with frozen():
        body = client_for("in_charge").get(page_url(world.ward_a)).content.decode()
    assert xlsx_url(world.ward_a) in body
    assert reverse("dashboards:dashboard-summary", kwargs={"org_id": world.ward_a.pk}) not in body


# ---------------------------------------------------------------------------------------------------
# The monthly summary PDF
# ---------------------------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def renders():
    with mock.patch.object(tasks, "render_summary_pdf", wraps=render_summary_pdf) as spy:
        yield spy


def summary(org, name: str = "dashboard-summary") -> str:
    return reverse(f"dashboards:{name}", kwargs={"org_id": org.pk})


def test_the_summary_is_built_stored_and_served(
    world,  # noqa: F811
    client_for,
    media,
    tmp_path,
    django_capture_on_commit_callbacks,
) -> None:
    client = client_for("standing")
    with frozen():
        before = client.get(summary(world.ward_a, "dashboard-summary-pdf"))
        with django_capture_on_commit_callbacks(execute=True):
            posted = client.post(summary(world.ward_a))
        served = client.get(summary(world.ward_a, "dashboard-summary-pdf"))
    assert before.status_code == 302
    assert before["Location"] == page_url(world.ward_a)
    assert posted.status_code == 302
    report = SummaryReport.objects.get()
    assert (report.org, report.month, report.state, report.built_on) == (
        world.ward_a,
        dt.date(2026, 3, 1),
        "ready",
        DAY,
    )
    assert (Path(media) / report.file.name).read_bytes().startswith(b"%PDF-")
    assert served.status_code == 200
    assert served["Content-Type"] == "application/pdf"
    pdf = b"".join(served.streaming_content)

    text = flat(pdf_text(pdf, tmp_path))
    assert "BÁO CÁO TÌNH HÌNH THỰC HIỆN NGHỊ QUYẾT CHI BỘ THÁNG 03 NĂM 2026" in text
    assert "ĐẢNG ỦY PHƯỜNG PHÚ KHƯƠNG" in text
    assert "-BC/ĐU" in text
    assert "T/M ĐẢNG ỦY" in text
    for cell in (world.cell_a1, world.cell_a2):
        assert cell.name in text
    # Another ward's cell (not followed by a digit: a wrapped table cell may run a name into a resolution's number).
    assert not re.search(re.escape(world.cell_b1.name) + r"(?!\d)", text)
    board = dashboard(world.ward_a, DAY)
    f = board.total.figures
    assert f"tổng số {f.tasks_total} nhiệm vụ; hoàn thành {f.tasks_done}; quá hạn {f.tasks_overdue}" in text
    assert "1 chi bộ đúng tiến độ" not in text
    assert "0 chi bộ đúng tiến độ; 1 chi bộ có nguy cơ chậm; 1 chi bộ chậm tiến độ" in text
    assert f"Có 1 chi bộ chậm tiến độ: {world.cell_a2.name}." in text
    assert f"{board.total.attendance_month}%" in text

    fonts = pdf_fonts(pdf, tmp_path)
    assert fonts
    assert all("Liberation-Serif" in name and embedded == "yes" for name, embedded in fonts), fonts


def test_a_second_request_the_same_day_reuses_the_report_and_a_later_day_replaces_it(
    world,  # noqa: F811
    media,
    renders,
    django_capture_on_commit_callbacks,
) -> None:
    with frozen():
        with django_capture_on_commit_callbacks(execute=True):
            report, queued = request_summary_pdf(world.ward_a, DAY)
        assert queued
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            again, queued_again = request_summary_pdf(world.ward_a, DAY)
        assert (again.pk, queued_again, callbacks) == (report.pk, False, [])
        assert tasks.build_summary_pdf.delay(report.pk).get() == "reused"
    report.refresh_from_db()
    old = report.file.name
    assert renders.call_count == 1

    next_day = DAY + dt.timedelta(days=1)
    with (
        mock.patch("members.models.timezone.localdate", return_value=next_day),
        django_capture_on_commit_callbacks(execute=True),
    ):
        _report, queued = request_summary_pdf(world.ward_a, next_day)
    assert queued
    report.refresh_from_db()
    assert SummaryReport.objects.count() == 1
    assert (report.built_on, report.state) == (next_day, "ready")
    assert report.file.name != old
    assert not (Path(media) / old).exists()
    assert renders.call_count == 2


def test_a_build_overtaken_by_a_newer_request_does_nothing(world, media, renders) -> None:  # noqa: F811
    report = SummaryReport.objects.create(org=world.ward_a, month=dt.date(2026, 3, 1), version=2)
    with frozen():
        assert tasks.build_summary_pdf.delay(report.pk, 1).get() == "stale"
    assert renders.call_count == 0


def test_a_failed_build_is_recorded(world, media) -> None:  # noqa: F811
    report = SummaryReport.objects.create(org=world.ward_a, month=dt.date(2026, 3, 1), version=1, state="building")
    with (
        frozen(),
        mock.patch("dashboards.exports.render_pdf", side_effect=ValueError("boom")),
        pytest.raises(ValueError, match="boom"),
    ):
        tasks.build_summary_pdf.delay(report.pk, 1).get()
    report.refresh_from_db()
    assert (report.state, report.pdf_version, report.file.name) == ("failed", 1, "")


def test_the_status_block_polls_while_building_and_offers_the_pdf_when_ready(
    world,  # noqa: F811
    client_for,
    media,
) -> None:
    client = client_for("standing")
    status_url = summary(world.ward_a, "dashboard-summary-status")
    with frozen():
        empty = client.get(status_url).content.decode()
        request_summary_pdf(world.ward_a, DAY)  # not committed in this test: the build is not run
        building = client.get(status_url).content.decode()
        posted = client.post(summary(world.ward_a), HTTP_HX_REQUEST="true")
    assert summary(world.ward_a) in empty
    assert 'hx-trigger="every 2s"' not in empty
    assert 'hx-trigger="every 2s"' in building
    assert posted.status_code == 200
    assert 'hx-trigger="every 2s"' in posted.content.decode()
    assert SummaryReport.objects.count() == 1


def test_a_summary_not_yet_built_says_so_in_vietnamese(world, client_for) -> None:  # noqa: F811
    with frozen():
        response = client_for("standing").get(summary(world.ward_a, "dashboard-summary-pdf"), follow=True)
    assert "Báo cáo tháng chưa sẵn sàng." in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("standing", 302), ("admin", 302), ("in_charge", 403), ("member", 403), ("other_secretary", 404)],
)
def test_summary_access(world, client_for, media, who, status) -> None:  # noqa: F811
    client = client_for(who)
    with frozen():
        assert client.get(summary(world.ward_a, "dashboard-summary-pdf")).status_code == status
        assert client.post(summary(world.ward_a)).status_code == status
        # A GET of the POST-only view is refused only after the access check.
        assert client.get(summary(world.ward_a)).status_code == (405 if status == 302 else status)
    assert SummaryReport.objects.exists() == (status == 302)


def test_the_summary_of_a_city_names_its_wards(world, tmp_path) -> None:  # noqa: F811
    with frozen():
        text = flat(pdf_text(render_summary_pdf(world.city, DAY), tmp_path))
    assert world.ward_a.name in text
    assert world.ward_b.name in text
    assert "đơn vị chậm tiến độ" in text


# ---------------------------------------------------------------------------------------------------
# The summary is signed and numbered, and counts every resolution adopted in the month
# ---------------------------------------------------------------------------------------------------


def _officer(username: str, cell, name: str, kind: str, org) -> None:
    from members.models import Role
    from tests.factories import MemberFactory, UserFactory, grant

    user = UserFactory.create(username=username)
    MemberFactory.create(cell=cell, user=user, full_name=name)
    grant(user, getattr(Role.Kind, kind), org)


def _built_text(report: SummaryReport, tmp_path: Path) -> str:
    report.refresh_from_db()
    return flat(pdf_text(report.file.read(), tmp_path))


def test_the_summary_takes_the_wards_next_number_and_is_signed_by_its_secretary(
    world,  # noqa: F811
    client_for,
    media,
    tmp_path,
    django_capture_on_commit_callbacks,
) -> None:
    _officer("bithu_dang_uy", world.cell_a1, "Nguyễn Văn Tâm", "PARTY_SECRETARY", world.ward_a)
    _officer("phobithu_dang_uy", world.cell_a2, "Trần Thị Lan", "PARTY_DEPUTY", world.ward_a)
    from members.models import DocumentSequence

    for _ in range(11):  # the ward has issued eleven reports this year
        DocumentSequence.draw(organisation=world.ward_a, kind="BC", year=2026)
    client = client_for("standing")
    with frozen(), django_capture_on_commit_callbacks(execute=True):
        client.post(summary(world.ward_a))
    report = SummaryReport.objects.get()
    assert (report.number, report.numbered_by_hand) == ("12-BC/ĐU", False)
    text = _built_text(report, tmp_path)
    assert "Số 12-BC/ĐU" in text
    assert in_order(text, "T/M ĐẢNG ỦY", "BÍ THƯ", "Nguyễn Văn Tâm")
    assert "PHÓ BÍ THƯ" not in text

    # A rebuild of the month keeps its number; the status block shows it.
    with (
        mock.patch("members.models.timezone.localdate", return_value=DAY + dt.timedelta(days=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post(summary(world.ward_a))
    with mock.patch("members.models.timezone.localdate", return_value=DAY + dt.timedelta(days=1)):
        status = client.get(summary(world.ward_a, "dashboard-summary-status")).content.decode()
    report.refresh_from_db()
    assert report.number == "12-BC/ĐU"
    assert "Số 12-BC/ĐU" in _built_text(report, tmp_path)
    assert "Số 12-BC/ĐU" in status
    assert DocumentSequence.objects.get(organisation=world.ward_a, kind="BC", year=2026).last == 12


def test_without_a_secretary_the_deputy_signs_and_a_report_numbered_by_hand_keeps_the_blank(
    world,  # noqa: F811
    client_for,
    media,
    tmp_path,
    django_capture_on_commit_callbacks,
) -> None:
    _officer("phobithu_dang_uy", world.cell_a2, "Trần Thị Lan", "PARTY_DEPUTY", world.ward_a)
    client = client_for("standing")
    with frozen(), django_capture_on_commit_callbacks(execute=True):
        client.post(summary(world.ward_a), {"number_by_hand": "1"})
    report = SummaryReport.objects.get()
    assert (report.number, report.numbered_by_hand) == ("", True)
    text = _built_text(report, tmp_path)
    assert re.search(r"Số\s+-BC/ĐU", text)
    assert not re.search(r"Số \d+-BC/ĐU", text)
    assert in_order(text, "T/M ĐẢNG ỦY", "PHÓ BÍ THƯ", "Trần Thị Lan")

    # Asked again without "number by hand" the same day: the report takes a number and is rebuilt.
    with frozen(), django_capture_on_commit_callbacks(execute=True):
        client.post(summary(world.ward_a))
    report.refresh_from_db()
    assert (report.number, report.numbered_by_hand) == ("01-BC/ĐU", False)
    assert "Số 01-BC/ĐU" in _built_text(report, tmp_path)


def test_the_summary_counts_every_resolution_adopted_in_the_month(world, tmp_path) -> None:  # noqa: F811
    from tests.resolutions.factories import ResolutionFactory

    # Cell A1 adopted a thematic resolution besides its monthly one, and finished it within the month; cell A2
    # adopted a second monthly resolution after its first.
    thematic = ResolutionFactory.create(
        cell=world.cell_a1,
        kind=Resolution.Kind.THEMATIC,
        period_start=dt.date(2026, 3, 1),
        period_end=dt.date(2026, 3, 20),
        status=Resolution.Status.COMPLETED,
        adopted_on=dt.date(2026, 3, 2),
    )
    second = ResolutionFactory.create(
        cell=world.cell_a2,
        period_start=dt.date(2026, 3, 15),
        period_end=dt.date(2026, 3, 31),
        status=Resolution.Status.ADOPTED,
        adopted_on=dt.date(2026, 3, 16),
    )
    board = dashboard(world.ward_a, DAY)
    rows = {row.org: row for row in board.rows}
    assert rows[world.cell_a1].figures.adopted_month == 2
    assert rows[world.cell_a2].figures.adopted_month == 2
    assert board.total.figures.adopted_month == 4
    assert thematic.number in adopted_value(rows[world.cell_a1])
    assert second.number in adopted_value(rows[world.cell_a2])
    # Last month's resolution of A1 (adopted in February) and ward B's draft do not count.
    assert dashboard(world.ward_b, DAY).total.figures.adopted_month == 0

    with frozen():
        text = flat(pdf_text(render_summary_pdf(world.ward_a, DAY), tmp_path))
    text = re.sub(r"(\d)- ", r"\1-", text)  # a number broken at the end of a line ("05-" / "NQ/CB")
    a1 = ", ".join(r.number for r in rows[world.cell_a1].adopted)
    a2 = ", ".join(r.number for r in rows[world.cell_a2].adopted)
    assert (
        f"Trong tháng, các chi bộ đã thông qua 4 nghị quyết ({world.cell_a1.name}: {a1}; {world.cell_a2.name}: {a2})."
        in text
    )
    city = dashboard(world.city, DAY)
    assert city.total.figures.adopted_month == 4
