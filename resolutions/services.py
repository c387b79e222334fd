"""Workflows that write several rows: each one keyword-only, atomic, and named for what it does."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chibo.lib.history import create_recorded, record_changed
from chibo.lib.html import text_blocks
from chibo.lib.layout import document_number, number_text
from chibo.lib.workflow import Transition, Workflow, WorkflowError
from members.models import Member, Organisation, today
from resolutions import signals
from resolutions.models import (
    ISSUERS,
    CellTarget,
    ProgressUpdate,
    PublicOpinion,
    Resolution,
    StatusChange,
    Target,
    Task,
    Version,
)
from resolutions.rules import OWN_REPORT, Measure, TaskProgress, is_own_report, rolled_up_progress

S = Resolution.Status


class StaleEdit(WorkflowError):
    """Someone else saved the resolution since this form was opened."""


# ---------------------------------------------------------------------------------------------------
# Numbers and drafts
# ---------------------------------------------------------------------------------------------------


def format_number(seq: int, document_type: str = Resolution.DocumentType.RESOLUTION, *, is_cell: bool = True) -> str:
    """ "05-NQ/CB" (a cell's fifth resolution), "03-KH/ĐU" (a committee's third plan): ``layout.document_number``."""
    return document_number(seq, document_type, is_cell=is_cell)


def next_number(
    cell: Organisation, year: int, document_type: str = Resolution.DocumentType.RESOLUTION
) -> tuple[int, str]:
    """Documents are numbered in one run per issuer, kind of document and year: 01-NQ/CB, 02-NQ/CB, …; a
    committee's plans 01-KH/ĐU, 02-KH/ĐU, … beside its resolutions 01-NQ/ĐU, …"""
    issued = Resolution.objects.filter(cell=cell, year=year, document_type=document_type)
    last = issued.aggregate(m=Max("seq"))["m"] or 0
    return last + 1, format_number(last + 1, document_type, is_cell=cell.is_cell)


@transaction.atomic
def create_resolution(*, cell: Organisation, by: User | None, **fields: Any) -> Resolution:
    """A new draft of ``cell`` (a cell, or a committee's document), numbered next in its run."""
    if cell.kind not in ISSUERS:
        raise WorkflowError(_("Only a party cell or a party committee issues resolutions."))
    # Lock the cell row: two secretaries creating at once must not draw the same number.
    Organisation.objects.select_for_update().filter(pk=cell.pk).first()
    resolution = Resolution(cell=cell, created_by=by, **fields)
    resolution.year = resolution.period_start.year
    resolution.seq, default_number = next_number(cell, resolution.year, resolution.document_type)
    resolution.number = resolution.number or default_number
    resolution.save()
    return resolution


def previous_of_kind(cell: Organisation, kind: str, before: dt.date) -> Resolution | None:
    return (
        Resolution.objects.filter(cell=cell, kind=kind, period_start__lt=before)
        .exclude(status__in=[S.WITHDRAWN, S.REJECTED])
        .order_by("-period_start", "-seq")
        .first()
    )


@transaction.atomic
def start_from_last_period(
    *, cell: Organisation, kind: str, period_start: dt.date, period_end: dt.date, title: str, by: User
) -> Resolution:
    """A new draft carrying over the unfinished tasks and the targets of the previous resolution of this kind."""
    previous = previous_of_kind(cell, kind, period_start)
    resolution = create_resolution(
        cell=cell, by=by, kind=kind, period_start=period_start, period_end=period_end, title=title, previous=previous
    )
    if previous is None:
        return resolution
    create_recorded(
        Target,
        (
            Target(resolution=resolution, name=t.name, unit=t.unit, target_value=t.target_value, order=t.order)
            for t in previous.targets.all()
        ),
    )
    for order, task in enumerate(previous.tasks.open().prefetch_related("supporters")):
        supporters = list(task.supporters.all())
        original_id = task.pk
        task.pk = None
        task._state.adding = True
        task.resolution = resolution
        task.carried_from_id = original_id
        # A task whose deadline fell in the past period gets the end of the new one.
        task.deadline = period_end if task.deadline < period_start else task.deadline
        task.order = order
        task.status = Task.Status.IN_PROGRESS if task.progress else Task.Status.NOT_STARTED
        task.completed_on = None
        task.save()
        task.supporters.set(supporters)
    return resolution


@transaction.atomic
def save_resolution(*, resolution: Resolution, expected_lock_version: int, fields: dict[str, Any]) -> Resolution:
    """Save text fields, refusing if someone else saved since ``expected_lock_version`` was read."""
    updated = Resolution.objects.filter(pk=resolution.pk, lock_version=expected_lock_version).update(
        lock_version=expected_lock_version + 1
    )
    if updated != 1:
        raise StaleEdit(
            _(
                "Someone else saved this resolution while you were editing it. Your text is still on the form: "
                "copy what you need, open the resolution again and make your changes there."
            )
        )
    for name, value in fields.items():
        setattr(resolution, name, value)
    resolution.lock_version = expected_lock_version + 1
    if "period_start" in fields:
        resolution.year = resolution.period_start.year
    resolution.save()
    return resolution


# (task id, user id) → the part the user plays in the task: "lead", "support" or "follow".
Assignments = dict[tuple[int, int], str]


def assignments(resolution: Resolution) -> Assignments:
    """Who, with an account, leads, supports or follows each task of the resolution that is not cancelled (three
    queries). The lead's part wins over the others when one person plays two."""
    tasks = Task.objects.filter(resolution=resolution).exclude(status=Task.Status.CANCELLED)
    parts: Assignments = {}
    for pk, follower in tasks.filter(follower__user__isnull=False).values_list("pk", "follower__user_id"):
        parts[(pk, follower)] = "follow"
    supported = Task.supporters.through.objects.filter(task__in=tasks, member__user__isnull=False)
    for pk, user_id in supported.values_list("task_id", "member__user_id"):
        parts[(pk, user_id)] = "support"
    for pk, lead in tasks.filter(lead_member__user__isnull=False).values_list("pk", "lead_member__user_id"):
        parts[(pk, lead)] = "lead"
    return parts


@transaction.atomic
def save_resolution_page(
    *,
    resolution: Resolution,
    expected_lock_version: int,
    fields: dict[str, Any],
    upper_resolutions: Iterable[Resolution] | None,
    targets: Any,
    tasks: Any,
    amendment: tuple[str, PublicOpinion | None] | None,
    by: User,
) -> None:
    """Save the edit page in one transaction: the text (refused if someone else saved since), the upper
    resolutions carried out (``None``: not on the page), the targets' and the tasks' formsets (valid ones: the
    tasks' ``save_tasks`` cancels a removed task of an adopted resolution), and, after adoption, the amendment
    (reason, public opinion) as the next version. In a resolution in force, whoever a task now names for the
    first time is told (a draft's people are told when it is adopted)."""
    assigned_before = assignments(resolution)
    save_resolution(resolution=resolution, expected_lock_version=expected_lock_version, fields=fields)
    if upper_resolutions is not None:
        resolution.upper_resolutions.set(upper_resolutions)
    targets.save()
    tasks.save_tasks(cancel_removed=amendment is not None)
    if amendment is not None:
        reason, opinion = amendment
        amend(resolution=resolution, reason=reason, opinion=opinion, by=by)
    signals.tasks_assigned.send(sender=Resolution, resolution=resolution, before=assigned_before, by=by)


# ---------------------------------------------------------------------------------------------------
# Workflow
# ---------------------------------------------------------------------------------------------------


def _refused(resolution: Resolution) -> str:
    return _("This step cannot be taken while the resolution is %(status)s.") % {
        "status": resolution.get_status_display().lower()
    }


def _log_step(resolution: Resolution, source: str, target: str, by: User | None, note: str) -> None:
    StatusChange.objects.create(resolution=resolution, from_status=source, to_status=target, by=by, note=note)
    if target == S.ADOPTED:  # the tasks are now the members' work: tell each one their part
        signals.tasks_assigned.send(sender=Resolution, resolution=resolution, before=None, by=by)


# Adoption and its undoing are not taken by hand: only a vote that meets the rule adopts (``record_vote``), and
# only a corrected vote takes it back (``correct_vote``).
FLOW = Workflow(
    Resolution,
    [
        Transition("submit", (S.DRAFT,), S.SUBMITTED),
        Transition("back_to_draft", (S.SUBMITTED,), S.DRAFT),
        Transition("reject", (S.SUBMITTED,), S.REJECTED),
        Transition("withdraw", (S.DRAFT, S.SUBMITTED), S.WITHDRAWN),
        Transition("start", (S.ADOPTED,), S.IN_PROGRESS),
        Transition("complete", (S.IN_PROGRESS,), S.COMPLETED),
        Transition("adopt", (S.SUBMITTED,), S.ADOPTED),
        Transition("vote_corrected", (S.ADOPTED,), S.SUBMITTED),
    ],
    stale=gettext_lazy("The resolution was changed by someone else just now. Reload the page."),
    refused=_refused,
    on_move=_log_step,
)


@dataclass(frozen=True)
class Step:
    """A step a secretary takes by hand, as the resolution's page offers it (its move is ``FLOW[name]``)."""

    label: str
    needs_note: bool = False
    style: str = "outline-secondary"


def steps() -> dict[str, Step]:
    """The steps a secretary takes by hand. Adoption is not here: only a vote that meets the rule adopts."""
    return {
        "submit": Step(_("Submit to the meeting"), style="danger"),
        "back_to_draft": Step(_("Back to draft")),
        "reject": Step(_("Record as rejected"), needs_note=True),
        "withdraw": Step(_("Withdraw"), needs_note=True),
        "start": Step(_("Start implementation"), style="danger"),
        "complete": Step(_("Mark completed")),
    }


def available_steps(resolution: Resolution) -> dict[str, Step]:
    available = FLOW.available(resolution)
    offered = {name: step for name, step in steps().items() if name in available}
    if "submit" in offered and not resolution.cell.is_cell:  # a committee's document goes to its committee
        offered["submit"] = Step(_("Submit to the committee"), style="danger")
    return offered


@transaction.atomic
def take_step(*, resolution: Resolution, step_name: str, by: User, note: str = "") -> Resolution:
    step = steps().get(step_name)
    if step is None or step_name not in FLOW.available(resolution):
        raise WorkflowError(_refused(resolution))
    if step.needs_note and not note.strip():
        raise WorkflowError(_("Give the reason."))
    # A cell's resolution goes to the meeting with its tasks; a committee's document sets targets, not tasks.
    if step_name == "submit" and resolution.cell.is_cell and not resolution.tasks.exists():
        raise WorkflowError(_("Add at least one task before submitting the resolution to the meeting."))
    FLOW.move(resolution, FLOW[step_name].target, by=by, note=note)
    return resolution


# ---------------------------------------------------------------------------------------------------
# Versions and amendments
# ---------------------------------------------------------------------------------------------------

SECTIONS = ("assessment", "focal_tasks", "solutions", "implementation")


def snapshot(resolution: Resolution) -> dict[str, Any]:
    tasks = resolution.tasks.select_related("lead_member", "lead_mass_organisation").prefetch_related("supporters")
    return {
        "number": resolution.number,
        "title": resolution.title,
        "sections": {name: getattr(resolution, name) for name in SECTIONS},
        "targets": [
            {"name": t.name, "unit": t.unit, "target_value": str(t.target_value)} for t in resolution.targets.all()
        ],
        "tasks": [
            {
                "title": t.title,
                "details": t.details,
                "focal": t.is_focal,
                "deadline": t.deadline.strftime("%d/%m/%Y"),
                "lead": t.lead_label(),
                "supporters": [m.full_name for m in t.supporters.all()],
                "status": t.status,
            }
            for t in tasks
        ],
    }


@transaction.atomic
def amend(*, resolution: Resolution, reason: str, opinion: PublicOpinion | None, by: User) -> Version:
    """Record the resolution as it now stands as its next version, with the reason for the change."""
    if not resolution.is_amendable:
        raise WorkflowError(_("Only an adopted resolution is amended; a draft is simply edited."))
    if not reason.strip():
        raise WorkflowError(_("Give the reason for the amendment."))
    number = resolution.version + 1
    Resolution.objects.filter(pk=resolution.pk).update(version=number)
    resolution.version = number
    record_changed([resolution], reason=reason)
    return Version.objects.create(
        resolution=resolution,
        number=number,
        snapshot=snapshot(resolution),
        reason=reason,
        opinion=opinion,
        created_by=by,
    )


def snapshot_lines(data: dict[str, Any]) -> list[str]:
    """A snapshot as the lines a reader compares."""
    labels = {
        "assessment": _("Assessment of the last period"),
        "focal_tasks": _("Focal tasks"),
        "solutions": _("Solutions"),
        "implementation": _("Organisation of implementation"),
    }
    lines = [f"{data['number']} – {data['title']}"]
    for name, label in labels.items():
        blocks = text_blocks(data["sections"].get(name, ""))
        if blocks:
            lines.append(f"## {label}")
            lines.extend(line for block in blocks for line in block)
    if data["targets"]:
        lines.append(f"## {_('Targets')}")
        lines.extend(f"- {t['name']}: {t['target_value']} {t['unit']}".rstrip() for t in data["targets"])
    if data["tasks"]:
        lines.append(f"## {_('Tasks')}")
        for t in data["tasks"]:
            helpers = ", ".join(t["supporters"])
            lines.append(f"- {t['title']} — {t['lead']}" + (f" ({helpers})" if helpers else "") + f" — {t['deadline']}")
    return lines


def diff_versions(older: Version, newer: Version) -> list[tuple[str, str]]:
    """(kind, line) pairs, kind being "same", "added" or "removed"."""
    out: list[tuple[str, str]] = []
    for line in difflib.ndiff(snapshot_lines(older.snapshot), snapshot_lines(newer.snapshot)):
        code, text = line[:2], line[2:]
        if code == "  ":
            out.append(("same", text))
        elif code == "+ ":
            out.append(("added", text))
        elif code == "- ":
            out.append(("removed", text))
    return out


# ---------------------------------------------------------------------------------------------------
# Assignment
# ---------------------------------------------------------------------------------------------------


def open_load(member_ids: Iterable[int], day: dt.date | None = None) -> dict[int, int]:
    """Open tasks (led or supported) per member across the resolutions in force, in two queries."""
    ids = list(member_ids)
    load: dict[int, int] = dict.fromkeys(ids, 0)
    open_live = Task.objects.live().open()
    for pk, n in open_live.filter(lead_member_id__in=ids).values_list("lead_member_id").annotate(n=Count("pk")):
        load[pk] += n
    supported = (
        Task.supporters.through.objects.filter(member_id__in=ids, task__in=open_live)
        .values_list("member_id")
        .annotate(n=Count("pk"))
    )
    for pk, n in supported:
        load[pk] += n
    return load


def assignment_warnings(member: Member, *, leads: bool, day: dt.date | None = None) -> list[str]:
    """Why a member may be a poor fit for a task (needs ``with_flags`` annotations)."""
    day = day or today()
    warnings = []
    if getattr(member, "is_away", False):
        warnings.append(_("%(name)s is away (working or living elsewhere).") % {"name": member.full_name})
    if getattr(member, "is_exempt", False):
        warnings.append(_("%(name)s is exempt from activities.") % {"name": member.full_name})
    if leads and member.status_on(day) == Member.Status.PROBATIONARY:
        warnings.append(_("%(name)s is a probationary member and would lead the task.") % {"name": member.full_name})
    return warnings


# ---------------------------------------------------------------------------------------------------
# Progress
# ---------------------------------------------------------------------------------------------------


def progress_of(tasks: Iterable[Task]) -> int | None:
    return rolled_up_progress(
        TaskProgress(
            progress=t.progress,
            weight=t.weight,
            done=t.status == Task.Status.DONE,
            cancelled=t.status == Task.Status.CANCELLED,
        )
        for t in tasks
    )


def progress_by_resolution(resolution_ids: Iterable[int]) -> dict[int, int | None]:
    """The rolled-up progress of many resolutions from one query over their tasks."""
    ids = list(resolution_ids)
    grouped: dict[int, list[Task]] = {pk: [] for pk in ids}
    for task in Task.objects.filter(resolution_id__in=ids).only("resolution_id", "progress", "weight", "status"):
        grouped[task.resolution_id].append(task)
    return {pk: progress_of(tasks) for pk, tasks in grouped.items()}


@transaction.atomic
def post_update(
    *,
    task: Task,
    author: Member,
    status: str,
    progress: int,
    note: str = "",
    evidence: Any = None,
    figure: Decimal | None = None,
) -> ProgressUpdate:
    """A member reports on a task. The report waits ("chờ xác nhận") for a confirmer who is not its author; the
    task's status and percent change only once it is confirmed (``review_update``). ``figure``: for a task that
    carries an upper-level target measured by a number or a percentage, the figure reached so far (the task's
    ``figure`` once the report is confirmed); refused for any other task."""
    if task.resolution.status not in Resolution.LIVE:
        raise WorkflowError(_("Progress is reported once the resolution is adopted."))
    if status == Task.Status.DONE:
        progress = 100
    if status not in Task.Status.values or not 0 <= progress <= 100:
        raise WorkflowError(_("Give a status and a percentage between 0 and 100."))
    if figure is not None:
        measure = task.cell_target.measure if task.cell_target_id and task.cell_target else None
        if measure is None or measure == Measure.YES_NO:
            raise WorkflowError(_("Only a task that carries an upper-level target with a figure takes a figure."))
        if error := figure_error(measure, figure):
            raise WorkflowError(error)
    update = ProgressUpdate(task=task, author=author, status=status, progress=progress, note=note, figure=figure)
    if evidence:
        update.evidence = evidence
        update.evidence_name = evidence.name[:200]
    try:
        update.save()
        signals.progress_reported.send(sender=ProgressUpdate, update=update)
    except Exception:
        # The file is written before the transaction commits: do not leave it behind on a failure.
        if update.evidence:
            update.evidence.delete(save=False)
        raise
    return update


def figure_error(measure: str, figure: Decimal) -> str:
    """Why ``figure`` cannot be reported against a target measured by ``measure``, or "": never negative, a
    percentage at most 100, and at most two decimals (what the report keeps)."""
    if figure < 0:
        return _("The figure reached cannot be negative.")
    if measure == Measure.PERCENT and figure > 100:
        return _("A percentage reached is at most 100.")
    if figure != figure.quantize(Decimal("0.01")) or figure >= Decimal("1e10"):
        return _("Give the figure reached as a number with at most two decimals.")
    return ""


def reviews_own_report(update: ProgressUpdate, by: User) -> bool:
    """Whether ``by`` wrote ``update`` (``rules.is_own_report``): by her member record or her account."""
    reviewer_member_id = Member.objects.filter(user_id=by.pk).values_list("pk", flat=True).first()
    return is_own_report(
        author_member_id=update.author_id,
        author_user_id=update.author.user_id,
        reviewer_member_id=reviewer_member_id,
        reviewer_user_id=by.pk,
    )


@transaction.atomic
def review_update(*, update: ProgressUpdate, confirm: bool, note: str, by: User) -> ProgressUpdate:
    """Confirm a report (the task then shows the latest confirmed report) or send it back (the task is unchanged,
    unless the report had been confirmed). The author of a report never reviews it."""
    if reviews_own_report(update, by):
        raise WorkflowError(str(OWN_REPORT))
    if not confirm and not note.strip():
        raise WorkflowError(_("Say what is missing when sending a report back."))
    # The task's row is locked first, so that reviews of its reports are applied one after the other.
    task = Task.objects.select_for_update().get(pk=update.task_id)
    review = ProgressUpdate.Review.CONFIRMED if confirm else ProgressUpdate.Review.SENT_BACK
    now = timezone.now()
    # The state guard: two reviewers at once, only one of them wins.
    changed = ProgressUpdate.objects.filter(pk=update.pk, review=ProgressUpdate.Review.PENDING).update(
        review=review, review_note=note, reviewed_by=by, reviewed_at=now
    )
    if changed != 1:
        raise WorkflowError(_("This report has already been reviewed."))
    update.review, update.review_note, update.reviewed_by, update.reviewed_at = review, note, by, now
    record_changed([update])
    apply_latest_confirmed(task)
    update.task = task
    signals.progress_reviewed.send(sender=ProgressUpdate, update=update, by=by)
    return update


def apply_latest_confirmed(task: Task) -> None:
    """The task shows its latest confirmed report, by the order the reports were made (not the order they were
    confirmed in), or its initial state when none is confirmed. Called with the task's row locked
    (``select_for_update``) inside the transaction, so that concurrent reviews leave the latest confirmed state."""
    latest = task.updates.filter(review=ProgressUpdate.Review.CONFIRMED).order_by("-created_at", "-pk").first()
    if latest is None:
        task.status, task.progress, task.completed_on = Task.Status.NOT_STARTED, 0, None
    else:
        task.status, task.progress = latest.status, latest.progress
        closed = latest.status in (Task.Status.DONE, Task.Status.NOT_MET)
        task.completed_on = timezone.localtime(latest.created_at).date() if closed else None
    # The figure against an upper-level target: that of the latest confirmed report that gave one.
    figures = task.updates.filter(review=ProgressUpdate.Review.CONFIRMED, figure__isnull=False)
    task.figure = figures.order_by("-created_at", "-pk").values_list("figure", flat=True).first()
    task.save(update_fields=["status", "progress", "completed_on", "figure"])


def open_work_first(tasks: Iterable[Task], day: dt.date) -> list[Task]:
    """Open tasks first (the overdue ones, then by deadline), then those done, not met or cancelled, in the
    order they were drafted."""
    return sorted(
        tasks,
        key=lambda t: (not t.is_open, not t.is_overdue(day), t.deadline if t.is_open else dt.date.min, t.order, t.pk),
    )


def tasks_for_member(member: Member) -> Any:
    """A member's tasks across resolutions in force: open work first (overdue, then by deadline), then the
    tasks done, not met or cancelled."""
    day = today()
    return (
        Task.objects.live()
        .of_member(member.pk)
        .select_related("resolution", "lead_member", "lead_mass_organisation")
        .with_pending_report()
        .annotate(
            is_pending=ExpressionWrapper(Q(status__in=Task.OPEN), output_field=BooleanField()),
            is_late=ExpressionWrapper(Q(status__in=Task.OPEN, deadline__lt=day), output_field=BooleanField()),
        )
        .order_by("-is_pending", "-is_late", "deadline", "pk")
    )


# ---------------------------------------------------------------------------------------------------
# A committee's documents carried into a cell
# ---------------------------------------------------------------------------------------------------


@transaction.atomic
def carry_targets(*, resolution: Resolution, by: User) -> list[Task]:
    """Take the targets of the committees' documents that ``resolution`` carries out into its tasks, one task per
    target not yet carried by it, led by the cell committee until the secretary names someone; the deadline is
    the target's. Returns the tasks added (none when every target is carried already)."""
    if not resolution.cell.is_cell:
        raise WorkflowError(_("Only a cell's resolution takes the targets of the documents above it."))
    if not resolution.is_editable:
        raise WorkflowError(_("Targets are taken into a draft; amend an adopted resolution to change its tasks."))
    carried = Task.objects.filter(resolution=resolution, cell_target__isnull=False).values("cell_target")
    targets = (
        CellTarget.objects.filter(resolution__in=resolution.upper_resolutions.all())
        .exclude(pk__in=carried)
        .select_related("resolution")
        .order_by("resolution__period_start", "resolution__pk", "order", "pk")
    )
    start = (Task.objects.filter(resolution=resolution).aggregate(m=Max("order"))["m"] or 0) + 1
    tasks = [
        Task(
            resolution=resolution,
            title=target.name[:300],
            details=_("Carries the target of %(number)s: %(goal)s.")
            % {"number": target.resolution.number, "goal": goal_text(target)},
            deadline=target.deadline,
            lead_kind=Task.LeadKind.COMMITTEE,
            cell_target=target,
            order=start + n,
        )
        for n, target in enumerate(targets)
    ]
    for task in tasks:
        task.save()
    Resolution.objects.filter(pk=resolution.pk).update(lock_version=F("lock_version") + 1)
    return tasks


def goal_text(target: CellTarget) -> str:
    """ "5 hộ", "90%", "to be carried out": the goal as the pages and the tasks write it."""
    if target.measure == Measure.YES_NO:
        return _("to be carried out")
    return figure_text(target.measure, target.goal, target.unit)


def figure_text(measure: str, value: Decimal | None, unit: str = "") -> str:
    """A figure against a target as the pages write it: "5 hộ", "90%", "achieved" / "not achieved"; "" for
    none."""
    if value is None:
        return ""
    if measure == Measure.PERCENT:
        return f"{number_text(value)}%"
    if measure == Measure.YES_NO:
        return _("achieved") if value >= 1 else _("not achieved")
    return f"{number_text(value)} {unit}".strip()


# ---------------------------------------------------------------------------------------------------
# A committee's own document
# ---------------------------------------------------------------------------------------------------


@transaction.atomic
def save_committee_document(
    *,
    resolution: Resolution,
    expected_lock_version: int,
    fields: dict[str, Any],
    addressed_cells: Iterable[Organisation],
    targets: Any,
    by: User,
) -> None:
    """Save a committee's document from its edit page in one transaction: the text (refused, with nothing
    written, if someone else saved since ``expected_lock_version`` was read), the cells it is addressed to (none:
    every cell under the committee) and the targets' formset (a valid one) it sets each cell."""
    if resolution.cell.is_cell:
        raise WorkflowError(_("A cell's resolution is edited on its own page."))
    if not resolution.is_editable:
        raise WorkflowError(
            _("A resolution that is %(status)s can no longer be changed.")
            % {"status": resolution.get_status_display().lower()}
        )
    cells = list(addressed_cells)
    if any(not cell.is_cell or not cell.path.startswith(resolution.cell.path) for cell in cells):
        raise WorkflowError(_("A committee's document is addressed only to the cells under the committee."))
    save_resolution(resolution=resolution, expected_lock_version=expected_lock_version, fields=fields)
    resolution.addressed_cells.set(cells)
    targets.save()
