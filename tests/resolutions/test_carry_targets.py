"""The cell's side of a committee's documents ("Cấp trên giao"): the secretary takes their targets into the tasks of
her draft in one click, the members report the figure reached, and the home page lists the documents addressed to
the cell with where the cell stands."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from chibo.lib.workflow import WorkflowError
from members.models import Member
from resolutions.models import CellTarget, ProgressUpdate, Resolution, Task
from resolutions.services import post_update
from tests.resolutions.factories import ResolutionFactory, TaskFactory
from tests.resolutions.pages import same_page

pytestmark = [pytest.mark.django_db, pytest.mark.clock("2026-04-15 09:00")]

S = Resolution.Status


def _document(
    tree, *, status: str = S.ADOPTED, cells=(), concretise_by=dt.date(2026, 4, 30), number: str = "03-KH/ĐU"
) -> Resolution:
    """An adopted plan of ward A with two targets for each cell: a number and a yes/no."""
    document = ResolutionFactory.create(
        cell=tree.ward_a,
        document_type=Resolution.DocumentType.PLAN,
        kind=Resolution.Kind.YEARLY,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        number=number,
        title="Vận động hộ gia đình phân loại rác tại nguồn",
        status=status,
        adopted_on=dt.date(2026, 4, 1) if status != S.DRAFT else None,
        concretise_by=concretise_by,
    )
    document.addressed_cells.set(cells)
    CellTarget.objects.create(
        resolution=document, name="Hộ phân loại rác", measure="number", goal=5, unit="hộ", deadline=dt.date(2026, 6, 30)
    )
    CellTarget.objects.create(
        resolution=document, name="Sinh hoạt chuyên đề", measure="yes_no", goal=1, deadline=dt.date(2026, 5, 31)
    )
    return document


def _draft(tree, *, status: str = S.DRAFT, carries=()) -> Resolution:
    draft = ResolutionFactory.create(
        cell=tree.cell_a1,
        period_start=dt.date(2026, 5, 1),
        period_end=dt.date(2026, 5, 31),
        number="05-NQ/CB",
        status=status,
    )
    draft.upper_resolutions.set(carries)
    return draft


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _carry(client: Client, resolution: Resolution):
    return client.post(reverse("resolutions:carry-targets", args=[resolution.pk]))


# --- taking the targets into the draft ---------------------------------------------------------------


def test_one_click_takes_each_target_once_led_by_the_committee_by_the_targets_deadline(client_for, tree) -> None:
    document = _document(tree)
    draft = _draft(tree, carries=[document])
    client = client_for("secretary")
    response = _carry(client, draft)
    assert response.url == reverse("resolutions:resolution-edit", args=[draft.pk])
    assert _messages(response) == [
        "Đã thêm 2 nhiệm vụ cho chỉ tiêu cấp trên giao: hãy phân công người chủ trì, phối hợp."
    ]
    tasks = list(draft.tasks.order_by("order"))
    assert [(t.title, t.deadline, t.lead_kind, t.lead_member_id) for t in tasks] == [
        ("Hộ phân loại rác", dt.date(2026, 6, 30), Task.LeadKind.COMMITTEE, None),
        ("Sinh hoạt chuyên đề", dt.date(2026, 5, 31), Task.LeadKind.COMMITTEE, None),
    ]
    assert {t.cell_target for t in tasks} == set(document.cell_targets.all())
    # A second click adds nothing more.
    again = _carry(client, draft)
    assert draft.tasks.count() == 2
    assert _messages(again)[-1:] == ["Mọi chỉ tiêu cấp trên giao của các văn bản đã liên kết đã có nhiệm vụ thực hiện."]


def test_the_edit_page_offers_the_targets_of_the_documents_saved_as_carried_out(client_for, tree) -> None:
    document = _document(tree)
    draft = _draft(tree)
    client = client_for("secretary")
    url = reverse("resolutions:resolution-edit", args=[draft.pk])
    page = client.get(url).content.decode()
    assert "Kế hoạch 03-KH/ĐU – Vận động hộ gia đình phân loại rác tại nguồn (Phường Phú Khương)" in page
    assert reverse("resolutions:carry-targets", args=[draft.pk]) not in page  # not linked yet: say to save first
    assert "Đánh dấu bên dưới" in page
    draft.upper_resolutions.set([document])
    page = client.get(url).content.decode()
    assert reverse("resolutions:carry-targets", args=[draft.pk]) in page
    assert "Nhận chỉ tiêu cấp trên giao (2)" in page
    assert "Lưu trước khi nhận chỉ tiêu" in page
    _carry(client, draft)
    page = client.get(url).content.decode()
    assert reverse("resolutions:carry-targets", args=[draft.pk]) not in page
    assert "Chỉ tiêu cấp trên: Hộ phân loại rác — mục tiêu 5 hộ" in page


def test_an_adopted_resolution_takes_no_target(client_for, tree) -> None:
    document = _document(tree)
    adopted = _draft(tree, status=S.ADOPTED, carries=[document])
    response = _carry(client_for("secretary"), adopted)
    assert response.url == reverse("resolutions:resolution-detail", args=[adopted.pk])
    assert "dự thảo" in " ".join(_messages(response))
    assert not Task.objects.filter(resolution=adopted).exists()


@pytest.mark.parametrize(("who", "status"), [("member", 403), ("committee", 403), ("other_secretary", 404)])
def test_only_the_cells_committee_takes_targets(client_for, tree, who, status) -> None:
    draft = _draft(tree, carries=[_document(tree)])
    assert _carry(client_for(who), draft).status_code == status
    assert not draft.tasks.exists()


def test_a_cell_of_the_same_ward_is_a_stranger_and_a_get_is_refused(client_for, tree) -> None:
    document = _document(tree)
    other = ResolutionFactory.create(cell=tree.cell_a2, status=S.DRAFT)
    other.upper_resolutions.set([document])
    assert _carry(client_for("secretary"), other).status_code == 404
    assert client_for("secretary").get(reverse("resolutions:carry-targets", args=[_draft(tree).pk])).status_code == 405
    assert not Task.objects.exists()


# --- the figure reached ---------------------------------------------------------------------------------


@pytest.fixture
def carried(tree, people):
    """An adopted resolution of cell A1 whose task carries the number target, led by the plain member."""
    document = _document(tree)
    resolution = _draft(tree, status=S.IN_PROGRESS, carries=[document])
    member = Member.objects.get(user=people["member"])
    target = document.cell_targets.get(measure="number")
    task = TaskFactory.create(resolution=resolution, lead_member=member, cell_target=target, title="Vận động hộ")
    return task


def _report(client: Client, task: Task, figure: str):
    data = {"status": "in_progress", "progress": "40", "note": "Đã vận động", "figure": figure}
    return client.post(reverse("resolutions:task-detail", args=[task.pk]), data)


def _confirm(client: Client, update: ProgressUpdate):
    return client.post(reverse("resolutions:update-review", args=[update.pk]), {"decision": "confirm"})


def test_a_confirmed_report_sets_the_figure_and_the_latest_one_wins(client_for, carried) -> None:
    member, secretary = client_for("member"), client_for("secretary")
    page = member.get(reverse("resolutions:task-detail", args=[carried.pk])).content.decode()
    assert "Số liệu đạt được (hộ)" in page
    assert "Hộ phân loại rác" in page
    _report(member, carried, "3")
    first = ProgressUpdate.objects.get()
    assert first.figure == Decimal(3)
    carried.refresh_from_db()
    assert carried.figure is None  # waits for confirmation
    _confirm(secretary, first)
    carried.refresh_from_db()
    assert carried.figure == Decimal(3)
    _report(member, carried, "6")
    _confirm(secretary, ProgressUpdate.objects.get(review="pending"))
    carried.refresh_from_db()
    assert carried.figure == Decimal(6)
    page = secretary.get(reverse("resolutions:task-detail", args=[carried.pk])).content.decode()
    assert "Số liệu đạt được: <strong>6 hộ</strong>" in page
    detail = secretary.get(reverse("resolutions:resolution-detail", args=[carried.resolution_id])).content.decode()
    assert "mục tiêu 5 hộ" in detail
    assert "6 hộ" in detail


@pytest.mark.parametrize(
    ("measure", "figure", "message"),
    [
        ("number", "-1", "Số liệu đạt được không thể là số âm."),
        ("percent", "101", "Tỷ lệ đạt được tối đa là 100."),
        ("number", "abc", "Nhập một số."),
    ],
)
def test_a_bad_figure_is_refused_and_nothing_is_written(client_for, carried, measure, figure, message) -> None:
    CellTarget.objects.filter(pk=carried.cell_target_id).update(measure=measure, goal=5)
    response = _report(client_for("member"), carried, figure)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_a_task_without_a_figure_target_takes_no_figure(tree, carried) -> None:
    author = carried.lead_member
    assert author is not None
    plain = TaskFactory.create(resolution=carried.resolution, lead_member=author)
    with pytest.raises(WorkflowError):
        post_update(task=plain, author=author, status="in_progress", progress=10, figure=Decimal(2))
    yes_no = TaskFactory.create(
        resolution=carried.resolution, lead_member=author, cell_target=CellTarget.objects.get(measure="yes_no")
    )
    with pytest.raises(WorkflowError):
        post_update(task=yes_no, author=author, status="in_progress", progress=10, figure=Decimal(1))
    assert not ProgressUpdate.objects.exists()
    # A yes/no target asks for no figure: its task done is the target met.
    client = Client()
    client.force_login(author.user)
    assert "figure" not in client.get(reverse("resolutions:task-detail", args=[yes_no.pk])).context["form"].fields


# --- "Cấp trên giao" on the home page ------------------------------------------------------------------


def _home(client: Client) -> str:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_home_page_lists_the_documents_addressed_to_the_cell(client_for, tree) -> None:
    document = _document(tree, cells=[tree.cell_a1])
    page = _home(client_for("secretary"))
    assert "Cấp trên giao" in page
    assert reverse("resolutions:resolution-detail", args=[document.pk]) in page
    assert "Kế hoạch 03-KH/ĐU" in page
    assert "Hộ phân loại rác — mục tiêu 5 hộ, hạn 30/06/2026" in page
    assert "chưa có nhiệm vụ thực hiện" in page
    # No draft yet: the button starts a new resolution.
    assert reverse("resolutions:resolution-create", args=[tree.cell_a1.pk]) in page
    assert "Cụ thể hóa trong nghị quyết" in page
    # A member sees it too, without the button; the document is hers to read.
    member = client_for("member")
    mine = _home(member)
    assert "Kế hoạch 03-KH/ĐU" in mine
    assert "Cụ thể hóa trong nghị quyết" not in mine
    assert member.get(reverse("resolutions:resolution-detail", args=[document.pk])).status_code == 200


def test_a_cell_not_addressed_and_an_unadopted_document_see_nothing(client_for, tree) -> None:
    _document(tree, cells=[tree.cell_a2])
    _document(tree, status=S.DRAFT, number="04-KH/ĐU")
    assert "Cấp trên giao" not in _home(client_for("secretary"))


def test_the_cells_draft_carrying_the_targets_and_a_late_state(client_for, tree, clock) -> None:
    document = _document(tree)
    draft = _draft(tree, carries=[document])
    client = client_for("secretary")
    page = _home(client)
    assert reverse("resolutions:resolution-edit", args=[draft.pk]) in page
    assert "Chưa cụ thể hóa" in page
    _carry(client, draft)
    page = _home(client)
    assert "chưa có nhiệm vụ thực hiện" not in page
    assert "đã có nhiệm vụ của chi bộ thực hiện" in page
    clock.shift(dt.timedelta(days=20))  # past the deadline to make it concrete, 30/04
    page = _home(client_for("secretary"))
    assert "Chưa cụ thể hóa, đã quá hạn" in page
    assert "text-danger" in page.split("Cấp trên giao")[1]


def test_a_document_adopted_later_shows_on_the_next_look(client_for, tree) -> None:
    """Kept under the tokens of the committees above the cell: the ward's adoption renews the part."""
    document = _document(tree, status=S.SUBMITTED)
    client = client_for("member")
    assert "Cấp trên giao" not in _home(client)
    document.status, document.adopted_on = S.ADOPTED, dt.date(2026, 4, 15)
    document.save()
    assert "Kế hoạch 03-KH/ĐU" in _home(client)


def test_the_home_page_with_documents_reads_a_fixed_number_of_queries(
    client_for, tree, django_assert_num_queries
) -> None:
    for n in range(2):
        _document(tree, number=f"0{n + 3}-KH/ĐU")
    _draft(tree, carries=list(Resolution.objects.filter(cell=tree.ward_a)))
    client = client_for("secretary")
    # session, user, access (2), the tokens of both parts; the sections: cells, resolutions, meetings, reports,
    # overdue, absence requests, own tasks, own meetings; "Cấp trên giao": documents, the cells they choose, their
    # targets, the cells, the adoptions carrying them out, the tasks carrying the targets, the drafts; the bell.
    with django_assert_num_queries(20):
        first = client.get(reverse("home"))
    with django_assert_num_queries(5):
        again = client.get(reverse("home"))
    assert same_page(first, again)
