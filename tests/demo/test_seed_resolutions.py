"""``manage.py seed_demo``, the resolution side: a year of monthly resolutions in every demo cell.

Seeded once for the module (twice, to check idempotence) and removed afterwards.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F, Min, Q
from django.urls import reverse
from django.utils import timezone, translation

from chibo.lib.html import looks_like_html, text_blocks, tidy_paragraphs
from demo.assemble import delete_demo_data
from meetings.models import Vote
from meetings.rules import entitled_voters, judge_vote
from meetings.services import roll_on
from members.models import MassOrganisation, Member, Organisation, Role, today
from resolutions.models import (
    Dissemination,
    ProgressUpdate,
    PublicOpinion,
    Resolution,
    StatusChange,
    Target,
    Task,
    Version,
)
from resolutions.rules import Concrete, concretised
from resolutions.services import format_number, snapshot

S = Resolution.Status
TS = Task.Status
ADOPTED = (S.ADOPTED, S.IN_PROGRESS, S.COMPLETED)
COMMITTEE_ROLES = (Role.Kind.SECRETARY, Role.Kind.DEPUTY, Role.Kind.COMMITTEE)
TABLES = (
    Resolution,
    Target,
    Task,
    Task.supporters.through,
    ProgressUpdate,
    Vote,
    Vote.absent_with_reason.through,
    Version,
    StatusChange,
    Dissemination,
    PublicOpinion,
    MassOrganisation,
)


@dataclass(frozen=True)
class Seeded:
    first_output: str
    second_output: str
    counts_after_first: dict[str, int]
    day: dt.date
    finished_at: dt.datetime  # nothing seeded may be later; a test's pinned clock starts again before it


def _counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in TABLES}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[Seeded]:
    """Seed twice outside the per-test transactions; remove the demo when the module is done."""
    with django_db_blocker.unblock():
        delete_demo_data()  # anything another module left behind
        first, second = StringIO(), StringIO()
        call_command("seed_demo", stdout=first)
        counts = _counts()
        call_command("seed_demo", stdout=second)
    yield Seeded(first.getvalue(), second.getvalue(), counts, today(), timezone.now())
    with django_db_blocker.unblock():
        delete_demo_data()


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded")]


def _month(day: dt.date, shift: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + shift
    return dt.date(index // 12, index % 12 + 1, 1)


def _of_cells():
    """The cells' own resolutions (the ward committees' documents are tested on their own)."""
    return Resolution.objects.filter(cell__kind=Organisation.Kind.CELL)


def _named_cell() -> Organisation:
    cell = Role.objects.get(user__username="bithu", kind=Role.Kind.SECRETARY).organisation
    assert cell is not None
    return cell


def _committees() -> set[tuple[int, int]]:
    """(cell, member) for every secretary, deputy and committee member of a cell."""
    rows = Role.objects.filter(kind__in=COMMITTEE_ROLES).values_list("organisation_id", "user__member__id")
    return set(rows)


def _sample(queryset, n: int) -> list:
    pks = sorted(queryset.values_list("pk", flat=True))
    return list(queryset.filter(pk__in=random.Random(7).sample(pks, min(n, len(pks)))))


def test_every_cell_has_a_monthly_resolution_for_each_of_the_last_twelve_months(seeded: Seeded) -> None:
    months = [_month(seeded.day, shift) for shift in range(-11, 1)]
    starts: dict[int, list[dt.date]] = defaultdict(list)
    rows = _of_cells().exclude(status=S.DRAFT).values_list("cell_id", "kind", "period_start", "period_end")
    for cell_id, kind, start, end in rows:
        assert kind == Resolution.Kind.MONTHLY
        assert end == _month(start, 1) - dt.timedelta(days=1)
        starts[cell_id].append(start)
    assert set(starts) == set(Organisation.objects.cells().values_list("pk", flat=True))
    assert len(starts) == 72
    assert all(sorted(cell_starts) == months for cell_starts in starts.values())


def test_numbers_run_per_cell_and_calendar_year_as_next_number_gives_them() -> None:
    runs: dict[tuple[int, int], list[tuple[dt.date, int, str]]] = defaultdict(list)
    for cell_id, year, seq, number, start in _of_cells().values_list(
        "cell_id", "year", "seq", "number", "period_start"
    ):
        assert year == start.year
        assert number == format_number(seq)
        runs[cell_id, year].append((start, seq, number))
    for run in runs.values():
        run.sort()
        assert [seq for _, seq, _ in run] == list(range(1, len(run) + 1))
        assert len({number for *_, number in run}) == len(run)


def test_every_adopted_resolution_has_one_vote_meeting_the_charter_rule_and_a_first_version(seeded: Seeded) -> None:
    adopted = _of_cells().filter(status__in=ADOPTED).prefetch_related("votes", "versions")
    assert adopted.count() == 72 * 12
    for resolution in adopted:
        (vote,) = resolution.votes.all()
        result = judge_vote(
            entitled=vote.entitled_count,
            votes_for=vote.votes_for,
            votes_against=vote.votes_against,
            votes_abstain=vote.votes_abstain,
        )
        assert result.adopted
        assert not result.error
        assert vote.adopted
        assert vote.votes_for + vote.votes_against + vote.votes_abstain <= vote.entitled_count <= vote.official_count
        assert vote.explanation.startswith(f"{vote.votes_for} phiếu tán thành / {vote.entitled_count} đảng viên")
        assert resolution.adopted_on == vote.held_on
        assert resolution.period_start <= vote.held_on <= min(resolution.period_start + dt.timedelta(6), seeded.day)
        assert [version.number for version in resolution.versions.all()] == [1]
        assert resolution.version == 1


def test_vote_counts_are_those_of_the_roll_on_the_meeting_day() -> None:
    for vote in _sample(Vote.objects.select_related("resolution__cell").prefetch_related("absent_with_reason"), 25):
        absent = [member.pk for member in vote.absent_with_reason.all()]
        roll = roll_on(vote.resolution.cell, vote.held_on, absent_with_reason=absent)
        entitlement = entitled_voters(roll)
        assert vote.official_count == len(roll.official)
        assert vote.entitled_count == len(entitlement.entitled)
        assert vote.excluded == entitlement.excluded


def test_version_one_is_the_snapshot_services_would_have_taken_at_adoption() -> None:
    resolutions = _sample(Resolution.objects.filter(status__in=ADOPTED), 20)
    with translation.override(settings.LANGUAGE_CODE):
        for resolution in resolutions:
            expected = snapshot(resolution)
            for task in expected["tasks"]:
                task["status"] = TS.NOT_STARTED  # the tasks have moved on since the vote
            assert resolution.versions.get(number=1).snapshot == expected


def test_status_changes_lead_from_draft_to_the_present_status_in_time_order(seeded: Seeded) -> None:
    now = seeded.finished_at
    changes: dict[int, list[StatusChange]] = defaultdict(list)
    for change in StatusChange.objects.order_by("at", "pk"):
        changes[change.resolution_id].append(change)
    explanations = dict(Vote.objects.values_list("resolution_id", "explanation"))
    for pk, status in _of_cells().values_list("pk", "status"):
        chain = changes[pk]
        if status == S.DRAFT:
            assert not chain
            continue
        steps = [(c.from_status, c.to_status) for c in chain]
        expected = [(S.DRAFT, S.SUBMITTED), (S.SUBMITTED, S.ADOPTED), (S.ADOPTED, S.IN_PROGRESS)]
        assert steps == expected + ([(S.IN_PROGRESS, S.COMPLETED)] if status == S.COMPLETED else [])
        assert chain[1].note == explanations[pk]
        assert all(change.at <= now for change in chain)
        assert all(change.by_id is not None for change in chain)


def test_past_months_are_completed_and_the_current_month_is_being_implemented(seeded: Seeded) -> None:
    current, previous = _month(seeded.day, 0), _month(seeded.day, -1)
    statuses = Counter(_of_cells().values_list("period_start", "status"))
    assert statuses[current, S.IN_PROGRESS] == 72
    # A month is closed within a week of the next month's meeting (held in its first days).
    assert statuses[previous, S.COMPLETED] + statuses[previous, S.IN_PROGRESS] == 72
    assert statuses[previous, S.IN_PROGRESS] == 0 or seeded.day.day <= 13
    older = {status for (start, status) in statuses if start < previous}
    assert older == {S.COMPLETED}
    # Two targets each; what was reached is known for the completed months.
    targets = Target.objects.values_list("resolution_id", "resolution__status", "actual_value")
    per_resolution = Counter(resolution_id for resolution_id, _, _ in targets)
    assert set(per_resolution.values()) == {2}
    assert all((actual is not None) == (status == S.COMPLETED) for _, status, actual in targets)


def test_member_leads_are_fit_members_of_the_cell_and_followers_sit_on_its_committee(seeded: Seeded) -> None:
    members = Member.objects.with_flags(seeded.day).values_list("pk", "is_exempt", "is_away")  # type: ignore[misc]  # annotated by with_flags()
    flags = {pk: (exempt, away) for pk, exempt, away in members}
    committees = _committees()
    kinds = Counter[str]()
    rows = Task.objects.values_list(
        "lead_kind",
        "lead_member_id",
        "lead_member__cell_id",
        "lead_member__official_on",
        "lead_mass_organisation__cell_id",
        "follower_id",
        "resolution__cell_id",
        "resolution__period_start",
    )
    for kind, lead, lead_cell, official_on, mass_cell, follower, cell, start in rows:
        kinds[kind] += 1
        if kind == Task.LeadKind.MEMBER:
            assert lead_cell == cell
            assert flags[lead] == (False, False)  # neither exempt nor away on the day of seeding
            assert official_on is not None
            assert official_on <= start  # probationary members do not lead
        else:
            assert lead is None
        if kind == Task.LeadKind.MASS_ORGANISATION:
            assert mass_cell == cell
        assert (cell, follower) in committees
    assert kinds[Task.LeadKind.MEMBER] > 0.6 * sum(kinds.values())
    assert kinds[Task.LeadKind.COMMITTEE] > 0
    assert kinds[Task.LeadKind.MASS_ORGANISATION] > 0
    supporters = Task.supporters.through.objects.values_list(
        "task__resolution__cell_id", "member__cell_id", "task__lead_member_id", "member_id"
    )
    assert supporters
    assert all(cell == member_cell and lead != member for cell, member_cell, lead, member in supporters)
    per_task = Counter(Task.supporters.through.objects.values_list("task_id", flat=True))
    assert max(per_task.values()) <= 2


def test_every_cell_has_the_five_mass_organisations_of_a_hamlet() -> None:
    kinds = defaultdict(set)
    for cell_id, kind in MassOrganisation.objects.values_list("cell_id", "kind"):
        kinds[cell_id].add(kind)
    assert len(kinds) == 72
    expected = {"front", "women", "farmers", "veterans", "youth"}
    assert all(cell_kinds == expected for cell_kinds in kinds.values())


def test_a_task_shows_its_latest_confirmed_report_and_no_one_reviewed_their_own(seeded: Seeded) -> None:
    reports: dict[int, list[ProgressUpdate]] = defaultdict(list)
    for update in ProgressUpdate.objects.select_related("author").order_by("created_at", "pk"):
        reports[update.task_id].append(update)
        if update.reviewed_by_id is not None:
            assert update.reviewed_by_id != update.author.user_id
    committees = _committees()
    tasks = Task.objects.values_list(
        "pk", "status", "progress", "completed_on", "lead_kind", "lead_member_id", "resolution__cell_id"
    )
    assert not Task.objects.filter(follower=F("lead_member")).exists()
    for pk, status, progress, completed_on, lead_kind, lead, cell in tasks:
        counted = [u for u in reports[pk] if u.review == ProgressUpdate.Review.CONFIRMED]
        if counted:
            latest = counted[-1]
            done_on = timezone.localtime(latest.created_at).date() if latest.status == TS.DONE else None
            assert (status, progress, completed_on) == (latest.status, latest.progress, done_on)
        else:
            assert (status, progress, completed_on) == (TS.NOT_STARTED, 0, None)
        for update in reports[pk]:
            if lead_kind == Task.LeadKind.MEMBER:
                assert update.author_id == lead
            else:
                assert (cell, update.author_id) in committees
    reviews = Counter(ProgressUpdate.objects.values_list("review", flat=True))
    assert reviews[ProgressUpdate.Review.SENT_BACK] > 0
    assert reviews[ProgressUpdate.Review.PENDING] > 0
    assert reviews[ProgressUpdate.Review.CONFIRMED] > reviews[ProgressUpdate.Review.PENDING]
    assert not ProgressUpdate.objects.filter(created_at__gt=seeded.finished_at).exists()


def test_there_is_overdue_work_late_work_and_work_not_met(seeded: Seeded) -> None:
    overdue = Task.objects.overdue(seeded.day)
    assert overdue.exists()
    assert not overdue.exclude(resolution__status=S.IN_PROGRESS).exists()
    done = Task.objects.filter(status=TS.DONE)
    late = done.filter(completed_on__gt=F("deadline"))
    assert 0.05 < late.count() / done.count() < 0.3
    not_met = Task.objects.filter(status=TS.NOT_MET)
    assert 0 < not_met.count() < 0.15 * Task.objects.count()
    assert not not_met.exclude(resolution__status=S.COMPLETED).exists()
    assert not Task.objects.filter(resolution__status=S.COMPLETED, status__in=Task.OPEN).exists()
    live = set(Task.objects.live().values_list("status", flat=True))
    assert {TS.NOT_STARTED, TS.IN_PROGRESS, TS.DONE} <= live
    assert Task.objects.exclude(carried_from=None).exists()  # what was not met is carried into the next month
    # Four to six tasks of the cell's own, and those that carry a committee's targets.
    counts = Counter(Task.objects.filter(cell_target=None).values_list("resolution_id", flat=True))
    assert set(counts.values()) <= {4, 5, 6}


def test_the_secretary_bithus_cell_drafts_next_months_resolution(seeded: Seeded) -> None:
    cell = _named_cell()
    (draft,) = Resolution.objects.filter(status=S.DRAFT)
    assert draft.cell == cell
    following = _month(seeded.day, 1)
    assert (draft.period_start, draft.year) == (following, following.year)
    same_year = Resolution.objects.filter(cell=cell, year=following.year).exclude(pk=draft.pk)
    assert draft.seq == same_year.count() + 1
    assert not draft.votes.exists()
    assert not draft.versions.exists()
    assert not draft.status_changes.exists()
    assert draft.targets.count() == 2
    tasks = list(draft.tasks.all())
    assert 4 <= len(tasks) <= 6
    assert all(t.status == TS.NOT_STARTED and draft.period_start <= t.deadline <= draft.period_end for t in tasks)
    assert draft.previous == Resolution.objects.get(cell=cell, period_start=_month(seeded.day, 0))


def test_resolutions_are_disseminated_and_public_opinion_is_heard(seeded: Seeded) -> None:
    audiences: dict[int, set[str]] = defaultdict(set)
    for resolution_id, cell, audience, mass_cell, group_cell, held_on, start in Dissemination.objects.values_list(
        "resolution_id",
        "resolution__cell_id",
        "audience",
        "mass_organisation__cell_id",
        "residential_group__cell_id",
        "held_on",
        "resolution__period_start",
    ):
        audiences[resolution_id].add(audience)
        assert start <= held_on <= seeded.day
        assert mass_cell in (None, cell)
        assert group_cell in (None, cell)
    adopted = _of_cells().filter(status__in=ADOPTED).values_list("pk", flat=True)
    assert all(Dissemination.Audience.MEMBERS in audiences[pk] for pk in adopted)
    wider = {Dissemination.Audience.MASS_ORGANISATION, Dissemination.Audience.RESIDENTIAL_GROUP}
    assert wider <= set().union(*audiences.values())
    opinions = Counter[int]()
    for cell, resolution_cell, received, start, end in PublicOpinion.objects.values_list(
        "cell_id", "resolution__cell_id", "received_on", "resolution__period_start", "resolution__period_end"
    ):
        opinions[cell] += 1
        assert resolution_cell == cell
        assert start <= received <= min(end, seeded.day)
    assert len(opinions) == 72
    assert all(3 <= n <= 6 for n in opinions.values())


def test_sections_are_short_plain_paragraphs() -> None:
    for resolution in _sample(Resolution.objects.all(), 50):
        for name in ("assessment", "focal_tasks", "solutions", "implementation"):
            text = getattr(resolution, name)
            assert not looks_like_html(text)
            assert "&" not in text
            assert tidy_paragraphs(text) == text  # as the edit form would store it
            assert 1 <= len(text_blocks(text)) <= 4


def test_running_twice_creates_nothing(seeded: Seeded) -> None:
    assert "nothing created" in seeded.second_output
    assert _counts() == seeded.counts_after_first


def test_the_summary_reports_resolutions_tasks_and_votes(seeded: Seeded) -> None:
    tasks = Task.objects.all()
    numbers = {
        "resolutions": Resolution.objects.count(),
        "votes": Vote.objects.count(),
        "tasks": tasks.count(),
        "open": tasks.open().count(),
        "overdue": tasks.overdue(seeded.day).count(),
        "done": tasks.filter(status=TS.DONE).count(),
    }
    for label, number in numbers.items():
        assert f"{number:,} {label}" in seeded.first_output
        assert f"{number:,} {label}" in seeded.second_output


def test_reset_removes_the_resolutions_and_seeds_the_months_asked() -> None:
    out = StringIO()
    call_command("seed_demo", "--reset", "--months", "2", stdout=out)  # inside the test's transaction: rolled back
    assert "Seeded city scale" in out.getvalue()
    assert _of_cells().count() == 72 * 2 + 1  # and next month's draft
    assert MassOrganisation.objects.count() == 72 * 5
    assert Target.objects.count() == 2 * (72 * 2 + 1)
    cells = Q(resolution__cell__kind=Organisation.Kind.CELL)
    assert Vote.objects.filter(cells).count() == Version.objects.filter(cells).count() == 72 * 2
    assert Resolution.objects.filter(cell__kind=Organisation.Kind.WARD).count() == 2 * 16


def test_the_months_must_be_a_positive_number() -> None:
    with pytest.raises(CommandError, match="--months"):
        call_command("seed_demo", "--months", "0")


def test_dangviens_report_waits_for_the_secretary_and_her_home_page_shows_it(seeded: Seeded, client) -> None:
    """The demo's history is of confirmed reports; ``dangvien``'s latest waits for ``bithu``, not counted yet."""
    dangvien = Member.objects.get(user__username="dangvien")
    waiting = ProgressUpdate.objects.filter(author=dangvien, review=ProgressUpdate.Review.PENDING)
    (report,) = waiting.filter(task__lead_member=dangvien, task__resolution__cell=_named_cell())
    assert report.task.follower_id != dangvien.pk
    counted = report.task.updates.filter(review=ProgressUpdate.Review.CONFIRMED).first()
    assert report.task.progress == (counted.progress if counted else 0)
    client.force_login(get_user_model().objects.get(username="bithu"))
    page = client.get(reverse("home")).content.decode()
    assert f"{dangvien.full_name} báo cáo “{report.task.title}”" in page


def test_every_ward_issues_two_documents_with_targets_that_most_cells_carry_out(seeded: Seeded) -> None:
    """Each ward committee's plan and resolution or directive of the year, adopted by its vote, each with a target
    of every measure; most cells carried each in time, some late, and in each ward one cell has not carried one."""
    day = seeded.day
    wards = Organisation.objects.filter(kind=Organisation.Kind.WARD)
    documents = Resolution.objects.filter(cell__kind=Organisation.Kind.WARD).select_related("cell")
    assert Counter(documents.values_list("cell_id", flat=True)) == dict.fromkeys(wards.values_list("pk", flat=True), 2)
    for document in documents:
        assert document.year == day.year
        assert document.status == S.ADOPTED
        assert document.number == format_number(1, document.document_type, is_cell=False)
        assert document.concretise_by is not None
        assert document.concretise_by < day
        (vote,) = document.votes.all()
        assert vote.adopted
        assert vote.held_on == document.adopted_on < document.concretise_by
        assert list(document.status_changes.values_list("to_status", flat=True).order_by("at")) == [
            S.SUBMITTED,
            S.ADOPTED,
        ]
        measures = sorted(document.cell_targets.values_list("measure", flat=True))
        assert measures == ["number", "percent", "yes_no"]
    assert Counter(documents.values_list("document_type", flat=True))[Resolution.DocumentType.PLAN] == wards.count()

    carrying = Resolution.upper_resolutions.through.objects.filter(from_resolution__status__in=ADOPTED)
    earliest = carrying.values("to_resolution_id", "from_resolution__cell_id").annotate(
        first=Min("from_resolution__adopted_on")
    )
    first = {(row["to_resolution_id"], row["from_resolution__cell_id"]): row["first"] for row in earliest}
    states: Counter[str] = Counter()
    late_per_ward: Counter[int] = Counter()
    for document in documents:
        for cell in Organisation.objects.cells().filter(path__startswith=document.cell.path):
            state = concretised(adopted_on=first.get((document.pk, cell.pk)), deadline=document.concretise_by, day=day)
            states[state] += 1
            late_per_ward[document.cell_id] += state == Concrete.LATE
    assert late_per_ward == dict.fromkeys(wards.values_list("pk", flat=True), 1)
    assert states[Concrete.DONE] > 0.6 * sum(states.values())
    assert states[Concrete.DONE_LATE] > 0

    # The carrying tasks: one per target in the resolution that carries the document, led by a member, due on the
    # target's deadline, their figure the latest confirmed report's.
    tasks = Task.objects.filter(cell_target__isnull=False).select_related("cell_target", "resolution")
    links = set(carrying.values_list("from_resolution_id", "to_resolution_id"))
    assert tasks.count() == 3 * len(links)
    for task in tasks:
        assert (task.resolution_id, task.cell_target.resolution_id) in links
        assert task.lead_kind == Task.LeadKind.MEMBER
        assert task.deadline == task.cell_target.deadline
        confirmed = task.updates.filter(review=ProgressUpdate.Review.CONFIRMED, figure__isnull=False)
        assert task.figure == confirmed.order_by("-created_at", "-pk").values_list("figure", flat=True).first()
    assert tasks.filter(figure__isnull=False).exists()
    assert tasks.filter(status=TS.DONE).exists()
