"""The meeting's rules on what happened, not only on the plan: its length on the times it actually opened and closed
(when it is marked held and when the minutes are approved), and its pack released to members a day ahead, on the
meeting's page, in the quality score, in the service, the admin and the notifications."""

from __future__ import annotations

import datetime as dt

import pytest
from django.forms import modelform_factory
from django.urls import reverse
from django.utils import timezone

from meetings.admin import MeetingAdminForm
from meetings.models import Meeting
from meetings.services import approve_minutes, mark_held, plan_meeting, publish_pack
from members.models import Exemption, today
from notifications.models import Delivery, Kind, Notification
from resolutions.services import WorkflowError
from tests.factories import MemberFactory, UserFactory

SHORT = "Buổi sinh hoạt thường kỳ cần kéo dài ít nhất 90 phút; buổi này chỉ diễn ra 30 phút."


def aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@pytest.fixture
def past(tree, people) -> Meeting:
    """A regular meeting planned for 19:30–21:30 two days ago, its pack released four days before it."""
    day = today() - dt.timedelta(days=2)
    meeting = plan_meeting(
        cell=tree.cell_a1,
        by=people["secretary"],
        kind="regular",
        date=day,
        starts_at=dt.time(19, 30),
        ends_at=dt.time(21, 30),
        place="Nhà văn hóa khu phố 1",
        chair=people["secretary"].member,
        recorder=people["deputy"].member,
    )
    Meeting.objects.filter(pk=meeting.pk).update(pack_published_at=aware(day - dt.timedelta(days=4), 9))
    meeting.refresh_from_db()
    return meeting


def step(client, meeting: Meeting, name: str, data: dict[str, str] | None = None):
    return client.post(reverse("meetings:meeting-step", args=[meeting.pk, name]), data or {}, follow=True)


def page_text(client, meeting: Meeting) -> str:
    return client.get(reverse("meetings:meeting-detail", args=[meeting.pk])).content.decode()


# --- the length, on the actual times ---------------------------------------------------------------


def test_a_meeting_planned_long_enough_that_lasted_30_minutes_is_warned_on_its_page_and_in_its_score(
    client_for, past
) -> None:
    client = client_for("secretary")
    response = step(client, past, "held", {"opened_at": "19:30", "closed_at": "20:00"})
    past.refresh_from_db()
    assert (past.status, past.opened_at, past.closed_at) == ("held", dt.time(19, 30), dt.time(20))
    assert past.actual_minutes() == 30
    # Said once, as a warning on the page that marking it held returns to.
    assert response.content.decode().count(f'role="alert">{SHORT}<') == 1

    html = page_text(client_for("member"), past)
    assert SHORT in html  # the meeting page keeps saying it, to every member
    assert "19:30–20:00" in html
    assert "Thời gian: tối đa 0/5 điểm." in html  # and the quality score shows what it costs

    # The self-score cannot give the time part anything: refused on the page, with its numbers...
    edit = reverse("meetings:meeting-edit", args=[past.pk])
    data = {
        "meeting-kind": "regular",
        "meeting-place": past.place,
        "meeting-date": past.date.strftime("%d/%m/%Y"),
        "meeting-starts_at": "19:30",
        "meeting-ends_at": "21:30",
        "meeting-chair": past.chair_id,
        "meeting-recorder": past.recorder_id,
        "agenda-TOTAL_FORMS": "0",
        "agenda-INITIAL_FORMS": "0",
        "conclusion-opened_at": "19:30",
        "conclusion-closed_at": "20:00",
        "conclusion-q_time": "5",
    }
    response = client.post(edit, data)
    assert response.status_code == 200
    assert f"Thời gian: đã chấm 5/5 điểm, buổi này được tối đa 0 điểm. {SHORT}" in response.content.decode()
    past.refresh_from_db()
    assert past.q_time is None
    # ...and in the service, for a score written some other way.
    Meeting.objects.filter(pk=past.pk).update(q_time=5)
    past.refresh_from_db()
    with pytest.raises(WorkflowError, match="tối đa 0 điểm"):
        approve_minutes(meeting=past)
    assert Meeting.objects.get(pk=past.pk).status == "held"

    # Scored as the rule allows, the minutes are approved, and the approved meeting's page still warns, once.
    Meeting.objects.filter(pk=past.pk).update(q_time=0)
    response = step(client, past, "approve")
    assert Meeting.objects.get(pk=past.pk).status == "approved"
    assert response.content.decode().count(f'role="alert">{SHORT}<') == 1


def test_the_approval_checks_the_times_recorded_in_the_minutes(past) -> None:
    mark_held(meeting=past, opened_at=dt.time(19, 30), closed_at=dt.time(21, 15))  # 105 minutes: fine
    assert approve_minutes(meeting=Meeting.objects.get(pk=past.pk)) == []
    Meeting.objects.filter(pk=past.pk).update(status="held", closed_at=None)
    with pytest.raises(WorkflowError, match="giờ khai mạc và giờ bế mạc thực tế"):
        approve_minutes(meeting=Meeting.objects.get(pk=past.pk))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Nhập giờ khai mạc và giờ bế mạc thực tế của buổi sinh hoạt."),
        ({"opened_at": "19:30"}, "Nhập giờ khai mạc và giờ bế mạc thực tế của buổi sinh hoạt."),
        (
            {"opened_at": "21:00", "closed_at": "19:30"},
            "Giờ bế mạc phải sau giờ khai mạc (khai mạc lúc 21:00, bế mạc lúc 19:30).",
        ),
    ],
)
def test_marking_held_needs_the_actual_times(client_for, past, data, message) -> None:
    response = step(client_for("secretary"), past, "held", data)
    assert message in [str(m) for m in response.context["messages"]]
    assert Meeting.objects.get(pk=past.pk).status == "planned"


def test_a_combined_meeting_needs_120_minutes_of_what_happened(past) -> None:
    Meeting.objects.filter(pk=past.pk).update(combined_with_thematic=True)
    warnings = mark_held(meeting=Meeting.objects.get(pk=past.pk), opened_at=dt.time(19, 30), closed_at=dt.time(21))
    assert warnings == ["Buổi sinh hoạt thường kỳ cần kéo dài ít nhất 120 phút; buổi này chỉ diễn ra 90 phút."]


def test_the_planned_times_are_offered_when_marking_held(client_for, past) -> None:
    form = client_for("secretary").get(reverse("meetings:meeting-detail", args=[past.pk])).context["held_form"]
    assert form.initial == {"opened_at": dt.time(19, 30), "closed_at": dt.time(21, 30)}
    assert client_for("member").get(reverse("meetings:meeting-detail", args=[past.pk])).context["held_form"] is None


def test_the_admin_holds_the_self_score_to_the_same_rules(past) -> None:
    mark_held(meeting=past, opened_at=dt.time(19, 30), closed_at=dt.time(20))
    meeting = Meeting.objects.get(pk=past.pk)
    form_class = modelform_factory(Meeting, form=MeetingAdminForm, fields=["q_time", "closed_at", "opened_at"])
    form = form_class({"q_time": "4", "opened_at": "19:30", "closed_at": "20:00"}, instance=meeting)
    assert not form.is_valid()
    assert f"Thời gian: đã chấm 4/5 điểm, buổi này được tối đa 0 điểm. {SHORT}" in form.non_field_errors()
    form = form_class({"q_time": "4", "opened_at": "19:30", "closed_at": "21:00"}, instance=meeting)
    assert form.is_valid(), form.errors  # 90 minutes: the time part may be scored


# --- documents a day ahead ----------------------------------------------------------------------------


# In the morning: tomorrow evening's meeting is then more than a day away, so the pack's own warning (less than 24
# hours left to release it) does not join the planning one.
@pytest.mark.clock("2026-11-18 10:00")
@pytest.mark.parametrize(
    ("days", "warned"),
    [
        (0, "Buổi sinh hoạt diễn ra hôm nay"),
        (1, "Buổi sinh hoạt diễn ra vào ngày mai"),
        (2, ""),
    ],
)
def test_planning_a_meeting_for_today_or_tomorrow_warns_about_its_documents(client_for, tree, days, warned) -> None:
    day = today() + dt.timedelta(days=days)
    data = {
        "kind": "regular",
        "date": day.strftime("%d/%m/%Y"),
        "starts_at": "19:30",
        "ends_at": "21:30",
        "place": "Nhà văn hóa",
    }
    client = client_for("secretary")
    response = client.post(reverse("meetings:meeting-create", args=[tree.cell_a1.pk]), data, follow=True)
    assert Meeting.objects.filter(date=day).exists()  # planned: a warning, not a refusal
    said = [str(m) for m in response.context["messages"]]
    assert said[0].startswith("Đã lên kế hoạch")
    alerts = response.context["warnings"]
    if warned:
        assert said[1].startswith(warned)
        assert f"({day:%d/%m/%Y})" in said[1]
        # The meeting page says it until the pack is released; today, less than a day ahead, in the pack's words.
        assert alerts == [said[1]] if days else alerts[0].startswith("Tài liệu sinh hoạt chưa được phát hành")
    else:
        assert len(said) == 1
        assert alerts == []


def test_releasing_the_pack_notifies_the_members_and_the_member_in_charge_once(client_for, tree, people) -> None:
    day = today() + dt.timedelta(days=3)
    meeting = plan_meeting(
        cell=tree.cell_a1, by=None, kind="regular", date=day, starts_at=dt.time(19), ends_at=dt.time(21), place="X"
    )
    exempt = MemberFactory.create(cell=tree.cell_a1, user=UserFactory.create(username="exempt"))
    Exemption.objects.create(member=exempt, starts_on=today() - dt.timedelta(days=30), reason="Tuổi cao")
    member = client_for("member")
    assert "Tài liệu sinh hoạt chưa được phát hành cho đảng viên." in page_text(member, meeting)
    pack = reverse("meetings:meeting-pack", args=[meeting.pk])
    assert pack not in page_text(member, meeting)  # not theirs to read yet
    assert member.post(reverse("meetings:meeting-step", args=[meeting.pk, "publish"])).status_code == 403

    response = step(client_for("secretary"), meeting, "publish")
    assert "Đã phát hành tài liệu sinh hoạt; đảng viên của chi bộ đã được thông báo." in [
        str(m) for m in response.context["messages"]
    ]
    meeting.refresh_from_db()
    assert meeting.pack_published_at is not None
    assert abs(meeting.pack_published_at - timezone.now()) < dt.timedelta(seconds=30)
    assert meeting.pack_published_by == people["secretary"]
    sent = Notification.objects.filter(kind=Kind.MEETING_PACK, object_ref=f"meeting:{meeting.pk}")
    told = {n.recipient.username for n in sent}
    assert told == {"secretary", "deputy", "committee", "member", "in_charge"}  # not the exempt, not other cells
    notice = sent.get(recipient=people["member"])
    assert notice.subject == f"Tài liệu sinh hoạt chi bộ ngày {day:%d/%m/%Y}"
    assert "dự thảo nghị quyết và báo cáo sơ kết" in notice.body
    assert notice.url == pack
    assert Delivery.objects.filter(notification__in=sent).count() == sent.exclude(recipient__email="").count()

    html = page_text(member, meeting)
    released = timezone.localtime(meeting.pack_published_at)
    assert f"Tài liệu sinh hoạt đã phát hành cho đảng viên lúc {released:%H:%M %d/%m/%Y}." in html
    assert pack in html
    with pytest.raises(WorkflowError):
        publish_pack(meeting=meeting, by=people["secretary"])  # once
    assert sent.count() == len(told)


def test_holding_a_meeting_whose_pack_came_late_is_warned_and_costs_preparation_points(
    client_for, tree, people
) -> None:
    day = today()
    meeting = plan_meeting(
        cell=tree.cell_a1,
        by=None,
        kind="regular",
        date=day,
        starts_at=dt.time(8),
        ends_at=dt.time(9, 45),
        place="X",
        chair=people["secretary"].member,
        recorder=people["deputy"].member,
    )
    Meeting.objects.filter(pk=meeting.pk).update(pack_published_at=aware(day - dt.timedelta(days=1), 20))
    late = (
        f"Tài liệu sinh hoạt được phát hành cho đảng viên lúc 20:00 {day - dt.timedelta(days=1):%d/%m/%Y}, chỉ 12 "
        f"giờ trước buổi sinh hoạt (08:00 {day:%d/%m/%Y}); đảng viên phải nhận được tài liệu trước ít nhất 24 giờ."
    )
    client = client_for("secretary")
    response = step(client, meeting, "held", {"opened_at": "08:00", "closed_at": "09:45"})
    assert [str(m) for m in response.context["messages"]] == ["Đã lưu."]
    assert response.content.decode().count(f'role="alert">{late}<') == 1  # the page warns once
    html = page_text(client, meeting)
    assert late in html
    assert "Công tác chuẩn bị: tối đa 5/10 điểm." in html
    Meeting.objects.filter(pk=meeting.pk).update(q_preparation=8)
    response = step(client, meeting, "approve")
    assert Meeting.objects.get(pk=meeting.pk).status == "held"
    assert f"Công tác chuẩn bị: đã chấm 8/10 điểm, buổi này được tối đa 5 điểm. {late}" in [
        str(m) for m in response.context["messages"]
    ]


def test_a_pack_never_released_is_warned_about_once_the_meeting_is_less_than_a_day_away(tree) -> None:
    from meetings.services import meeting_warnings

    meeting = plan_meeting(
        cell=tree.cell_a1,
        by=None,
        kind="regular",
        date=today() + dt.timedelta(days=2),
        starts_at=dt.time(9),
        ends_at=dt.time(11),
        place="X",
    )
    assert meeting_warnings(meeting) == []  # 47 hours ahead: still time
    day_before = aware(today() + dt.timedelta(days=1), 9, 1)
    assert meeting_warnings(meeting, now=day_before) == [
        "Tài liệu sinh hoạt chưa được phát hành cho đảng viên; đảng viên phải nhận được tài liệu trước buổi sinh "
        f"hoạt (09:00 {meeting.date:%d/%m/%Y}) ít nhất 24 giờ."
    ]


def test_a_meeting_is_released_only_before_it_is_held(past, people) -> None:
    Meeting.objects.filter(pk=past.pk).update(pack_published_at=None)
    mark_held(meeting=Meeting.objects.get(pk=past.pk), opened_at=dt.time(19, 30), closed_at=dt.time(21, 15))
    with pytest.raises(WorkflowError, match="trước khi họp"):
        publish_pack(meeting=Meeting.objects.get(pk=past.pk), by=people["secretary"])
