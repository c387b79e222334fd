"""Who sees and changes an inspection, its status steps and the follow-up, as plain functions with table tests.

============================================ ======================================================================
who                                          sees
============================================ ======================================================================
administrator                                every inspection
standing committee of a ward                 every inspection of an organisation or member under the ward, the
                                             ward's own (a ward-level subject) included
committee member in charge of a cell         the inspections of that cell and of its members
secretary, deputy, cell committee member     the inspections of their cell and of its members
party member                                 the concluded inspections of themselves, and nothing else
============================================ ======================================================================

An ordinary member sees only concluded inspections of themselves: the party's rules on inspection and supervision
(Quy định 22-QĐ/TW, 2021) have the conclusion notified to the organisation or member inspected, while the work of
the inspection team and other people's inspections are internal to the bodies concerned.

Who changes: an inspection conducted by the cell committee is run by the cell's secretary and deputy; one
conducted by a body of a committee (the party committee, its standing committee or its inspection committee) by
the standing committee of that organisation; administrators run every one. A concluded inspection is locked, only
its follow-up is still recorded.
"""

from __future__ import annotations

import datetime as dt
from functools import reduce
from operator import or_

from django.db.models import Q
from django.utils.translation import gettext_lazy

from chibo.lib.workflow import Transition, Workflow
from inspections.models import Inspection
from members.access import Access
from members.models import Organisation, Role

S = Inspection.Status
B = Inspection.Body

# A step refused, or taken from another page meanwhile, says the same: the status no longer allows it.
NOT_POSSIBLE = gettext_lazy("This step is not possible in the inspection's current status.")
FLOW = Workflow(
    Inspection,
    [
        Transition("start", (S.PLANNED,), S.IN_PROGRESS),
        Transition("conclude", (S.IN_PROGRESS,), S.CONCLUDED),
    ],
    stale=NOT_POSSIBLE,
)

CELL_BODIES = (B.CELL_COMMITTEE,)
COMMITTEE_BODIES = (B.PARTY_COMMITTEE, B.STANDING_COMMITTEE, B.INSPECTION_COMMITTEE)


def can_move(current: str, target: str) -> bool:
    """Planned → in progress → concluded, one step at a time, never back."""
    return FLOW.allows(current, target)


def follow_up_overdue(due: dt.date | None, done_on: dt.date | None, day: dt.date) -> bool:
    """A follow-up is overdue from the day after its due date until it is recorded as done."""
    return due is not None and done_on is None and due < day


def bodies_of(org: Organisation) -> tuple[str, ...]:
    """The bodies that conduct inspections in an organisation: a cell has its committee; a committee has three."""
    return CELL_BODIES if org.kind in (Organisation.Kind.CELL, Organisation.Kind.GROUP) else COMMITTEE_BODIES


def _standing_paths(access: Access) -> tuple[str, ...]:
    return tuple(path for kind, path, _ in access.roles if kind == Role.Kind.STANDING)


def can_view(access: Access, *, subject_path: str, subject_member_id: int | None, status: str) -> bool:
    if access.is_admin or any(subject_path.startswith(path) for path in access.oversight_paths):
        return True
    return access.member_id is not None and subject_member_id == access.member_id and status == S.CONCLUDED


def can_run(access: Access, *, body: str, body_org: Organisation) -> bool:
    """May plan, edit, conclude and follow up the inspections the body of ``body_org`` conducts."""
    if access.is_admin:
        return True
    if body in CELL_BODIES:
        return access.can_manage_org(body_org)
    return any(body_org.path.startswith(path) for path in _standing_paths(access))


def can_edit(access: Access, inspection: Inspection) -> bool:
    return inspection.status != S.CONCLUDED and can_run(access, body=inspection.body, body_org=inspection.body_org)


def body_orgs_for(access: Access, subject: Organisation, ancestors: list[Organisation]) -> list[Organisation]:
    """The organisations (the subject or one above it, ``ancestors`` root first) whose bodies the user may act for
    on an inspection of ``subject``: the cell itself when they run it, a committee above when they are on its
    standing committee."""
    chain = [*ancestors, subject]
    return [org for org in chain if any(can_run(access, body=body, body_org=org) for body in bodies_of(org))]


def visible_filter(access: Access) -> Q:
    """A filter on Inspection for what the user sees (the table above), for lists."""
    if access.is_admin:
        return Q()
    paths = access.oversight_paths
    q = reduce(or_, (Q(subject_org__path__startswith=path) for path in paths), Q(pk__in=[]))
    if access.member_id is not None:
        q |= Q(subject_member_id=access.member_id, status=S.CONCLUDED)
    return q
