"""The home page: each role sees what needs it now, each item a link to where it is done."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from evaluations.models import EvaluationCycle
from inspections.models import Inspection
from meetings.models import AbsenceRequest, Meeting
from members.models import Member, today
from members.rules import add_months
from resolutions.models import Resolution
from tests.factories import MemberFactory
from tests.resolutions.factories import ProgressUpdateFactory, ResolutionFactory, TaskFactory

pytestmark = pytest.mark.django_db


def _meeting(cell, day: dt.date, **values) -> Meeting:
    return Meeting.objects.create(cell=cell, date=day, starts_at=dt.time(19), place="Nhà văn hóa", **values)


def _home(client: Client) -> str:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def month(tree, people):
    """Cell A1 today: this month's resolution in force with an overdue task and a waiting report, next month's
    draft, a meeting planned a week ahead with no pack yet and one absence request waiting."""
    day = today()
    first = day.replace(day=1)
    following = add_months(first, 1)
    member = Member.objects.get(user=people["member"])
    current = ResolutionFactory.create(
        cell=tree.cell_a1, period_start=first, period_end=following - dt.timedelta(days=1), number="11-NQ/CB"
    )
    overdue = TaskFactory.create(
        resolution=current, lead_member=member, deadline=day - dt.timedelta(days=3), title="Quét dọn"
    )
    due = TaskFactory.create(
        resolution=current, lead_member=member, deadline=day + dt.timedelta(days=5), title="Thăm hộ"
    )
    TaskFactory.create(
        resolution=current, lead_member=member, deadline=day - dt.timedelta(days=9), status="done", title="Xong"
    )
    ProgressUpdateFactory.create(task=due, author=member)
    draft = ResolutionFactory.create(
        cell=tree.cell_a1,
        period_start=following,
        period_end=add_months(following, 1) - dt.timedelta(days=1),
        status=Resolution.Status.DRAFT,
        number="12-NQ/CB",
    )
    meeting = _meeting(tree.cell_a1, day + dt.timedelta(days=7))
    AbsenceRequest.objects.create(meeting=meeting, member=MemberFactory.create(cell=tree.cell_a1), reason="Ốm")
    return {"overdue": overdue, "due": due, "draft": draft, "meeting": meeting, "member": member}


def test_the_secretary_sees_the_draft_the_meeting_the_reports_and_the_overdue_work(client_for, month) -> None:
    page = _home(client_for("secretary"))
    assert reverse("resolutions:resolution-edit", args=[month["draft"].pk]) in page
    assert "12-NQ/CB" in page
    meeting_url = reverse("meetings:meeting-detail", args=[month["meeting"].pk])
    assert meeting_url in page
    assert f"Chuẩn bị buổi sinh hoạt ngày {month['meeting'].date:%d/%m/%Y}" in page
    assert "Phát hành tài liệu sinh hoạt" in page
    assert "1 báo cáo tiến độ chờ xác nhận" in page
    assert reverse("resolutions:task-detail", args=[month["due"].pk]) in page
    assert "1 nhiệm vụ quá hạn" in page
    assert reverse("resolutions:task-detail", args=[month["overdue"].pk]) in page
    assert "1 đơn xin vắng chờ quyết định" in page
    # Her cell's tabs are on the home page: the meetings are one tap away.
    assert reverse("meetings:meeting-list", args=[month["meeting"].cell_id]) in page


def test_a_cell_without_this_months_resolution_or_meeting_is_asked_for_both(client_for, tree) -> None:
    page = _home(client_for("secretary"))
    assert "Soạn nghị quyết tháng này" in page
    assert reverse("resolutions:resolution-create", args=[tree.cell_a1.pk]) in page
    assert "Lập kế hoạch sinh hoạt tháng này" in page
    assert reverse("meetings:meeting-create", args=[tree.cell_a1.pk]) in page


def test_a_held_meeting_asks_for_its_minutes_and_a_past_planned_one_to_be_recorded(client_for, tree) -> None:
    day = today()
    held = _meeting(tree.cell_a1, day - dt.timedelta(days=2), status=Meeting.Status.HELD)
    missed = _meeting(tree.cell_a1, day - dt.timedelta(days=1))
    page = _home(client_for("secretary"))
    assert f"Duyệt biên bản buổi sinh hoạt ngày {held.date:%d/%m/%Y}" in page
    assert reverse("meetings:meeting-detail", args=[held.pk]) in page
    assert f"Ghi nhận đã tổ chức buổi sinh hoạt ngày {missed.date:%d/%m/%Y}" in page
    assert reverse("meetings:meeting-detail", args=[missed.pk]) in page
    # The month is asked for its own meeting only when these were last month's (on the 1st, say).
    assert ("Lập kế hoạch sinh hoạt tháng này" in page) == (held.date < day.replace(day=1))


def test_the_member_sees_open_tasks_overdue_first_and_the_next_meeting_with_its_pack(client_for, month) -> None:
    month["meeting"].pack_published_at = timezone.now()
    month["meeting"].save(update_fields=["pack_published_at"])
    page = _home(client_for("member"))
    assert page.index("Quét dọn") < page.index("Thăm hộ")
    assert "Xong" not in page  # done work is not on the home page
    assert reverse("meetings:meeting-pack", args=[month["meeting"].pk]) in page
    assert reverse("meetings:absence-request", args=[month["meeting"].pk]) in page
    # The member is not a secretary: no cell's to-do list.
    assert "Soạn nghị quyết" not in page
    assert reverse("resolutions:resolution-edit", args=[month["draft"].pk]) not in page


def test_the_members_own_absence_request_shows_as_waiting(client_for, month) -> None:
    AbsenceRequest.objects.create(meeting=month["meeting"], member=month["member"], reason="Đi công tác")
    page = _home(client_for("member"))
    assert "Đã xin vắng" in page
    assert reverse("meetings:absence-request", args=[month["meeting"].pk]) not in page


def test_the_ward_sees_its_cells_off_track_and_what_waits_for_approval(client_for, tree, month) -> None:
    cycle = EvaluationCycle.objects.create(cell=tree.cell_a1, year=2025, status=EvaluationCycle.Status.APPROVAL)
    page = _home(client_for("standing"))
    assert "Chậm tiến độ" in page
    # No meeting was held last month: both cells of the ward are off track on the dashboard, and listed.
    assert reverse("members:org-detail", args=[tree.cell_a1.pk]) in page
    assert reverse("members:org-detail", args=[tree.cell_a2.pk]) in page
    assert reverse("dashboards:dashboard", args=[tree.ward_a.pk]) in page
    assert reverse("evaluations:approval", args=[cycle.pk]) in page
    # The member in charge of A1 sees A1's cycle too; the other ward's secretary sees none of it.
    assert reverse("evaluations:approval", args=[cycle.pk]) in _home(client_for("in_charge"))
    assert reverse("evaluations:approval", args=[cycle.pk]) not in _home(client_for("other_secretary"))


def test_a_person_with_several_roles_sees_each_section(client_for, people, tree, month) -> None:
    from tests.factories import grant

    grant(people["secretary"], "standing", tree.ward_a)
    page = _home(client_for("secretary"))
    assert reverse("resolutions:resolution-edit", args=[month["draft"].pk]) in page  # the cell
    assert reverse("dashboards:dashboard", args=[tree.ward_a.pk]) in page  # the ward
    assert reverse("resolutions:my-tasks") in page  # her own work


def test_another_cells_work_is_not_on_the_home_page(client_for, month) -> None:
    page = _home(client_for("other_secretary"))
    assert reverse("resolutions:resolution-edit", args=[month["draft"].pk]) not in page
    assert "Quét dọn" not in page


def test_the_admin_lands_on_the_organisations_and_a_user_without_role_is_told_why(client_for) -> None:
    assert client_for("admin").get(reverse("home")).url == reverse("members:org-tree")
    assert client_for("nobody").get(reverse("home")).status_code == 403


def test_the_home_page_reads_a_fixed_number_of_queries(client_for, people, tree, month, django_assert_max_num_queries):
    from tests.factories import grant

    grant(people["secretary"], "standing", tree.ward_a)
    grant(people["secretary"], "secretary", tree.cell_a2)
    client = client_for("secretary")
    client.get(reverse("home"))
    for cell in (tree.cell_a1, tree.cell_a2):
        for n in range(3):
            TaskFactory.create(
                resolution=ResolutionFactory.create(cell=cell), deadline=today() - dt.timedelta(days=n + 1)
            )
            _meeting(cell, today() + dt.timedelta(days=n + 2))
    # session, user, access, the tokens the sections are kept under (renewed by the writes above), cells (with
    # their probation counts), resolutions, meetings, reports, overdue, absence requests, own tasks, own meetings,
    # the dashboard's organisation and its queries (at most 9, and 4 for the committees' documents not yet made
    # concrete in its cells), cycles, inspections; "Cấp trên giao" (a part of its own): the committees' documents
    # addressed to the cells (none here: nothing more is read).
    with django_assert_max_num_queries(31):
        assert client.get(reverse("home")).status_code == 200


def test_the_secretarys_own_report_waits_for_another_confirmer_not_for_her(client_for, people, month) -> None:
    """The author of a report never reviews it: her own report is not among those waiting for her."""
    secretary = Member.objects.get(user=people["secretary"])
    ProgressUpdateFactory.create(task=month["overdue"], author=secretary)
    page = _home(client_for("secretary"))
    assert "1 báo cáo tiến độ chờ xác nhận" in page  # the member's report only
    assert "2 báo cáo tiến độ chờ xác nhận" in _home(client_for("deputy"))


@pytest.mark.clock("2027-01-01 08:00")
def test_last_months_meeting_not_yet_recorded_is_still_asked_for_on_the_first(client_for, tree) -> None:
    missed = _meeting(tree.cell_a1, dt.date(2026, 12, 31))
    page = _home(client_for("secretary"))
    assert "Ghi nhận đã tổ chức buổi sinh hoạt ngày 31/12/2026" in page
    assert reverse("meetings:meeting-detail", args=[missed.pk]) in page
    assert "Lập kế hoạch sinh hoạt tháng này" in page  # and January still needs its own


def test_each_cell_counts_its_own_members_whose_probation_ends_soon(client_for, people, tree) -> None:
    from tests.factories import grant

    grant(people["secretary"], "secretary", tree.cell_a2)
    day = today()
    ending = add_months(day, -11)  # a year's probation ending within the next two months
    for cell, n in ((tree.cell_a1, 2), (tree.cell_a2, 1)):
        MemberFactory.create_batch(n, cell=cell, admitted_on=ending, official_on=None)
    # Not counted: probation ending far later, already recognised, or gone from the cell's roll.
    MemberFactory.create(cell=tree.cell_a1, admitted_on=add_months(day, -2), official_on=None)
    MemberFactory.create(cell=tree.cell_a1, admitted_on=ending, official_on=day)
    MemberFactory.create(cell=tree.cell_a1, admitted_on=ending, official_on=None, management_status="left")
    page = _home(client_for("secretary"))
    first = reverse("members:org-detail", args=[tree.cell_a1.pk]) + "#probation-ending"
    second = reverse("members:org-detail", args=[tree.cell_a2.pk]) + "#probation-ending"
    assert "2 đảng viên sắp hết thời gian dự bị" in page.split(second)[0].split(first)[1]
    assert "1 đảng viên sắp hết thời gian dự bị" in page.split(second)[1]
    assert "sắp hết thời gian dự bị" not in _home(client_for("other_secretary"))


# ---------------------------------------------------------------------------------------------------
# The sections kept in the cache (``chibo.home.home_key``)
# ---------------------------------------------------------------------------------------------------


def _without_csrf(page: str) -> str:
    return re.sub(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+', r"\1", page)


def test_a_second_look_is_served_from_the_cache(client_for, month, django_assert_num_queries) -> None:
    client = client_for("secretary")
    # session, user, access, the tokens (of both parts); the cells, resolutions, meetings, reports, overdue tasks,
    # absence requests, own tasks, own meetings; "Cấp trên giao": the committees' documents (none: nothing more is
    # read); the bell.
    with django_assert_num_queries(14):
        first = _home(client)
    # session, user, access (2), the tokens, the bell.
    with django_assert_num_queries(5):
        again = _home(client)
    assert _without_csrf(again) == _without_csrf(first)


# Each write a section shows, and what the page says after it (the text appears, or with "-" before it, goes).


def _cell_renamed(tree, month) -> str:
    tree.cell_a1.name = "Chi bộ khu phố Một"
    tree.cell_a1.save()
    return "Chi bộ khu phố Một"


def _report_sent(tree, month) -> str:
    ProgressUpdateFactory.create(task=month["overdue"], author=month["member"])
    return "2 báo cáo tiến độ chờ xác nhận"


def _author_renamed(tree, month) -> str:
    month["member"].full_name = "Trần Văn Mới"
    month["member"].save()
    return "Trần Văn Mới"


def _deadline_passed(tree, month) -> str:
    month["due"].deadline = today() - dt.timedelta(days=1)
    month["due"].save()
    return "2 nhiệm vụ quá hạn"


def _draft_renumbered(tree, month) -> str:
    month["draft"].number = "13-NQ/CB"
    month["draft"].save()
    return "13-NQ/CB"


def _meeting_moved(tree, month) -> str:
    month["meeting"].date = today() + dt.timedelta(days=8)
    month["meeting"].save()
    return f"Chuẩn bị buổi sinh hoạt ngày {month['meeting'].date:%d/%m/%Y}"


def _pack_released(tree, month) -> str:
    month["meeting"].pack_published_at = timezone.now()
    month["meeting"].save()
    return "-Phát hành tài liệu sinh hoạt"


def _pack_released_to_members(tree, month) -> str:
    _pack_released(tree, month)
    return "Đọc tài liệu sinh hoạt"


def _request_decided(tree, month) -> str:
    AbsenceRequest.objects.filter(meeting=month["meeting"]).update(status=AbsenceRequest.Status.APPROVED)
    return "-đơn xin vắng chờ quyết định"


def _probation_ending(tree, month) -> str:
    MemberFactory.create(cell=tree.cell_a1, admitted_on=add_months(today(), -11), official_on=None)
    return "1 đảng viên sắp hết thời gian dự bị"


def _own_task_renamed(tree, month) -> str:
    month["due"].title = "Thăm hộ nghèo"
    month["due"].save()
    return "Thăm hộ nghèo"


def _own_absence_requested(tree, month) -> str:
    AbsenceRequest.objects.create(meeting=month["meeting"], member=month["member"], reason="Đi công tác")
    return "Đã xin vắng"


def _task_in_another_cell(tree, month) -> str:
    """A member moved to another cell keeps the old cell's tasks: here one of a resolution of cell A2."""
    resolution = ResolutionFactory.create(cell=tree.cell_a2)
    TaskFactory.create(resolution=resolution, lead_member=month["member"], deadline=today(), title="Việc chi bộ 2")
    return "Việc chi bộ 2"


def _cycle_sent_for_approval(tree, month) -> str:
    EvaluationCycle.objects.create(cell=tree.cell_a2, year=2025, status=EvaluationCycle.Status.APPROVAL)
    return "Chi bộ khu phố 2, năm 2025"


def _follow_up_overdue(tree, month) -> str:
    Inspection.objects.create(
        subject_org=tree.cell_a2,
        body_org=tree.ward_a,
        body=Inspection.Body.STANDING_COMMITTEE,
        title="Việc thực hiện nghị quyết",
        planned_start=dt.date(2026, 3, 2),
        planned_end=dt.date(2026, 3, 20),
        follow_up_due=today() - dt.timedelta(days=1),
    )
    return "1 việc thực hiện kết luận kiểm tra quá hạn"


def _other_cell_renamed(tree, month) -> str:
    tree.cell_a2.name = "Chi bộ khu phố Hai"
    tree.cell_a2.save()
    return "Chi bộ khu phố Hai"


@pytest.mark.parametrize(
    ("viewer", "write"),
    [
        ("secretary", _cell_renamed),
        ("secretary", _report_sent),
        ("secretary", _author_renamed),
        ("secretary", _deadline_passed),
        ("secretary", _draft_renumbered),
        ("secretary", _meeting_moved),
        ("secretary", _pack_released),
        ("secretary", _request_decided),
        ("secretary", _probation_ending),
        ("member", _own_task_renamed),
        ("member", _pack_released_to_members),
        ("member", _own_absence_requested),
        ("member", _task_in_another_cell),
        ("standing", _cycle_sent_for_approval),
        ("standing", _follow_up_overdue),
        ("standing", _other_cell_renamed),
    ],
)
def test_the_next_look_after_a_write_shows_it(client_for, tree, month, viewer, write) -> None:
    client = client_for(viewer)
    before = _home(client)
    expected = write(tree, month)
    text, gone = expected.removeprefix("-"), expected.startswith("-")
    assert (text in before) == gone
    assert (text in _home(client)) != gone


def test_each_viewer_is_served_their_own_sections(client_for, people, tree, month) -> None:
    """The key names who is looking: the secretary's own report does not wait for her but does for her deputy,
    the member sees only her own work, the ward its dashboard; a role granted shows its section at once."""
    secretary = Member.objects.get(user=people["secretary"])
    ProgressUpdateFactory.create(task=month["overdue"], author=secretary)
    pages = {name: _home(client_for(name)) for name in ("secretary", "deputy", "member", "standing")}
    again = {name: _home(client_for(name)) for name in pages}
    assert all(_without_csrf(again[name]) == _without_csrf(pages[name]) for name in pages)
    assert "1 báo cáo tiến độ chờ xác nhận" in pages["secretary"]
    assert "2 báo cáo tiến độ chờ xác nhận" in pages["deputy"]
    assert "báo cáo tiến độ chờ xác nhận" not in pages["member"]
    assert "Quét dọn" in pages["member"]
    assert reverse("dashboards:dashboard", args=[tree.ward_a.pk]) in pages["standing"]
    assert reverse("dashboards:dashboard", args=[tree.ward_a.pk]) not in pages["secretary"]
    from tests.factories import grant

    grant(people["secretary"], "standing", tree.ward_a)
    assert reverse("dashboards:dashboard", args=[tree.ward_a.pk]) in _home(client_for("secretary"))


def test_the_next_day_the_work_due_today_is_overdue(client_for, month, clock) -> None:
    """Kept under the day: a look the next day reads the sections again, and what fell due is overdue."""
    month["due"].deadline = today()
    month["due"].save()
    client = client_for("secretary")
    assert "1 nhiệm vụ quá hạn" in _home(client)
    assert "1 quá hạn" in _home(client_for("member"))
    clock.shift(dt.timedelta(days=1))
    assert "2 nhiệm vụ quá hạn" in _home(client_for("secretary"))  # signed in again: a day ends the session
    assert "2 quá hạn" in _home(client_for("member"))
