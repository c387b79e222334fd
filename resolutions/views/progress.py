"""Progress: a member's own tasks ("Việc của tôi"), reporting on a task, the review of a report, evidence files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from chibo.lib.forms import confirmed
from chibo.lib.parts import cached_part
from chibo.lib.requests import SignedInRequest
from chibo.lib.uploads import detect_content_type
from members.access import Access, access_for, get_organisation, require
from members.models import Member, today
from resolutions.access import can_report_on, can_review, can_review_update, get_task, get_update
from resolutions.forms.progress import ProgressForm, ReviewForm
from resolutions.models import CellTarget, ProgressUpdate, Resolution, Task
from resolutions.pages import my_tasks_tokens
from resolutions.services import (
    WorkflowError,
    figure_text,
    goal_text,
    post_update,
    progress_of,
    review_update,
    tasks_for_member,
)

DUE_SOON_DAYS = 7


@dataclass(frozen=True)
class MyTask:
    task: Task
    leads: bool
    overdue: bool
    due_soon: bool
    days_late: int


def my_task_rows(member_id: int, day: dt.date) -> list[MyTask]:
    """The member's tasks in force, overdue first, then by deadline, in one query."""
    rows = []
    for task in tasks_for_member(Member(pk=member_id)):
        rows.append(
            MyTask(
                task=task,
                leads=task.lead_member_id == member_id,
                overdue=task.is_overdue(day),
                due_soon=task.is_open and day <= task.deadline <= day + dt.timedelta(days=DUE_SOON_DAYS),
                days_late=task.days_late(day),
            )
        )
    return rows


def my_tasks(request: SignedInRequest) -> HttpResponse:
    """The member's tasks and their cell's coming meetings, kept in the cache under the tokens of every cell they
    come from (``pages.my_tasks_tokens``) and the day."""
    access = access_for(request.user)
    if access.member_id is None:
        # An account that is not linked to a member record has no tasks of its own: say so plainly.
        status = 200 if access.has_any_access else 403
        return render(request, "resolutions/progress/no_member.html", status=status)
    member_id, day = access.member_id, today()
    key = (member_id, my_tasks_tokens(member_id), day)
    part = cached_part(request, "resolutions/includes/_my_tasks.html", key, lambda: _my_tasks_context(member_id, day))
    return render(request, "resolutions/progress/my_tasks.html", {"part": part})


def _my_tasks_context(member_id: int, day: dt.date) -> dict[str, Any]:
    """What "my tasks" shows, read after the tokens it is kept under."""
    rows = my_task_rows(member_id, day)
    counts = {
        "open": sum(row.task.is_open for row in rows),
        "overdue": sum(row.overdue for row in rows),
        "due_soon": sum(row.due_soon for row in rows),
    }
    return {
        "rows": rows,
        "counts": counts,
        "due_soon_days": DUE_SOON_DAYS,
        "member_id": member_id,  # its coming meetings: {% coming_meetings %} (meetings)
    }


CELL_TASK_FILTERS = ("open", "done", "overdue")


def cell_tasks(request: SignedInRequest, org_id: int) -> HttpResponse:
    """The tasks a cell's figures count: those of its resolutions in force (``Task.objects.in_force``), with the
    same four figures the dashboard shows on the cell's row, the progress rolled up by ``rules.rolled_up_progress``.
    ``?show=`` narrows the list (open, done, overdue), never the figures."""
    cell = get_organisation(request, org_id)
    require(cell.is_cell)
    day = today()
    tasks = list(
        Task.objects.filter(resolution__cell=cell)
        .in_force()
        .select_related("resolution", "lead_member", "lead_mass_organisation")
        .order_by("-resolution__period_start", "resolution__seq", "deadline", "pk")
    )
    figures = {
        "tasks": len(tasks),
        "done": sum(t.status == Task.Status.DONE for t in tasks),
        "overdue": sum(t.is_overdue(day) for t in tasks),
        "progress": progress_of(tasks),
    }
    show = request.GET.get("show", "")
    show = show if show in CELL_TASK_FILTERS else ""
    shown = {
        "": tasks,
        "open": [t for t in tasks if t.is_open],
        "done": [t for t in tasks if t.status == Task.Status.DONE],
        "overdue": [t for t in tasks if t.is_overdue(day)],
    }[show]
    return render(
        request,
        "resolutions/progress/cell_tasks.html",
        {"cell": cell, "day": day, "figures": figures, "tasks": shown, "show": show, "total": len(tasks)},
    )


def task_detail(request: SignedInRequest, task_id: int) -> HttpResponse:
    """The task with its reports; its lead and supporters (and the cell's secretary) report here."""
    posting = request.method == "POST"
    confirm_done = False
    task = get_task(request, task_id, report=posting)
    # The upper-level target the task carries, if any (its report asks the figure reached): one query more, for
    # such a task only.
    target = None
    if task.cell_target_id:
        target = CellTarget.objects.select_related("resolution").filter(pk=task.cell_target_id).first()
        task.cell_target = target
    access = access_for(request.user)
    is_live = task.resolution.status in Resolution.LIVE
    # The report is written in a member's name: an account without a member record cannot author one.
    may_report = access.member_id is not None and can_report_on(access, task)
    form = None
    if posting:
        if access.member_id is None:
            raise PermissionDenied
        if not is_live:
            messages.error(request, _("Progress is reported once the resolution is adopted."))
            return redirect("resolutions:task-detail", task_id=task.pk)
        if not task.is_open:
            messages.error(
                request,
                _(
                    "This task is closed: it takes no more reports. If it was closed by mistake, the cell committee "
                    "sends the report back, which reopens it."
                ),
            )
            return redirect("resolutions:task-detail", task_id=task.pk)
        form = ProgressForm(request.POST, request.FILES, task=task)
        if form.is_valid() and form.cleaned_data["status"] == Task.Status.DONE and not confirmed(request):
            # Reporting a task done closes it to further reports: asked first (chibo.js asks in a dialog;
            # without JavaScript the form comes back with the question). Nothing is written yet.
            confirm_done = True
        elif form.is_valid():
            return _save_report(request, task, access.member_id, form.cleaned_data)
    elif may_report and is_live and task.is_open:
        # A task done, not met or cancelled takes no more reports: a report of "done" is undone while it waits,
        # by the committee sending it back (the task stays open).
        form = ProgressForm(task=task)
    may_review = can_review(access, task)
    updates = _reports(task, access, target, may_review=may_review)
    return render(
        request,
        "resolutions/progress/task_detail.html",
        {
            "task": task,
            "resolution": task.resolution,
            "supporters": task.supporters.all(),
            "updates": updates,
            "form": form,
            "may_report": may_report,
            "is_live": is_live,
            "may_review": may_review,
            "days_late": task.days_late(today()),
            "overdue": task.is_overdue(),
            "confirm_done": confirm_done,
            "target": target,
            "target_goal": goal_text(target) if target else "",
            "figure": figure_text(target.measure, task.figure, target.unit) if target else "",
        },
    )


def _save_report(request: SignedInRequest, task: Task, member_id: int, data: dict[str, Any]) -> HttpResponse:
    """Write the member's report (``services.post_update``) and go back to the task, saying what happens next."""
    try:
        post_update(
            task=task,
            author=Member.objects.get(pk=member_id),
            status=data["status"],
            progress=data["progress"],
            note=data["note"],
            evidence=data["evidence"],
            figure=data.get("figure"),
        )
    except WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _(
                "Your report was saved and waits for confirmation: the task's progress changes once the "
                "cell committee confirms it."
            ),
        )
    return redirect("resolutions:task-detail", task_id=task.pk)


def _reports(task: Task, access: Access, target: CellTarget | None, *, may_review: bool) -> list[ProgressUpdate]:
    """The task's reports as its page shows them: who may review each, the figure each gave against the target."""
    updates = list(task.updates.select_related("author", "reviewed_by"))
    task.has_pending_report = any(u.review == ProgressUpdate.Review.PENDING for u in updates)  # type: ignore[attr-defined]  # for the template
    for update in updates:
        update.task = task
        update.may_review = may_review and can_review_update(access, update)  # type: ignore[attr-defined]  # for the template
        update.figure_label = figure_text(target.measure, update.figure, target.unit) if target else ""  # type: ignore[attr-defined]  # for the template
    return updates


def update_review(request: SignedInRequest, update_id: int) -> HttpResponse:
    """Confirm a report or send it back (with a note). POST only.

    The access check comes before the method check, so that an outsider learns nothing (404) whatever the
    method; a plain ``@require_POST`` would answer 405 first.
    """
    update = get_update(request, update_id, review=True)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            review_update(update=update, confirm=form.confirm, note=form.cleaned_data["note"], by=request.user)
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            if form.confirm:
                messages.success(request, _("The report was confirmed."))
            else:
                messages.success(
                    request, _("The report was sent back to %(name)s.") % {"name": update.author.full_name}
                )
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))  # an error list yields its messages as text
    return redirect("resolutions:task-detail", task_id=update.task_id)


def update_evidence(request: SignedInRequest, update_id: int) -> FileResponse:
    """The evidence file of a report, for those who see the task's cell; always a download, never shown inline."""
    update = get_update(request, update_id)
    if not update.evidence:
        raise Http404
    try:
        handle = update.evidence.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    # The type is what the content is (checked again here), never what the name or the browser says.
    content_type = detect_content_type(handle) or "application/octet-stream"
    filename = update.evidence_name or PurePosixPath(update.evidence.name).name
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("tasks/mine/", my_tasks, name="my-tasks"),
    path("cells/<int:org_id>/tasks/", cell_tasks, name="cell-tasks"),
    path("tasks/<int:task_id>/", task_detail, name="task-detail"),
    path("updates/<int:update_id>/review/", update_review, name="update-review"),
    path("updates/<int:update_id>/evidence/", update_evidence, name="update-evidence"),
]
