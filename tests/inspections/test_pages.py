"""Inspection pages: access to every page, the workflow planned → in progress → concluded, follow-up, the lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from inspections.access import follow_up_overdue
from inspections.models import Inspection
from members.models import Member, today
from tests.factories import MemberFactory

S = Inspection.Status
B = Inspection.Body


def make(subject, body_org=None, *, body=B.CELL_COMMITTEE, member=None, **fields) -> Inspection:
    values = {
        "title": "Việc thực hiện nghị quyết chi bộ tháng 10",
        "planned_start": dt.date(2026, 3, 2),
        "planned_end": dt.date(2026, 3, 20),
        **fields,
    }
    return Inspection.objects.create(
        subject_org=subject, body_org=body_org or subject, body=body, subject_member=member, **values
    )


def _me(people, name: str) -> Member:
    return Member.objects.get(user=people[name])


PAGES = ["inspection-detail", "inspection-edit", "inspection-conclude", "follow-up", "conclusion-pdf"]


@pytest.mark.parametrize(
    ("who", "detail", "edit"),
    [("admin", 200, 200), ("standing", 200, 403), ("in_charge", 200, 403), ("secretary", 200, 200),
     ("committee", 200, 403), ("member", 404, 404), ("other_secretary", 404, 404), ("nobody", 404, 404)],
)  # fmt: skip
def test_who_opens_a_cells_inspection(client_for, tree, who, detail, edit) -> None:
    inspection = make(tree.cell_a1, status=S.IN_PROGRESS, actual_start=dt.date(2026, 3, 2))
    client = client_for(who)
    assert client.get(reverse("inspections:inspection-detail", args=[inspection.pk])).status_code == detail
    assert client.get(reverse("inspections:inspection-edit", args=[inspection.pk])).status_code == edit
    assert client.get(reverse("inspections:inspection-conclude", args=[inspection.pk])).status_code == edit


def test_a_ward_inspection_is_run_by_the_standing_committee_and_hidden_from_the_cell(client_for, tree) -> None:
    inspection = make(tree.ward_a, body=B.INSPECTION_COMMITTEE, title="Việc lãnh đạo công tác kiểm tra")
    of_cell = make(tree.cell_a1, tree.ward_a, body=B.INSPECTION_COMMITTEE)
    url = reverse("inspections:inspection-edit", args=[inspection.pk])
    assert client_for("standing").get(url).status_code == 200
    assert client_for("secretary").get(url).status_code == 404
    assert client_for("in_charge").get(url).status_code == 404
    # The ward's inspection of the cell: the cell's secretary reads it but does not run it.
    assert client_for("secretary").get(reverse("inspections:inspection-edit", args=[of_cell.pk])).status_code == 403
    assert client_for("standing").get(reverse("inspections:inspection-edit", args=[of_cell.pk])).status_code == 200


def test_an_ordinary_member_sees_only_their_own_concluded_inspections(client_for, people, tree) -> None:
    me = _me(people, "member")
    planned = make(tree.cell_a1, member=me)
    concluded = make(tree.cell_a1, member=me, status=S.CONCLUDED, conclusion="good", actual_end=dt.date(2026, 3, 20))
    other = make(tree.cell_a1, member=_me(people, "deputy"), status=S.CONCLUDED)
    client = client_for("member")
    assert client.get(reverse("inspections:inspection-detail", args=[planned.pk])).status_code == 404
    assert client.get(reverse("inspections:inspection-detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("inspections:inspection-detail", args=[concluded.pk])).status_code == 200
    assert client.get(reverse("inspections:inspection-edit", args=[concluded.pk])).status_code == 403
    listed = client.get(reverse("inspections:inspection-list")).context["page"]
    assert [i.pk for i in listed] == [concluded.pk]
    listed = client.get(reverse("inspections:org-inspections", args=[tree.cell_a1.pk])).context["page"]
    assert [i.pk for i in listed] == [concluded.pk]


def test_the_secretary_plans_starts_and_concludes_an_inspection_of_a_member(client_for, people, tree) -> None:
    member = _me(people, "member")
    client = client_for("secretary")
    response = client.post(
        reverse("inspections:inspection-create", args=[tree.cell_a1.pk]),
        {
            "activity": "supervision",
            "mode": "thematic",
            "conducted_by": f"{tree.cell_a1.pk}:cell_committee",
            "subject_member": member.pk,
            "title": "việc thực hiện quy định về những điều đảng viên không được làm",
            "period_from": "01/01/2026",
            "period_to": "30/06/2026",
            "planned_start": "01/07/2026",
            "planned_end": "15/07/2026",
            "team": "Nguyễn Văn Trưởng\nLê Thị Viên",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    inspection = Inspection.objects.get()
    assert (inspection.status, inspection.body, inspection.body_org, inspection.subject_member) == (
        S.PLANNED,
        B.CELL_COMMITTEE,
        tree.cell_a1,
        member,
    )
    assert inspection.team_names == ["Nguyễn Văn Trưởng", "Lê Thị Viên"]
    # Concluding a planned inspection is refused: it must be started first.
    client.get(reverse("inspections:inspection-conclude", args=[inspection.pk]))
    client.post(reverse("inspections:inspection-start", args=[inspection.pk]))
    inspection.refresh_from_db()
    assert inspection.status == S.IN_PROGRESS
    assert inspection.actual_start is not None
    response = client.post(
        reverse("inspections:inspection-conclude", args=[inspection.pk]),
        {
            "findings": "Đồng chí chấp hành tốt quy định.",
            "conclusion": "shortcomings",
            "recommendations": "Khắc phục việc sinh hoạt chưa đều.",
            "follow_up_due": f"{today() + dt.timedelta(days=60):%d/%m/%Y}",
            "concluded_on": inspection.actual_start.strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert (inspection.status, inspection.conclusion, inspection.number) == (S.CONCLUDED, "shortcomings", "01-TB/CB")
    # A concluded inspection is locked; a second conclusion of the same body gets the next number.
    assert client.get(reverse("inspections:inspection-edit", args=[inspection.pk])).status_code == 403
    second = make(tree.cell_a1, status=S.IN_PROGRESS, actual_start=inspection.actual_start)
    client.post(
        reverse("inspections:inspection-conclude", args=[second.pk]),
        {"findings": "Tốt.", "conclusion": "good", "concluded_on": inspection.actual_start.strftime("%d/%m/%Y")},
    )
    second.refresh_from_db()
    assert second.number == "02-TB/CB"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"conclusion": "good", "concluded_on": "10/03/2026"}, "findings"),
        ({"findings": "x", "concluded_on": "10/03/2026"}, "conclusion"),
        ({"findings": "x", "conclusion": "good", "concluded_on": "01/03/2026"}, "concluded_on"),  # before the start
        ({"findings": "x", "conclusion": "good", "concluded_on": "31/12/2099"}, "concluded_on"),
        ({"findings": "x", "conclusion": "good", "concluded_on": "10/03/2026", "recommendations": "Sửa"},
         "follow_up_due"),
        ({"findings": "x", "conclusion": "good", "concluded_on": "10/03/2026", "follow_up_due": "01/03/2026"},
         "follow_up_due"),
    ],
)  # fmt: skip
def test_a_bad_conclusion_writes_nothing(client_for, tree, data, field) -> None:
    inspection = make(tree.cell_a1, status=S.IN_PROGRESS, actual_start=dt.date(2026, 3, 2))
    response = client_for("secretary").post(reverse("inspections:inspection-conclude", args=[inspection.pk]), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    inspection.refresh_from_db()
    assert inspection.status == S.IN_PROGRESS


def test_a_planned_inspection_needs_sane_dates(client_for, tree) -> None:
    response = client_for("secretary").post(
        reverse("inspections:inspection-create", args=[tree.cell_a1.pk]),
        {
            "activity": "inspection",
            "mode": "periodic",
            "conducted_by": f"{tree.cell_a1.pk}:cell_committee",
            "title": "Kiểm tra",
            "planned_start": "15/07/2026",
            "planned_end": "01/07/2026",
        },
    )
    assert "planned_end" in response.context["form"].errors
    assert not Inspection.objects.exists()


def test_the_secretary_cannot_act_for_the_ward(client_for, tree) -> None:
    response = client_for("secretary").post(
        reverse("inspections:inspection-create", args=[tree.cell_a1.pk]),
        {
            "activity": "inspection",
            "mode": "periodic",
            "conducted_by": f"{tree.ward_a.pk}:inspection_committee",
            "title": "Kiểm tra",
            "planned_start": "01/07/2026",
            "planned_end": "15/07/2026",
        },
    )
    assert "conducted_by" in response.context["form"].errors
    assert not Inspection.objects.exists()
    assert (
        client_for("committee").get(reverse("inspections:inspection-create", args=[tree.cell_a1.pk])).status_code == 403
    )
    assert (
        client_for("secretary").get(reverse("inspections:inspection-create", args=[tree.ward_a.pk])).status_code == 404
    )


def test_the_follow_up_is_recorded_once(client_for, tree) -> None:
    inspection = make(
        tree.cell_a1,
        status=S.CONCLUDED,
        conclusion="shortcomings",
        actual_end=dt.date(2026, 3, 20),
        follow_up_due=dt.date(2026, 4, 30),
    )
    assert follow_up_overdue(inspection.follow_up_due, inspection.follow_up_done_on, today())
    client = client_for("secretary")
    assert client.get(reverse("inspections:inspection-detail", args=[inspection.pk])).context["overdue"]
    assert client_for("committee").post(reverse("inspections:follow-up", args=[inspection.pk])).status_code == 403
    response = client.post(
        reverse("inspections:follow-up", args=[inspection.pk]), {"done_on": "05/05/2026", "note": "Đã khắc phục"}
    )
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert (inspection.follow_up_done_on, inspection.follow_up_note) == (dt.date(2026, 5, 5), "Đã khắc phục")
    assert not follow_up_overdue(inspection.follow_up_due, inspection.follow_up_done_on, today())
    client.post(reverse("inspections:follow-up", args=[inspection.pk]), {"done_on": "06/05/2026"})
    inspection.refresh_from_db()
    assert inspection.follow_up_done_on == dt.date(2026, 5, 5)


def test_the_list_filters_by_activity_status_year_and_overdue(client_for, tree) -> None:
    a = make(tree.cell_a1, activity="supervision", mode="regular")
    b = make(tree.cell_a1, status=S.CONCLUDED, follow_up_due=dt.date(2026, 1, 31), planned_start=dt.date(2025, 12, 1))
    c = make(tree.cell_a2, status=S.IN_PROGRESS)
    make(tree.cell_b1)  # another ward
    client = client_for("standing")

    def listed(**params):
        return {i.pk for i in client.get(reverse("inspections:inspection-list"), params).context["page"]}

    assert listed() == {a.pk, b.pk, c.pk}
    assert listed(activity="supervision") == {a.pk}
    assert listed(mode="regular") == {a.pk}
    assert listed(status="in_progress") == {c.pk}
    assert listed(year=2025) == {b.pk}
    assert listed(overdue="on") == {b.pk}
    assert {i.pk for i in client_for("in_charge").get(reverse("inspections:inspection-list")).context["page"]} == {
        a.pk,
        b.pk,
    }


def test_the_ward_overview_sums_each_cell(client_for, tree) -> None:
    make(tree.ward_a, body=B.PARTY_COMMITTEE)
    make(tree.cell_a1, status=S.CONCLUDED, conclusion="violation", follow_up_due=dt.date(2026, 1, 1))
    make(tree.cell_a1)
    make(tree.cell_a2, status=S.IN_PROGRESS)
    make(tree.cell_b1)
    response = client_for("standing").get(reverse("inspections:org-inspections", args=[tree.ward_a.pk]))
    rows = {row["org"].pk: row for row in response.context["rows"]}
    assert rows[tree.ward_a.pk]["total"] == 1
    assert {k: rows[tree.cell_a1.pk][k] for k in ("total", "planned", "concluded", "faults", "overdue")} == {
        "total": 2,
        "planned": 1,
        "concluded": 1,
        "faults": 1,
        "overdue": 1,
    }
    assert rows[tree.cell_a2.pk]["in_progress"] == 1
    assert response.context["can_create"]


@pytest.mark.parametrize("size", [1, 7])
def test_the_list_runs_a_fixed_number_of_queries(client_for, people, tree, django_assert_num_queries, size) -> None:
    for n in range(size):
        make(
            tree.cell_a1,
            member=MemberFactory.create(cell=tree.cell_a1),
            status=S.CONCLUDED,
            follow_up_due=dt.date(2026, 1, n + 1),
        )
        make(tree.ward_a, body=B.INSPECTION_COMMITTEE)
    client = client_for("standing")
    # session, user, roles with own member record, the count for the pages, the inspections with their organisations
    # and members; the bell's unread count
    with django_assert_num_queries(6):
        response = client.get(reverse("inspections:inspection-list"))
    assert len(response.context["page"]) == 2 * size


@pytest.mark.parametrize("size", [1, 7])
def test_the_ward_overview_runs_a_fixed_number_of_queries(client_for, tree, django_assert_num_queries, size) -> None:
    for _n in range(size):
        make(tree.cell_a1, status=S.CONCLUDED)
        make(tree.cell_a2, tree.ward_a, body=B.INSPECTION_COMMITTEE)
    client = client_for("standing")
    # session, user, roles with own member record, the ward, its children, the counts, its ancestors (who may plan),
    # the count for the pages, the inspections; the bell's unread count
    with django_assert_num_queries(10):
        response = client.get(reverse("inspections:org-inspections", args=[tree.ward_a.pk]))
    assert len(response.context["page"]) == 2 * size


def test_starting_is_a_post(client_for, tree) -> None:
    inspection = make(tree.cell_a1)
    assert client_for("secretary").get(reverse("inspections:inspection-start", args=[inspection.pk])).status_code == 405
    inspection.refresh_from_db()
    assert inspection.status == S.PLANNED
