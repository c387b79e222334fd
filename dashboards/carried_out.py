""" "Was it carried out?": the verdict on an adopted resolution, in one look.

The verdict (tasks done on time or late, overdue, not met, progress, targets met) is counted from the same rows the
page's table shows, so the two can never disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from members.models import Member
from resolutions.models import ProgressUpdate, Resolution, Target, Task
from resolutions.services import progress_of


@dataclass(frozen=True)
class TaskRow:
    task: Task
    overdue: bool
    late_by: int
    # The reports that carry a file, latest first.
    evidence: list[ProgressUpdate]
    latest_confirmed: ProgressUpdate | None

    @property
    def done_on_time(self) -> bool:
        return self.task.status == Task.Status.DONE and not self.late_by

    @property
    def done_late(self) -> bool:
        return self.task.status == Task.Status.DONE and bool(self.late_by)


@dataclass(frozen=True)
class TargetRow:
    target: Target

    @property
    def met(self) -> bool:
        target = self.target
        return target.actual_value is not None and target.actual_value >= target.target_value

    @property
    def achieved_percent(self) -> Decimal | None:
        return self.target.achieved_percent


@dataclass(frozen=True)
class Verdict:
    total: int  # tasks that count: every task but the cancelled ones
    done_on_time: int
    done_late: int
    overdue: int
    not_met: int
    cancelled: int
    progress: int | None
    targets: int
    targets_met: int
    tone: str  # a Bootstrap colour
    sentence: str

    @property
    def done(self) -> int:
        return self.done_on_time + self.done_late


def task_rows(resolution: Resolution, day: dt.date) -> list[TaskRow]:
    updates: QuerySet[ProgressUpdate] = (
        ProgressUpdate.objects.select_related("author")
        .only("pk", "task_id", "created_at", "note", "evidence", "evidence_name", "review", "author__full_name")
        .order_by("-created_at", "-pk")
    )
    tasks = resolution.tasks.select_related("lead_member", "lead_mass_organisation").prefetch_related(
        Prefetch("supporters", queryset=Member.objects.only("pk", "full_name")),
        Prefetch("updates", queryset=updates, to_attr="reports"),
    )
    rows = []
    for task in tasks:
        reports: list[ProgressUpdate] = task.reports
        rows.append(
            TaskRow(
                task=task,
                overdue=task.is_overdue(day),
                late_by=task.days_late(day),
                evidence=[r for r in reports if r.evidence],
                latest_confirmed=next((r for r in reports if r.review == ProgressUpdate.Review.CONFIRMED), None),
            )
        )
    return rows


def judge(rows: list[TaskRow], targets: list[TargetRow]) -> Verdict:
    counted = [row for row in rows if row.task.status != Task.Status.CANCELLED]
    total = len(counted)
    done_on_time = sum(row.done_on_time for row in counted)
    done_late = sum(row.done_late for row in counted)
    overdue = sum(row.overdue for row in counted)
    not_met = sum(row.task.status == Task.Status.NOT_MET for row in counted)
    still_open = sum(row.task.is_open for row in counted)
    targets_met = sum(target.met for target in targets)
    done = done_on_time + done_late
    numbers = {
        "done": done,
        "total": total,
        "late": done_late,
        "overdue": overdue,
        "not_met": not_met,
        "met": targets_met,
        "targets": len(targets),
    }
    if not total:
        tone, sentence = "secondary", _("No task was assigned under this resolution.")
    elif overdue or not_met:
        tone = "danger"
        sentence = _(
            "Not carried out as planned: %(overdue)d overdue and %(not_met)d not met; %(done)d of %(total)d tasks done."
        )
    elif still_open:
        tone = "primary"
        sentence = ngettext(
            "Under way and on schedule: %(done)d of %(total)d task done, none overdue.",
            "Under way and on schedule: %(done)d of %(total)d tasks done, none overdue.",
            total,
        )
    elif done_late:
        tone = "warning"
        sentence = _("Every task is done, but %(late)d of them late; %(met)d of %(targets)d targets met.")
    elif targets_met < len(targets):
        tone = "warning"
        sentence = _("Every task was done on time, but only %(met)d of %(targets)d targets were met.")
    else:
        tone, sentence = "success", _("Carried out in full: every task was done on time and every target met.")
    return Verdict(
        total=total,
        done_on_time=done_on_time,
        done_late=done_late,
        overdue=overdue,
        not_met=not_met,
        cancelled=len(rows) - total,
        progress=progress_of(row.task for row in rows),
        targets=len(targets),
        targets_met=targets_met,
        tone=tone,
        sentence=sentence % numbers,
    )


def carried_out_report(resolution: Resolution, day: dt.date) -> dict[str, object]:
    """What the page shows of a resolution: for an adopted one, each task's row, the targets, the verdict, the votes
    and the versions."""
    report: dict[str, object] = {"adopted": resolution.was_adopted}
    if report["adopted"]:
        rows = task_rows(resolution, day)
        targets = [TargetRow(t) for t in resolution.targets.all()]
        report |= {
            "rows": rows,
            "targets": targets,
            "verdict": judge(rows, targets),
            "votes": list(resolution.votes.all()),
            "versions": list(resolution.versions.only("pk", "resolution_id", "number", "created_at", "reason")),
        }
    return report
