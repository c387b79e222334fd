"""The evidence of a whole cell, read in four queries, against figures counted by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from evaluations.evidence import MemberEvidence, TaskCounts, cell_evidence, evidence_under
from evaluations.models import Level
from meetings.models import Attendance, Meeting, Speech
from members.models import Discipline
from resolutions.models import ProgressUpdate, Resolution, Task
from tests.factories import MemberFactory
from tests.resolutions.factories import ResolutionFactory, TaskFactory

pytestmark = pytest.mark.django_db

A = Attendance.Status
DONE, OPEN, NOT_MET, CANCELLED = Task.Status.DONE, Task.Status.IN_PROGRESS, Task.Status.NOT_MET, Task.Status.CANCELLED


def _meeting(cell, day, status):
    return Meeting.objects.create(cell=cell, date=day, starts_at=dt.time(19), place="Nhà văn hóa", status=status)


def _report(task, author, day, review=ProgressUpdate.Review.CONFIRMED):
    update = ProgressUpdate.objects.create(task=task, author=author, status=OPEN, progress=50, review=review)
    stamp = timezone.make_aware(dt.datetime.combine(day, dt.time(8)))
    ProgressUpdate.objects.filter(pk=update.pk).update(created_at=stamp)


@pytest.fixture
def year_of_cell_a1(tree):
    cell = tree.cell_a1
    a, b, c = (MemberFactory.create(cell=cell, full_name=name) for name in ("An", "Bình", "Cúc"))
    adopted = ResolutionFactory.create(cell=cell, period_start=dt.date(2025, 3, 1), period_end=dt.date(2025, 3, 31))
    draft = ResolutionFactory.create(
        cell=cell, period_start=dt.date(2025, 8, 1), period_end=dt.date(2025, 8, 31), status=Resolution.Status.DRAFT
    )
    other_cell = ResolutionFactory.create(
        cell=tree.cell_a2, period_start=dt.date(2025, 3, 1), period_end=dt.date(2025, 3, 31)
    )

    def task(lead, deadline, status, completed_on=None, supporters=(), resolution=adopted):
        return TaskFactory.create(
            resolution=resolution,
            lead_member=lead,
            deadline=deadline,
            status=status,
            completed_on=completed_on,
            supporters=list(supporters),
        )

    t1 = task(a, dt.date(2025, 3, 25), DONE, dt.date(2025, 3, 20), supporters=[b])  # on time
    task(a, dt.date(2025, 5, 10), DONE, dt.date(2025, 5, 15), supporters=[b, c])  # five days late
    task(a, dt.date(2025, 6, 30), OPEN)  # overdue at the end of the year
    task(b, dt.date(2025, 7, 1), NOT_MET)
    task(b, dt.date(2025, 7, 1), CANCELLED, supporters=[c])  # cancelled: not counted
    task(a, dt.date(2024, 12, 20), DONE, dt.date(2024, 12, 1))  # another year
    task(c, dt.date(2025, 8, 10), OPEN, resolution=draft)  # a draft is no work yet
    task(c, dt.date(2025, 3, 10), DONE, dt.date(2025, 3, 1), resolution=other_cell)  # another cell's work

    m1 = _meeting(cell, dt.date(2025, 2, 10), Meeting.Status.HELD)
    m2 = _meeting(cell, dt.date(2025, 3, 10), Meeting.Status.APPROVED)
    m3 = _meeting(cell, dt.date(2025, 4, 10), Meeting.Status.PLANNED)  # not held: not counted
    m4 = _meeting(cell, dt.date(2024, 12, 10), Meeting.Status.APPROVED)  # another year
    rows = [
        (m1, a, A.PRESENT),
        (m1, b, A.ABSENT_WITH_REASON),
        (m1, c, A.ABSENT_WITHOUT_REASON),
        (m2, a, A.LATE),
        (m2, b, A.PRESENT),
        (m2, c, A.EXEMPT),
        (m3, a, A.ABSENT_WITHOUT_REASON),
        (m4, a, A.ABSENT_WITHOUT_REASON),
    ]
    Attendance.objects.bulk_create(Attendance(meeting=m, member=p, status=s) for m, p, s in rows)
    for meeting, speaker in ((m1, a), (m1, a), (m1, b), (m3, c), (m4, b)):
        Speech.objects.create(meeting=meeting, speaker=speaker, content="Ý kiến")
    Speech.objects.create(meeting=m1, speaker_name="Khách mời", content="Ý kiến của khách")
    _report(t1, a, dt.date(2025, 3, 15))
    _report(t1, a, dt.date(2025, 3, 19))
    _report(t1, a, dt.date(2026, 1, 2))  # next year
    _report(t1, b, dt.date(2025, 3, 16))
    _report(t1, b, dt.date(2025, 3, 17), ProgressUpdate.Review.PENDING)  # not yet evidence
    _report(t1, b, dt.date(2025, 3, 18), ProgressUpdate.Review.SENT_BACK)  # not evidence
    for member, day in ((b, dt.date(2025, 9, 1)), (c, dt.date(2024, 11, 30))):  # Cúc's is of another year
        Discipline.objects.create(
            member=member, form=Discipline.Form.REPRIMAND, decided_on=day, reason="Vắng sinh hoạt nhiều lần"
        )
    return cell, {"An": a, "Bình": b, "Cúc": c}


EXPECTED = {
    "An": MemberEvidence(
        led=TaskCounts(total=3, on_time=1, late=1, overdue=1),
        meetings=2,
        attended=2,
        speeches=2,
        reports=2,
    ),
    "Bình": MemberEvidence(
        led=TaskCounts(total=1, not_met=1),
        supported=TaskCounts(total=2, on_time=1, late=1),
        meetings=2,
        attended=1,
        absent_with_reason=1,
        speeches=1,
        reports=1,
        disciplines=1,
    ),
    "Cúc": MemberEvidence(
        supported=TaskCounts(total=1, late=1),
        meetings=1,  # exempt at the second meeting: not expected there
        absent_without_reason=1,
    ),
}


@pytest.mark.parametrize("name", EXPECTED)
def test_each_members_evidence_is_counted_as_by_hand(year_of_cell_a1, name) -> None:
    cell, members = year_of_cell_a1
    evidence = cell_evidence(cell, 2025)
    assert evidence.get(members[name].pk, MemberEvidence()) == EXPECTED[name]


def test_the_evidence_of_a_cell_takes_four_queries(year_of_cell_a1, django_assert_num_queries) -> None:
    cell, _ = year_of_cell_a1
    with django_assert_num_queries(4):
        cell_evidence(cell, 2025)


def test_the_evidence_under_a_ward_reads_every_cell_of_it(year_of_cell_a1, tree, django_assert_num_queries) -> None:
    """The ward's reading is each cell's, plus the work a member did for another cell of the ward (Cúc led a task
    of cell A2's resolution, which cell A1's reading leaves out)."""
    cell, members = year_of_cell_a1
    with django_assert_num_queries(4):
        whole = evidence_under(tree.ward_a, 2025)
    of_cell = cell_evidence(cell, 2025)
    assert whole[members["An"].pk] == of_cell[members["An"].pk]
    assert whole[members["Bình"].pk] == of_cell[members["Bình"].pk]
    assert whole[members["Cúc"].pk].led == TaskCounts(total=1, on_time=1)
    assert of_cell[members["Cúc"].pk].led == TaskCounts()
    assert evidence_under(tree.ward_b, 2025) == {}


def test_an_open_task_is_overdue_only_after_its_deadline(year_of_cell_a1) -> None:
    cell, members = year_of_cell_a1
    led = cell_evidence(cell, 2025, day=dt.date(2025, 6, 30))[members["An"].pk].led
    assert (led.overdue, led.open) == (0, 1)


def test_the_attendance_rate() -> None:
    assert MemberEvidence(meetings=3, attended=2).attendance_rate == 67
    assert MemberEvidence().attendance_rate is None


@pytest.mark.parametrize(
    ("name", "level", "warned"),
    [
        ("An", Level.GOOD, "chủ trì 1 nhiệm vụ đang quá hạn"),
        ("An", Level.DONE, ""),
        ("Bình", Level.EXCELLENT, "chủ trì 1 nhiệm vụ không đạt; có 1 quyết định kỷ luật trong năm"),
        ("Cúc", Level.GOOD, "vắng 1 buổi sinh hoạt không có lý do"),
    ],
)
def test_a_members_evidence_weighs_against_excellent_or_well_completed(year_of_cell_a1, name, level, warned) -> None:
    cell, members = year_of_cell_a1
    warning = cell_evidence(cell, 2025)[members[name].pk].warning(level)
    assert (warned in warning) if warned else warning == ""
    assert bool(warning) == bool(warned)
