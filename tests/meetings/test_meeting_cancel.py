"""A second regular meeting in a month is planned only once the secretary confirms it, the same meeting twice
never; the secretary cancels a planned meeting with its reason: kept in the history, the members told at once,
and gone from the upcoming lists, the reminders and the counts of meetings held."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from meetings.models import Meeting
from meetings.rules import OtherMeeting, duplicate_meeting
from meetings.services import cancel_meeting, mark_held, plan_meeting, upcoming_meetings
from members.models import today
from notifications.calendar import feed_meetings
from notifications.models import Kind, Notification
from notifications.reminders import _meeting_drafts, reminder_settings
from resolutions.services import WorkflowError

T = dt.time
EVENING = dt.time(19, 30)


# --- the rule ------------------------------------------------------------------------------------------------

NOV_5 = OtherMeeting(dt.date(2026, 11, 5), T(19, 30), "regular", 1)
NOV_12_THEMATIC = OtherMeeting(dt.date(2026, 11, 12), T(19, 30), "thematic", 2)
DEC_3 = OtherMeeting(dt.date(2026, 12, 3), T(19, 30), "regular", 3)


@pytest.mark.parametrize(
    ("date", "starts", "kind", "others", "same", "month"),
    [
        # Nothing planned: nothing to say.
        (dt.date(2026, 11, 5), T(19, 30), "regular", [], None, None),
        # "a second identical meeting (same cell, same day, same start) is refused", whatever its kind
        (dt.date(2026, 11, 5), T(19, 30), "regular", [NOV_5], NOV_5, None),
        (dt.date(2026, 11, 12), T(19, 30), "regular", [NOV_12_THEMATIC], NOV_12_THEMATIC, None),
        # "a second regular meeting in the same month" is a warning: another day, or the same day another hour
        (dt.date(2026, 11, 26), T(19, 30), "regular", [NOV_5], None, NOV_5),
        (dt.date(2026, 11, 5), T(8, 0), "regular", [NOV_5], None, NOV_5),
        # a thematic meeting beside a regular one, or a regular one beside a thematic one, is no warning
        (dt.date(2026, 11, 26), T(19, 30), "thematic", [NOV_5], None, None),
        (dt.date(2026, 11, 26), T(19, 30), "regular", [NOV_12_THEMATIC], None, None),
        # another month is no warning
        (dt.date(2026, 11, 26), T(19, 30), "regular", [DEC_3], None, None),
        (dt.date(2025, 11, 26), T(19, 30), "regular", [NOV_5], None, None),
    ],
)
def test_the_duplicate_meeting_rule(date, starts, kind, others, same, month) -> None:
    assert duplicate_meeting(date=date, starts_at=starts, kind=kind, others=others) == (same, month)


# --- planning twice ------------------------------------------------------------------------------------------


@pytest.fixture
def cell(tree):
    return tree.cell_a1


def _plan(cell, people, day: dt.date, starts: dt.time = EVENING, kind: str = "regular") -> Meeting:
    return plan_meeting(
        cell=cell,
        by=people["secretary"],
        kind=kind,
        date=day,
        starts_at=starts,
        ends_at=T(starts.hour + 2, starts.minute),
        place="Nhà văn hóa",
    )


def _form(day: dt.date, starts: str = "19:30", **more: str) -> dict[str, str]:
    return {
        "kind": "regular",
        "date": day.strftime("%d/%m/%Y"),
        "starts_at": starts,
        "ends_at": f"{int(starts[:2]) + 2}:{starts[3:]}",
        "place": "Nhà văn hóa",
        **more,
    }


def test_a_second_regular_meeting_in_the_month_asks_for_a_confirmation(client_for, cell, people) -> None:
    first = _plan(cell, people, dt.date(2026, 11, 25))
    client = client_for("secretary")
    url = reverse("meetings:meeting-create", args=[cell.pk])
    response = client.post(url, _form(dt.date(2026, 11, 28)))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Trong tháng này chi bộ đã có buổi sinh hoạt thường kỳ ngày 25/11/2026 lúc 19:30" in page
    assert reverse("meetings:meeting-detail", args=[first.pk]) in page
    assert "Tôi vẫn muốn tạo thêm cuộc họp" in page
    assert Meeting.objects.count() == 1
    confirmed = client.post(url, _form(dt.date(2026, 11, 28), confirm_duplicate="1"))
    assert confirmed.status_code == 302
    assert Meeting.objects.count() == 2


def test_the_same_meeting_twice_is_refused_even_confirmed(client_for, cell, people) -> None:
    _plan(cell, people, dt.date(2026, 11, 25))
    url = reverse("meetings:meeting-create", args=[cell.pk])
    response = client_for("secretary").post(url, _form(dt.date(2026, 11, 25), confirm_duplicate="1"))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Chi bộ đã có buổi sinh hoạt ngày 25/11/2026 lúc 19:30. Đồng chí hãy mở buổi sinh hoạt đó, "
        "không lên kế hoạch lại."
    ]
    assert Meeting.objects.count() == 1
    with pytest.raises(WorkflowError, match="25/11/2026 lúc 19:30"):  # the service refuses it too
        _plan(cell, people, dt.date(2026, 11, 25))
    assert Meeting.objects.count() == 1


def test_a_cancelled_meeting_is_not_a_duplicate(cell, people) -> None:
    first = _plan(cell, people, dt.date(2026, 11, 25))
    cancel_meeting(meeting=first, reason="Mưa bão", by=people["secretary"])
    again = _plan(cell, people, dt.date(2026, 11, 25))
    assert again.pk != first.pk


def test_another_cells_meeting_is_not_a_duplicate(tree, cell, people) -> None:
    _plan(tree.cell_b1, people, dt.date(2026, 11, 25))
    assert _plan(cell, people, dt.date(2026, 11, 25)).cell == cell


# --- cancelling ----------------------------------------------------------------------------------------------


@pytest.fixture
def planned(cell, people) -> Meeting:
    return _plan(cell, people, dt.date(2026, 11, 20))


def test_cancelling_writes_the_status_the_history_and_tells_the_members_at_once(planned, people) -> None:
    members = {people[name].pk for name in ("secretary", "deputy", "committee", "member", "in_charge")}
    cancel_meeting(meeting=planned, reason="Trùng lịch hội nghị của phường", by=people["secretary"])
    planned.refresh_from_db()
    assert (planned.status, planned.cancel_reason) == (Meeting.Status.CANCELLED, "Trùng lịch hội nghị của phường")
    last = planned.history.order_by("-history_date", "-history_id").first()
    assert last.status == "cancelled"
    assert last.history_change_reason == "Trùng lịch hội nghị của phường"
    assert last.history_user == people["secretary"]
    told = Notification.objects.filter(kind=Kind.MEETING_CANCELLED, object_ref=f"meeting:{planned.pk}")
    assert set(told.values_list("recipient_id", flat=True)) == members
    note = told.get(recipient=people["member"])
    assert note.subject == "Buổi sinh hoạt chi bộ ngày 20/11/2026 đã bị hủy"
    assert "Lý do: Trùng lịch hội nghị của phường" in note.body
    assert note.day == today()


def test_only_a_planned_meeting_is_cancelled_and_with_a_reason(planned, people) -> None:
    with pytest.raises(WorkflowError, match="lý do hủy"):
        cancel_meeting(meeting=planned, reason="  ", by=people["secretary"])
    Meeting.objects.filter(pk=planned.pk).update(date=today())
    planned.refresh_from_db()
    mark_held(meeting=planned, opened_at=T(7, 30), closed_at=T(9, 30))
    with pytest.raises(WorkflowError, match="đã lên kế hoạch"):
        cancel_meeting(meeting=planned, reason="Nhầm", by=people["secretary"])
    planned.refresh_from_db()
    assert planned.status == Meeting.Status.HELD
    assert not Notification.objects.filter(kind=Kind.MEETING_CANCELLED).exists()


def test_the_secretary_confirms_then_cancels_from_the_meeting_page(client_for, planned) -> None:
    client = client_for("deputy")
    detail = reverse("meetings:meeting-detail", args=[planned.pk])
    url = reverse("meetings:meeting-cancel", args=[planned.pk])
    assert url in client.get(detail).content.decode()
    confirm = client.get(url).content.decode()
    assert "sẽ bị hủy" in confirm
    assert "được thông báo ngay" in confirm
    assert Meeting.objects.get(pk=planned.pk).status == Meeting.Status.PLANNED  # asking writes nothing
    empty = client.post(url, {"reason": ""})
    assert empty.status_code == 200
    assert empty.context["form"].errors["reason"]
    response = client.post(url, {"reason": "Mưa bão"}, follow=True)
    assert response.redirect_chain[-1][0] == detail
    page = response.content.decode()
    assert "Buổi sinh hoạt này đã bị hủy." in page
    assert "Mưa bão" in page
    assert url not in page  # nothing more to do with it
    listing = client.get(reverse("meetings:meeting-list", args=[planned.cell_id])).content.decode()
    assert "Đã hủy" in listing
    assert "Mưa bão" in listing


@pytest.mark.parametrize(("role", "status"), [("member", 403), ("committee", 403), ("other_secretary", 404)])
def test_only_the_cells_secretaries_cancel(client_for, planned, role, status) -> None:
    url = reverse("meetings:meeting-cancel", args=[planned.pk])
    assert client_for(role).post(url, {"reason": "Không họp"}).status_code == status
    assert client_for(role).get(url).status_code == status
    planned.refresh_from_db()
    assert planned.status == Meeting.Status.PLANNED
    assert not Notification.objects.filter(kind=Kind.MEETING_CANCELLED).exists()


def test_a_cancelled_meeting_is_not_edited_held_or_attended(client_for, planned, people) -> None:
    cancel_meeting(meeting=planned, reason="Mưa bão", by=people["secretary"])
    client = client_for("secretary")
    for name in ("meeting-edit", "meeting-attendance"):
        response = client.get(reverse(f"meetings:{name}", args=[planned.pk]), follow=True)
        assert "đã bị hủy: không thể chỉnh sửa nữa" in response.content.decode(), name
    Meeting.objects.filter(pk=planned.pk).update(date=today())
    client.post(
        reverse("meetings:meeting-step", args=[planned.pk, "held"]), {"opened_at": "07:30", "closed_at": "09:30"}
    )
    planned.refresh_from_db()
    assert planned.status == Meeting.Status.CANCELLED


@pytest.mark.clock("2026-11-18 10:00")
def test_a_cancelled_meeting_leaves_the_upcoming_lists_and_the_reminders(cell, people) -> None:
    soon = _plan(cell, people, dt.date(2026, 11, 21))  # three days ahead: the notice day
    member = people["member"].member
    assert soon in upcoming_meetings(member.pk, today())
    assert soon in feed_meetings(people["member"], today())
    notices = _meeting_drafts(today(), reminder_settings())
    assert any(d.object_ref == f"meeting:{soon.pk}" for d in notices)
    cancel_meeting(meeting=soon, reason="Mưa bão", by=people["secretary"])
    assert soon not in upcoming_meetings(member.pk, today())
    assert soon not in feed_meetings(people["member"], today())
    notices = _meeting_drafts(today(), reminder_settings())
    assert not any(d.object_ref == f"meeting:{soon.pk}" for d in notices)


def test_moving_a_meeting_onto_another_ones_day_and_hour_is_refused(client_for, cell, people) -> None:
    _plan(cell, people, dt.date(2026, 11, 25))
    moved = _plan(cell, people, dt.date(2026, 11, 27), kind="thematic")
    items = list(moved.agenda_items.all())
    data = {
        "meeting-kind": "thematic",
        "meeting-date": "25/11/2026",
        "meeting-starts_at": "19:30",
        "meeting-ends_at": "21:30",
        "meeting-place": moved.place,
        "agenda-TOTAL_FORMS": len(items),
        "agenda-INITIAL_FORMS": len(items),
        "agenda-MIN_NUM_FORMS": 0,
        "agenda-MAX_NUM_FORMS": 1000,
    }
    for i, item in enumerate(items):
        data.update({f"agenda-{i}-id": item.pk, f"agenda-{i}-order": item.order, f"agenda-{i}-title": item.title})
    url = reverse("meetings:meeting-edit", args=[moved.pk])
    response = client_for("secretary").post(url, data)
    assert response.status_code == 200
    assert "Chi bộ đã có buổi sinh hoạt ngày 25/11/2026 lúc 19:30" in str(response.context["form"].non_field_errors())
    moved.refresh_from_db()
    assert moved.date == dt.date(2026, 11, 27)
    # Another hour the same day is saved (a thematic meeting is no second regular one).
    response = client_for("secretary").post(url, {**data, "meeting-starts_at": "14:00", "meeting-ends_at": "16:00"})
    assert response.status_code == 302
    moved.refresh_from_db()
    assert (moved.date, moved.starts_at) == (dt.date(2026, 11, 25), T(14, 0))
