"""A resolution is adopted only by a vote taken at a meeting of its own cell: on the meeting's day or after it,
the meeting not cancelled and its minutes not approved. The meeting's page offers the vote from its day on,
counted on the attendance taken there, and the correction of a mistyped number returns to it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from meetings.models import Attendance, Meeting, Vote
from meetings.rules import vote_meeting_refusal
from meetings.services import cancel_meeting, plan_meeting, record_vote, set_attendance
from members.models import today
from resolutions.models import Resolution, Task
from resolutions.services import WorkflowError, create_resolution, take_step
from tests.factories import MemberFactory

A = Attendance.Status
DAY = dt.date(2026, 11, 18)  # the pinned day

# --- the rule, from its text -------------------------------------------------------------------------------

NO_MEETING = "tại buổi sinh hoạt của chi bộ: đồng chí hãy chọn"
OTHER_CELL = "của chính chi bộ mình"
CANCELLED = "đã bị hủy"
APPROVED = "đã được thông qua và khóa"
BEFORE = "không ghi trước"


@pytest.mark.parametrize(
    ("has_meeting", "same_cell", "meeting_date", "status", "refused"),
    [
        # "at a meeting": none given is refused
        (False, False, None, "", NO_MEETING),
        # "of its own cell"
        (True, False, DAY, "planned", OTHER_CELL),
        # "on the meeting's day or after it": the day itself, a day later, but never the day before
        (True, True, DAY, "planned", ""),
        (True, True, DAY - dt.timedelta(days=1), "held", ""),
        (True, True, DAY - dt.timedelta(days=40), "held", ""),
        (True, True, DAY + dt.timedelta(days=1), "planned", BEFORE),
        # "never at a cancelled meeting", even on its day
        (True, True, DAY, "cancelled", CANCELLED),
        (True, True, DAY - dt.timedelta(days=1), "cancelled", CANCELLED),
        # "not once its minutes are approved"
        (True, True, DAY - dt.timedelta(days=3), "approved", APPROVED),
        # another cell's meeting is refused as such, whatever its state
        (True, False, DAY + dt.timedelta(days=5), "cancelled", OTHER_CELL),
    ],
)
def test_the_vote_meeting_rule(has_meeting, same_cell, meeting_date, status, refused) -> None:
    message = vote_meeting_refusal(
        has_meeting=has_meeting, same_cell=same_cell, meeting_date=meeting_date, status=status, today=DAY
    )
    if refused:
        assert refused in message
    else:
        assert message == ""


def test_the_refusal_before_the_day_names_the_meetings_date() -> None:
    message = vote_meeting_refusal(
        has_meeting=True, same_cell=True, meeting_date=dt.date(2026, 11, 25), status="planned", today=DAY
    )
    assert message == (
        "Buổi sinh hoạt diễn ra ngày 25/11/2026: kết quả biểu quyết được ghi từ ngày đó trở đi, không ghi trước."
    )


# --- the service obeys it ----------------------------------------------------------------------------------


@pytest.fixture
def cell(tree):
    return tree.cell_a1


@pytest.fixture
def voters(cell) -> list:
    return [MemberFactory.create(cell=cell) for _ in range(5)]


def _meeting(cell, people, day: dt.date, starts: dt.time = dt.time(7, 30)) -> Meeting:
    return plan_meeting(
        cell=cell,
        by=people["secretary"],
        kind="regular",
        date=day,
        starts_at=starts,
        ends_at=dt.time(starts.hour + 2, starts.minute),
        place="Nhà văn hóa",
    )


@pytest.fixture
def submitted(cell, people, voters) -> Resolution:
    resolution = create_resolution(
        cell=cell, by=people["secretary"], kind="monthly", period_start=today(), period_end=today(), title="NQ"
    )
    Task.objects.create(resolution=resolution, title="Việc", deadline=today(), lead_member=voters[0])
    take_step(resolution=resolution, step_name="submit", by=people["secretary"])
    return resolution


def _vote(resolution: Resolution, meeting: Meeting | None, by) -> Vote:
    return record_vote(resolution=resolution, meeting=meeting, votes_for=5, votes_against=0, votes_abstain=0, by=by)


def test_the_service_refuses_a_meeting_before_its_day(cell, people, submitted) -> None:
    tomorrow = _meeting(cell, people, today() + dt.timedelta(days=1))
    with pytest.raises(WorkflowError, match="không ghi trước"):
        _vote(submitted, tomorrow, people["secretary"])
    assert not Vote.objects.exists()


def test_the_service_refuses_another_cells_meeting(tree, cell, people, submitted) -> None:
    theirs = _meeting(tree.cell_b1, people, today())
    with pytest.raises(WorkflowError, match="của chính chi bộ mình"):
        _vote(submitted, theirs, people["secretary"])
    assert not Vote.objects.exists()


def test_the_service_refuses_a_cancelled_meeting_and_approved_minutes(cell, people, submitted) -> None:
    called_off = _meeting(cell, people, today() + dt.timedelta(days=2))
    cancel_meeting(meeting=called_off, reason="Trùng lịch họp của phường", by=people["secretary"])
    Meeting.objects.filter(pk=called_off.pk).update(date=today())  # even on what was its day
    called_off.refresh_from_db()
    with pytest.raises(WorkflowError, match="đã bị hủy"):
        _vote(submitted, called_off, people["secretary"])
    locked = _meeting(cell, people, today() - dt.timedelta(days=3))
    Meeting.objects.filter(pk=locked.pk).update(status=Meeting.Status.APPROVED)
    locked.refresh_from_db()
    with pytest.raises(WorkflowError, match="đã được thông qua và khóa"):
        _vote(submitted, locked, people["secretary"])
    assert not Vote.objects.exists()
    submitted.refresh_from_db()
    assert submitted.status == Resolution.Status.SUBMITTED


def test_a_vote_at_todays_meeting_adopts_and_stales_its_minutes(cell, people, submitted) -> None:
    meeting = _meeting(cell, people, today())
    version = meeting.version
    vote = _vote(submitted, meeting, people["secretary"])
    assert vote.meeting == meeting
    assert vote.held_on == today()
    assert vote.adopted
    meeting.refresh_from_db()
    assert meeting.version == version + 1  # a stored minutes PDF no longer shows every vote


# --- the meeting's page ------------------------------------------------------------------------------------


def _vote_link(resolution: Resolution, meeting: Meeting) -> str:
    return reverse("meetings:resolution-vote", args=[resolution.pk]) + f"?meeting={meeting.pk}"


@pytest.mark.clock("2026-11-18 10:00")
def test_the_meeting_page_offers_the_vote_only_from_its_day(clock, client_for, cell, people, submitted) -> None:
    meeting = _meeting(cell, people, dt.date(2026, 11, 20), dt.time(19, 30))
    client = client_for("secretary")
    url = reverse("meetings:meeting-detail", args=[meeting.pk])
    before = client.get(url).content.decode()
    assert _vote_link(submitted, meeting) not in before
    assert "được biểu quyết tại đây từ ngày sinh hoạt (20/11/2026) trở đi" in before
    # Typed in by hand before the day: refused with the reason, back on the meeting.
    refused = client.get(_vote_link(submitted, meeting), follow=True)
    assert refused.redirect_chain[-1][0] == url
    assert "Buổi sinh hoạt diễn ra ngày 20/11/2026" in refused.content.decode()

    clock.shift(dt.timedelta(days=2, hours=9))  # 20/11/2026 19:00
    client = client_for("secretary")  # a new session: the old one has expired meanwhile
    on_the_day = client.get(url).content.decode()
    assert _vote_link(submitted, meeting) in on_the_day
    # The attendance is not taken yet: the page says so and links to it.
    assert "Buổi sinh hoạt này chưa được điểm danh" in on_the_day
    assert reverse("meetings:meeting-attendance", args=[meeting.pk]) in on_the_day
    # A plain member sees no vote action.
    assert _vote_link(submitted, meeting) not in client_for("member").get(url).content.decode()


@pytest.mark.clock("2026-11-18 20:00")
def test_the_vote_form_preselects_the_meeting_and_counts_on_its_attendance(
    client_for, cell, people, submitted, voters
) -> None:
    older = _meeting(cell, people, dt.date(2026, 11, 2), dt.time(19, 30))
    meeting = _meeting(cell, people, dt.date(2026, 11, 18), dt.time(19, 30))
    client = client_for("secretary")
    page = client.get(_vote_link(submitted, meeting))
    assert page.context["form"]["meeting"].value() == meeting.pk
    assert "chưa được điểm danh" in page.content.decode()
    # Without the attendance taken, nothing is recorded.
    data = {"meeting": meeting.pk, "votes_for": 3, "votes_against": 0, "votes_abstain": 0}
    refused = client.post(_vote_link(submitted, meeting), data)
    assert "Đồng chí hãy điểm danh buổi sinh hoạt trước" in str(refused.context["form"].non_field_errors())
    assert not Vote.objects.exists()
    # Two excused at the attendance, not ticked on the vote form.
    set_attendance(meeting=meeting, changes={m.pk: (A.ABSENT_WITH_REASON, "Ốm") for m in voters[:2]})
    page = client.get(_vote_link(submitted, meeting))
    base = page.context["base"]
    assert (base.day, base.entitled, base.present) == (meeting.date, base.official - 2, base.official - 2)
    assert "absent_with_reason" not in page.context["form"].fields  # no boxes to tick
    response = client.post(_vote_link(submitted, meeting), {**data, "votes_for": base.present}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("meetings:meeting-detail", args=[meeting.pk])
    vote = Vote.objects.get()
    assert vote.meeting == meeting
    assert vote.entitled_count == base.official - 2
    # The resolution's own vote link preselects the latest meeting a vote can be taken at, not an older one.
    assert older.pk != meeting.pk
    other = create_resolution(
        cell=cell, by=people["secretary"], kind="thematic", period_start=today(), period_end=today(), title="NQ 2"
    )
    Task.objects.create(resolution=other, title="Việc", deadline=today(), lead_member=voters[0])
    take_step(resolution=other, step_name="submit", by=people["secretary"])
    plain = client.get(reverse("meetings:resolution-vote", args=[other.pk]))
    assert plain.context["form"]["meeting"].value() == meeting.pk


def test_the_vote_page_without_any_meeting_says_where_to_go(client_for, cell, submitted) -> None:
    page = client_for("secretary").get(reverse("meetings:resolution-vote", args=[submitted.pk]))
    html = page.content.decode()
    assert "hôm nay chi bộ chưa có buổi sinh hoạt nào để ghi biểu quyết" in html
    assert reverse("meetings:meeting-list", args=[cell.pk]) in html
    assert 'name="check"' not in html  # nothing to record


def test_a_correction_is_offered_on_the_meeting_page_and_returns_to_it(client_for, cell, people, submitted) -> None:
    meeting = _meeting(cell, people, today())
    vote = record_vote(
        resolution=submitted, meeting=meeting, votes_for=2, votes_against=0, votes_abstain=0, by=people["secretary"]
    )
    client = client_for("secretary")
    page = client.get(reverse("meetings:meeting-detail", args=[meeting.pk])).content.decode()
    correct = reverse("meetings:vote-correct", args=[vote.pk])
    assert correct in page
    assert _vote_link(submitted, meeting) not in page  # not adopted, but corrected rather than voted on again
    assert (
        correct not in client_for("member").get(reverse("meetings:meeting-detail", args=[meeting.pk])).content.decode()
    )
    data = {"votes_for": 5, "votes_against": 0, "votes_abstain": 0, "dissent": "", "reason": "Nhập nhầm"}
    response = client.post(correct, data)
    assert response.url == reverse("meetings:meeting-detail", args=[meeting.pk])
    vote.refresh_from_db()
    assert (vote.votes_for, vote.adopted) == (5, True)


def test_the_minutes_show_the_vote_taken_at_the_meeting(client_for, cell, people, submitted) -> None:
    meeting = _meeting(cell, people, today())
    record_vote(
        resolution=submitted, meeting=meeting, votes_for=6, votes_against=1, votes_abstain=0, by=people["secretary"]
    )
    page = client_for("secretary").get(reverse("meetings:minutes-print", args=[meeting.pk])).content.decode()
    assert "Tổng số đảng viên chính thức có quyền biểu quyết: 9; tán thành: 6" in page
    assert "không tán thành: 1; không biểu quyết: 0." in page
    assert "quá nửa (Điều 10 Điều lệ Đảng); nghị quyết được thông qua." in page
