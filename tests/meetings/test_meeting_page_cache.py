"""The meeting page and the attendance page keep their heavy part in the cache under the cell's token, the day and
the viewer's rights (``chibo.lib.parts``): served again, it costs a few queries; after any write it shows, the
next request shows the change; each viewer gets their own version; the day and the hour move what they move."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext, ngettext

from meetings.models import AgendaItem, Attendance, Meeting, Speech
from meetings.services import (
    decide_absence,
    documents_warning_for,
    mark_held,
    meeting_warnings,
    plan_meeting,
    request_absence,
    save_review,
    set_attendance,
    touch,
)
from members.models import Exemption, Member, today
from resolutions.models import PublicOpinion, Resolution, Task
from resolutions.services import create_resolution, take_step
from tests.factories import MemberFactory
from tests.meetings.test_meetings import PART_QUERIES

A = Attendance.Status
# Each request's own CSRF token, in the forms and in the page's htmx headers.
CSRF = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]*"')


@pytest.fixture
def cell(tree):
    return tree.cell_a1


@pytest.fixture
def meeting(cell, people) -> Meeting:
    """Tonight's meeting of cell A1, chaired by the secretary, the ward's member in charge attending."""
    MemberFactory.create_batch(3, cell=cell)
    return plan_meeting(
        cell=cell,
        by=people["secretary"],
        kind="regular",
        date=today(),
        starts_at=dt.time(19, 30),
        ends_at=dt.time(21, 30),
        place="Nhà văn hóa khu phố 1",
        chair=people["secretary"].member,
        recorder=people["deputy"].member,
        guest_in_charge=people["in_charge"],
    )


def _url(meeting: Meeting) -> str:
    return reverse("meetings:meeting-detail", args=[meeting.pk])


def _page(client, meeting: Meeting) -> str:
    response = client.get(_url(meeting))
    assert response.status_code == 200
    return CSRF.sub("CSRF", response.content.decode())


# --- served again ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["secretary", "member", "standing", "admin"])
def test_the_page_served_from_the_cache_is_the_page_built(client_for, meeting, who) -> None:
    client = client_for(who)
    built, served = _page(client, meeting), _page(client, meeting)
    assert served == built
    assert meeting.place in served


def test_a_held_meeting_served_again_costs_the_meetings_query_alone(
    client_for, meeting, django_assert_num_queries
) -> None:
    """The benchmark's case: the secretary on a meeting held, whose minutes are not approved yet."""
    mark_held(meeting=meeting, opened_at=dt.time(19, 30), closed_at=dt.time(21, 30))
    client = client_for("secretary")
    url = _url(meeting)
    # session, user, the meeting with its cell's token, roles with member; the part; the bell
    with django_assert_num_queries(4 + PART_QUERIES + 1):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(4 + 1):
        assert client.get(url).status_code == 200


# --- every write the page shows renews it ------------------------------------------------------------------


def _other(meeting: Meeting) -> Member:
    return Member.objects.filter(cell=meeting.cell, user__isnull=True).order_by("pk").first()  # type: ignore[return-value]  # the fixture made three


def _attendance(meeting: Meeting, people: dict[str, User]) -> str:
    member = _other(meeting)
    set_attendance(meeting=meeting, changes={member.pk: (A.ABSENT_WITHOUT_REASON, "")})
    return member.full_name


def _member_renamed(meeting: Meeting, people: dict[str, User]) -> str:
    member = _other(meeting)
    member.full_name = "Đồng chí Đổi Tên"
    member.save()
    return "Đồng chí Đổi Tên"


def _chair_renamed(meeting: Meeting, people: dict[str, User]) -> str:
    chair = people["secretary"].member
    chair.full_name = "Chủ trì Đổi Tên"
    chair.save()
    return "Chủ trì Đổi Tên"


def _in_charge_renamed(meeting: Meeting, people: dict[str, User]) -> str:
    """The ward's member in charge is named by their account: a user's name, under the cell where they hold
    their role."""
    user = people["in_charge"]
    user.first_name, user.last_name = "Phụ trách", "Đổi Tên"
    user.save()
    return "Phụ trách Đổi Tên"


def _cell_renamed(meeting: Meeting, people: dict[str, User]) -> str:
    cell = meeting.cell
    cell.name = "Chi bộ khu phố Mới"
    cell.save()
    return f'{reverse("members:org-detail", args=[cell.pk])}">Chi bộ khu phố Mới</a>'  # the part's breadcrumb


def _absence_requested(meeting: Meeting, people: dict[str, User]) -> str:
    request_absence(meeting=meeting, member=_other(meeting), reason="Đi công tác Cần Thơ")
    return "Đi công tác Cần Thơ"


def _absence_refused(meeting: Meeting, people: dict[str, User]) -> str:
    asked = request_absence(meeting=meeting, member=_other(meeting), reason="Bận việc nhà")
    decide_absence(request=asked, approve=False, by=people["secretary"], refusal_reason="Việc nhà sắp xếp được")
    return "Việc nhà sắp xếp được"


def _agenda_edited(meeting: Meeting, people: dict[str, User]) -> str:
    item = AgendaItem.objects.filter(meeting=meeting).order_by("order", "pk").first()
    assert item is not None
    item.title = "Thông báo tình hình an ninh khu phố"
    item.save()
    return "Thông báo tình hình an ninh khu phố"


def _speech_added(meeting: Meeting, people: dict[str, User]) -> str:
    Speech.objects.create(meeting=meeting, speaker=_other(meeting), content="Đề nghị sửa đèn đường hẻm 5")
    touch(meeting)
    return "Đề nghị sửa đèn đường hẻm 5"


def _opinion_added(meeting: Meeting, people: dict[str, User]) -> str:
    PublicOpinion.objects.create(
        cell=meeting.cell, meeting=meeting, received_on=meeting.date, source="Tổ dân phố 3", content="Nước ngập"
    )
    return "Nước ngập"


def _conclusion_written(meeting: Meeting, people: dict[str, User]) -> str:
    meeting.conclusion = "Chi bộ thống nhất ra quân dọn vệ sinh"
    meeting.save()
    return "Chi bộ thống nhất ra quân dọn vệ sinh"


def _exempted(meeting: Meeting, people: dict[str, User]) -> str:
    """An exemption from the meeting's day on: the roll counts the member among the exempt who attended."""
    Exemption.objects.create(member=_other(meeting), starts_on=meeting.date, reason="Tuổi cao")
    return ngettext("%(n)s attended", "%(n)s attended", 1) % {"n": 1}


def _reviewed(meeting: Meeting, people: dict[str, User]) -> str:
    resolution = Resolution.objects.get(cell=meeting.cell)
    save_review(meeting=meeting, resolution=resolution, texts={"results": "Đạt"})
    return gettext("See the review")


def _submit(resolution: Resolution, people: dict[str, User]) -> None:
    lead = Member.objects.filter(cell=resolution.cell).order_by("pk").first()
    Task.objects.create(resolution=resolution, title="Dọn vệ sinh", deadline=resolution.period_end, lead_member=lead)
    take_step(resolution=resolution, step_name="submit", by=people["secretary"])


def _submitted(meeting: Meeting, people: dict[str, User]) -> str:
    resolution = Resolution.objects.get(cell=meeting.cell)
    _submit(resolution, people)
    return reverse("meetings:resolution-vote", args=[resolution.pk])


def _held(meeting: Meeting, people: dict[str, User]) -> str:
    mark_held(meeting=meeting, opened_at=dt.time(19, 30), closed_at=dt.time(21, 40))
    return gettext("Actually held")


WRITES: list[tuple[str, Callable[[Meeting, dict[str, User]], str]]] = [
    ("member", _attendance),
    ("member", _member_renamed),
    ("member", _chair_renamed),
    ("member", _in_charge_renamed),
    ("member", _cell_renamed),
    ("member", _absence_requested),
    ("member", _absence_refused),
    ("member", _agenda_edited),
    ("member", _speech_added),
    ("member", _opinion_added),
    ("member", _conclusion_written),
    ("member", _exempted),
    ("secretary", _reviewed),
    ("secretary", _submitted),
    ("standing", _held),
]


@pytest.mark.parametrize(("who", "write"), WRITES, ids=[write.__name__.strip("_") for _, write in WRITES])
def test_the_next_request_after_a_write_shows_it(client_for, meeting, people, who, write) -> None:
    create_resolution(cell=meeting.cell, by=None, kind="monthly", period_start=today(), period_end=today(), title="NQ")
    client = client_for(who)
    if write is _member_renamed:
        _attendance(meeting, people)  # the member is named on the page as absent
    _page(client, meeting)
    before = _page(client, meeting)  # served from the cache
    shown = write(meeting, people)
    assert shown not in before
    assert shown in _page(client, meeting)


# --- each viewer their own version -------------------------------------------------------------------------


def test_each_viewer_is_served_the_page_of_their_rights(client_for, meeting, people) -> None:
    steps = reverse("meetings:meeting-step", args=[meeting.pk, "held"])
    ask = reverse("meetings:absence-request", args=[meeting.pk])
    history = reverse("history:meeting-history", args=[meeting.pk])
    request_absence(meeting=meeting, member=people["committee"].member, reason="Ốm")
    for _round in range(2):  # built, then served from the cache
        secretary = _page(client_for("secretary"), meeting)
        member = _page(client_for("member"), meeting)
        asked = _page(client_for("committee"), meeting)  # has asked to be excused already
        standing = _page(client_for("standing"), meeting)
        assert (steps in secretary, steps in member, steps in asked, steps in standing) == (True, False, False, False)
        assert (ask in secretary, ask in member, ask in asked, ask in standing) == (True, True, False, False)
        assert (history in secretary, history in member, history in standing) == (True, False, True)


# --- the day, and the hour ---------------------------------------------------------------------------------


def test_the_vote_waits_for_the_meetings_day(client_for, cell, people, clock) -> None:
    tomorrow = today() + dt.timedelta(days=1)
    meeting = plan_meeting(
        cell=cell,
        by=None,
        kind="regular",
        date=tomorrow,
        starts_at=dt.time(19, 30),
        ends_at=dt.time(21, 30),
        place="Nhà",
    )
    resolution = create_resolution(
        cell=cell, by=None, kind="monthly", period_start=tomorrow, period_end=tomorrow, title="NQ"
    )
    _submit(resolution, people)
    client = client_for("secretary")
    vote = reverse("meetings:resolution-vote", args=[resolution.pk])
    _page(client, meeting)
    assert vote not in _page(client, meeting)
    clock.move_to(timezone.make_aware(dt.datetime.combine(tomorrow, dt.time(8))))
    assert vote in _page(client_for("secretary"), meeting)  # signed in again: a session lasts a working day


def test_the_documents_rule_follows_the_hour(client_for, cell, people, clock) -> None:
    """Tomorrow at 19:30, its pack not released: this morning there is still time; from 19:30 tonight, less than
    a day before it, the page says the pack is late, and the planning warning gives way to it."""
    tomorrow = today() + dt.timedelta(days=1)
    meeting = plan_meeting(
        cell=cell,
        by=None,
        kind="regular",
        date=tomorrow,
        starts_at=dt.time(19, 30),
        ends_at=dt.time(21, 30),
        place="Nhà",
    )
    morning_at = timezone.make_aware(dt.datetime.combine(today(), dt.time(9)))
    evening_at = timezone.make_aware(dt.datetime.combine(today(), dt.time(20)))
    clock.move_to(morning_at)
    client = client_for("member")
    _page(client, meeting)
    morning = _page(client, meeting)
    clock.move_to(evening_at)
    evening = _page(client_for("member"), meeting)  # signed in again: a session lasts a working day
    late = escape(documents_warning_for(meeting, now=evening_at))
    assert late
    assert documents_warning_for(meeting, now=morning_at) == ""
    assert late not in morning
    assert late in evening
    tomorrow_said = escape(meeting_warnings(meeting, now=morning_at)[0])
    assert tomorrow_said in morning
    assert tomorrow_said not in evening


def test_a_build_of_the_minutes_pdf_taking_too_long_is_offered_again(client_for, meeting, clock) -> None:
    Meeting.objects.filter(pk=meeting.pk).update(
        pdf_state=Meeting.PdfState.BUILDING, pdf_version=meeting.version, pdf_requested_at=timezone.now()
    )
    client = client_for("secretary")
    _page(client, meeting)
    building = _page(client, meeting)
    clock.shift(dt.timedelta(minutes=30))
    stale = _page(client, meeting)
    assert gettext("Building the minutes…") in building
    assert gettext("Building the minutes PDF is taking longer than it should.") in stale


# --- the attendance page --------------------------------------------------------------------------------------


def _attendance_url(meeting: Meeting) -> str:
    return reverse("meetings:meeting-attendance", args=[meeting.pk])


def _form(client, meeting: Meeting) -> str:
    response = client.get(_attendance_url(meeting))
    assert response.status_code == 200
    return CSRF.sub("CSRF", response.content.decode())


def _selected(page: str, member: Member) -> str:
    """The status selected in the member's row."""
    select = page.split(f'name="status_{member.pk}"')[1].split("</select>")[0]
    found = re.search(r'<option value="([^"]*)" selected>', select)
    assert found is not None
    return found.group(1)


def test_the_attendance_form_served_again_is_the_form_built(client_for, meeting) -> None:
    client = client_for("secretary")
    built, served = _form(client, meeting), _form(client, meeting)
    assert served == built
    assert 'name="csrfmiddlewaretoken"' in client.get(_attendance_url(meeting)).content.decode()


def test_the_attendance_form_shows_every_change(client_for, meeting, cell) -> None:
    client = client_for("secretary")
    member = _other(meeting)
    _form(client, meeting)
    assert _selected(_form(client, meeting), member) == A.PRESENT
    set_attendance(meeting=meeting, changes={member.pk: (A.ABSENT_WITH_REASON, "Ốm")})
    page = _form(client, meeting)
    assert _selected(page, member) == A.ABSENT_WITH_REASON
    assert 'value="Ốm"' in page
    member.full_name = "Đồng chí Đổi Tên"
    member.save()
    assert "Đồng chí Đổi Tên" in _form(client, meeting)
    joined = MemberFactory.create(cell=cell, full_name="Đồng chí Mới Vào")
    assert _selected(_form(client, meeting), joined) == A.PRESENT  # given their row as the form is built again


def test_a_refused_attendance_form_shows_what_was_posted_and_is_not_kept(client_for, meeting) -> None:
    client = client_for("secretary")
    member = _other(meeting)
    _form(client, meeting)
    posted = {f"status_{row.member_id}": row.status for row in meeting.attendance.all()}
    posted[f"status_{member.pk}"] = A.ABSENT_WITH_REASON  # without its reason: refused by the service
    response = client.post(_attendance_url(meeting), posted)
    assert response.status_code == 200
    refused = response.content.decode()
    assert _selected(refused, member) == A.ABSENT_WITH_REASON
    assert member.full_name in refused.split('class="alert alert-danger"')[1]
    assert _selected(_form(client, meeting), member) == A.PRESENT


def test_only_the_secretaries_are_served_the_attendance_form(client_for, meeting) -> None:
    assert "data-attendance-row" in _form(client_for("secretary"), meeting)
    assert "data-attendance-row" in _form(client_for("deputy"), meeting)
    for who in ("member", "committee", "in_charge", "standing"):
        assert client_for(who).get(_attendance_url(meeting)).status_code == 403


def test_the_attendance_form_is_built_again_the_next_day(client_for, meeting, clock, django_assert_num_queries) -> None:
    client = client_for("secretary")
    url = _attendance_url(meeting)
    client.get(url)
    with django_assert_num_queries(5):  # served from the cache
        assert client.get(url).status_code == 200
    # The next morning, less than a day later (what the cache keeps, it keeps for a day at most).
    clock.move_to(timezone.make_aware(dt.datetime.combine(today() + dt.timedelta(days=1), dt.time(8))))
    client = client_for("secretary")  # signed in again: a session lasts a working day
    with django_assert_num_queries(7):  # the roll checked and the rows read again
        assert client.get(url).status_code == 200
