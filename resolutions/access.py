"""Loading resolutions and tasks for a request, through the rules of ``members.access``.

Who may do what with a resolution:

========================================== ==============================================================
action                                     who
========================================== ==============================================================
read a resolution, its tasks, its evidence whoever sees the cell (``Access.can_view_org``)
read a committee's document                whoever sees the committee; once adopted, also whoever sees a
                                           cell it is addressed to (``can_read``)
draft, edit, submit, vote, amend, steps    the cell's secretary and deputy, and administrators
                                           (``Access.can_manage_org``); a committee's documents: its
                                           standing members, secretary and deputy (``Access.can_draft_for``)
report progress on a task                  the task's lead and supporters; the secretary and deputy
confirm or send back a report              the secretary and deputy, administrators, and the committee member
                                           who follows the task; never the report's author
                                           (``rules.is_own_report``, checked again by the service)
========================================== ==============================================================

An object the user does not see answers 404; one they see but may not change answers 403.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest

from members.access import Access, access_for
from resolutions.models import ProgressUpdate, Resolution, Task
from resolutions.rules import is_own_report

# A model with a ``cell``: a resolution here, a meeting in ``meetings.access``.
CellObject = TypeVar("CellObject", bound=Model)


def cell_object(request: HttpRequest, model: type[CellObject], pk: int, *, manage: bool) -> CellObject:
    """An object that belongs to a cell: 404 unless the user sees the cell, 403 unless they manage it if asked."""
    access = access_for(request.user)
    obj: Any = model._default_manager.select_related("cell").filter(pk=pk).first()
    if obj is None or not access.can_view_org(obj.cell):
        raise Http404
    if manage and not access.can_manage_org(obj.cell):
        raise PermissionDenied
    return obj


def get_resolution(request: HttpRequest, resolution_id: int, *, manage: bool = False) -> Resolution:
    """The resolution or committee document: 404 unless the user reads it (``can_read``), 403 unless they draft
    for its issuer when ``manage`` is asked."""
    access = access_for(request.user)
    resolution = Resolution.objects.select_related("cell").filter(pk=resolution_id).first()
    if resolution is None or not can_read(access, resolution):
        raise Http404
    if manage and not access.can_draft_for(resolution.cell):
        raise PermissionDenied
    return resolution


def can_read(access: Access, resolution: Resolution) -> bool:
    """Whoever sees the issuer reads its resolutions; a committee's document, once adopted, is also read by
    whoever sees a cell it is addressed to (every cell under the committee when none is chosen)."""
    issuer = resolution.cell
    if access.can_view_org(issuer):
        return True
    if issuer.is_cell or not resolution.was_adopted:
        return False
    chosen = list(resolution.addressed_cells.values_list("path", flat=True))
    if chosen:
        return any(access.is_admin or _sees_path(access, path) for path in chosen)
    return any(path.startswith(issuer.path) for path in access.visible_paths)


def _sees_path(access: Access, path: str) -> bool:
    return any(path.startswith(prefix) for prefix in access.visible_paths)


def can_report_on(access: Access, task: Task) -> bool:
    if access.can_manage_org(task.resolution.cell):
        return True
    if access.member_id is None:
        return False
    return task.lead_member_id == access.member_id or task.supporters.filter(pk=access.member_id).exists()


def can_review(access: Access, task: Task) -> bool:
    return access.can_manage_org(task.resolution.cell) or (
        access.member_id is not None and task.follower_id == access.member_id
    )


def can_review_update(access: Access, update: ProgressUpdate) -> bool:
    """Whether the page offers to confirm or send back ``update``: a reviewer of its task who did not write it."""
    own = is_own_report(
        author_member_id=update.author_id,
        author_user_id=update.author.user_id,
        reviewer_member_id=access.member_id,
        reviewer_user_id=access.user_id,
    )
    return not own and can_review(access, update.task)


def get_task(request: HttpRequest, task_id: int, *, report: bool = False, review: bool = False) -> Task:
    access = access_for(request.user)
    task = (
        Task.objects.select_related("resolution__cell", "lead_member", "lead_mass_organisation", "follower")
        .filter(pk=task_id)
        .first()
    )
    if task is None or not access.can_view_org(task.resolution.cell):
        raise Http404
    if report and not can_report_on(access, task):
        raise PermissionDenied
    if review and not can_review(access, task):
        raise PermissionDenied
    return task


def get_update(request: HttpRequest, update_id: int, *, review: bool = False) -> ProgressUpdate:
    update = ProgressUpdate.objects.select_related("task__resolution__cell", "author").filter(pk=update_id).first()
    access = access_for(request.user)
    if update is None or not access.can_view_org(update.task.resolution.cell):
        raise Http404
    if review and not can_review(access, update.task):
        raise PermissionDenied
    return update
