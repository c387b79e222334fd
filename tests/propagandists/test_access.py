"""The roster's rules: who is suggested and why, and who sees and changes a roster."""

from __future__ import annotations

import pytest

from members.access import Access
from members.models import Organisation, Role
from propagandists.access import can_edit_roster, can_view_roster, suggest
from propagandists.models import Propagandist, Topic

TEACHER = ("giao-vien", "Giáo viên")
VETERAN = ("cuu-chien-binh", "Cựu chiến binh")
TRADER = ("doanh-nhan", "Doanh nhân")


@pytest.mark.parametrize(
    ("backgrounds", "flagged", "away", "exempt", "reasons", "group", "topics"),
    [
        ([TEACHER], False, False, False, ("Giáo viên",), "teacher", ("education", "law")),
        ([VETERAN, TEACHER], False, False, False, ("Cựu chiến binh", "Giáo viên"), "veteran",
         ("public_order", "policy", "education", "law")),
        ([TRADER], False, False, False, None, None, None),
        ([], False, False, False, None, None, None),
        ([TRADER], True, False, False, ("được đánh dấu là tuyên truyền viên trong hồ sơ đảng viên",), "", ()),
        ([TEACHER], False, True, False, None, None, None),
        ([TEACHER], True, False, True, None, None, None),
    ],
)  # fmt: skip
def test_who_is_suggested_and_why(backgrounds, flagged, away, exempt, reasons, group, topics) -> None:
    suggestion = suggest(7, backgrounds, flagged=flagged, is_away=away, is_exempt=exempt)
    if reasons is None:
        assert suggestion is None
        return
    assert suggestion is not None
    assert suggestion.member_id == 7
    assert suggestion.reasons == reasons
    assert suggestion.group == group
    assert suggestion.topics == tuple(Topic(t) for t in topics)


CELL = Organisation(path="000100010001", kind=Organisation.Kind.CELL)
OTHER_CELL = Organisation(path="000100020001", kind=Organisation.Kind.CELL)


def _access(kind: str | None, path: str = "", member_cell: str | None = None) -> Access:
    roles = ((kind, path, 1),) if kind else ()
    return Access(1, kind == "admin", () if kind == "admin" else roles, 5 if member_cell else None, member_cell)


@pytest.mark.parametrize(
    ("access", "sees", "edits"),
    [
        (_access("admin"), True, True),
        (_access(Role.Kind.STANDING, "00010001"), True, False),
        (_access(Role.Kind.STANDING, "00010002"), False, False),
        (_access(Role.Kind.IN_CHARGE, CELL.path), True, False),
        (_access(Role.Kind.SECRETARY, CELL.path), True, True),
        (_access(Role.Kind.DEPUTY, CELL.path), True, True),
        (_access(Role.Kind.COMMITTEE, CELL.path), True, False),
        (_access(Role.Kind.SECRETARY, OTHER_CELL.path), False, False),
        (_access(None, member_cell=CELL.path), False, False),
    ],
)
def test_who_sees_and_changes_a_roster(access: Access, sees: bool, edits: bool) -> None:
    assert can_view_roster(access, CELL) is sees
    assert can_edit_roster(access, CELL) is edits


@pytest.mark.parametrize(
    ("starts", "ends", "active"),
    [("2026-01-01", None, True), ("2026-01-01", "2026-06-30", True), ("2026-01-01", "2026-05-31", False),
     ("2026-07-01", None, False)],
)  # fmt: skip
def test_an_entry_is_active_between_its_dates(starts, ends, active) -> None:
    import datetime as dt

    entry = Propagandist(starts_on=dt.date.fromisoformat(starts), ends_on=dt.date.fromisoformat(ends) if ends else None)
    assert entry.is_active(dt.date(2026, 6, 1)) is active
