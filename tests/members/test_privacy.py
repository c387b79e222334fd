"""Members' personal data: the access log, the member's data export, the registry of what each app holds, and the
retention rule for members who left (members/privacy.py, members/personal_data.py, members/rules.py)."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from openpyxl import load_workbook

from evaluations.models import MemberEvaluation, PeopleComment
from evaluations.services import open_cycle
from inspections.models import Inspection
from meetings.models import AbsenceRequest, Attendance, Meeting, Speech, Vote
from members.models import (
    AwayPeriod,
    Discipline,
    Exemption,
    Member,
    MemberEvent,
    PersonalDataAccess,
    Role,
    Suspension,
    today,
)
from members.personal_data import SECTIONS, covered_links, member_data
from members.privacy import IDENTIFYING_FIELDS, accesses_about
from members.rules import ACCESS_VIEW_INTERVAL, identity_erased_from, identity_is_erased_on, view_is_logged
from notifications.models import Notification, Preference
from propagandists.models import Propagandist
from tests.factories import MemberFactory, UserFactory, grant
from tests.resolutions.factories import ProgressUpdateFactory, ResolutionFactory, TaskFactory

Kind = PersonalDataAccess.Kind


def detail(member: Member) -> str:
    return reverse("members:member-detail", args=[member.pk])


def history(member: Member) -> str:
    return reverse("history:member-history", args=[member.pk])


def export(member: Member) -> str:
    return reverse("members:member-data-export", args=[member.pk])


# ---------------------------------------------------------------------------------------------------
# The rule: at most one logged view per person and member an hour
# ---------------------------------------------------------------------------------------------------

NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("last", "logged"),
    [
        (None, True),  # never logged: logged
        (NOW, False),  # a reload
        (NOW - dt.timedelta(minutes=59, seconds=59), False),  # within the hour
        (NOW - dt.timedelta(hours=1), True),  # an hour after the last one logged
        (NOW - dt.timedelta(days=3), True),
    ],
)
def test_a_view_is_logged_unless_one_was_logged_within_the_hour(last, logged) -> None:
    assert view_is_logged(last, NOW) is logged


def test_views_are_logged_for_others_not_for_the_member_and_once_an_hour(
    tree, people, client_for, member_a1, clock
) -> None:
    secretary = client_for("secretary")
    secretary.get(detail(member_a1))
    secretary.get(detail(member_a1))  # a reload
    assert PersonalDataAccess.objects.filter(member=member_a1, kind=Kind.VIEWED).count() == 1
    clock.shift(ACCESS_VIEW_INTERVAL)
    secretary.get(detail(member_a1))
    assert PersonalDataAccess.objects.filter(member=member_a1, kind=Kind.VIEWED).count() == 2
    client_for("deputy").get(detail(member_a1))
    assert PersonalDataAccess.objects.filter(member=member_a1, kind=Kind.VIEWED).count() == 3

    own = Member.objects.get(user=people["member"])
    assert client_for("member").get(detail(own)).status_code == 200
    assert not PersonalDataAccess.objects.filter(member=own).exists()


@pytest.mark.django_db(transaction=False)
def test_a_broken_log_does_not_break_the_page(tree, people, client_for, member_a1, settings, caplog) -> None:
    settings.CHIBO = {**settings.CHIBO, "ACCESS_LOG_RAISES": False}
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {PersonalDataAccess._meta.db_table}")  # rolled back with the test
    response = client_for("secretary").get(detail(member_a1))
    assert response.status_code == 200
    assert "personal data access log" in caplog.text


# ---------------------------------------------------------------------------------------------------
# List exports
# ---------------------------------------------------------------------------------------------------


def test_a_cell_export_is_logged_with_its_scope_and_rows(tree, people, client_for, member_a1) -> None:
    on_roll = Member.objects.in_org(tree.cell_a1).active().count()
    response = client_for("committee").get(reverse("members:cell-members-export", args=[tree.cell_a1.pk]))
    assert response.status_code == 200
    row = PersonalDataAccess.objects.get(kind=Kind.LIST_EXPORTED)
    assert (row.user, row.scope, row.scope_path, row.rows) == (
        people["committee"],
        tree.cell_a1,
        tree.cell_a1.path,
        on_roll,
    )


def test_the_member_list_export_is_logged_per_organisation_overseen(tree, people, client_for, member_a1) -> None:
    MemberFactory.create(cell=tree.cell_a2)
    client_for("standing").get(reverse("members:member-list-export"))
    row = PersonalDataAccess.objects.get(kind=Kind.LIST_EXPORTED)
    assert (row.scope, row.rows) == (tree.ward_a, Member.objects.in_org(tree.ward_a).active().count())

    client_for("admin").get(reverse("members:member-list-export") + f"?org={tree.cell_b1.pk}")
    last_row = PersonalDataAccess.objects.filter(kind=Kind.LIST_EXPORTED).first()
    assert last_row is not None
    row = last_row
    assert (row.scope, row.rows) == (tree.cell_b1, Member.objects.in_org(tree.cell_b1).active().count())


def test_the_history_page_shows_views_and_the_list_exports_that_held_the_member(
    tree, people, client_for, member_a1
) -> None:
    client_for("deputy").get(detail(member_a1))
    client_for("standing").get(reverse("members:cell-members-export", args=[tree.cell_a1.pk]))
    client_for("other_secretary").get(reverse("members:cell-members-export", args=[tree.cell_b1.pk]))
    total, rows = accesses_about(member_a1)
    assert total == 2
    assert [r.kind for r in rows] == [Kind.LIST_EXPORTED, Kind.VIEWED]

    page = client_for("secretary").get(history(member_a1)).content.decode()
    assert "Ai đã xem, xuất dữ liệu" in page
    assert "Đảng viên deputy" in page
    assert "Đảng viên standing" in page
    assert "Đảng viên other_secretary" not in page


def test_a_list_export_before_a_transfer_counts_for_the_cell_of_that_day(tree, people, member_a1, clock) -> None:
    PersonalDataAccess.objects.create(
        kind=Kind.LIST_EXPORTED, scope=tree.cell_b1, scope_path=tree.cell_b1.path, rows=3
    )  # B1's list, while the member was in A1
    clock.shift(dt.timedelta(days=2))
    MemberEvent.objects.create(
        member=member_a1, kind=MemberEvent.Kind.TRANSFERRED, on=today(), from_cell=tree.cell_a1, to_cell=tree.cell_b1
    )
    Member.objects.filter(pk=member_a1.pk).update(cell=tree.cell_b1)
    member_a1.refresh_from_db()
    assert accesses_about(member_a1)[0] == 0
    PersonalDataAccess.objects.create(kind=Kind.LIST_EXPORTED, scope=tree.cell_b1, scope_path=tree.cell_b1.path)
    assert accesses_about(member_a1)[0] == 1


@pytest.mark.parametrize("name", ["member", "other_secretary", "nobody"])
def test_the_log_is_not_shown_to_those_who_do_not_oversee_the_cell(tree, people, client_for, member_a1, name) -> None:
    assert client_for(name).get(history(member_a1)).status_code in (403, 404)


def test_the_history_page_reads_a_fixed_number_of_queries_whatever_the_log(
    tree, people, client_for, member_a1, django_assert_max_num_queries
) -> None:
    client = client_for("secretary")

    def fill(n: int) -> None:
        users = [UserFactory.create() for _ in range(3)]
        PersonalDataAccess.objects.bulk_create(
            PersonalDataAccess(user=users[i % 3], member=member_a1, kind=Kind.VIEWED) for i in range(n)
        )
        PersonalDataAccess.objects.bulk_create(
            PersonalDataAccess(user=users[0], kind=Kind.LIST_EXPORTED, scope=tree.ward_a, scope_path=tree.ward_a.path)
            for _ in range(n)
        )

    fill(2)
    client.get(history(member_a1))
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(history(member_a1))
    fill(80)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(history(member_a1)).content.decode()
    assert "Hiển thị 50 lượt mới nhất" in page


# ---------------------------------------------------------------------------------------------------
# The member's data
# ---------------------------------------------------------------------------------------------------


def full_member(tree, people) -> Member:
    """A member with one record of each kind that a section exports."""
    user = UserFactory.create(username="hong")
    member = MemberFactory.create(cell=tree.cell_a1, user=user, full_name="Nguyễn Thị Hồng", address="=HYPERLINK(1)")
    grant(user, Role.Kind.COMMITTEE, tree.cell_a1)
    day = today()
    MemberEvent.objects.create(member=member, kind=MemberEvent.Kind.OFFICIAL, on=dt.date(2001, 3, 2))
    Exemption.objects.create(member=member, starts_on=dt.date(2010, 1, 1), ends_on=dt.date(2010, 6, 1), reason="Ốm")
    AwayPeriod.objects.create(member=member, starts_on=dt.date(2011, 1, 1), ends_on=dt.date(2011, 6, 1), place="TP HCM")
    Suspension.objects.create(member=member, starts_on=dt.date(2012, 1, 1), ends_on=dt.date(2012, 2, 1), reason="Xét")
    Discipline.objects.create(member=member, form=Discipline.Form.REPRIMAND, decided_on=dt.date(2013, 1, 1), reason="X")
    task = TaskFactory.create(resolution__cell=tree.cell_a1, lead_member=member)
    TaskFactory.create(resolution__cell=tree.cell_a1, supporters=[member])
    ProgressUpdateFactory.create(task=task)
    meeting = Meeting.objects.create(
        cell=tree.cell_a1, date=day, starts_at=dt.time(19), place="Nhà văn hóa", chair=member
    )
    Attendance.objects.create(meeting=meeting, member=member, status=Attendance.Status.PRESENT)
    AbsenceRequest.objects.create(meeting=meeting, member=member, reason="Đi công tác")
    Speech.objects.create(meeting=meeting, speaker=member, content="Ý kiến về nghị quyết")
    vote = Vote.objects.create(
        resolution=ResolutionFactory.create(cell=tree.cell_a1),
        held_on=day,
        official_count=5,
        entitled_count=5,
        present_count=4,
        votes_for=4,
        votes_against=0,
        votes_abstain=0,
        adopted=True,
    )
    vote.absent_with_reason.add(member)
    cycle = open_cycle(cell=tree.cell_a1, year=day.year, by=people["admin"])
    MemberEvaluation.objects.create(cycle=cycle, member=member, strengths="Gương mẫu")
    PeopleComment.objects.create(cycle=cycle, about=member, source="Tổ dân phố", text="Tốt", given_on=day)
    Propagandist.objects.create(cell=tree.cell_a1, member=member, starts_on=dt.date(2020, 1, 1))
    Inspection.objects.create(
        body=Inspection.Body.CELL_COMMITTEE,
        body_org=tree.cell_a1,
        subject_org=tree.cell_a1,
        subject_member=member,
        title="Kiểm tra",
        planned_start=dt.date(2026, 3, 1),
        planned_end=dt.date(2026, 3, 15),
    )
    Notification.objects.create(recipient=user, kind="due_soon", subject="Họp chi bộ", body="Mời dự họp", day=day)
    Preference.objects.create(user=user)
    PersonalDataAccess.objects.create(user=people["secretary"], member=member, kind=Kind.VIEWED)
    member.phone = "0912000222"
    member.save()
    return member


def test_every_section_holds_the_member_s_records(tree, people) -> None:
    member = full_member(tree, people)
    TOTPDevice.objects.create(user=member.user, name="phone", confirmed=True)
    data = dict(member_data(member))
    empty = [title for title, rows in data.items() if not rows]
    assert not empty, f"sections with nothing: {empty}"
    assert len(data) == len(SECTIONS)


def test_the_download_is_for_the_member_and_those_who_manage_them_and_is_logged(tree, people, client_for) -> None:
    member = full_member(tree, people)
    own = Client()
    assert member.user is not None
    own.force_login(member.user)
    assert "Tải dữ liệu của tôi" in own.get(detail(member)).content.decode()
    response = own.get(export(member))
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    document = json.loads(archive.read("du-lieu-ca-nhan.json"))
    assert document["Lý lịch"][0]["Họ và tên"] == "Nguyễn Thị Hồng"
    book = load_workbook(io.BytesIO(archive.read("du-lieu-ca-nhan.xlsx")))
    assert book.sheetnames[0] == "Giới thiệu"
    profile = book["Lý lịch"]
    address = [c for c in profile[2] if c.value == "=HYPERLINK(1)"]
    assert address
    assert address[0].data_type == "s"

    assert client_for("secretary").get(export(member)).status_code == 200
    assert client_for("admin").get(export(member)).status_code == 200
    assert client_for("standing").get(export(member)).status_code == 403
    assert client_for("in_charge").get(export(member)).status_code == 403
    assert client_for("member").get(export(member)).status_code == 404
    assert client_for("other_secretary").get(export(member)).status_code == 404
    logged = PersonalDataAccess.objects.filter(member=member, kind=Kind.MEMBER_EXPORTED)
    assert sorted(r.user.username if r.user else "" for r in logged) == ["admin", "hong", "secretary"]


def _link_name(model, f) -> str:
    return f"{model._meta.app_label}.{model.__name__}.{f.name}"


# Links to a member or to their account that the export leaves out, each with its reason.
NOT_EXPORTED = {
    # Django's admin log: what an administrator did in the admin, not data about a member.
    "admin.LogEntry.user",
    # Who did something to someone else's record (recorded, decided, reviewed, created, approved a step): the
    # member acting for the cell, kept in the cell's records; not data about the member.
    "members.MemberEvent.recorded_by",
    "members.PersonalDataAccess.user",
    "meetings.AbsenceRequest.decided_by",
    "resolutions.ProgressUpdate.reviewed_by",
    "meetings.Vote.recorded_by",
    "resolutions.Version.created_by",
    "resolutions.StatusChange.by",
    "resolutions.Dissemination.recorded_by",
    "resolutions.PublicOpinion.recorded_by",
    "resolutions.Resolution.created_by",
    "meetings.Meeting.created_by",
    "meetings.Meeting.pack_published_by",
    "inspections.Inspection.created_by",
    "evaluations.EvaluationCycle.approved_by",
    "evaluations.CycleStep.by",
    "evaluations.PeopleComment.recorded_by",
}


def test_every_link_to_a_member_or_their_account_is_exported_or_excluded_with_a_reason() -> None:
    """A new model pointing at Member or at the user model must be covered by a section of its app
    (members.personal_data.register) or named above. The change-history tables mirror the live rows (the
    member's own record's history is its own section), so they are not walked."""
    targets = (Member, get_user_model())
    covered = covered_links()
    missing = []
    for model in apps.get_models():
        if model.__name__.startswith("Historical") or model._meta.app_label in ("auth", "contenttypes", "sessions"):
            continue
        for f in model._meta.get_fields():
            if f.is_relation and not f.auto_created and f.related_model in targets:
                name = _link_name(model, f)
                if name not in covered and name not in NOT_EXPORTED:
                    missing.append(name)
    assert not missing, f"not in the member's data export: {missing}"
    assert not (NOT_EXPORTED & covered)


# ---------------------------------------------------------------------------------------------------
# Retention
# ---------------------------------------------------------------------------------------------------

S = Member.ManagementStatus


@pytest.mark.parametrize(
    ("status", "left_on", "day", "erased"),
    [
        # Five years after leaving the party or dying: erased from that day on.
        (S.LEFT, dt.date(2020, 6, 15), dt.date(2025, 6, 14), False),  # one day before
        (S.LEFT, dt.date(2020, 6, 15), dt.date(2025, 6, 15), True),  # on the day
        (S.LEFT, dt.date(2020, 6, 15), dt.date(2025, 6, 16), True),  # after
        (S.DECEASED, dt.date(2020, 6, 15), dt.date(2025, 6, 15), True),
        # Transferred out: kept by another cell, but erased here after the same period.
        (S.TRANSFERRED_OUT, dt.date(2020, 6, 15), dt.date(2025, 6, 14), False),
        (S.TRANSFERRED_OUT, dt.date(2020, 6, 15), dt.date(2025, 6, 15), True),
        # Left on 29 February: the period ends on 28 February of a common year, 29 February of a leap one.
        (S.LEFT, dt.date(2020, 2, 29), dt.date(2025, 2, 27), False),
        (S.LEFT, dt.date(2020, 2, 29), dt.date(2025, 2, 28), True),
        (S.LEFT, dt.date(2024, 2, 29), dt.date(2029, 2, 28), True),
        (S.LEFT, dt.date(2023, 2, 28), dt.date(2028, 2, 27), False),
        (S.LEFT, dt.date(2023, 2, 28), dt.date(2028, 2, 28), True),
        # Still on the roll: never; gone without a recorded date: never.
        (S.ACTIVE, dt.date(2000, 1, 1), dt.date(2040, 1, 1), False),
        (S.ACTIVE, None, dt.date(2040, 1, 1), False),
        (S.LEFT, None, dt.date(2040, 1, 1), False),
    ],
)
def test_the_retention_rule(status, left_on, day, erased) -> None:
    assert identity_is_erased_on(status, left_on, day, years=5) is erased


def test_the_period_is_a_setting(settings) -> None:
    settings.RETENTION_YEARS_AFTER_LEAVING = 10
    assert identity_erased_from(S.LEFT, dt.date(2020, 1, 2)) == dt.date(2030, 1, 2)


def test_the_monthly_job_is_scheduled(settings) -> None:
    beat = settings.CELERY_BEAT_SCHEDULE["apply-retention"]
    assert beat["task"] == "members.tasks.apply_retention"
    assert beat["schedule"].day_of_month == {1}


def _left(tree, years_ago: int, status: str = S.LEFT) -> Member:
    member = MemberFactory.create(cell=tree.cell_a1, email="a@b.vn", address="Khu phố 1", citizen_id=None)
    member.citizen_id = f"{member.pk:012d}"
    member.party_card_number = "123456"
    member.management_status = status
    member.left_on = today().replace(year=today().year - years_ago) - dt.timedelta(days=1)
    member.save()
    return member


def _identity(member: Member) -> dict[str, object]:
    member.refresh_from_db()
    return {name: getattr(member, name) for name in IDENTIFYING_FIELDS}


def test_the_command_prints_and_writes_nothing_without_apply_then_erases_and_is_idempotent(tree, client_for) -> None:
    old = _left(tree, 6)
    transferred = _left(tree, 5, S.TRANSFERRED_OUT)
    recent = _left(tree, 2)
    active = MemberFactory.create(cell=tree.cell_a1)
    before = {m.pk: _identity(m) for m in (old, transferred, recent, active)}
    history_before = Member.history.filter(id=old.pk).count()

    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert "Would erase the identifying data of 2 member(s)" in out.getvalue()
    assert "citizen_id: 2 value(s)" in out.getvalue()
    assert {m.pk: _identity(m) for m in (old, transferred, recent, active)} == before
    assert not PersonalDataAccess.objects.exists()

    call_command("apply_retention", "--apply", stdout=io.StringIO())
    for member in (old, transferred):
        assert set(_identity(member).values()) <= {None, ""}
        assert member.identity_erased_on == today()
        assert member.full_name
        assert member.admitted_on
        assert member.left_on
        assert member.citizen_id_hash is None  # the keyed hash of the citizen ID goes with it
        for row in Member.history.filter(id=member.pk):
            assert all(getattr(row, name) in (None, "") for name in IDENTIFYING_FIELDS)
            assert row.citizen_id_hash is None
    assert Member.history.filter(id=old.pk).count() == history_before
    assert _identity(recent) == before[recent.pk]
    assert _identity(active) == before[active.pk]
    assert PersonalDataAccess.objects.filter(kind=Kind.ERASED).count() == 2

    out = io.StringIO()
    call_command("apply_retention", "--apply", stdout=out)
    assert "Erased the identifying data of 0 member(s)" in out.getvalue()
    assert PersonalDataAccess.objects.filter(kind=Kind.ERASED).count() == 2

    page = client_for("secretary").get(detail(old)).content.decode()
    assert f"Dữ liệu định danh đã được xoá theo quy định lưu trữ ngày {today():%d/%m/%Y}" in page


def test_the_beat_task_applies_the_rule(tree) -> None:
    from members.tasks import apply_retention

    old = _left(tree, 6)
    assert apply_retention.delay().get() == 1
    assert _identity(old)["phone"] == ""
