"""The rules of inspections: status steps, the overdue follow-up, who sees and who runs one."""

from __future__ import annotations

import datetime as dt

import pytest

from inspections.access import can_move, can_run, can_view, follow_up_overdue
from inspections.models import Inspection
from members.access import Access
from members.models import Organisation, Role

S = Inspection.Status
B = Inspection.Body
WARD = "00010001"
CELL = "000100010001"
OTHER_CELL = "000100010002"
OTHER_WARD_CELL = "000100020001"


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (S.PLANNED, S.IN_PROGRESS, True),
        (S.PLANNED, S.CONCLUDED, False),
        (S.IN_PROGRESS, S.CONCLUDED, True),
        (S.IN_PROGRESS, S.PLANNED, False),
        (S.CONCLUDED, S.IN_PROGRESS, False),
        (S.CONCLUDED, S.PLANNED, False),
    ],
)
def test_status_moves_one_step_forward(current, target, allowed) -> None:
    assert can_move(current, target) is allowed


D = dt.date


@pytest.mark.parametrize(
    ("due", "done", "overdue"),
    [
        (None, None, False),
        (D(2026, 6, 10), None, False),  # due today
        (D(2026, 6, 9), None, True),  # due yesterday, not done
        (D(2026, 6, 9), D(2026, 6, 8), False),
        (D(2026, 6, 9), D(2026, 6, 10), False),  # done late is no longer overdue
        (D(2026, 6, 11), None, False),
    ],
)  # fmt: skip
def test_a_follow_up_is_overdue_after_its_due_date_until_done(due, done, overdue) -> None:
    assert follow_up_overdue(due, done, D(2026, 6, 10)) is overdue


def _access(kind: str | None = None, path: str = "", *, member_id: int | None = None) -> Access:
    if kind == "admin":
        return Access(1, True, (), None, None)
    roles = ((kind, path, 1),) if kind else ()
    return Access(1, False, roles, member_id, CELL if member_id else None)


ME = 42


@pytest.mark.parametrize(
    ("access", "subject", "member", "status", "sees"),
    [
        (_access("admin"), WARD, None, S.PLANNED, True),
        (_access(Role.Kind.STANDING, WARD), WARD, None, S.PLANNED, True),  # the ward's own
        (_access(Role.Kind.STANDING, WARD), CELL, ME, S.IN_PROGRESS, True),
        (_access(Role.Kind.STANDING, WARD), OTHER_WARD_CELL, None, S.CONCLUDED, False),
        (_access(Role.Kind.IN_CHARGE, CELL), CELL, None, S.PLANNED, True),
        (_access(Role.Kind.IN_CHARGE, CELL), WARD, None, S.CONCLUDED, False),
        (_access(Role.Kind.IN_CHARGE, CELL), OTHER_CELL, None, S.CONCLUDED, False),
        (_access(Role.Kind.SECRETARY, CELL), CELL, ME, S.PLANNED, True),
        (_access(Role.Kind.COMMITTEE, CELL), CELL, None, S.PLANNED, True),
        (_access(Role.Kind.SECRETARY, CELL), WARD, None, S.CONCLUDED, False),
        (_access(member_id=ME), CELL, ME, S.CONCLUDED, True),
        (_access(member_id=ME), CELL, ME, S.IN_PROGRESS, False),
        (_access(member_id=ME), CELL, 7, S.CONCLUDED, False),
        (_access(member_id=ME), CELL, None, S.CONCLUDED, False),
        (_access(), CELL, None, S.CONCLUDED, False),
    ],
)
def test_who_sees_an_inspection(access, subject, member, status, sees) -> None:
    assert can_view(access, subject_path=subject, subject_member_id=member, status=status) is sees


WARD_ORG = Organisation(path=WARD, kind=Organisation.Kind.WARD)
CELL_ORG = Organisation(path=CELL, kind=Organisation.Kind.CELL)


@pytest.mark.parametrize(
    ("access", "body", "org", "runs"),
    [
        (_access("admin"), B.INSPECTION_COMMITTEE, WARD_ORG, True),
        (_access(Role.Kind.STANDING, WARD), B.INSPECTION_COMMITTEE, WARD_ORG, True),
        (_access(Role.Kind.STANDING, WARD), B.PARTY_COMMITTEE, WARD_ORG, True),
        (_access(Role.Kind.STANDING, WARD), B.CELL_COMMITTEE, CELL_ORG, False),
        (_access(Role.Kind.IN_CHARGE, CELL), B.CELL_COMMITTEE, CELL_ORG, False),
        (_access(Role.Kind.IN_CHARGE, CELL), B.INSPECTION_COMMITTEE, WARD_ORG, False),
        (_access(Role.Kind.SECRETARY, CELL), B.CELL_COMMITTEE, CELL_ORG, True),
        (_access(Role.Kind.DEPUTY, CELL), B.CELL_COMMITTEE, CELL_ORG, True),
        (_access(Role.Kind.COMMITTEE, CELL), B.CELL_COMMITTEE, CELL_ORG, False),
        (_access(Role.Kind.SECRETARY, CELL), B.PARTY_COMMITTEE, WARD_ORG, False),
        (_access(member_id=ME), B.CELL_COMMITTEE, CELL_ORG, False),
    ],
)
def test_who_runs_an_inspection(access, body, org, runs) -> None:
    assert can_run(access, body=body, body_org=org) is runs
