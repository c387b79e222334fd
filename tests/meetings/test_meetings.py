"""The monthly meeting: planning, attendance defaults and exceptions, absence requests, the frozen review,
the vote from the meeting's attendance, and minutes that lock."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from meetings.models import AbsenceRequest, Attendance, Meeting, MonthlyReview, Vote
from meetings.services import plan_meeting, request_absence, save_review, set_attendance
from members.models import AwayPeriod, Exemption, Member, today
from resolutions.models import Resolution, Task
from resolutions.services import create_resolution, take_step
from tests.factories import MemberFactory

A = Attendance.Status
# The times a meeting actually opened and closed, posted when it is marked held.
HELD_TIMES = {"opened_at": "19:30", "closed_at": "21:15"}


@pytest.fixture
def cell(tree):
    return tree.cell_a1


@pytest.fixture
def meeting(cell, people) -> Meeting:
    return plan_meeting(
        cell=cell,
        by=people["secretary"],
        kind="regular",
        date=today(),
        starts_at=dt.time(19, 30),
        ends_at=dt.time(21, 30),
        place="Nhà văn hóa khu phố 1",
    )


def statuses(meeting: Meeting) -> dict[int, str]:
    return dict(meeting.attendance.values_list("member_id", "status"))


def test_planning_gives_the_official_agenda_and_defaults_attendance_from_status(cell, people) -> None:
    exempt = MemberFactory.create(cell=cell)
    Exemption.objects.create(member=exempt, starts_on=today() - dt.timedelta(days=90), reason="Tuổi cao")
    away = MemberFactory.create(cell=cell)
    AwayPeriod.objects.create(member=away, starts_on=today() - dt.timedelta(days=90), place="TP. Hồ Chí Minh")
    gone = MemberFactory.create(cell=cell, management_status="left", left_on=today() - dt.timedelta(days=5))
    meeting = plan_meeting(
        cell=cell,
        by=None,
        kind="regular",
        date=today(),
        starts_at=dt.time(19),
        ends_at=dt.time(21),
        place="Nhà văn hóa",
    )
    assert meeting.agenda_items.count() == 7
    opening = meeting.agenda_items.first()
    assert opening is not None
    assert opening.title.startswith("Khai mạc")
    got = statuses(meeting)
    assert got[exempt.pk] == A.EXEMPT
    assert got[away.pk] == A.AWAY
    assert gone.pk not in got
    assert {s for pk, s in got.items() if pk not in (exempt.pk, away.pk)} == {A.PRESENT}


def test_a_short_regular_meeting_warns_and_needs_confirming(client_for, cell) -> None:
    url = reverse("meetings:meeting-create", args=[cell.pk])
    data = {
        "kind": "regular",
        "date": today().strftime("%d/%m/%Y"),
        "starts_at": "19:30",
        "ends_at": "20:30",
        "place": "Nhà văn hóa",
    }
    client = client_for("secretary")
    response = client.post(url, data)
    assert response.status_code == 200
    assert "90" in response.context["warning"]
    assert not Meeting.objects.exists()
    assert client.post(url, {**data, "confirm_warning": "1"}).status_code == 302
    assert Meeting.objects.count() == 1


def test_combined_meetings_need_two_hours(client_for, cell) -> None:
    url = reverse("meetings:meeting-create", args=[cell.pk])
    data = {
        "kind": "regular",
        "combined_with_thematic": "on",
        "date": today().strftime("%d/%m/%Y"),
        "starts_at": "19:00",
        "ends_at": "20:45",
        "place": "Nhà văn hóa",
    }
    assert "120" in client_for("secretary").post(url, data).context["warning"]


def test_the_secretary_marks_two_absences_and_the_counts_follow(client_for, meeting, cell) -> None:
    a, b = MemberFactory.create_batch(2, cell=cell)
    client = client_for("secretary")
    client.get(reverse("meetings:meeting-attendance", args=[meeting.pk]))  # brings a and b onto the roll
    data = {f"status_{pk}": s for pk, s in statuses(meeting).items()}
    data[f"status_{a.pk}"], data[f"reason_{a.pk}"] = A.ABSENT_WITH_REASON, "Ốm"
    data[f"status_{b.pk}"] = A.ABSENT_WITHOUT_REASON
    response = client.post(reverse("meetings:meeting-attendance", args=[meeting.pk]), data)
    assert response.status_code == 302
    detail = client.get(reverse("meetings:meeting-detail", args=[meeting.pk]))
    roll = detail.context["roll"]
    assert roll.counts.absent_with_reason == 1
    assert roll.counts.absent_without_reason == 1
    assert [r.member for r in roll.absent_with_reason] == [a]
    assert [r.member for r in roll.absent_without_reason] == [b]
    assert a.full_name in detail.content.decode()
    meeting.refresh_from_db()
    assert (meeting.attended_count, meeting.expected_count) == (roll.counts.attended, roll.counts.expected)


def test_absent_with_reason_needs_the_reason_and_writes_nothing(client_for, meeting, cell) -> None:
    member = MemberFactory.create(cell=cell)
    client = client_for("secretary")
    client.get(reverse("meetings:meeting-attendance", args=[meeting.pk]))
    version = Meeting.objects.get(pk=meeting.pk).version
    data = {f"status_{pk}": s for pk, s in statuses(meeting).items()}
    data[f"status_{member.pk}"] = A.ABSENT_WITH_REASON
    response = client.post(reverse("meetings:meeting-attendance", args=[meeting.pk]), data)
    assert response.status_code == 200
    assert member.full_name in str(response.context["form"].non_field_errors())
    assert statuses(meeting)[member.pk] == A.PRESENT
    assert Meeting.objects.get(pk=meeting.pk).version == version


def test_an_approved_absence_request_becomes_absent_with_reason(client_for, people, meeting) -> None:
    member = people["member"].member
    response = client_for("member").post(
        reverse("meetings:absence-request", args=[meeting.pk]), {"reason": "Đi công tác"}
    )
    assert response.status_code == 302
    request = AbsenceRequest.objects.get(meeting=meeting, member=member)
    assert request.status == "pending"
    decide = reverse("meetings:absence-decide", args=[request.pk])
    assert client_for("member").post(decide, {"decision": "approve"}).status_code == 403
    client_for("secretary").post(decide, {"decision": "approve"})
    row = meeting.attendance.get(member=member)
    assert (row.status, row.reason) == (A.ABSENT_WITH_REASON, "Đi công tác")
    meeting.refresh_from_db()
    assert meeting.attended_count == meeting.attendance.filter(status__in=Attendance.ATTENDED).count()


def test_refusing_a_request_needs_a_reason(client_for, people, meeting) -> None:
    request = request_absence(meeting=meeting, member=people["member"].member, reason="Bận việc nhà")
    decide = reverse("meetings:absence-decide", args=[request.pk])
    client = client_for("secretary")
    client.post(decide, {"decision": "refuse"})
    request.refresh_from_db()
    assert request.status == "pending"
    client.post(decide, {"decision": "refuse", "reason": "Họp quan trọng, đề nghị có mặt"})
    request.refresh_from_db()
    assert request.status == "refused"
    assert meeting.attendance.get(member=people["member"].member).status == A.PRESENT


def test_only_members_of_the_cell_ask_to_be_excused(client_for, meeting) -> None:
    url = reverse("meetings:absence-request", args=[meeting.pk])
    assert client_for("standing").post(url, {"reason": "x"}).status_code == 403
    assert client_for("other_secretary").post(url, {"reason": "x"}).status_code == 404


@pytest.fixture
def live_resolution(cell, people) -> Resolution:
    resolution = create_resolution(
        cell=cell,
        by=None,
        kind="monthly",
        period_start=today().replace(day=1),
        period_end=today() + dt.timedelta(days=20),
        title="Tháng này",
    )
    lead = MemberFactory.create(cell=cell)
    Task.objects.create(
        resolution=resolution, title="Dọn vệ sinh", deadline=today() - dt.timedelta(days=2), lead_member=lead
    )
    Task.objects.create(
        resolution=resolution,
        title="Thu quỹ",
        deadline=today() + dt.timedelta(days=5),
        lead_member=lead,
        status="done",
        progress=100,
        completed_on=today(),
    )
    Resolution.objects.filter(pk=resolution.pk).update(status="in_progress")
    resolution.refresh_from_db()
    return resolution


def test_a_past_review_keeps_the_task_statuses_of_its_month(client_for, meeting, live_resolution) -> None:
    client = client_for("secretary")
    url = reverse("meetings:meeting-review", args=[meeting.pk, live_resolution.pk])
    prefill = client.get(url).context["form"].initial["results"]
    assert "1" in prefill  # one done on time, one overdue
    client.post(url, {"results": "Đạt 1/2 nhiệm vụ", "next_programme": "Tiếp tục dọn vệ sinh"})
    review = MonthlyReview.objects.get(meeting=meeting, resolution=live_resolution)
    assert review.snapshot["summary"]["overdue"] == 1
    live_resolution.tasks.update(status="done", progress=100, completed_on=today())
    later = client.get(url)
    by_title = {t["title"]: t for t in later.context["snapshot"]["tasks"]}
    assert by_title["Dọn vệ sinh"]["status"] == "not_started"
    assert by_title["Dọn vệ sinh"]["overdue"] is True
    assert later.context["summary"]["overdue"] == 1


def test_the_vote_at_a_meeting_uses_its_attendance(client_for, meeting, cell, people) -> None:
    resolution = create_resolution(
        cell=cell, by=None, kind="monthly", period_start=today(), period_end=today(), title="NQ"
    )
    Task.objects.create(
        resolution=resolution, title="Việc", deadline=today(), lead_member=MemberFactory.create(cell=cell)
    )
    take_step(resolution=resolution, step_name="submit", by=people["secretary"])
    excused = MemberFactory.create(cell=cell)
    client = client_for("secretary")
    client.get(reverse("meetings:meeting-attendance", args=[meeting.pk]))
    set_attendance(meeting=meeting, changes={excused.pk: (A.ABSENT_WITH_REASON, "Ốm")})
    official = Member.objects.filter(cell=cell).official_on(today()).count()
    url = reverse("meetings:resolution-vote", args=[resolution.pk])
    data = {"meeting": meeting.pk, "votes_for": official - 1, "votes_against": 0, "votes_abstain": 0}
    response = client.post(url, data, follow=True)
    vote = Vote.objects.get(resolution=resolution)
    assert vote.meeting == meeting
    # From the resolution's page, where the vote leads, a link goes back to the meeting.
    assert reverse("meetings:meeting-detail", args=[meeting.pk]) in response.content.decode()
    assert vote.entitled_count == official - 1
    assert vote.excluded == {"absent_with_reason": [excused.pk]}
    page = client.get(reverse("meetings:meeting-detail", args=[meeting.pk])).content.decode()
    assert f'data-vote="{vote.pk}"' in page


@pytest.fixture
def approved(client_for, meeting, people) -> Meeting:
    Meeting.objects.filter(pk=meeting.pk).update(chair=people["secretary"].member, recorder=people["deputy"].member)
    client = client_for("secretary")
    client.post(reverse("meetings:meeting-step", args=[meeting.pk, "held"]), HELD_TIMES)
    client.post(reverse("meetings:meeting-step", args=[meeting.pk, "approve"]))
    meeting.refresh_from_db()
    assert meeting.status == "approved"
    return meeting


def test_approved_minutes_cannot_be_changed_even_by_a_crafted_post(client_for, approved, live_resolution, cell) -> None:
    client = client_for("secretary")
    member = MemberFactory.create(cell=cell)
    before = (approved.version, list(approved.attendance.values_list("member_id", "status")), approved.conclusion)
    posts = [
        (reverse("meetings:meeting-edit", args=[approved.pk]), {"conclusion-conclusion": "Sửa lén"}),
        (
            reverse("meetings:meeting-attendance", args=[approved.pk]),
            {f"status_{member.pk}": A.ABSENT_WITHOUT_REASON},
        ),
        (reverse("meetings:meeting-review", args=[approved.pk, live_resolution.pk]), {"results": "Sửa lén"}),
        (
            reverse("meetings:meeting-speech", args=[approved.pk]),
            {"kind": "speech", "speaker_name": "X", "content": "Sửa lén"},
        ),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code in (302, 403), url
    approved.refresh_from_db()
    after = (approved.version, list(approved.attendance.values_list("member_id", "status")), approved.conclusion)
    assert after == before
    assert not MonthlyReview.objects.exists()
    assert not approved.speeches.exists()


def test_a_correction_reopens_and_is_approved_as_a_new_revision(client_for, approved) -> None:
    client = client_for("secretary")
    step = lambda name: reverse("meetings:meeting-step", args=[approved.pk, name])  # noqa: E731
    client.post(step("correct"), {"note": ""})
    approved.refresh_from_db()
    assert approved.status == "approved"
    client.post(step("correct"), {"note": "Ghi sai tên người phát biểu"})
    approved.refresh_from_db()
    assert approved.status == "held"
    client.post(step("approve"))
    approved.refresh_from_db()
    assert (approved.status, approved.minutes_revision) == ("approved", 2)
    assert approved.history.filter(history_change_reason="Ghi sai tên người phát biểu").exists()


def test_approving_needs_a_chair_and_a_recorder(client_for, meeting) -> None:
    client = client_for("secretary")
    client.post(reverse("meetings:meeting-step", args=[meeting.pk, "held"]), HELD_TIMES)
    client.post(reverse("meetings:meeting-step", args=[meeting.pk, "approve"]))
    meeting.refresh_from_db()
    assert meeting.status == "held"


@pytest.mark.parametrize(
    ("role", "status"), [("member", 200), ("in_charge", 200), ("standing", 200), ("other_secretary", 404)]
)
def test_who_sees_a_meeting(client_for, meeting, role, status) -> None:
    assert client_for(role).get(reverse("meetings:meeting-detail", args=[meeting.pk])).status_code == status


@pytest.mark.parametrize("role", ["member", "committee", "in_charge"])
def test_only_the_secretaries_take_attendance(client_for, meeting, role) -> None:
    assert client_for(role).get(reverse("meetings:meeting-attendance", args=[meeting.pk])).status_code == 403


@pytest.mark.parametrize(("n", "people_named"), [(3, False), (30, False), (3, True)])
def test_the_meeting_page_has_a_fixed_query_count(
    client_for, meeting, cell, people, live_resolution, django_assert_num_queries, n, people_named
) -> None:
    MemberFactory.create_batch(n, cell=cell)
    if people_named:  # the chair, the recorder and the member in charge are read with the meeting
        chair, recorder = Member.objects.filter(cell=cell)[:2]
        Meeting.objects.filter(pk=meeting.pk).update(
            chair=chair, recorder=recorder, guest_in_charge=people["in_charge"]
        )
    client = client_for("secretary")
    client.get(reverse("meetings:meeting-attendance", args=[meeting.pk]))
    url = reverse("meetings:meeting-detail", args=[meeting.pk])
    # session, user, the meeting with its cell's token, roles with member; the user's own absence request (a
    # member of the cell, the meeting planned); then the part: the meeting with its people, attendance roll,
    # requests, reviews, resolutions to review, agenda, to vote, votes, speeches, opinions, the speech form's items
    # and members, the opinion form's resolutions and tasks; the bell's unread count
    with django_assert_num_queries(5 + PART_QUERIES + 1):
        assert client.get(url).status_code == 200
    # The part served from the cache.
    with django_assert_num_queries(5 + 1):
        assert client.get(url).status_code == 200


PART_QUERIES = 14  # what the meeting page's part reads when it is built


@pytest.mark.parametrize("n", [3, 30])
def test_the_attendance_page_has_a_fixed_query_count(client_for, meeting, cell, django_assert_num_queries, n) -> None:
    MemberFactory.create_batch(n, cell=cell)
    client = client_for("secretary")
    url = reverse("meetings:meeting-attendance", args=[meeting.pk])
    client.get(url)  # the new members get their rows: the cell's token is renewed
    # session, user, the meeting with its cell's token, roles with member; the form built: sync: the roll's
    # members without a row (none); rows with members; the bell's unread count
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200
    # The form served from the cache: neither the sync nor the rows.
    with django_assert_num_queries(5):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("n", [1, 5])
def test_the_meeting_list_has_a_fixed_query_count(client_for, cell, people, django_assert_num_queries, n) -> None:
    for i in range(n):
        plan_meeting(
            cell=cell,
            by=None,
            kind="regular",
            date=today() - dt.timedelta(days=30 * i),
            starts_at=dt.time(19),
            place="Nhà văn hóa",
        )
    client = client_for("secretary")
    # session, user, roles with member; the cell; count, page; the cell's figures (attendance, meetings held)
    # and the bell's unread count
    with django_assert_num_queries(9):
        assert client.get(reverse("meetings:meeting-list", args=[cell.pk])).status_code == 200


def test_saving_a_review_refuses_another_cells_resolution(meeting, tree) -> None:
    other = create_resolution(
        cell=tree.cell_b1, by=None, kind="monthly", period_start=today(), period_end=today(), title="Khác"
    )
    from resolutions.services import WorkflowError

    with pytest.raises(WorkflowError):
        save_review(meeting=meeting, resolution=other, texts={"results": "x"})


def test_my_tasks_lists_coming_meetings_with_my_request(client_for, people, meeting) -> None:
    client = client_for("member")
    [shown] = client.get(reverse("resolutions:my-tasks")).context["meetings"]
    assert shown == meeting
    assert shown.request_status is None
    request_absence(meeting=meeting, member=people["member"].member, reason="Đi làm xa")
    [shown] = client.get(reverse("resolutions:my-tasks")).context["meetings"]
    assert shown.request_status == "pending"


def test_a_cell_keeps_its_own_order_of_business(client_for, meeting, cell) -> None:
    items = list(meeting.agenda_items.all())
    data = {
        "meeting-kind": "regular",
        "meeting-date": today().strftime("%d/%m/%Y"),
        "meeting-starts_at": "19:30",
        "meeting-ends_at": "21:30",
        "meeting-place": meeting.place,
        "agenda-TOTAL_FORMS": len(items) + 1,
        "agenda-INITIAL_FORMS": len(items),
        "agenda-MIN_NUM_FORMS": 0,
        "agenda-MAX_NUM_FORMS": 1000,
        "agenda-7-order": 7,
        "agenda-7-title": "Sinh hoạt chuyên đề học tập và làm theo gương Bác",
        "save_as_template": "1",
    }
    for i, item in enumerate(items):
        data.update({f"agenda-{i}-id": item.pk, f"agenda-{i}-order": item.order, f"agenda-{i}-title": item.title})
    response = client_for("secretary").post(reverse("meetings:meeting-edit", args=[meeting.pk]), data)
    assert response.status_code == 302
    later = plan_meeting(cell=cell, by=None, kind="regular", date=today(), starts_at=dt.time(8), place="Hội trường")
    titles = list(later.agenda_items.values_list("title", flat=True))
    assert len(titles) == 8
    assert titles[-1] == "Sinh hoạt chuyên đề học tập và làm theo gương Bác"
