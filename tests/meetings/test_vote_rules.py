"""The vote counts only ballots that could have been cast, on the roll of the meeting's date; a second click
records one vote; a mistaken vote is corrected with its reason while the minutes are open, and the old
numbers stay in the change history."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse

from meetings.models import Attendance, Meeting, Vote
from meetings.services import (
    VoteAlreadyRecorded,
    approve_minutes,
    correct_vote,
    mark_held,
    plan_meeting,
    record_vote,
    set_attendance,
    vote_base,
)
from members.models import Exemption, Member, today
from resolutions.models import Resolution, StatusChange, Task, Version
from resolutions.services import WorkflowError, create_resolution, take_step
from tests.factories import MemberFactory, UserFactory

A = Attendance.Status


@pytest.fixture
def cell(tree):
    return tree.cell_a1


@pytest.fixture
def day() -> dt.date:
    return today() - dt.timedelta(days=13)


@pytest.fixture
def roll(cell, people, day) -> dict[str, Any]:
    """On the meeting's date: 11 official members (the four of ``people``, six more and one exempt), one
    probationary member, and one who was probationary then but is official today."""
    extra = [MemberFactory.create(cell=cell) for _ in range(6)]
    exempt = MemberFactory.create(cell=cell, full_name="Võ Văn Miễn")
    Exemption.objects.create(member=exempt, starts_on=day - dt.timedelta(days=300), reason="Tuổi cao")
    probationary = MemberFactory.create(cell=cell, admitted_on=day - dt.timedelta(days=60), official_on=None)
    recognised = MemberFactory.create(
        cell=cell, admitted_on=day - dt.timedelta(days=360), official_on=day + dt.timedelta(days=5)
    )
    return {"extra": extra, "exempt": exempt, "probationary": probationary, "recognised": recognised}


@pytest.fixture
def meeting(cell, people, roll, day) -> Meeting:
    """Held on ``day``: the exempt member attends, one is excused, one stays away without a reason."""
    meeting = plan_meeting(
        cell=cell,
        by=people["secretary"],
        kind="regular",
        date=day,
        starts_at=dt.time(19, 30),
        ends_at=dt.time(21, 30),
        place="Nhà văn hóa khu phố 1",
    )
    excused, truant = roll["extra"][:2]
    set_attendance(
        meeting=meeting,
        changes={
            roll["exempt"].pk: (A.PRESENT, ""),
            excused.pk: (A.ABSENT_WITH_REASON, "Ốm"),
            truant.pk: (A.ABSENT_WITHOUT_REASON, ""),
        },
    )
    mark_held(meeting=meeting, opened_at=dt.time(19, 30), closed_at=dt.time(21, 30))
    return Meeting.objects.get(pk=meeting.pk)


@pytest.fixture
def submitted(cell, people, roll) -> Resolution:
    resolution = create_resolution(
        cell=cell, by=people["secretary"], kind="monthly", period_start=today(), period_end=today(), title="NQ"
    )
    Task.objects.create(resolution=resolution, title="Việc", deadline=today(), lead_member=roll["extra"][2])
    take_step(resolution=resolution, step_name="submit", by=people["secretary"])
    return resolution


def at_meeting(meeting: Meeting, votes: tuple[int, int, int], **more: Any) -> dict[str, Any]:
    return {"meeting": meeting.pk, "votes_for": votes[0], "votes_against": votes[1], "votes_abstain": votes[2], **more}


# --- the base of the meeting's date ------------------------------------------------------------------------


def test_the_base_is_read_from_the_meetings_attendance_on_its_date(meeting, cell) -> None:
    base = vote_base(cell=cell, held_on=meeting.date, meeting=meeting)
    # 11 official on the day (the member recognised since is not), less the one excused: 10 entitled;
    # the one absent without a reason stays in the base but is not there to vote: 9 present.
    assert (base.official, base.entitled, base.present, base.probationary) == (11, 10, 9, 2)
    assert base.majority == 6
    assert base.entitlement.excluded == {"absent_with_reason": [base.absent_with_reason[0].pk]}


def test_a_member_on_the_roll_without_an_attendance_record_is_in_the_base_but_casts_no_ballot(
    meeting, cell, day
) -> None:
    MemberFactory.create(cell=cell, admitted_on=day - dt.timedelta(days=900), official_on=day - dt.timedelta(days=500))
    base = vote_base(cell=cell, held_on=meeting.date, meeting=meeting)
    assert (base.official, base.entitled, base.present) == (12, 11, 9)


def test_the_vote_page_shows_the_roll_and_the_computation_of_the_meetings_date(client_for, meeting, submitted) -> None:
    url = reverse("meetings:resolution-vote", args=[submitted.pk]) + f"?meeting={meeting.pk}"
    response = client_for("secretary").get(url)
    assert response.status_code == 200
    base = response.context["base"]
    assert (base.day, base.official, base.entitled, base.present, base.probationary) == (meeting.date, 11, 10, 9, 2)
    page = response.content.decode()
    assert f"Theo điểm danh hội nghị ngày {meeting.date:%d/%m/%Y}:" in page
    assert "Đảng viên dự bị có mặt (không biểu quyết)" in page
    assert "lớn hơn 10 / 2, tức là ít nhất 6" in page
    assert "không quá 9." in page
    assert "Hiện chi bộ có" not in page  # today's roll (12 official) is not the meeting's


def test_more_ballots_than_entitled_members_present_are_refused_and_nothing_is_written(
    client_for, meeting, submitted
) -> None:
    url = reverse("meetings:resolution-vote", args=[submitted.pk])
    response = client_for("secretary").post(url, at_meeting(meeting, (6, 2, 2)))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "10 phiếu nhưng chỉ có 9 đảng viên có quyền biểu quyết có mặt"
    ]
    assert (response.context["base"].entitled, response.context["base"].present) == (10, 9)  # beside the refusal
    assert not Vote.objects.exists()
    submitted.refresh_from_db()
    assert submitted.status == Resolution.Status.SUBMITTED
    assert not StatusChange.objects.filter(resolution=submitted, to_status=Resolution.Status.ADOPTED).exists()


def test_the_ballots_of_the_members_present_are_recorded_with_their_numbers(client_for, meeting, submitted) -> None:
    url = reverse("meetings:resolution-vote", args=[submitted.pk])
    response = client_for("secretary").post(url, at_meeting(meeting, (6, 2, 1)), follow=True)
    vote = Vote.objects.get(resolution=submitted)
    assert (vote.entitled_count, vote.present_count, vote.votes_for, vote.adopted) == (10, 9, 6, True)
    assert vote.held_on == meeting.date
    # Back on the meeting's page, with the vote as its minutes show it.
    assert response.redirect_chain[-1][0] == reverse("meetings:meeting-detail", args=[meeting.pk])
    page = response.content.decode()
    assert (
        "6 tán thành, 2 không tán thành, 1 không biểu quyết; "
        "10 đảng viên có quyền biểu quyết, trong đó 9 đồng chí có mặt." in page
    )
    assert reverse("meetings:vote-correct", args=[vote.pk]) in page


def test_half_of_those_present_is_not_enough_when_the_absent_count_in_the_base(meeting, submitted, people) -> None:
    vote = record_vote(
        resolution=submitted,
        votes_for=5,
        votes_against=4,
        votes_abstain=0,
        meeting=meeting,
        by=people["secretary"],
    )
    assert not vote.adopted  # 5 of 9 present, but not more than half of the 10 entitled
    assert "5 phiếu tán thành / 10 đảng viên chính thức có quyền biểu quyết: chưa quá nửa" in vote.explanation


def test_check_computes_without_saving(client_for, meeting, submitted) -> None:
    url = reverse("meetings:resolution-vote", args=[submitted.pk])
    response = client_for("secretary").post(url, at_meeting(meeting, (6, 2, 1), check="1"))
    assert response.status_code == 200
    assert response.context["result"].adopted
    assert "Chưa lưu:" in response.content.decode()
    assert not Vote.objects.exists()
    refused = client_for("secretary").post(url, at_meeting(meeting, (9, 1, 0), check="1"))
    assert "10 phiếu nhưng chỉ có 9" in str(refused.context["form"].non_field_errors())
    assert not Vote.objects.exists()


def test_a_vote_without_a_meeting_is_refused_by_the_page_and_the_service(
    client_for, submitted, cell, roll, people
) -> None:
    """The old way, a date and absentees ticked by hand, no longer records anything."""
    data = {
        "held_on": today().strftime("%d/%m/%Y"),
        "votes_for": 10,
        "votes_against": 0,
        "votes_abstain": 0,
        "absent_without_reason": [roll["extra"][0].pk],
    }
    url = reverse("meetings:resolution-vote", args=[submitted.pk])
    response = client_for("secretary").post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["meeting"] == [
        "Biểu quyết được tiến hành tại buổi sinh hoạt của chi bộ: đồng chí hãy chọn buổi sinh hoạt."
    ]
    with pytest.raises(WorkflowError, match="tại buổi sinh hoạt của chi bộ"):
        record_vote(
            resolution=submitted, meeting=None, votes_for=10, votes_against=0, votes_abstain=0, by=people["secretary"]
        )
    assert not Vote.objects.exists()
    submitted.refresh_from_db()
    assert submitted.status == Resolution.Status.SUBMITTED


# --- two clicks record one vote ----------------------------------------------------------------------------


def test_two_clicks_on_save_record_one_vote(client_for, meeting, submitted) -> None:
    """A vote that does not adopt leaves the resolution open to a vote: the second click must not add one."""
    client = client_for("secretary")
    url = reverse("meetings:resolution-vote", args=[submitted.pk])
    first = client.post(url, at_meeting(meeting, (4, 3, 2)))
    second = client.post(url, at_meeting(meeting, (4, 3, 2)), follow=True)
    assert first.status_code == 302
    assert second.redirect_chain[-1][0] == reverse("meetings:meeting-detail", args=[meeting.pk])
    assert "Kết quả biểu quyết này đã được ghi nhận." in second.content.decode()
    assert Vote.objects.filter(resolution=submitted).count() == 1


def test_two_clicks_on_an_adopting_vote_record_one_vote_and_one_version(client_for, meeting, submitted) -> None:
    client = client_for("secretary")
    url = reverse("meetings:resolution-vote", args=[submitted.pk])
    client.post(url, at_meeting(meeting, (7, 1, 1)))
    second = client.post(url, at_meeting(meeting, (7, 1, 1)), follow=True)
    assert "Kết quả biểu quyết này đã được ghi nhận." in second.content.decode()
    assert Vote.objects.filter(resolution=submitted).count() == 1
    assert Version.objects.filter(resolution=submitted).count() == 1


def test_another_count_on_the_same_day_is_refused_in_favour_of_a_correction(meeting, submitted, people) -> None:
    numbers = {"meeting": meeting, "by": people["secretary"]}
    record_vote(resolution=submitted, votes_for=4, votes_against=3, votes_abstain=2, **numbers)
    with pytest.raises(VoteAlreadyRecorded):
        record_vote(resolution=submitted, votes_for=4, votes_against=3, votes_abstain=2, **numbers)
    with pytest.raises(WorkflowError, match=f"ngày {meeting.date:%d/%m/%Y} đã được ghi nhận. Hãy đính chính"):
        record_vote(resolution=submitted, votes_for=5, votes_against=3, votes_abstain=1, **numbers)
    assert Vote.objects.count() == 1


# --- correcting a vote -------------------------------------------------------------------------------------


@pytest.fixture
def mistaken(meeting, submitted, people) -> Vote:
    """5 for was typed where 7 were counted: the resolution was not adopted."""
    return record_vote(
        resolution=submitted,
        votes_for=5,
        votes_against=2,
        votes_abstain=0,
        meeting=meeting,
        by=people["secretary"],
    )


def test_a_correction_with_its_reason_adopts_and_keeps_the_old_numbers(client_for, mistaken, submitted) -> None:
    client = client_for("secretary")
    url = reverse("meetings:vote-correct", args=[mistaken.pk])
    data = {"votes_for": 7, "votes_against": 2, "votes_abstain": 0, "dissent": ""}
    assert client.post(url, data).context["form"].errors["reason"]  # a reason is required
    response = client.post(url, {**data, "reason": "Nhập nhầm số phiếu tán thành"})
    assert response.status_code == 302
    vote = Vote.objects.get()
    assert (vote.votes_for, vote.adopted, vote.present_count) == (7, True, 9)
    submitted.refresh_from_db()
    assert submitted.status == Resolution.Status.ADOPTED
    assert submitted.adopted_on == vote.held_on
    assert Version.objects.get(resolution=submitted).number == 1
    history = list(vote.history.order_by("history_date", "history_id"))
    numbers = [(h.votes_for, h.adopted) for h in history]
    assert numbers[0] == (5, False)  # as first recorded (its lists of members add rows of their own)
    assert numbers[-1] == (7, True)
    assert history[-1].history_change_reason == "Nhập nhầm số phiếu tán thành"
    audit = client.get(reverse("history:resolution-history", args=[submitted.pk]))
    assert audit.status_code == 200
    text = audit.content.decode()
    correction = text[text.index("Lý do: Nhập nhầm số phiếu tán thành") :]
    assert re.search(r"Phiếu tán thành</dt>\s*<dd[^>]*><del[^>]*>5</del> → <ins[^>]*>7</ins>", correction)


def test_a_correction_that_undoes_the_adoption_sends_the_resolution_back_to_the_meeting(
    mistaken, submitted, people
) -> None:
    by = people["secretary"]
    correct_vote(vote=mistaken, votes_for=7, votes_against=2, votes_abstain=0, dissent="", reason="Nhầm", by=by)
    correct_vote(vote=mistaken, votes_for=5, votes_against=4, votes_abstain=0, dissent="", reason="Đếm lại", by=by)
    submitted.refresh_from_db()
    assert submitted.status == Resolution.Status.SUBMITTED
    assert submitted.adopted_on is None
    assert not Version.objects.filter(resolution=submitted).exists()
    assert list(StatusChange.objects.filter(resolution=submitted).values_list("to_status", flat=True))[-2:] == [
        Resolution.Status.ADOPTED,
        Resolution.Status.SUBMITTED,
    ]


def test_a_correction_obeys_the_ballot_rule(mistaken, people) -> None:
    with pytest.raises(WorkflowError, match="10 phiếu nhưng chỉ có 9 đảng viên có quyền biểu quyết có mặt"):
        correct_vote(
            vote=mistaken, votes_for=8, votes_against=2, votes_abstain=0, dissent="", reason="x", by=people["secretary"]
        )
    mistaken.refresh_from_db()
    assert mistaken.votes_for == 5


def test_no_correction_once_the_minutes_are_approved(client_for, mistaken, meeting, people) -> None:
    Meeting.objects.filter(pk=meeting.pk).update(chair=Member.objects.get(user=people["secretary"]))
    Meeting.objects.filter(pk=meeting.pk).update(recorder=Member.objects.get(user=people["committee"]))
    meeting.refresh_from_db()
    approve_minutes(meeting=meeting)
    url = reverse("meetings:vote-correct", args=[mistaken.pk])
    client = client_for("secretary")
    page = client.get(url)
    assert "Biên bản đã được thông qua và khóa" in page.content.decode()
    client.post(url, {"votes_for": 7, "votes_against": 2, "votes_abstain": 0, "reason": "Nhầm"})
    mistaken.refresh_from_db()
    assert mistaken.votes_for == 5


@pytest.mark.parametrize("role", ["member", "in_charge", "other_secretary"])
def test_only_the_cells_secretaries_correct_a_vote(client_for, mistaken, role) -> None:
    url = reverse("meetings:vote-correct", args=[mistaken.pk])
    response = client_for(role).post(url, {"votes_for": 7, "votes_against": 2, "votes_abstain": 0, "reason": "x"})
    assert response.status_code in (403, 404)
    mistaken.refresh_from_db()
    assert mistaken.votes_for == 5


def test_the_admin_neither_adds_nor_edits_a_vote(client, mistaken) -> None:
    """The admin would bypass the rule: a vote is recorded and corrected on its pages only."""
    client.force_login(UserFactory.create(username="root", is_staff=True, is_superuser=True))
    assert client.get(reverse("admin:meetings_vote_add")).status_code == 403
    client.post(reverse("admin:meetings_vote_change", args=[mistaken.pk]), {"votes_for": 9})
    mistaken.refresh_from_db()
    assert (Vote.objects.count(), mistaken.votes_for) == (1, 5)
