"""The rules of the roster, as plain functions with table tests.

Who sees a cell's roster: those who see the cell's members with their personal data (the roster holds phone
numbers of people outside the party): the cell committee, the ward committee member in charge, the ward's
standing committee, administrators. Who changes it: the cell's secretary and deputy, and administrators.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from members.access import Access
from members.models import Organisation
from propagandists.models import Propagandist, Topic

# Backgrounds people trust (DOMAIN: retired cadres, veterans, teachers, health workers), by
# ``members.Background.code``, with the group and topics they are usually asked to speak on.
PREFERRED_BACKGROUNDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "can-bo-huu-tri": (Propagandist.Group.RETIRED_CADRE, (Topic.POLICY, Topic.LAW)),
    "cuu-chien-binh": (Propagandist.Group.VETERAN, (Topic.PUBLIC_ORDER, Topic.POLICY)),
    "giao-vien": (Propagandist.Group.TEACHER, (Topic.EDUCATION, Topic.LAW)),
    "can-bo-y-te": (Propagandist.Group.HEALTH_WORKER, (Topic.HEALTH, Topic.ENVIRONMENT)),
}


def can_view_roster(access: Access, cell: Organisation) -> bool:
    return access.can_oversee_org(cell)


def can_edit_roster(access: Access, cell: Organisation) -> bool:
    return access.can_manage_org(cell)


@dataclass(frozen=True)
class Suggestion:
    """A member worth adding to the roster, with why and what they would speak on."""

    member_id: int
    reasons: tuple[str, ...]
    group: str
    topics: tuple[str, ...]


def suggest(
    member_id: int, backgrounds: list[tuple[str, str]], *, flagged: bool, is_away: bool, is_exempt: bool
) -> Suggestion | None:
    """Whether a member not on the roster is a good candidate: a trusted background or the propagandist flag of
    the member record. Members away or exempt are not suggested: propagandists work on the spot, and exempt
    members are given no work. ``backgrounds`` are (code, name) pairs of the member's backgrounds."""
    if is_away or is_exempt:
        return None
    preferred = [(code, name) for code, name in backgrounds if code in PREFERRED_BACKGROUNDS]
    if not preferred and not flagged:
        return None
    reasons = [name for _code, name in preferred]
    if flagged:
        reasons.append(str(_("marked as a propagandist in the member record")))
    group = PREFERRED_BACKGROUNDS[preferred[0][0]][0] if preferred else ""
    topics: list[str] = []
    for code, _name in preferred:
        for topic in PREFERRED_BACKGROUNDS[code][1]:
            if topic not in topics:
                topics.append(topic)
    return Suggestion(member_id=member_id, reasons=tuple(reasons), group=group, topics=tuple(topics))
