"""Loading evaluation cycles for a request, through the rules of ``members.access``.

========================================== ==============================================================
action                                     who
========================================== ==============================================================
the cycle page, the evidence               whoever oversees the cell: its committee, the ward member in
                                           charge, the standing committee above, administrators
one's own self-assessment                  the member, while they are on the cycle's list
propose levels, the cell's self-assessment the cell committee: secretary, deputy, committee members
steps, the vote, comments, emulation       the cell's secretary and deputy (``Access.can_manage_org``)
approve or send back                       the ward member in charge of the cell, the standing committee
                                           above it, administrators
the results (PDF)                          those who oversee the cell; every member of the cell once closed
========================================== ==============================================================

A cycle of a cell the user does not see answers 404; one they see but may not act on answers 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Value
from django.http import Http404, HttpRequest

from evaluations.models import EvaluationCycle, MemberEvaluation
from members.access import Access, access_for
from members.models import Organisation, Role
from members.versions import token_subquery

PROPOSERS = (Role.Kind.SECRETARY, Role.Kind.DEPUTY, Role.Kind.COMMITTEE)


def can_propose(access: Access, cell: Organisation) -> bool:
    return access.is_admin or any(kind in PROPOSERS and path == cell.path for kind, path, _ in access.roles)


def can_approve(access: Access, cell: Organisation) -> bool:
    """The upper level: the standing committee of an organisation above the cell, or the member in charge."""
    if access.is_admin:
        return True
    for kind, path, _ in access.roles:
        if kind == Role.Kind.IN_CHARGE and path == cell.path:
            return True
        if kind == Role.Kind.STANDING and cell.path.startswith(path) and path != cell.path:
            return True
    return False


def can_read_results(access: Access, cycle: EvaluationCycle) -> bool:
    return access.can_oversee_org(cycle.cell) or (cycle.is_closed and access.can_view_org(cycle.cell))


def get_cycle(request: HttpRequest, cycle_id: int) -> EvaluationCycle:
    """The cycle, or 404 when the user does not see its cell."""
    access = access_for(request.user)
    cycle = EvaluationCycle.objects.select_related("cell").filter(pk=cycle_id).first()
    if cycle is None or not access.can_view_org(cycle.cell):
        raise Http404
    return cycle


def get_cycle_with_token(request: HttpRequest, cycle_id: int) -> EvaluationCycle:
    """``get_cycle``, the cycle read with its cell's cache token (``version_token``, ``members.versions``) and
    whether the user's own member is evaluated in it (``own_evaluation``), in the same query."""
    access = access_for(request.user)
    member_id = access.member_id
    own = MemberEvaluation.objects.filter(cycle=OuterRef("pk"), member_id=member_id) if member_id else None
    found = (
        EvaluationCycle.objects.select_related("cell")
        .annotate(
            version_token=token_subquery("cell__path"),
            own_evaluation=Value(False) if own is None else Exists(own),
        )
        .filter(pk=cycle_id)
        .order_by()[:1]  # one row by its key: no ordering to compile
    )
    cycle = next(iter(found), None)
    if cycle is None or not access.can_view_org(cycle.cell):
        raise Http404
    return cycle


def require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied
