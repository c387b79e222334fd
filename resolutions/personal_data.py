"""What the resolution side holds about a member, for the member's data export (``members.personal_data``):
tasks they lead, follow or support and the reports on them (their meetings: ``meetings.personal_data``; the
notifications sent to them: ``notifications.personal_data``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.personal_data import Row, Section, model_rows, plain
from resolutions.models import ProgressUpdate, Task


def _tasks(member: Any) -> list[Row]:
    tasks = (
        Task.objects.filter(Q(lead_member=member) | Q(follower=member) | Q(supporters=member))
        .distinct()
        .select_related("resolution", "lead_member", "lead_mass_organisation", "follower", "carried_from")
        .order_by("resolution__period_start", "order", "pk")
    )
    supported = set(member.supported_tasks.values_list("pk", flat=True))

    def extra(task: Task) -> Row:
        part = []
        if task.lead_member_id == member.pk:
            part.append(_("lead"))
        if task.follower_id == member.pk:
            part.append(_("follower"))
        if task.pk in supported:
            part.append(_("supporter"))
        return {capfirst(_("resolution")): str(task.resolution), capfirst(_("part")): ", ".join(part)}

    return model_rows(tasks, extra=extra)


def _reports(member: Any) -> list[Row]:
    updates = (
        ProgressUpdate.objects.filter(Q(author=member) | Q(task__lead_member=member))
        .select_related("task", "author")
        .order_by("created_at", "pk")
    )

    def extra(update: ProgressUpdate) -> Row:
        return {
            capfirst(_("task")): update.task.title,
            capfirst(_("author")): str(update.author) if update.author_id else None,
            capfirst(_("time")): plain(update.created_at),
        }

    return model_rows(updates, exclude=("author",), extra=extra)


SECTIONS = (
    Section(
        "tasks",
        gettext_lazy("Tasks"),
        _tasks,
        ("resolutions.Task.lead_member", "resolutions.Task.follower", "resolutions.Task.supporters"),
    ),
    Section("reports", gettext_lazy("Progress reports"), _reports, ("resolutions.ProgressUpdate.author",)),
)
