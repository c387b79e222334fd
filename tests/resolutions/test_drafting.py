"""The secretary's side: drafting, assignments with warnings, concurrent edits, the workflow, the vote,
amendments, dissemination and public opinion."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from meetings.models import Attendance, Meeting, Vote
from meetings.services import plan_meeting, set_attendance, sync_attendance
from members.models import AwayPeriod, Exemption, MassOrganisation, Member, today
from resolutions.models import Dissemination, PublicOpinion, Resolution, StatusChange, Target, Task, Version
from resolutions.services import create_resolution, start_from_last_period, take_step
from tests.factories import MemberFactory
from tests.resolutions.pages import same_page


def month_start() -> dt.date:
    """The first day of the pinned month."""
    return today().replace(day=1)


def month_end() -> dt.date:
    return month_start() + dt.timedelta(days=27)


@pytest.fixture
def cell(tree):
    return tree.cell_a1


@pytest.fixture
def draft(cell, people) -> Resolution:
    return create_resolution(
        cell=cell,
        by=people["secretary"],
        kind="monthly",
        period_start=month_start(),
        period_end=month_end(),
        title="Vệ sinh môi trường",
    )


@pytest.fixture
def leads(cell) -> list[Member]:
    return [
        MemberFactory.create(cell=cell, full_name=name) for name in ("Lê Văn An", "Trần Thị Bích", "Phạm Văn Cường")
    ]


def edit_data(
    resolution: Resolution,
    *,
    tasks: Sequence[dict[str, Any]] = (),
    targets: Sequence[dict[str, Any]] = (),
    **fields: Any,
) -> dict[str, Any]:
    """The POST of the edit page: the resolution's fields and new rows in both formsets."""
    data: dict[str, Any] = {
        "kind": resolution.kind,
        "period_start": resolution.period_start.strftime("%d/%m/%Y"),
        "period_end": resolution.period_end.strftime("%d/%m/%Y"),
        "number": resolution.number,
        "title": resolution.title,
        "assessment": "",
        "focal_tasks": "",
        "solutions": "",
        "implementation": "",
        "lock_version": resolution.lock_version,
        "save": "1",
        **fields,
    }
    existing_tasks = list(resolution.tasks.exclude(status="cancelled"))
    existing_targets = list(resolution.targets.all())
    for prefix, rows, existing in (("tasks", tasks, existing_tasks), ("targets", targets, existing_targets)):
        data[f"{prefix}-TOTAL_FORMS"] = len(existing) + len(rows)
        data[f"{prefix}-INITIAL_FORMS"] = len(existing)
        data[f"{prefix}-MIN_NUM_FORMS"] = 0
        data[f"{prefix}-MAX_NUM_FORMS"] = 1000
        for i, obj in enumerate(existing):
            data[f"{prefix}-{i}-id"] = obj.pk
            if prefix == "tasks":
                row = {
                    "title": obj.title,
                    "deadline": obj.deadline.strftime("%d/%m/%Y"),
                    "lead_kind": obj.lead_kind,
                    "lead_member": obj.lead_member_id or "",
                    "lead_mass_organisation": obj.lead_mass_organisation_id or "",
                }
                if obj.supporters.exists():
                    row["supporters"] = [m.pk for m in obj.supporters.all()]
            else:
                row = {"name": obj.name, "unit": obj.unit, "target_value": obj.target_value}
            for key, value in row.items():
                data[f"{prefix}-{i}-{key}"] = value
        for j, row in enumerate(rows, start=len(existing)):
            for key, value in row.items():
                data[f"{prefix}-{j}-{key}"] = value
    return data


def task_row(title: str, lead: Member, **extra: Any) -> dict[str, Any]:
    return {
        "title": title,
        "deadline": month_end().strftime("%d/%m/%Y"),
        "lead_kind": "member",
        "lead_member": lead.pk,
        **extra,
    }


THREE_TARGETS = [
    {"name": "Hộ ký cam kết", "unit": "%", "target_value": "100"},
    {"name": "Thu quỹ", "unit": "%", "target_value": "90"},
]


def test_secretary_creates_a_numbered_draft(client_for, cell) -> None:
    url = reverse("resolutions:resolution-create", args=[cell.pk])
    data = {
        "kind": "monthly",
        "period_start": month_start().strftime("%d/%m/%Y"),
        "period_end": month_end().strftime("%d/%m/%Y"),
        "title": "Thu quỹ",
    }
    response = client_for("secretary").post(url, data)
    resolution = Resolution.objects.get(cell=cell)
    assert response.status_code == 302
    assert response["Location"] == reverse("resolutions:resolution-edit", args=[resolution.pk])
    assert (resolution.number, resolution.status, resolution.seq) == ("01-NQ/CB", "draft", 1)
    second = create_resolution(
        cell=cell, by=None, kind="thematic", period_start=month_start(), period_end=month_end(), title="Chuyên đề"
    )
    assert second.number == "02-NQ/CB"


def test_a_draft_with_three_tasks_and_two_targets(client_for, draft, leads) -> None:
    tasks = [task_row(f"Việc {i}", lead, is_focal="on" if i == 1 else "") for i, lead in enumerate(leads, start=1)]
    tasks[0]["supporters"] = [leads[1].pk]
    data = edit_data(draft, tasks=tasks, targets=THREE_TARGETS, assessment="Tháng qua <b>tốt</b>.")
    response = client_for("secretary").post(reverse("resolutions:resolution-edit", args=[draft.pk]), data)
    assert response.status_code == 302, response.context and [
        response.context["form"].errors,
        response.context["tasks"].errors,
    ]
    assert draft.tasks.count() == 3
    assert draft.targets.count() == 2
    first = draft.tasks.get(title="Việc 1")
    assert first.is_focal
    assert list(first.supporters.all()) == [leads[1]]
    draft.refresh_from_db()
    assert draft.assessment == "Tháng qua <b>tốt</b>."
    assert draft.lock_version == 1


@pytest.mark.parametrize(
    ("make", "leads_it", "warned"),
    [
        ("away", True, True),
        ("away", False, True),  # away members are warned as supporters too
        ("exempt", True, True),
        ("probationary", True, True),
        ("probationary", False, False),  # a probationary member may support
        ("official", True, False),
    ],
)
def test_poor_assignments_warn_and_need_confirming(client_for, draft, cell, leads, make, leads_it, warned) -> None:
    member = MemberFactory.create(cell=cell, full_name="Võ Thị Xa")
    if make == "away":
        AwayPeriod.objects.create(member=member, starts_on=today() - dt.timedelta(days=40), place="Bình Dương")
    elif make == "exempt":
        Exemption.objects.create(member=member, starts_on=today() - dt.timedelta(days=40), reason="Tuổi cao")
    elif make == "probationary":
        member.official_on = None
        member.save()
    row = task_row("Đi vận động", member) if leads_it else task_row("Đi vận động", leads[0], supporters=[member.pk])
    client = client_for("secretary")
    url = reverse("resolutions:resolution-edit", args=[draft.pk])
    response = client.post(url, edit_data(draft, tasks=[row]))
    if not warned:
        assert response.status_code == 302
        assert draft.tasks.count() == 1
        return
    assert response.status_code == 200
    assert any("Võ Thị Xa" in w for w in response.context["warnings"])
    assert draft.tasks.count() == 0
    response = client.post(url, edit_data(draft, tasks=[row], confirm_warnings="1"))
    assert response.status_code == 302
    assert draft.tasks.count() == 1


def test_a_member_without_a_lead_is_refused(client_for, draft) -> None:
    row = {"title": "Việc không người làm", "deadline": month_end().strftime("%d/%m/%Y"), "lead_kind": "member"}
    response = client_for("secretary").post(
        reverse("resolutions:resolution-edit", args=[draft.pk]), edit_data(draft, tasks=[row])
    )
    assert response.status_code == 200
    assert "lead_member" in response.context["tasks"].forms[0].errors
    assert not draft.tasks.exists()


def test_adding_a_row_with_a_tampered_row_count_shows_the_page_again(client_for, draft) -> None:
    data = edit_data(draft, add_task="1")
    data["tasks-TOTAL_FORMS"] = "many"
    response = client_for("secretary").post(reverse("resolutions:resolution-edit", args=[draft.pk]), data)
    assert response.status_code == 200
    assert not draft.tasks.exists()


def test_a_mass_organisation_can_lead(client_for, draft, cell) -> None:
    women = MassOrganisation.objects.create(cell=cell, kind="women", name="Hội Phụ nữ")
    row = {
        "title": "Ra quân dọn vệ sinh",
        "deadline": month_end().strftime("%d/%m/%Y"),
        "lead_kind": "mass_org",
        "lead_mass_organisation": women.pk,
    }
    client_for("secretary").post(reverse("resolutions:resolution-edit", args=[draft.pk]), edit_data(draft, tasks=[row]))
    assert draft.tasks.get().lead_label() == "Hội Phụ nữ"


def test_the_second_of_two_concurrent_edits_is_refused_and_kept_on_the_form(client_for, draft) -> None:
    first, second = client_for("secretary"), client_for("deputy")
    url = reverse("resolutions:resolution-edit", args=[draft.pk])
    stale = edit_data(draft, assessment="Bản của phó bí thư")
    assert first.post(url, edit_data(draft, assessment="Bản của bí thư")).status_code == 302
    response = second.post(url, stale)
    assert response.status_code == 200
    assert "Người khác đã lưu nghị quyết này" in str(response.context["form"].non_field_errors())
    assert "Bản của phó bí thư" in response.content.decode()
    draft.refresh_from_db()
    assert "Bản của bí thư" in draft.assessment


def _ready(draft: Resolution, leads: list[Member], by) -> Resolution:
    for i, lead in enumerate(leads):
        Task.objects.create(resolution=draft, title=f"Việc {i}", deadline=month_end(), lead_member=lead)
    return take_step(resolution=draft, step_name="submit", by=by)


def test_submitting_needs_a_task(client_for, draft) -> None:
    client_for("secretary").post(reverse("resolutions:resolution-step", args=[draft.pk, "submit"]))
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_each_step_is_recorded_with_who(client_for, draft, leads, people) -> None:
    Task.objects.create(resolution=draft, title="Việc", deadline=month_end(), lead_member=leads[0])
    client_for("deputy").post(reverse("resolutions:resolution-step", args=[draft.pk, "submit"]))
    draft.refresh_from_db()
    assert draft.status == "submitted"
    change = StatusChange.objects.get(resolution=draft)
    assert (change.from_status, change.to_status, change.by) == ("draft", "submitted", people["deputy"])


@pytest.mark.parametrize("role", ["committee", "member", "standing", "in_charge"])
def test_only_the_secretaries_take_steps(client_for, draft, leads, role) -> None:
    Task.objects.create(resolution=draft, title="Việc", deadline=month_end(), lead_member=leads[0])
    response = client_for(role).post(reverse("resolutions:resolution-step", args=[draft.pk, "submit"]))
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"


@pytest.fixture
def meeting(cell, people) -> Meeting:
    """This morning's meeting, its attendance taken: everyone came."""
    meeting = plan_meeting(
        cell=cell,
        by=people["secretary"],
        kind="regular",
        date=today(),
        starts_at=dt.time(7, 30),
        ends_at=dt.time(9, 30),
        place="Nhà văn hóa",
    )
    set_attendance(meeting=meeting, changes={})
    return meeting


def vote_data(meeting: Meeting, **numbers: Any) -> dict[str, Any]:
    return {"meeting": meeting.pk, "votes_against": 0, "votes_abstain": 0, **numbers}


def test_a_vote_below_the_rule_does_not_adopt(client_for, draft, leads, people, cell, meeting) -> None:
    _ready(draft, leads, people["secretary"])
    official = Member.objects.filter(cell=cell).official_on(today()).count()
    half = official // 2
    response = client_for("secretary").post(
        reverse("meetings:resolution-vote", args=[draft.pk]), vote_data(meeting, votes_for=half)
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    vote = Vote.objects.get(resolution=draft)
    assert draft.status == "submitted"
    assert not vote.adopted
    assert vote.entitled_count == official
    assert f"{half} phiếu tán thành / {official} đảng viên chính thức" in vote.explanation
    assert "chưa quá nửa" in vote.explanation
    assert not Version.objects.filter(resolution=draft).exists()


def test_a_vote_that_meets_the_rule_adopts_and_keeps_version_one(
    client_for, draft, leads, people, cell, meeting
) -> None:
    _ready(draft, leads, people["secretary"])
    official = Member.objects.filter(cell=cell).official_on(today()).count()
    response = client_for("secretary").post(
        reverse("meetings:resolution-vote", args=[draft.pk]),
        vote_data(meeting, votes_for=official // 2 + 1, dissent="Đ/c An: đề nghị lùi hạn"),
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "adopted"
    assert draft.adopted_on == today()
    assert Version.objects.get(resolution=draft).number == 1
    assert Vote.objects.get(resolution=draft).dissent == "Đ/c An: đề nghị lùi hạn"


def test_absent_with_reason_and_exempt_members_change_the_base(client_for, draft, leads, people, cell, meeting) -> None:
    _ready(draft, leads, people["secretary"])
    exempt = MemberFactory.create(cell=cell)
    Exemption.objects.create(member=exempt, starts_on=today() - dt.timedelta(days=100), reason="Tuổi cao")
    MemberFactory.create(
        cell=cell, official_on=None, admitted_on=today() - dt.timedelta(days=30)
    )  # probationary: no vote
    sync_attendance(meeting)  # they joined the roll after it was called
    official = Member.objects.filter(cell=cell).official_on(today()).count()
    absent = leads[:2]
    # The attendance, not the vote form, says who was excused.
    set_attendance(meeting=meeting, changes={m.pk: (Attendance.Status.ABSENT_WITH_REASON, "Ốm") for m in absent})
    entitled = official - 1 - len(absent)  # the exempt member is absent, two are excused
    data = vote_data(meeting, votes_for=entitled // 2 + 1)
    client_for("secretary").post(reverse("meetings:resolution-vote", args=[draft.pk]), data)
    vote = Vote.objects.get(resolution=draft)
    assert vote.entitled_count == entitled
    assert vote.adopted
    assert vote.excluded == {"exempt_absent": [exempt.pk], "absent_with_reason": sorted(m.pk for m in absent)}


def test_more_votes_than_voters_are_refused_and_nothing_is_written(
    client_for, draft, leads, people, cell, meeting
) -> None:
    _ready(draft, leads, people["secretary"])
    official = Member.objects.filter(cell=cell).official_on(today()).count()
    response = client_for("secretary").post(
        reverse("meetings:resolution-vote", args=[draft.pk]), vote_data(meeting, votes_for=official, votes_against=1)
    )
    assert response.status_code == 200
    assert "có quyền biểu quyết" in str(response.context["form"].non_field_errors())
    assert not Vote.objects.exists()
    draft.refresh_from_db()
    assert draft.status == "submitted"


@pytest.fixture
def adopted(client_for, draft, leads, people, cell, meeting) -> Resolution:
    _ready(draft, leads, people["secretary"])
    Target.objects.create(resolution=draft, name="Thu quỹ", unit="%", target_value=90)
    official = Member.objects.filter(cell=cell).official_on(today()).count()
    client_for("secretary").post(
        reverse("meetings:resolution-vote", args=[draft.pk]), vote_data(meeting, votes_for=official)
    )
    draft.refresh_from_db()
    assert draft.status == "adopted"
    return draft


def test_an_amendment_needs_a_reason_and_makes_a_version(client_for, adopted, leads, cell) -> None:
    client = client_for("secretary")
    url = reverse("resolutions:resolution-edit", args=[adopted.pk])
    new_task = task_row("Phun thuốc diệt muỗi", leads[2])
    response = client.post(url, edit_data(adopted, tasks=[new_task]))
    assert response.status_code == 200
    assert "reason" in response.context["amendment"].errors
    assert adopted.tasks.count() == 3
    opinion = PublicOpinion.objects.create(cell=cell, received_on=today(), source="Tổ 3", content="Nhiều muỗi")
    response = client.post(url, edit_data(adopted, tasks=[new_task], reason="Dịch sốt xuất huyết", opinion=opinion.pk))
    assert response.status_code == 302
    adopted.refresh_from_db()
    assert adopted.version == 2
    assert adopted.tasks.count() == 4
    version = Version.objects.get(resolution=adopted, number=2)
    assert (version.reason, version.opinion) == ("Dịch sốt xuất huyết", opinion)
    diff = client.get(reverse("resolutions:version-diff", args=[adopted.pk, 2]))
    assert ("added", "- Phun thuốc diệt muỗi — Phạm Văn Cường — " + month_end().strftime("%d/%m/%Y")) in diff.context[
        "lines"
    ]


def test_removing_a_task_from_an_adopted_resolution_cancels_it(client_for, adopted) -> None:
    data = edit_data(adopted, reason="Không còn phù hợp")
    data["tasks-0-DELETE"] = "on"
    client_for("secretary").post(reverse("resolutions:resolution-edit", args=[adopted.pk]), data)
    assert adopted.tasks.filter(status="cancelled").count() == 1
    assert adopted.tasks.count() == 3


def test_start_from_last_period_copies_unfinished_tasks_and_targets(adopted, people, cell) -> None:
    done, open_one, _ = adopted.tasks.all()
    done.status = "done"
    done.save()
    nxt = (month_end() + dt.timedelta(days=5)).replace(day=1)
    new = start_from_last_period(
        cell=cell,
        kind="monthly",
        period_start=nxt,
        period_end=nxt + dt.timedelta(days=27),
        title="Tháng sau",
        by=people["secretary"],
    )
    assert new.previous == adopted
    assert sorted(new.tasks.values_list("title", flat=True)) == sorted(
        t.title for t in adopted.tasks.exclude(pk=done.pk)
    )
    assert new.tasks.get(title=open_one.title).carried_from == open_one
    assert list(new.targets.values_list("name", flat=True)) == ["Thu quỹ"]
    # One run of numbers per cell and year: the next in the same year, the first of the next year in December.
    assert new.number == ("02-NQ/CB" if nxt.year == adopted.year else "01-NQ/CB")


def test_dissemination_is_recorded_after_adoption(client_for, adopted, cell) -> None:
    url = reverse("resolutions:dissemination-create", args=[adopted.pk])
    client = client_for("secretary")
    bad = client.post(url, {"held_on": today().strftime("%d/%m/%Y"), "audience": "mass_org", "people_reached": 30})
    assert bad.status_code == 200
    assert "mass_organisation" in bad.context["form"].errors
    women = MassOrganisation.objects.create(cell=cell, kind="women", name="Hội Phụ nữ")
    data = {
        "held_on": today().strftime("%d/%m/%Y"),
        "audience": "mass_org",
        "mass_organisation": women.pk,
        "people_reached": 30,
    }
    assert client.post(url, data).status_code == 302
    assert Dissemination.objects.get(resolution=adopted).people_reached == 30


def test_public_opinion_log(client_for, cell) -> None:
    url = reverse("resolutions:opinion-list", args=[cell.pk])
    data = {"received_on": today().strftime("%d/%m/%Y"), "source": "Tổ tự quản số 2", "content": "Đường ngập nước"}
    assert client_for("member").post(url, data).status_code == 403
    assert client_for("secretary").post(url, data).status_code == 302
    assert client_for("member").get(url).context["page"][0].content == "Đường ngập nước"


@pytest.mark.parametrize(
    ("role", "status"),
    [("member", 200), ("standing", 200), ("in_charge", 200), ("other_secretary", 404), ("nobody", 404)],
)
def test_who_reads_a_resolution(client_for, draft, role, status) -> None:
    assert client_for(role).get(reverse("resolutions:resolution-detail", args=[draft.pk])).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("secretary", 200), ("deputy", 200), ("committee", 403), ("member", 403), ("other_secretary", 404)],
)
def test_who_edits_a_draft(client_for, draft, role, status) -> None:
    assert client_for(role).get(reverse("resolutions:resolution-edit", args=[draft.pk])).status_code == status


@pytest.mark.parametrize("n", [2, 12])
def test_the_resolution_page_has_a_fixed_query_count(client_for, draft, cell, django_assert_num_queries, n) -> None:
    for i in range(n):
        task = Task.objects.create(
            resolution=draft, title=f"Việc {i}", deadline=month_end(), lead_member=MemberFactory.create(cell=cell)
        )
        task.supporters.set([MemberFactory.create(cell=cell)])
    client = client_for("member")
    url = reverse("resolutions:resolution-detail", args=[draft.pk])
    # session, user, roles with member; the tokens of the organisations it shows; resolution; tasks, supporters;
    # targets, votes, versions, disseminations, status changes, upper resolutions; the bell's unread count
    with django_assert_num_queries(14):
        first = client.get(url)
    assert first.status_code == 200
    # Again: from the cache, with the same tokens.
    with django_assert_num_queries(6):
        again = client.get(url)
    assert same_page(first, again)


@pytest.mark.parametrize("n", [1, 6])
def test_the_resolution_list_has_a_fixed_query_count(client_for, cell, people, django_assert_num_queries, n) -> None:
    for i in range(n):
        r = create_resolution(
            cell=cell, by=None, kind="monthly", period_start=month_start(), period_end=month_end(), title=f"NQ {i}"
        )
        Task.objects.create(
            resolution=r, title="Việc", deadline=month_end(), lead_member=MemberFactory.create(cell=cell)
        )
    client = client_for("secretary")
    # session, user, roles with member; the cell; count, page; tasks for progress; the bell's unread count
    with django_assert_num_queries(8):
        assert client.get(reverse("resolutions:resolution-list", args=[cell.pk])).status_code == 200


@pytest.mark.parametrize("n", [1, 8])
def test_the_edit_page_has_a_fixed_query_count(client_for, draft, cell, django_assert_num_queries, n) -> None:
    for i in range(n):
        Task.objects.create(
            resolution=draft, title=f"Việc {i}", deadline=month_end(), lead_member=MemberFactory.create(cell=cell)
        )
    client = client_for("secretary")
    url = reverse("resolutions:resolution-edit", args=[draft.pk])
    with django_assert_num_queries(_edit_page_queries()):
        first = client.get(url)
    assert first.status_code == 200
    # Again: the form from the cache. session, user, roles with member; tokens; resolution; upper resolutions; the bell
    with django_assert_num_queries(7):
        again = client.get(url)
    assert same_page(first, again)


def _edit_page_queries() -> int:
    # session, user, roles with member; the tokens of the cells it shows; resolution; upper resolutions; members
    # with flags, open load (led, supported), committee roles, committee members, mass organisations; targets;
    # tasks, their supporters; the bell's unread count
    return 16


def test_the_new_draft_form_proposes_a_period(client_for, cell) -> None:
    form = client_for("secretary").get(reverse("resolutions:resolution-create", args=[cell.pk])).context["form"]
    start, end = form.initial["period_start"], form.initial["period_end"]
    assert start.day == 1
    assert end.month == start.month
    assert (end + dt.timedelta(days=1)).day == 1


def test_upper_level_resolutions_come_from_the_cells_ancestors(client_for, draft, tree) -> None:
    def adopted_of(org, title):
        r = create_resolution(
            cell=org, by=None, kind="yearly", period_start=month_start(), period_end=month_end(), title=title
        )
        Resolution.objects.filter(pk=r.pk).update(status="adopted")
        return r

    ward = adopted_of(tree.ward_a, "Nghị quyết Đảng bộ phường")
    city = adopted_of(tree.city, "Nghị quyết Thành ủy")
    adopted_of(tree.ward_b, "Nghị quyết phường khác")
    client = client_for("secretary")
    url = reverse("resolutions:resolution-edit", args=[draft.pk])
    choices = client.get(url).context["form"].fields["upper_resolutions"].choices
    assert {pk for pk, _ in choices} == {ward.pk, city.pk}
    client.post(url, {**edit_data(draft), "upper_resolutions": [ward.pk]})
    assert list(draft.upper_resolutions.all()) == [ward]


# --- lead and follower differ ------------------------------------------------------------------------


def test_a_task_whose_lead_also_follows_it_is_refused_on_its_row(client_for, draft, people) -> None:
    committee = Member.objects.get(user=people["committee"])
    rows = [task_row("Thu gom rác", committee, follower=committee.pk)]
    response = client_for("secretary").post(
        reverse("resolutions:resolution-edit", args=[draft.pk]),
        edit_data(draft, tasks=rows),
        headers={"accept-language": "vi"},
    )
    assert response.status_code == 200
    errors = response.context["tasks"].forms[0].errors
    assert errors["follower"] == [
        "Người chủ trì nhiệm vụ không thể đồng thời là người theo dõi: đề nghị chọn một đồng chí cấp ủy khác theo dõi."
    ]
    assert "đồng thời là người theo dõi" in response.content.decode()
    assert not draft.tasks.exists()
    # Another committee member follows it: saved.
    secretary = Member.objects.get(user=people["secretary"])
    rows = [task_row("Thu gom rác", committee, follower=secretary.pk)]
    client_for("secretary").post(reverse("resolutions:resolution-edit", args=[draft.pk]), edit_data(draft, tasks=rows))
    assert draft.tasks.get().follower == secretary


def test_a_committee_led_task_may_be_followed_by_anyone_of_the_committee(draft, people) -> None:
    committee = Member.objects.get(user=people["committee"])
    task = Task(resolution=draft, title="Họp tổ", deadline=month_end(), lead_kind="committee", follower=committee)
    task.full_clean()  # no error


def test_every_path_that_writes_a_task_refuses_a_lead_who_follows_it(draft, people) -> None:
    """The model's validation (the admin's forms, an import) and the database itself refuse it."""
    committee = Member.objects.get(user=people["committee"])
    task = Task(resolution=draft, title="Thu quỹ", deadline=month_end(), lead_member=committee, follower=committee)
    with pytest.raises(ValidationError) as refused:
        task.full_clean()
    assert "follower" in refused.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        task.save()
    assert not draft.tasks.exists()


def _options(html: str, select_id: str) -> list[str]:
    """The values of the options a select of the page holds as sent (before any script)."""
    start = html.index(f'id="{select_id}"')
    body = html[html.index(">", start) : html.index("</select>", start)]
    return [part.split('"')[1] for part in body.split("<option value=")[1:]]


def test_the_rows_share_one_list_of_the_members_and_a_page_without_script_has_them_in_full(
    client_for, draft, leads, cell
) -> None:
    tasks = [task_row("Việc 1", leads[0]), task_row("Việc 2", leads[1])]
    tasks[0]["supporters"] = [leads[2].pk]
    saved = client_for("secretary").post(
        reverse("resolutions:resolution-edit", args=[draft.pk]), edit_data(draft, tasks=tasks)
    )
    assert saved.status_code == 302
    url = reverse("resolutions:resolution-edit", args=[draft.pk])
    members = [
        str(pk)
        for pk in Member.objects.filter(cell=cell).active().order_by("search_name", "pk").values_list("pk", flat=True)
    ]

    page = client_for("secretary").get(url).content.decode()
    # Every member once, in the list the rows share; each row holds its blank and chosen ones.
    assert page.count('<template id="task-members">') == 1
    shared = page[
        page.index('<template id="task-members">') : page.index("</template>", page.index('id="task-members"'))
    ]
    assert [part.split('"')[1] for part in shared.split("<option value=")[1:]] == members
    assert _options(page, "id_tasks-0-lead_member") == ["", str(leads[0].pk)]
    assert _options(page, "id_tasks-0-supporters") == [str(leads[2].pk)]
    assert _options(page, "id_tasks-1-supporters") == []
    assert 'data-options="task-members"' in page
    assert 'href="?members=all"' in page  # the way on without script (inside <noscript>)

    full = client_for("secretary").get(url, {"members": "all"}).content.decode()
    assert "task-members" not in full
    assert _options(full, "id_tasks-0-lead_member") == ["", *members]
    assert _options(full, "id_tasks-1-supporters") == members
    # Posted from there, a page shown again (a refused row) keeps the lists in full.
    refused = edit_data(draft, tasks=[task_row("", leads[0])])
    again = client_for("secretary").post(f"{url}?members=all", refused)
    assert again.status_code == 200
    assert _options(again.content.decode(), "id_tasks-0-lead_member") == ["", *members]
