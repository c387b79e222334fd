"""Dated status changes of a member, the timeline they leave, and the roll of a past day: a meeting's numbers
are those of its own date, whatever happens to the members later."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from meetings.models import Meeting
from meetings.rules import entitled_voters
from meetings.services import plan_meeting, record_vote, recount_attendance, roll_on
from members import services
from members.models import AwayPeriod, Exemption, Member, MemberEvent, today
from members.rules import add_months, probation_ends_on
from resolutions.models import Task
from resolutions.services import create_resolution, take_step
from tests.factories import MemberFactory


def past() -> dt.date:
    return today() - dt.timedelta(days=60)


def later() -> dt.date:
    return today() - dt.timedelta(days=10)


K = MemberEvent.Kind


def _official(cell, name: str) -> Member:
    return MemberFactory.create(
        cell=cell, full_name=name, admitted_on=dt.date(2010, 1, 1), official_on=dt.date(2011, 1, 1)
    )


# ---------------------------------------------------------------------------------------------------
# The roll of a past day
# ---------------------------------------------------------------------------------------------------


def test_a_transferred_member_is_on_the_old_cells_roll_before_the_transfer_and_the_new_ones_after(tree) -> None:
    member = _official(tree.cell_a1, "Lê Văn Chuyển")
    stays = _official(tree.cell_a1, "Lê Văn Ở")
    services.transfer_member(member=member, to_cell=tree.cell_a2, on=later(), decision="QĐ 12-QĐ/ĐU", by=None)
    member.refresh_from_db()
    assert member.cell == tree.cell_a2
    before, on_the_day = later() - dt.timedelta(days=1), later()
    assert set(Member.objects.in_cell(tree.cell_a1, on=before)) == {member, stays}
    assert set(Member.objects.in_cell(tree.cell_a2, on=before)) == set()
    assert set(Member.objects.in_cell(tree.cell_a1, on=on_the_day)) == {stays}
    assert set(Member.objects.in_cell(tree.cell_a2, on=on_the_day)) == {member}
    # Counted once in the ward on any day, and with the present cell when no day is given.
    assert list(Member.objects.in_org(tree.ward_a, on=before).filter(pk=member.pk)) == [member]
    assert set(Member.objects.in_cell(tree.cell_a1)) == {stays}


def test_two_transfers_each_count_from_their_own_date(tree) -> None:
    member = _official(tree.cell_a1, "Phạm Thị Đi")
    first, second = today() - dt.timedelta(days=30), today() - dt.timedelta(days=5)
    services.transfer_member(member=member, to_cell=tree.cell_a2, on=first, decision="QĐ 1", by=None)
    services.transfer_member(member=member, to_cell=tree.cell_a1, on=second, decision="QĐ 2", by=None)
    cells_on = {
        day: [c for c in (tree.cell_a1, tree.cell_a2) if Member.objects.in_cell(c, on=day).filter(pk=member.pk)]
        for day in (first - dt.timedelta(days=1), first, second - dt.timedelta(days=1), second)
    }
    assert list(cells_on.values()) == [[tree.cell_a1], [tree.cell_a2], [tree.cell_a2], [tree.cell_a1]]


@pytest.fixture
def past_meeting(tree, people):
    """A meeting of A1 sixty days ago with its vote, and the members whose status will change after it."""
    cell = tree.cell_a1
    changing = {
        "probationary": MemberFactory.create(
            # Probation ends 35 days ago: still probationary at the meeting, recognised since.
            cell=cell,
            full_name="Võ Thị Dự Bị",
            admitted_on=past() - dt.timedelta(days=340),
            official_on=None,
        ),
        "exempted": _official(cell, "Trần Văn Miễn"),
        "away": _official(cell, "Trần Văn Xa"),
        "transferred": _official(cell, "Trần Văn Chuyển"),
        "left": _official(cell, "Trần Văn Rời"),
    }
    meeting = plan_meeting(
        cell=cell, by=people["secretary"], kind="regular", date=past(), starts_at=dt.time(19), place="Nhà văn hóa"
    )
    resolution = create_resolution(
        cell=cell, by=None, kind="monthly", period_start=past(), period_end=past(), title="NQ"
    )
    Task.objects.create(resolution=resolution, title="Việc", deadline=today(), lead_member=changing["away"])
    take_step(resolution=resolution, step_name="submit", by=people["secretary"])
    vote = record_vote(
        resolution=resolution,
        votes_for=5,
        votes_against=0,
        votes_abstain=0,
        meeting=meeting,
        by=people["secretary"],
    )
    return meeting, vote, changing


def _numbers(meeting: Meeting, vote) -> tuple[int, int, int, int, int, int, frozenset[tuple[int, str]]]:
    meeting.refresh_from_db()
    vote.refresh_from_db()
    roll = roll_on(meeting.cell, meeting.date)
    return (
        vote.entitled_count,
        vote.official_count,
        len(entitled_voters(roll).entitled),
        len(roll.official),
        meeting.expected_count,
        meeting.attended_count,
        frozenset(meeting.attendance.values_list("member_id", "status")),
    )


def test_a_past_meetings_numbers_do_not_change_when_statuses_change_later(
    client_for, tree, people, past_meeting
) -> None:
    meeting, vote, changing = past_meeting
    before = _numbers(meeting, vote)
    assert before[0] == before[2] > 0  # the vote's entitled number is the roll's of that day
    assert before[4] == before[5] == meeting.attendance.count()  # everyone present by default
    # A2 also met that day; the member transferred there later must not appear on its past roll.
    other = plan_meeting(
        cell=tree.cell_a2, by=None, kind="regular", date=past(), starts_at=dt.time(19), place="Hội trường"
    )
    other_before = frozenset(other.attendance.values_list("member_id", flat=True))
    secretary = people["secretary"]

    services.recognise_official(member=changing["probationary"], on=later(), decision="QĐ 5-QĐ/ĐU", by=secretary)
    services.start_period(
        period=Exemption(member=changing["exempted"], starts_on=later(), reason="Tuổi cao"), by=secretary
    )
    services.start_period(
        period=AwayPeriod(
            member=changing["away"], kind=AwayPeriod.Kind.TEMPORARY_TRANSFER, starts_on=later(), place="TP.HCM"
        ),
        by=secretary,
    )
    services.transfer_member(
        member=changing["transferred"], to_cell=tree.cell_a2, on=later(), decision="QĐ 9", by=secretary
    )
    left = changing["left"]
    left.management_status, left.left_on = Member.ManagementStatus.LEFT, later()
    services.record_leaving(member=left, by=secretary)

    client = client_for("secretary")
    for name in ("meeting-detail", "meeting-attendance"):
        assert client.get(reverse(f"meetings:{name}", args=[meeting.pk])).status_code == 200
    client_for("admin").get(reverse("meetings:meeting-attendance", args=[other.pk]))
    recount_attendance(Meeting.objects.filter(pk__in=[meeting.pk, other.pk]))

    assert _numbers(meeting, vote) == before
    assert frozenset(other.attendance.values_list("member_id", flat=True)) == other_before
    assert changing["transferred"].pk not in other_before


def test_the_status_on_the_meeting_date_counts_not_todays(tree, past_meeting) -> None:
    meeting, _vote, changing = past_meeting
    services.recognise_official(member=changing["probationary"], on=later(), decision="QĐ 5", by=None)
    assert changing["probationary"].pk not in roll_on(meeting.cell, past()).official
    assert changing["probationary"].pk in roll_on(meeting.cell, today()).official


# ---------------------------------------------------------------------------------------------------
# The rules of each change
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda m, t: services.recognise_official(
                member=m, on=today() + dt.timedelta(days=1), decision="QĐ", by=None
            ),
            "tương lai",
        ),
        (
            lambda m, t: services.recognise_official(member=m, on=dt.date(1999, 1, 1), decision="QĐ", by=None),
            "trước ngày",
        ),
        (lambda m, t: services.recognise_official(member=m, on=later(), decision=" ", by=None), "quyết định"),
        (
            lambda m, t: services.transfer_member(member=m, to_cell=m.cell, on=later(), decision="QĐ", by=None),
            "đã ở chi bộ",
        ),
        (
            lambda m, t: services.transfer_member(member=m, to_cell=t.ward_a, on=later(), decision="QĐ", by=None),
            "chi bộ",
        ),
        (
            lambda m, t: services.transfer_member(member=m, to_cell=t.cell_a2, on=later(), decision="", by=None),
            "quyết định",
        ),
    ],
)
def test_a_refused_change_writes_nothing(tree, change, message) -> None:
    member = MemberFactory.create(cell=tree.cell_a1, admitted_on=dt.date(2020, 1, 1), official_on=None)
    with pytest.raises(ValidationError) as refused:
        change(member, tree)
    assert message in " ".join(refused.value.messages).lower()
    member.refresh_from_db()
    assert (member.official_on, member.cell_id, member.events.count()) == (None, tree.cell_a1.pk, 0)


def test_recognition_before_the_twelve_months_end_is_refused_with_the_dates(tree) -> None:
    admitted = today() - dt.timedelta(days=200)
    member = MemberFactory.create(cell=tree.cell_a1, admitted_on=admitted, official_on=None)
    earliest = probation_ends_on(admitted)
    with pytest.raises(ValidationError) as refused:
        services.recognise_official(member=member, on=later(), decision="QĐ 5-QĐ/ĐU", by=None)
    assert refused.value.messages == [
        f"Thời gian dự bị là đủ mười hai tháng: đảng viên vào Đảng ngày {admitted:%d/%m/%Y} sớm nhất từ ngày "
        f"{earliest:%d/%m/%Y} mới được công nhận chính thức, không thể từ ngày {later():%d/%m/%Y} "
        f"(sớm {(earliest - later()).days} ngày)."
    ]
    member.refresh_from_db()
    assert (member.official_on, member.events.count()) == (None, 0)


def test_recognition_on_the_day_the_twelve_months_end(tree) -> None:
    ends = today() - dt.timedelta(days=3)
    admitted = add_months(ends, -12)
    member = MemberFactory.create(cell=tree.cell_a1, admitted_on=admitted, official_on=None)
    with pytest.raises(ValidationError):
        services.recognise_official(member=member, on=ends - dt.timedelta(days=1), decision="QĐ 4", by=None)
    services.recognise_official(member=member, on=ends, decision="QĐ 5", by=None)
    member.refresh_from_db()
    assert member.official_on == ends == probation_ends_on(admitted)


def test_recognising_an_official_member_again_is_refused(member_a1) -> None:
    with pytest.raises(ValidationError):
        services.recognise_official(member=member_a1, on=later(), decision="QĐ", by=None)


def test_a_transfer_must_be_dated_after_the_last_one(tree) -> None:
    member = _official(tree.cell_a1, "Ngô Văn Hai")
    services.transfer_member(member=member, to_cell=tree.cell_a2, on=later(), decision="QĐ 1", by=None)
    with pytest.raises(ValidationError):
        services.transfer_member(member=member, to_cell=tree.cell_a1, on=later(), decision="QĐ 2", by=None)
    assert member.events.count() == 1


def test_ending_an_exemption_makes_the_member_take_part_again_from_that_day(member_a1) -> None:
    exemption = Exemption.objects.create(member=member_a1, starts_on=past(), reason="Ốm dài ngày")
    services.end_period(period=exemption, on=later(), decision="NQ 3-NQ/CB", by=None)
    exemption.refresh_from_db()
    assert exemption.ends_on == later() - dt.timedelta(days=1)
    flags = {m.pk: m.is_exempt for m in Member.objects.filter(pk=member_a1.pk).with_flags(later())}  # type: ignore[attr-defined]  # annotated by with_flags()
    assert flags == {member_a1.pk: False}
    assert exemption.is_current(later() - dt.timedelta(days=1))
    assert list(member_a1.events.values_list("kind", "on")) == [(K.EXEMPTION_ENDED, later())]
    with pytest.raises(ValidationError):
        services.end_period(period=exemption, on=today(), by=None)


def test_coming_back_before_the_period_started_is_refused(member_a1) -> None:
    away = AwayPeriod.objects.create(member=member_a1, starts_on=later(), place="Bình Dương")
    with pytest.raises(ValidationError):
        services.end_period(period=away, on=past(), by=None)
    away.refresh_from_db()
    assert away.ends_on is None


# ---------------------------------------------------------------------------------------------------
# The pages
# ---------------------------------------------------------------------------------------------------


def test_the_secretary_recognises_a_probationary_member_and_the_timeline_shows_it(client_for, tree, people) -> None:
    member = MemberFactory.create(
        cell=tree.cell_a1, full_name="Đỗ Thị Mới", admitted_on=dt.date(2024, 5, 1), official_on=None
    )
    client = client_for("secretary")
    url = reverse("members:member-recognise", args=[member.pk])
    response = client.post(url, {"on": "02/05/2025", "decision": "Quyết định số 125-QĐ/ĐU"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.official_on == dt.date(2025, 5, 2)
    event = member.events.get()
    assert (event.kind, event.recorded_by) == (K.OFFICIAL, people["secretary"])
    page = client.get(reverse("members:member-detail", args=[member.pk])).content.decode()
    assert "02/05/2025" in page
    assert "Quyết định số 125-QĐ/ĐU" in page
    assert "Công nhận đảng viên chính thức" in page


@pytest.mark.clock("2026-03-20 09:00")
def test_the_page_offers_the_end_of_probation_and_refuses_an_earlier_date(client_for, tree) -> None:
    member = MemberFactory.create(cell=tree.cell_a1, admitted_on=dt.date(2025, 3, 15), official_on=None)
    client = client_for("secretary")
    url = reverse("members:member-recognise", args=[member.pk])
    page = client.get(url)
    assert page.context["form"].initial == {"on": dt.date(2026, 3, 15)}
    assert (
        "Hết thời gian dự bị ngày 15/03/2026; chi bộ xét, biểu quyết trong 30 ngày làm việc, chậm nhất ngày "
        "24/04/2026." in page.content.decode()
    )
    response = client.post(url, {"on": "14/03/2026", "decision": "Quyết định số 125-QĐ/ĐU"})
    assert response.status_code == 200
    assert "sớm nhất từ ngày 15/03/2026" in response.content.decode()
    assert "không thể từ ngày 14/03/2026 (sớm 1 ngày)" in response.content.decode()
    member.refresh_from_db()
    assert (member.official_on, member.events.count()) == (None, 0)
    assert client.post(url, {"on": "15/03/2026", "decision": "Quyết định số 125-QĐ/ĐU"}).status_code == 302
    member.refresh_from_db()
    assert member.official_on == dt.date(2026, 3, 15)


def test_a_future_date_is_refused_on_the_page(client_for, tree) -> None:
    member = MemberFactory.create(cell=tree.cell_a1, admitted_on=dt.date(2024, 5, 1), official_on=None)
    future = (today() + dt.timedelta(days=3)).strftime("%d/%m/%Y")
    response = client_for("secretary").post(
        reverse("members:member-recognise", args=[member.pk]), {"on": future, "decision": "QĐ"}
    )
    assert response.status_code == 200
    assert "tương lai" in response.content.decode()
    member.refresh_from_db()
    assert member.official_on is None


def test_the_secretary_transfers_a_member_to_a_cell_of_the_same_ward(client_for, tree, member_a1) -> None:
    client = client_for("secretary")
    url = reverse("members:member-transfer", args=[member_a1.pk])
    form = client.get(url).context["form"]
    assert list(form.fields["to_cell"].queryset) == [tree.cell_a2]
    refused = client.post(url, {"to_cell": tree.cell_b1.pk, "on": later().strftime("%d/%m/%Y"), "decision": "QĐ"})
    assert refused.status_code == 200
    response = client.post(url, {"to_cell": tree.cell_a2.pk, "on": later().strftime("%d/%m/%Y"), "decision": "QĐ 7"})
    assert response.status_code == 302
    member_a1.refresh_from_db()
    assert member_a1.cell == tree.cell_a2
    event = member_a1.events.get()
    assert (event.from_cell, event.to_cell, event.on) == (tree.cell_a1, tree.cell_a2, later())


def test_ending_an_exemption_and_coming_back_from_away_on_the_page(client_for, member_a1) -> None:
    exemption = Exemption.objects.create(member=member_a1, starts_on=past(), reason="Ốm")
    away = AwayPeriod.objects.create(
        member=member_a1,
        starts_on=past() - dt.timedelta(days=400),
        ends_on=past() - dt.timedelta(days=300),
        place="Cần Thơ",
    )
    client = client_for("deputy")
    page = client.get(reverse("members:member-detail", args=[member_a1.pk])).content.decode()
    assert reverse("members:exemption-end", args=[member_a1.pk, exemption.pk]) in page
    assert reverse("members:away-back", args=[member_a1.pk, away.pk]) not in page  # already over
    day = later().strftime("%d/%m/%Y")
    assert (
        client.post(reverse("members:exemption-end", args=[member_a1.pk, exemption.pk]), {"on": day}).status_code == 302
    )
    open_away = AwayPeriod.objects.create(member=member_a1, starts_on=past(), place="Long An")
    assert client.post(reverse("members:away-back", args=[member_a1.pk, open_away.pk]), {"on": day}).status_code == 302
    assert list(member_a1.events.values_list("kind", flat=True)) == [K.EXEMPTION_ENDED, K.BACK]


def test_recording_an_exemption_or_leaving_adds_to_the_timeline(client_for, member_a1) -> None:
    client = client_for("secretary")
    day = later().strftime("%d/%m/%Y")
    client.post(
        reverse("members:exemption-create", args=[member_a1.pk]),
        {"starts_on": day, "reason": "Tuổi cao", "decision": "NQ 2"},
    )
    client.post(reverse("members:member-leave", args=[member_a1.pk]), {"management_status": "left", "left_on": day})
    assert list(member_a1.events.values_list("kind", "on", "decision")) == [
        (K.EXEMPTED, later(), "NQ 2"),
        (K.LEFT, later(), ""),
    ]


def test_a_period_of_another_member_is_not_found(client_for, tree, member_a1) -> None:
    other = MemberFactory.create(cell=tree.cell_a1)
    exemption = Exemption.objects.create(member=other, starts_on=past(), reason="Ốm")
    url = reverse("members:exemption-end", args=[member_a1.pk, exemption.pk])
    assert client_for("secretary").post(url, {"on": later().strftime("%d/%m/%Y")}).status_code == 404
    exemption.refresh_from_db()
    assert exemption.ends_on is None


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("secretary", 200),
        ("deputy", 200),
        ("admin", 200),
        ("committee", 403),
        ("in_charge", 403),
        ("member", 404),
        ("other_secretary", 404),
    ],
)
def test_who_records_status_changes(client_for, member_a1, who, status) -> None:
    for name in ("member-recognise", "member-transfer"):
        assert client_for(who).get(reverse(f"members:{name}", args=[member_a1.pk])).status_code == status
