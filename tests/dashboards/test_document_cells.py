"""A committee's document over its cells: each cell's state and figures, the committee's totals, the page (access,
late cells first and in red, a fixed number of queries), its Excel file and its report (PDF), and the dashboards'
column "Văn bản cấp trên" with the page it opens."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import lxml.html
import openpyxl
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboards.dashboard import dashboard
from dashboards.documents import document_cells, pending_documents
from members.models import Organisation, today
from resolutions.models import CellTarget, Resolution, Task
from resolutions.rules import Concrete, DocumentType, Measure
from tests.factories import make_org
from tests.resolutions.factories import ProgressUpdateFactory, ResolutionFactory, TaskFactory

pytestmark = pytest.mark.django_db

S = Resolution.Status
DEADLINE = dt.date(2026, 11, 10)  # the clock stands at 18/11/2026: past


def ward_document(ward: Organisation, *, concretise_by: dt.date | None = DEADLINE, status: str = S.ADOPTED, **fields):
    document = ResolutionFactory.create(
        cell=ward,
        document_type=DocumentType.PLAN,
        number=fields.pop("number", "03-KH/ĐU"),
        title=fields.pop("title", "Vận động nhân dân chỉnh trang đô thị"),
        period_start=dt.date(2026, 10, 1),
        period_end=dt.date(2026, 12, 31),
        status=status,
        adopted_on=dt.date(2026, 10, 20),
        concretise_by=concretise_by,
        **fields,
    )
    CellTarget.objects.create(
        resolution=document,
        name="Vận động hộ gia đình hiến đất mở đường",
        measure=Measure.NUMBER,
        goal=Decimal(5),
        unit="hộ",
        deadline=dt.date(2026, 12, 31),
    )
    CellTarget.objects.create(
        resolution=document,
        name="Sinh hoạt chuyên đề",
        measure=Measure.YES_NO,
        goal=Decimal(1),
        deadline=dt.date(2026, 12, 15),
        order=1,
    )
    return document


def carry(cell: Organisation, document: Resolution, *, adopted_on: dt.date, figure: Decimal | None = None) -> Task:
    """A resolution of ``cell`` carrying ``document`` out, with a task carrying its first target."""
    resolution = ResolutionFactory.create(cell=cell, status=S.IN_PROGRESS, adopted_on=adopted_on)
    resolution.upper_resolutions.add(document)
    target = document.cell_targets.order_by("order").first()
    return TaskFactory.create(
        resolution=resolution,
        cell_target=target,
        figure=figure,
        progress=60,
        status=Task.Status.IN_PROGRESS,
        deadline=dt.date(2026, 11, 15),
    )


@pytest.fixture
def document(tree):
    return ward_document(tree.ward_a)


def test_each_cell_its_state_its_figures_and_the_committee_total(tree, document) -> None:
    task = carry(tree.cell_a1, document, adopted_on=dt.date(2026, 11, 5), figure=Decimal(3))
    ProgressUpdateFactory.create(task=task, evidence="evidence/a.pdf")
    picture = document_cells(document, today())

    assert [row.cell for row in picture.rows] == [tree.cell_a2, tree.cell_a1]  # late first; not ward B's cell
    late, done = picture.rows
    assert late.state == Concrete.LATE
    assert late.resolutions == []
    assert done.state == Concrete.DONE
    assert done.adopted_on == dt.date(2026, 11, 5)
    households, meeting = done.targets
    assert households.figure == Decimal(3)
    assert not households.met
    assert households.figure_text == "3 hộ"
    assert [(c.task.pk, c.evidence, c.overdue) for c in households.tasks] == [(task.pk, 1, True)]
    assert meeting.figure is None
    assert meeting.tasks == []
    assert done.behind
    total = picture.totals[0].total
    assert (total.value, total.goal, total.cells_met, total.cells) == (Decimal(3), Decimal(10), 0, 2)
    assert picture.totals[1].reached_text == "0/2"
    assert (picture.late, picture.waiting, picture.done) == (1, 0, 1)


def test_a_cancelled_task_is_left_out_and_a_chosen_cell_narrows_the_rows(tree, document) -> None:
    document.addressed_cells.set([tree.cell_a1])
    task = carry(tree.cell_a1, document, adopted_on=dt.date(2026, 11, 12), figure=Decimal(7))
    Task.objects.filter(pk=task.pk).update(status=Task.Status.CANCELLED)
    picture = document_cells(document, today())
    assert [row.cell for row in picture.rows] == [tree.cell_a1]
    row = picture.rows[0]
    assert row.state == Concrete.DONE_LATE
    assert row.targets[0].figure is None
    assert row.targets[0].tasks == []


def _grow(ward: Organisation, document: Resolution, n: int) -> None:
    start = Organisation.objects.filter(code__startswith=f"{ward.code}-X").count()
    for i in range(start, start + n):
        cell = make_org(f"Chi bộ ấp {ward.code}{i}", Organisation.Kind.CELL, ward, code=f"{ward.code}-X{i}")
        task = carry(cell, document, adopted_on=dt.date(2026, 11, 1), figure=Decimal(i))
        ProgressUpdateFactory.create(task=task, evidence="evidence/x.pdf")


@pytest.mark.parametrize("cells", [2, 6])
def test_the_picture_reads_four_queries_whatever_the_number_of_cells(
    tree, document, cells, django_assert_num_queries
) -> None:
    _grow(tree.ward_a, document, cells)
    with django_assert_num_queries(4):
        picture = document_cells(document, today())
    assert len(picture.rows) == cells + 2


@pytest.mark.parametrize("cells", [2, 6])
def test_the_pending_documents_read_four_queries_whatever_the_number_of_cells(
    tree, document, cells, django_assert_num_queries
) -> None:
    _grow(tree.ward_a, document, cells)
    ward_document(tree.ward_a, number="04-KH/ĐU")
    with django_assert_num_queries(4):
        pending = pending_documents(tree.city, (tree.city.path,), today())
    assert [len(d.cells) for d in pending] == [2, cells + 2]  # A1 and A2 made neither concrete


def _page_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


# The session, the user, the roles (access_for), the document with its issuer, the issuer's token, the four of the
# picture, the bell's unread count; a second look, with nothing written between, is the part kept in the cache.
PAGE_QUERIES = 10
PAGE_QUERIES_KEPT = 6


def test_the_page_runs_the_same_queries_for_two_sizes(tree, document, client_for) -> None:
    client = client_for("standing")
    url = reverse("dashboards:document-cells", args=[document.pk])
    _grow(tree.ward_a, document, 2)
    small = _page_queries(client, url)
    assert _page_queries(client, url) == PAGE_QUERIES_KEPT
    _grow(tree.ward_a, document, 4)  # writes under the ward: its token is renewed and the page built again
    assert small == _page_queries(client, url) == PAGE_QUERIES
    assert _page_queries(client, url) == PAGE_QUERIES_KEPT


def test_a_report_confirmed_in_a_cell_shows_on_the_page_at_once(tree, document, client_for) -> None:
    client = client_for("standing")
    url = reverse("dashboards:document-cells", args=[document.pk])
    task = carry(tree.cell_a1, document, adopted_on=dt.date(2026, 11, 5), figure=Decimal(2))
    assert "2 hộ / 5 hộ" in client.get(url).content.decode()
    task.figure = Decimal(4)
    task.save(update_fields=["figure"])
    assert "4 hộ / 5 hộ" in client.get(url).content.decode()


def test_the_page_shows_late_cells_first_in_red_with_a_label(tree, document, client_for) -> None:
    carry(tree.cell_a1, document, adopted_on=dt.date(2026, 11, 5), figure=Decimal(5))
    response = client_for("standing").get(reverse("dashboards:document-cells", args=[document.pk]))
    assert response.status_code == 200
    doc = lxml.html.fromstring(response.content.decode())
    cards = doc.xpath("//article[@data-cell]")
    assert [int(c.get("data-cell")) for c in cards] == [tree.cell_a2.pk, tree.cell_a1.pk]
    assert "border-danger" in cards[0].get("class")
    assert cards[0].xpath(".//*[@data-state='late']")[0].text_content().strip()  # a label, not colour alone
    assert "border-danger" not in cards[1].get("class")
    body = response.content.decode()
    assert "03-KH/ĐU" in body
    assert "10/11/2026" in body
    assert "5 hộ / 10 hộ" in body  # the committee's figure against its goal
    assert reverse("dashboards:document-cells-xlsx", args=[document.pk]) in body
    assert reverse("dashboards:document-cells-pdf", args=[document.pk]) in body


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("standing", 200), ("in_charge", 404), ("secretary", 404), ("other_secretary", 404)],
)
def test_who_sees_the_page(tree, document, client_for, role, status) -> None:
    assert client_for(role).get(reverse("dashboards:document-cells", args=[document.pk])).status_code == status


def test_a_cells_resolution_has_no_such_page(tree, client_for) -> None:
    resolution = ResolutionFactory.create(cell=tree.cell_a1)
    for name in ("dashboards:document-cells", "dashboards:document-cells-xlsx", "dashboards:document-cells-pdf"):
        assert client_for("admin").get(reverse(name, args=[resolution.pk])).status_code == 404


def test_the_workbook_has_the_rows_and_figures_of_the_page(tree, document, client_for) -> None:
    carry(tree.cell_a1, document, adopted_on=dt.date(2026, 11, 5), figure=Decimal(3))
    response = client_for("standing").get(reverse("dashboards:document-cells-xlsx", args=[document.pk]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["Các chi bộ"]
    lines = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert lines[0][:2] == [tree.cell_a2.name, "Chưa cụ thể hóa, quá hạn"]
    assert lines[1][:4] == [tree.cell_a1.name, "Đã cụ thể hóa", dt.datetime(2026, 11, 5), lines[1][3]]
    assert lines[1][4:6] == ["3 hộ", "Chưa đạt"]
    assert lines[2][0].startswith("Toàn Đảng bộ")
    assert lines[2][4] == "3 hộ / 10 hộ"
    tasks = [[c.value for c in row] for row in book["Nhiệm vụ"].iter_rows(min_row=4)]
    assert len(tasks) == 1
    assert tasks[0][0] == tree.cell_a1.name
    assert tasks[0][4] == 60


def test_the_report_reads_as_a_report_to_the_level_above(tree, document, client_for, tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext not found: install poppler-utils")
    carry(tree.cell_a1, document, adopted_on=dt.date(2026, 11, 5), figure=Decimal(3))
    response = client_for("standing").get(reverse("dashboards:document-cells-pdf", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    text = " ".join(
        subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split()
    )
    for words in (
        "BÁO CÁO",
        "TÌNH HÌNH CỤ THỂ HÓA KẾ HOẠCH SỐ 03-KH/ĐU",
        "-BC/ĐU",
        "T/M ĐẢNG ỦY",
        "BÍ THƯ",
        "Có 1 chi bộ chưa cụ thể hóa, đã quá hạn: Chi bộ khu phố 2",
        "3 hộ / 10 hộ",
        "Chi bộ khu phố 1",
    ):
        assert words in text, words


# ---------------------------------------------------------------------------------------------------
# The dashboards' column and the page it opens
# ---------------------------------------------------------------------------------------------------


@pytest.mark.clock("2026-11-18 10:00")  # the 04-KH/ĐU's deadline (01/12/2026) still ahead
def test_the_dashboard_counts_what_is_not_made_concrete_and_its_page_shows_the_same(tree, document, client_for) -> None:
    carry(tree.cell_a1, document, adopted_on=dt.date(2026, 11, 5))
    ward_document(tree.ward_a, number="04-KH/ĐU", concretise_by=dt.date(2026, 12, 1))  # waiting everywhere
    ward_document(tree.ward_a, number="05-KH/ĐU", status=S.DRAFT)  # not in force: not counted
    board = dashboard(tree.ward_a, today())
    rows = {row.org: row for row in board.rows}
    assert (rows[tree.cell_a1].upper_pending, rows[tree.cell_a1].upper_late) == (1, 0)
    assert (rows[tree.cell_a2].upper_pending, rows[tree.cell_a2].upper_late) == (2, 1)
    assert (board.total.upper_pending, board.total.upper_late) == (3, 1)
    city = dashboard(tree.city, today())
    assert {row.org: row.upper_pending for row in city.rows} == {tree.ward_a: 3, tree.ward_b: 0}

    client = client_for("standing")
    page = lxml.html.fromstring(client.get(reverse("dashboards:dashboard", args=[tree.ward_a.pk])).content.decode())
    link = page.xpath(f'//tr[@data-row="{tree.cell_a2.pk}"]//a[@data-figure="upper_documents"]')[0]
    assert link.text_content().strip() == "2"
    there = lxml.html.fromstring(client.get(link.get("href")).content.decode())
    assert there.xpath('//*[@data-figures]//*[@data-figure="upper_documents"]')[0].text_content().strip() == "2"
    cells = there.xpath("//li[@data-cell]")
    assert [c.get("data-cell") for c in cells] == [str(tree.cell_a2.pk)] * 2
    assert "list-group-item-danger" in cells[0].get("class")  # the late one first, in red
    assert "list-group-item-danger" not in cells[1].get("class")


def test_a_ward_document_changes_none_of_the_existing_figures(tree) -> None:
    resolution = ResolutionFactory.create(
        cell=tree.cell_a1,
        status=S.IN_PROGRESS,
        adopted_on=dt.date(2026, 11, 3),
        period_start=dt.date(2026, 11, 1),
        period_end=dt.date(2026, 11, 30),
    )
    TaskFactory.create(resolution=resolution, deadline=dt.date(2026, 11, 10))
    day = today()

    def figures(org):
        cache.clear()
        board = dashboard(org, day)
        return [(r.org.pk, r.figures, r.resolution and r.resolution.pk, r.light) for r in board.rows], (
            board.total.figures,
            board.overdue_series,
        )

    before = figures(tree.ward_a), figures(tree.city)
    document = ward_document(tree.ward_a, status=S.IN_PROGRESS)
    Resolution.objects.filter(pk=document.pk).update(adopted_on=dt.date(2026, 11, 2))
    TaskFactory.create(
        resolution=document, deadline=dt.date(2026, 11, 5), lead_kind=Task.LeadKind.COMMITTEE, lead_member=None
    )
    assert (figures(tree.ward_a), figures(tree.city)) == before
