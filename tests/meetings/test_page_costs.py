"""What keeps the meeting page and the attendance page cheap at the scale of a province: selects written in
Python exactly as Django's templates write them, a cell's roll read from the cell alone, and an attendance page
that writes nothing when every member already has their row."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.formats import localize

from meetings.forms import AttendanceForm, MeetingOpinionForm, SpeechForm
from meetings.models import Attendance, Meeting
from meetings.services import cell_roll_on, decide_absence, plan_meeting, request_absence
from members import services as member_services
from members.models import Member, today
from resolutions.forms.widgets import RenderedOptions, Select
from tests.factories import MemberFactory

A = Attendance.Status
CHOICES = [
    list(A.choices),
    [("a", "A & B"), ("a", "the same value again"), ("", "none"), ("<x>", '"quoted"')],
    [(1, "one"), (None, "nothing"), (2, 2000)],
]


@pytest.mark.parametrize("choices", CHOICES)
@pytest.mark.parametrize("value", ["present", "absent_reason", None, "", "a", 1, ["a"], '<x>"'])
@pytest.mark.parametrize(
    "attrs", [None, {"id": "id_status_1"}, {"id": "id_s", "required": True, "aria-invalid": "true", "off": False}]
)
def test_the_quick_select_writes_what_djangos_template_writes(choices, value, attrs) -> None:
    with translation.override("vi"):
        django_select = forms.Select(attrs={"class": "form-select"}, choices=choices)
        # As the meeting page gives them: the labels localised (Django's template localises them too).
        options = RenderedOptions([(option, str(localize(label))) for option, label in choices])
        quick = Select(attrs={"class": "form-select"}, choices=options)
        assert quick.render("status_1", value, attrs) == django_select.render("status_1", value, attrs)


def test_the_quick_selects_of_the_meeting_page_write_what_django_writes(tree, people) -> None:
    cell = tree.cell_a1
    MemberFactory.create_batch(3, cell=cell)
    meeting = plan_meeting(
        cell=cell, by=None, kind="regular", date=today(), starts_at=dt.time(19), ends_at=dt.time(21), place="Nhà"
    )
    for form in (SpeechForm(meeting=meeting), MeetingOpinionForm(meeting=meeting)):
        for name, field in form.fields.items():
            if isinstance(field.widget, Select):
                django_select = forms.Select(attrs=field.widget.attrs)
                django_select.choices = field.widget.choices
                django_select.is_required = field.widget.is_required
                bound = form[name]
                assert bound.as_widget() == bound.as_widget(widget=django_select), name


@pytest.mark.parametrize("bound", [False, True])
def test_the_attendance_forms_inputs_are_djangos(tree, bound) -> None:
    cell = tree.cell_a1
    MemberFactory.create_batch(4, cell=cell)
    meeting = plan_meeting(
        cell=cell, by=None, kind="regular", date=today(), starts_at=dt.time(19), ends_at=dt.time(21), place="Nhà"
    )
    rows = list(meeting.attendance.select_related("member"))
    statuses: list[str] = [A.ABSENT_WITH_REASON, A.PRESENT, A.ABSENT_WITH_REASON, A.LATE]
    for row, chosen in zip(rows, statuses, strict=True):
        row.status = chosen
    data: dict[str, str] = {f"status_{r.member_id}": s for r, s in zip(rows, reversed(statuses), strict=True)}
    data |= {f"reason_{rows[0].member_id}": "<ốm>", f"reason_{rows[1].member_id}": "x" * 301}
    form = AttendanceForm(data if bound else None, rows=rows)
    assert not form.is_valid()  # unbound, or bound with a reason too long
    for row, status, reason in form.bound_rows():
        for bound_field, django_widget in (
            (status, forms.Select(attrs={"class": "form-select"}, choices=A.choices)),
            (reason, forms.TextInput(attrs=reason.field.widget.attrs)),
        ):
            assert str(bound_field) == bound_field.as_widget(widget=django_widget), row
    page = form.rows_html()
    assert page.count("data-attendance-row") == len(rows)
    assert ('<div class="text-danger small">' in page) is bound  # the reason too long, shown under it
    assert ('value="&lt;ốm&gt;"' in page) is bound


def _official(cell, name: str) -> Member:
    return MemberFactory.create(
        cell=cell, full_name=name, admitted_on=dt.date(2010, 1, 1), official_on=dt.date(2011, 1, 1)
    )


def test_a_cells_roll_on_a_day_is_the_members_one(tree) -> None:
    """The members then in the cell (those transferred out since included, those who came since not), on the
    roll that day (admitted by then, not yet gone)."""
    a1, a2 = tree.cell_a1, tree.cell_a2
    day = today() - dt.timedelta(days=10)
    stays = _official(a1, "Lê Văn Ở")
    leaves_cell = _official(a1, "Lê Văn Đi")
    comes = _official(a2, "Lê Văn Đến")
    new = MemberFactory.create(cell=a1, full_name="Lê Văn Mới", admitted_on=today(), official_on=None)
    gone = _official(a1, "Lê Văn Nghỉ")
    Member.objects.filter(pk=gone.pk).update(left_on=day - dt.timedelta(days=1))
    member_services.transfer_member(member=leaves_cell, to_cell=a2, on=today(), decision="QĐ 1", by=None)
    member_services.transfer_member(member=comes, to_cell=a1, on=today(), decision="QĐ 2", by=None)
    for cell, when in ((a1, day), (a2, day), (a1, today()), (a2, today())):
        expected = set(Member.objects.in_cell(cell, on=when).on_roll(when))
        assert set(cell_roll_on(cell, when)) == expected
    ours = {stays, leaves_cell, comes, new, gone}
    assert set(cell_roll_on(a1, day)) & ours == {stays, leaves_cell}
    assert set(cell_roll_on(a1, today())) & ours == {stays, comes, new}


def test_opening_the_attendance_page_writes_nothing_when_every_member_has_a_row(client_for, tree, people) -> None:
    cell = tree.cell_a1
    MemberFactory.create_batch(3, cell=cell)
    meeting = plan_meeting(
        cell=cell, by=None, kind="regular", date=today(), starts_at=dt.time(19), ends_at=dt.time(21), place="Nhà"
    )
    client = client_for("secretary")
    url = reverse("meetings:meeting-attendance", args=[meeting.pk])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    writes = [q["sql"] for q in queries if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    writes = [sql for sql in writes if "django_session" not in sql]
    assert writes == []


def test_a_member_who_joined_since_planning_gets_their_default_row(client_for, tree, people) -> None:
    """Exempt, away, excused by an approved request (with its reason), or present."""
    cell = tree.cell_a1
    meeting = plan_meeting(
        cell=cell,
        by=None,
        kind="regular",
        date=today() + dt.timedelta(days=3),
        starts_at=dt.time(19),
        ends_at=dt.time(21),
        place="Nhà",
    )
    excused, present = _official(cell, "Trần Văn Xin"), _official(cell, "Trần Văn Có")
    absence = request_absence(meeting=meeting, member=excused, reason="Đi công tác")
    decide_absence(request=absence, approve=True, by=people["secretary"], refusal_reason="")
    # As if both had joined the roll after the meeting was planned.
    Attendance.objects.filter(meeting=meeting, member__in=[excused, present]).delete()
    before = Attendance.objects.count()
    assert client_for("secretary").get(reverse("meetings:meeting-attendance", args=[meeting.pk])).status_code == 200
    rows = {r.member_id: (r.status, r.reason) for r in Attendance.objects.filter(meeting=meeting)}
    assert rows[excused.pk] == (A.ABSENT_WITH_REASON, "Đi công tác")
    assert rows[present.pk] == (A.PRESENT, "")
    assert Attendance.objects.count() > before
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert meeting.expected_count == len(rows)


def test_the_meeting_page_offers_to_ask_for_leave_only_to_members_who_have_not(client_for, tree, people) -> None:
    """The user's own request is found among the meeting's requests."""
    meeting = plan_meeting(
        cell=tree.cell_a1,
        by=None,
        kind="regular",
        date=today() + dt.timedelta(days=3),
        starts_at=dt.time(19),
        ends_at=dt.time(21),
        place="Nhà",
    )
    ask = reverse("meetings:absence-request", args=[meeting.pk])
    detail = reverse("meetings:meeting-detail", args=[meeting.pk])
    assert ask in client_for("member").get(detail).content.decode()
    request_absence(meeting=meeting, member=Member.objects.get(user=people["member"]), reason="Ốm")
    assert ask not in client_for("member").get(detail).content.decode()
    assert ask in client_for("deputy").get(detail).content.decode()
