"""Who gets what, for every URL of the project: a table of URL × role × method, checked by walking every pattern.

Every URL pattern (the Django admin aside, tested on its own below) must have one line in ``URLS`` naming what
each role gets for a GET and for a POST; a URL without a line fails with a message saying what to add, so a
page added later is covered as soon as it exists. The answers are kinds, not codes: allowed (2xx, or a redirect
that is not the login redirect), 403, 404, 405 or the login redirect.

The URLs are built with objects of cell A1 (``tree``/``people`` in ``conftest.py``: a standing committee member
of ward A, the member in charge of A1, A1's secretary, deputy, committee member and a plain member, B1's
secretary from ward B, a login with no role, and an anonymous visitor). URLs about objects of a cell are asked
a second time with the same objects of cell A2 — same ward, same standing committee, another cell — by the
people of cell A1, who must be as much strangers there as B1's secretary is to A1 (``SAME_WARD``).

Each request runs in a transaction rolled back afterwards, so that every role meets the same objects. A refused
request must write nothing: every table's row count (history tables included: every change of a tracked model
adds a row there) is compared before and after. Every allowed POST is sent with junk data, and the first one of
each URL empty as well: it must answer something allowed. That first one also sends the page's own form (the
fields of the page the same role just got) with a huge number in every field: a form error, a refusal, anything
but a server error.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from importlib import import_module
from typing import TYPE_CHECKING

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from evaluations.models import EvaluationCycle
from evaluations.services import open_cycle
from inspections.models import Inspection
from meetings.models import AbsenceRequest, Meeting, Vote
from members.models import AwayPeriod, Exemption, Member, Organisation
from notifications.calendar import create_feed
from notifications.models import Notification
from propagandists.models import Propagandist
from resolutions.models import Resolution, Version
from resolutions.services import snapshot
from tests.evaluations.conftest import YEAR, advance
from tests.factories import MemberFactory, UserFactory
from tests.resolutions.factories import ProgressUpdateFactory, ResolutionFactory, TaskFactory

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

# ---------------------------------------------------------------------------------------------------
# The answers, the roles and the policies
# ---------------------------------------------------------------------------------------------------

OK, FORBIDDEN, NOT_FOUND, NOT_ALLOWED, LOGIN = "ok", "403", "404", "405", "login"
ANSWERS = {OK, FORBIDDEN, NOT_FOUND, NOT_ALLOWED, LOGIN}

ROLES = (
    "admin",
    "standing",
    "in_charge",
    "secretary",
    "deputy",
    "committee",
    "member",
    "other_secretary",
    "nobody",
    "anonymous",
)

Policy = dict[str, str]


def policy(answers: str) -> Policy:
    """One answer per role, in the order of ``ROLES`` (the columns of the table below)."""
    kinds = answers.split()
    assert len(kinds) == len(ROLES), answers
    assert set(kinds) <= ANSWERS, answers
    return dict(zip(ROLES, kinds, strict=True))


def post_only(answers: Policy) -> Policy:
    """The GET side of a POST-only URL: those who pass its access check learn the method is wrong (405), the
    others get the same refusal as for a POST, so that an outsider learns nothing from the 405."""
    return {role: NOT_ALLOWED if answer == OK else answer for role, answer in answers.items()}


get_only = post_only  # the POST side of a GET-only URL: the same rule


# fmt: off
#                              admin standing in_charge secretary deputy committee member other  nobody anonymous
# Anyone, logged in or not.
PUBLIC = policy(              "ok    ok       ok        ok        ok     ok        ok     ok     ok     ok")
# Any logged-in account, whatever its roles (its own password, logging out).
ANY_LOGIN = policy(           "ok    ok       ok        ok        ok     ok        ok     ok     ok     login")
# Anyone who works in the product: a role, or a member record (the home page, one's own messages and tasks).
ANY_ACCESS = policy(          "ok    ok       ok        ok        ok     ok        ok     ok     403    login")
# Lists across organisations, each scoped to what the user oversees: for role holders, not plain members.
ROLE_HOLDERS = policy(        "ok    ok       ok        ok        ok     ok        403    ok     403    login")
# A page of cell A1 every member of the cell reads, and those who oversee it.
CELL_READ = policy(           "ok    ok       ok        ok        ok     ok        ok     404    404    login")
# A page of cell A1 with personal data or the committee's work: those who oversee the cell, not plain members.
CELL_OVERSIGHT = policy(      "ok    ok       ok        ok        ok     ok        403    404    404    login")
# Changing cell A1: its secretary and deputy, and administrators.
CELL_WRITE = policy(          "ok    403      403       ok        ok     403       403    404    404    login")
# The cell committee's own work (the evaluation's proposal): secretary, deputy and committee members.
CELL_COMMITTEE = policy(      "ok    403      403       ok        ok     ok        403    404    404    login")
# Something a member of cell A1 does for themselves (ask to be excused, assess themselves): members of the cell.
CELL_MEMBERS = policy(        "403   403      403       ok        ok     ok        ok     404    404    login")
# The upper level's decision on a cell (approving the yearly classification): the ward, not the cell.
WARD_APPROVAL = policy(       "ok    ok       ok        403       403    403       403    404    404    login")
# Another member's record, and an inspection of them: hidden (404) from plain members of the cell.
MEMBER_RECORD = policy(       "ok    ok       ok        ok        ok     ok        404    404    404    login")
# Changing another member's record, or running the cell committee's inspection of them.
MEMBER_WRITE = policy(        "ok    403      403       ok        ok     403       404    404    404    login")
# A report on a task led by another member of A1: its lead and supporters (none here) and the secretary and
# deputy, who report in their own name; an account without a member record (the administrator) cannot.
TASK_REPORT = policy(         "403   403      403       ok        ok     403       403    404    404    login")
# Planning an inspection of cell A1: the cell's secretary and deputy (for the cell committee), the ward's
# standing committee (for a committee above), administrators.
INSPECTION_PLAN = policy(     "ok    ok       403       ok        ok     403       403    404    404    login")
# A committee's page asked with a cell (or a cell's resolution): nobody finds it.
NOT_A_COMMITTEE = policy(     "404   404      404       404       404    404       404    404    404    login")
# A ward committee's document over its cells (made with the ward above cell A1): whoever sees the ward.
WARD_READ = policy(           "ok    ok       404       404       404    404       404    404    404    login")
# A message to another person: only its recipient opens it.
RECIPIENT_ONLY = policy(      "404   404      404       404       404    404       404    404    404    login")
# fmt: on


# ---------------------------------------------------------------------------------------------------
# The objects in the URLs
# ---------------------------------------------------------------------------------------------------


@dataclass
class Place:
    """Where the objects of a URL are made: a cell, a member of it without a login, and everyone's accounts."""

    cell: Organisation
    member: Member
    people: dict[str, User]


Maker = Callable[[Place], int | str]


def _meeting(place: Place) -> Meeting:
    return Meeting.objects.create(cell=place.cell, date=dt.date.today(), starts_at=dt.time(19), place="Nhà văn hóa")


def _cycle(status: str) -> Maker:
    def make(place: Place) -> int:
        cycle = open_cycle(cell=place.cell, year=YEAR, by=place.people["admin"])
        return advance(cycle, status, place.people["admin"]).pk

    return make


def _inspection(status: str) -> Maker:
    """An inspection by the cell committee of the cell and of one of its members."""

    def make(place: Place) -> int:
        return Inspection.objects.create(
            body=Inspection.Body.CELL_COMMITTEE,
            body_org=place.cell,
            subject_org=place.cell,
            subject_member=place.member,
            title="Việc thực hiện nhiệm vụ đảng viên",
            planned_start=dt.date(2026, 3, 1),
            planned_end=dt.date(2026, 3, 15),
            status=status,
        ).pk

    return make


def _update(place: Place) -> int:
    """A report on a task of the cell led by ``place.member``, with a real evidence file (in a temporary
    MEDIA_ROOT), so that those who may read it get the file."""
    update = ProgressUpdateFactory.create(task__resolution__cell=place.cell, task__lead_member=place.member)
    update.evidence.save("bien-ban.pdf", ContentFile(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"))
    return update.pk


def _versioned_resolution(place: Place) -> int:
    resolution = ResolutionFactory.create(cell=place.cell)
    Version.objects.create(resolution=resolution, number=1, snapshot=snapshot(resolution))
    return resolution.pk


def _vote(place: Place) -> int:
    """A vote not adopting a resolution submitted to the meeting: it can still be corrected."""
    resolution = ResolutionFactory.create(cell=place.cell, status=Resolution.Status.SUBMITTED)
    return Vote.objects.create(
        resolution=resolution,
        held_on=dt.date(2026, 11, 5),
        official_count=5,
        entitled_count=5,
        present_count=4,
        votes_for=2,
        votes_against=2,
        votes_abstain=0,
        adopted=False,
        explanation="2/5",
    ).pk


def _ward_document(place: Place) -> int:
    """An adopted plan of the ward above the cell, addressed to every cell under it."""
    ward = place.cell.get_parent()
    return ResolutionFactory.create(cell=ward, document_type="KH", status=Resolution.Status.ADOPTED).pk


def _notification(place: Place) -> int:
    """A message to another member of the cell with a login."""
    recipient = UserFactory.create()
    MemberFactory.create(cell=place.cell, user=recipient)
    return Notification.objects.create(
        recipient=recipient,
        kind="due_soon",
        object_ref="task:1",
        day=dt.date.today(),
        subject="Sắp đến hạn",
        body="Việc sắp đến hạn.",
        url="/",
    ).pk


# What every URL parameter stands for, unless a URL's line in ``URLS`` says otherwise.
OBJECTS: dict[str, Maker] = {
    "org_id": lambda place: place.cell.pk,
    "member_id": lambda place: place.member.pk,
    "exemption_id": lambda place: (
        Exemption.objects.create(member=place.member, starts_on=dt.date(2024, 1, 1), reason="Ốm").pk
    ),
    "away_id": lambda place: (
        AwayPeriod.objects.create(member=place.member, starts_on=dt.date(2024, 1, 1), place="Long An").pk
    ),
    "resolution_id": lambda place: ResolutionFactory.create(cell=place.cell).pk,
    "task_id": lambda place: TaskFactory.create(resolution__cell=place.cell, lead_member=place.member).pk,
    "update_id": _update,
    "meeting_id": lambda place: _meeting(place).pk,
    "cycle_id": _cycle(EvaluationCycle.Status.SELF_ASSESSMENT),
    "request_id": lambda place: (
        AbsenceRequest.objects.create(meeting=_meeting(place), member=place.member, reason="Ốm").pk
    ),
    "notification_id": _notification,
    "entry_id": lambda place: (
        Propagandist.objects.create(cell=place.cell, member=place.member, starts_on=dt.date(2026, 1, 1)).pk
    ),
    "inspection_id": _inspection(Inspection.Status.CONCLUDED),
    "vote_id": _vote,
    # Not objects: the resolution (or meeting) in the URL decides access.
    "step": lambda place: "submit",
    "number": lambda place: 1,
    # The secretary's private calendar address: the token is the key, whoever uses it.
    "token": lambda place: create_feed(user=place.people["secretary"]).token,
}

# Parameters that are not objects of a cell: URLs with only these are not asked again with cell A2's objects.
NOT_CELL_OBJECTS = {"step", "number", "token", "uidb64"}


@dataclass(frozen=True)
class Entry:
    get: Policy
    post: Policy
    objects: dict[str, Maker] = field(default_factory=dict)


def page(get: Policy, post: Policy | None = None, **objects: Maker) -> Entry:
    """A URL's line: what each role gets for a GET and a POST (the same as for a GET when not given), and any
    object its parameters need that differs from ``OBJECTS``. A read-only page that ignores the method answers
    a POST as it answers a GET."""
    return Entry(get, get if post is None else post, objects)


CYCLE = EvaluationCycle.Status
INSPECTION = Inspection.Status

# ---------------------------------------------------------------------------------------------------
# The table: one line per URL name
# ---------------------------------------------------------------------------------------------------

URLS: dict[str, Entry] = {
    # The site and the account.
    "login": page(PUBLIC),  # a logged-in user is sent home
    "logout": page(post_only(ANY_LOGIN), ANY_LOGIN),
    "ping": page(ANY_LOGIN),
    "password_change": page(ANY_LOGIN),
    "password_change_done": page(ANY_LOGIN, get_only(ANY_LOGIN)),
    # The password reset by email, for those who cannot log in (a link that is not a real one here).
    "password_reset": page(PUBLIC),
    "password_reset_done": page(PUBLIC, get_only(PUBLIC)),
    "password_reset_confirm": page(PUBLIC, uidb64=lambda place: "MQ", token=lambda place: "not-a-reset-token"),
    "password_reset_complete": page(PUBLIC, get_only(PUBLIC)),
    # Two-factor sign-in, one's own (tests/test_two_factor.py: what a session that owes a code may open).
    "accounts:two-factor": page(ANY_LOGIN, get_only(ANY_LOGIN)),
    "accounts:two-factor-verify": page(ANY_LOGIN),
    "accounts:two-factor-setup": page(ANY_LOGIN),
    "accounts:two-factor-recovery": page(ANY_LOGIN),
    "accounts:two-factor-turn-off": page(ANY_LOGIN),
    "healthz": page(PUBLIC, get_only(PUBLIC)),
    "set_language": page(PUBLIC),
    "home": page(ANY_ACCESS),
    "favicon": page(PUBLIC, get_only(PUBLIC)),
    # A record's change history: those who oversee the cell.
    "history:member-history": page(MEMBER_RECORD, get_only(MEMBER_RECORD)),
    "history:resolution-history": page(CELL_OVERSIGHT, get_only(CELL_OVERSIGHT)),
    "history:task-history": page(CELL_OVERSIGHT, get_only(CELL_OVERSIGHT)),
    "history:meeting-history": page(CELL_OVERSIGHT, get_only(CELL_OVERSIGHT)),
    "history:cycle-history": page(CELL_OVERSIGHT, get_only(CELL_OVERSIGHT)),
    # Organisations and members.
    "members:org-tree": page(ANY_ACCESS),
    "members:org-detail": page(CELL_READ),
    "members:member-create": page(CELL_WRITE),
    "members:member-import": page(CELL_WRITE),
    "members:member-import-template": page(CELL_WRITE),
    "members:cell-members-export": page(CELL_OVERSIGHT),
    "members:member-list": page(ROLE_HOLDERS),
    "members:member-list-export": page(ROLE_HOLDERS),
    "members:member-detail": page(MEMBER_RECORD),
    # Everything held about a member: those who manage them (and the member, tested in tests/members/test_privacy.py).
    "members:member-data-export": page(MEMBER_WRITE, get_only(MEMBER_WRITE)),
    "members:member-edit": page(MEMBER_WRITE),
    "members:exemption-create": page(MEMBER_WRITE),
    "members:away-create": page(MEMBER_WRITE),
    "members:member-leave": page(MEMBER_WRITE),
    "members:member-recognise": page(MEMBER_WRITE),
    "members:member-transfer": page(MEMBER_WRITE),
    "members:exemption-end": page(MEMBER_WRITE),
    "members:away-back": page(MEMBER_WRITE),
    # Resolutions.
    "resolutions:resolution-list": page(CELL_READ),
    "resolutions:resolution-create": page(CELL_WRITE),
    "resolutions:opinion-list": page(CELL_READ, CELL_WRITE),
    "resolutions:resolution-detail": page(CELL_READ),
    "resolutions:resolution-edit": page(CELL_WRITE),
    "resolutions:resolution-step": page(post_only(CELL_WRITE), CELL_WRITE),
    # Taking the upper-level targets into a draft: the resolution here is adopted, so it is refused with a message.
    "resolutions:carry-targets": page(post_only(CELL_WRITE), CELL_WRITE),
    "meetings:resolution-vote": page(CELL_WRITE),
    "meetings:vote-correct": page(CELL_WRITE),
    # A committee's documents (tests/resolutions/test_committee_documents.py for the ward's): asked with cell A1,
    # which is no committee, and a resolution of A1, which the committee does not vote on.
    "resolutions:document-list": page(NOT_A_COMMITTEE),
    "resolutions:document-create": page(NOT_A_COMMITTEE),
    "meetings:committee-vote": page(NOT_A_COMMITTEE),
    "resolutions:version-diff": page(CELL_READ, resolution_id=_versioned_resolution),
    "resolutions:dissemination-create": page(CELL_WRITE),
    "dashboards:resolution-carried-out": page(CELL_READ, get_only(CELL_READ)),
    "resolutions:resolution-print": page(CELL_READ),
    "resolutions:resolution-pdf": page(CELL_READ),
    "resolutions:resolution-docx": page(CELL_READ),
    # Tasks and reports.
    "resolutions:my-tasks": page(ANY_ACCESS),
    "resolutions:cell-tasks": page(CELL_READ),
    "resolutions:task-detail": page(CELL_READ, TASK_REPORT),
    "resolutions:update-review": page(post_only(CELL_WRITE), CELL_WRITE),  # the task has no follower
    "resolutions:update-evidence": page(CELL_READ),
    # Meetings and their documents.
    "meetings:meeting-list": page(CELL_READ),
    "meetings:meeting-create": page(CELL_WRITE),
    "meetings:meeting-detail": page(CELL_READ),
    "meetings:meeting-edit": page(CELL_WRITE),
    "meetings:meeting-attendance": page(CELL_WRITE),
    "meetings:meeting-cancel": page(CELL_WRITE),
    "meetings:absence-request": page(CELL_MEMBERS),
    "meetings:absence-decide": page(post_only(CELL_WRITE), CELL_WRITE),
    "meetings:meeting-speech": page(post_only(CELL_WRITE), CELL_WRITE),
    "meetings:meeting-review": page(CELL_READ, CELL_WRITE),
    "meetings:meeting-step": page(post_only(CELL_WRITE), CELL_WRITE),
    "meetings:minutes-print": page(CELL_READ),
    "meetings:minutes-pdf": page(CELL_READ, CELL_WRITE),  # GET reads the stored PDF, POST has it built
    "meetings:minutes-status": page(CELL_READ),
    "meetings:minutes-docx": page(CELL_READ),
    # Before the secretary releases it, the pack is read by those who oversee the cell (a test: once released,
    # by its members too).
    "meetings:meeting-pack": page(CELL_OVERSIGHT),
    # Messages and reminders.
    "notifications:notification-list": page(ANY_ACCESS),
    "notifications:notification-count": page(ANY_ACCESS),
    "notifications:notification-open": page(RECIPIENT_ONLY),
    "notifications:notification-read-all": page(post_only(ANY_ACCESS), ANY_ACCESS),
    "notifications:notification-settings": page(ANY_ACCESS),
    "notifications:calendar-feed-create": page(post_only(ANY_ACCESS), ANY_ACCESS),
    "notifications:calendar-feed-revoke": page(post_only(ANY_ACCESS), ANY_ACCESS),
    "notifications:calendar-feed": page(PUBLIC, get_only(PUBLIC)),
    "notifications:cell-messages": page(CELL_OVERSIGHT),
    # Dashboards.
    "dashboards:dashboard-home": page(ROLE_HOLDERS),
    "dashboards:dashboard": page(CELL_OVERSIGHT, get_only(CELL_OVERSIGHT)),
    "dashboards:dashboard-xlsx": page(CELL_OVERSIGHT, get_only(CELL_OVERSIGHT)),
    "dashboards:dashboard-summary": page(post_only(CELL_OVERSIGHT), CELL_OVERSIGHT),
    "dashboards:dashboard-summary-pdf": page(CELL_OVERSIGHT, get_only(CELL_OVERSIGHT)),
    "dashboards:dashboard-summary-status": page(CELL_OVERSIGHT, get_only(CELL_OVERSIGHT)),
    # A committee's document over its cells, its Excel file and report; what the cells have not made concrete.
    "dashboards:document-cells": page(WARD_READ, get_only(WARD_READ), resolution_id=_ward_document),
    "dashboards:document-cells-xlsx": page(WARD_READ, get_only(WARD_READ), resolution_id=_ward_document),
    "dashboards:document-cells-pdf": page(WARD_READ, get_only(WARD_READ), resolution_id=_ward_document),
    "dashboards:upper-documents": page(CELL_OVERSIGHT, get_only(CELL_OVERSIGHT)),
    # Propagandists.
    "propagandists:roster": page(CELL_OVERSIGHT),
    "propagandists:entry-create": page(CELL_WRITE),
    "propagandists:add-suggestion": page(post_only(CELL_WRITE), CELL_WRITE),
    "propagandists:entry-edit": page(CELL_WRITE),
    "propagandists:entry-end": page(CELL_WRITE),
    # Inspections (by the cell committee, of the cell and of a member who is not among the roles).
    "inspections:inspection-list": page(ANY_ACCESS),
    "inspections:org-inspections": page(CELL_READ),  # a plain member sees only concluded ones of themselves
    "inspections:inspection-create": page(INSPECTION_PLAN),
    "inspections:inspection-detail": page(MEMBER_RECORD),
    "inspections:inspection-edit": page(MEMBER_WRITE, inspection_id=_inspection(INSPECTION.PLANNED)),
    "inspections:inspection-start": page(
        post_only(MEMBER_WRITE), MEMBER_WRITE, inspection_id=_inspection(INSPECTION.PLANNED)
    ),
    "inspections:inspection-conclude": page(MEMBER_WRITE, inspection_id=_inspection(INSPECTION.IN_PROGRESS)),
    "inspections:follow-up": page(MEMBER_WRITE),
    "inspections:conclusion-pdf": page(MEMBER_RECORD),
    # The yearly evaluation (a cycle of 2025 in the status each page works in).
    "evaluations:home": page(ANY_ACCESS),
    "evaluations:cell-cycles": page(CELL_OVERSIGHT, CELL_WRITE),
    "evaluations:cycle-detail": page(CELL_OVERSIGHT),
    "evaluations:cycle-step": page(post_only(CELL_WRITE), CELL_WRITE, step=lambda place: "proposal"),
    "evaluations:self-assessment": page(CELL_MEMBERS),
    "evaluations:proposal": page(CELL_COMMITTEE, cycle_id=_cycle(CYCLE.PROPOSAL)),
    "evaluations:vote": page(CELL_WRITE, cycle_id=_cycle(CYCLE.VOTE)),
    "evaluations:approval": page(WARD_APPROVAL, cycle_id=_cycle(CYCLE.APPROVAL)),
    "evaluations:comments": page(CELL_OVERSIGHT, CELL_WRITE),
    "evaluations:emulation": page(CELL_OVERSIGHT, CELL_WRITE),
    # Once closed, every member of the cell reads the results.
    "evaluations:results-pdf": page(CELL_READ, get_only(CELL_READ), cycle_id=_cycle(CYCLE.CLOSED)),
}

# The people of cell A1 before objects of cell A2 (same ward): the cell's secretary, deputy, committee member
# and plain member are strangers there, as B1's secretary is to A1; the member in charge of A1, a plain member of
# A2, is to A2 what a plain member is to A1. (The ward's standing committee and administrators see both cells
# alike; the others see neither.)
SAME_WARD = {
    "in_charge": "member",
    "secretary": "other_secretary",
    "deputy": "other_secretary",
    "committee": "other_secretary",
    "member": "other_secretary",
}

# Sent with every POST (the first allowed one of a URL is also sent empty): what a careless or hostile form holds.
JUNK = {
    "full_name": "Kẻ Lạ Mặt",
    "phone": "0900000000",
    "note": "<script>alert(1)</script>",
    "reason": "x" * 600,
    "decision": "approve",
    "action": "nonsense",
    "kind": "nonsense",
    "member": "not-a-number",
    "token": "../../etc/passwd",
    "year": "-1",
    "status": "nonsense",
    "progress": "1000",
    "date": "31/02/2026",
    "on": "yesterday",
    "ends_on": "never",
    "meeting": "nonsense",
    "cell_level": "nonsense",
    "lock_version": "nonsense",
    "evidence": "not-a-file",
    "file": "not-a-file",
    # "Add a row" on a page with formsets, with management forms that are not numbers.
    "add_task": "1",
    "add_target": "1",
    "tasks-TOTAL_FORMS": "many",
    "targets-TOTAL_FORMS": "many",
    "agenda-TOTAL_FORMS": "many",
}

# Beyond any integer column (64 bits): sent in every field of a page's own form.
HUGE = "99999999999999999999"

# The Django admin guards itself (staff only) and is tested below.
SKIPPED_NAMESPACES = {"admin"}


def _walk(patterns, namespace: str = "") -> Iterator[tuple[str, tuple[str, ...]]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            if ns in SKIPPED_NAMESPACES:
                continue
            yield from _walk(entry.url_patterns, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", tuple(entry.pattern.converters)


ALL_URLS = sorted(set(_walk(get_resolver().url_patterns)), key=lambda item: item[0])


# ---------------------------------------------------------------------------------------------------
# Asking
# ---------------------------------------------------------------------------------------------------


def _row_counts() -> tuple[int, ...]:
    """The row count of every table of every model (history tables included), in one query."""
    tables = sorted({model._meta.db_table for model in apps.get_models(include_auto_created=True)})
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in tables))
        return tuple(cursor.fetchone())


def _answer(response) -> str:
    code = response.status_code
    if 300 <= code < 400:
        location = response["Location"]
        if location.startswith(reverse(settings.LOGIN_URL)) and "next=" in location:
            return LOGIN
        return OK
    if 200 <= code < 300:
        return OK
    if code in (403, 404, 405):
        return str(code)
    error = getattr(response, "exc_info", None)
    return f"{code} ({error[1]!r})" if error else str(code)


def _ask(
    client: Client, method: str, url: str, data: dict[str, str] | None
) -> tuple[str, bool, _MonkeyPatchedWSGIResponse]:
    """The answer, whether the database changed, and the response; nothing the request wrote is kept."""
    cookies = SimpleCookie(client.cookies)
    with transaction.atomic():
        before = _row_counts()
        response = client.get(url) if method == "GET" else client.post(url, data or {})
        wrote = _row_counts() != before
        transaction.set_rollback(True)
    client.cookies = cookies  # the session as it was (logging out ends it)
    return _answer(response), wrote, response


def _form_fields(response: _MonkeyPatchedWSGIResponse) -> set[str]:
    """The names of the fields of the forms on a page."""
    if not response.get("Content-Type", "").startswith("text/html"):
        return set()
    names = set(re.findall(r'name="([^"]+)"', response.content.decode())) - {"csrfmiddlewaretoken"}
    # Not a formset's row counts: a huge count is capped by Django at two thousand rows, slow to build and show.
    return {name for name in names if not name.endswith("_FORMS")}


def _clients(people: dict[str, User]) -> dict[str, Client]:
    """A client for each role, logged in through a session written directly: what ``force_login`` leaves, without
    its signals (the last login, the login log), a good part of the run's time when done for every URL."""
    session_engine = import_module(settings.SESSION_ENGINE)
    clients = {}
    for role in ROLES:
        client = Client(raise_request_exception=False)
        if role != "anonymous":
            user = people[role]
            session = session_engine.SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.save()
            client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
        clients[role] = client
    return clients


def _url(name: str, params: tuple[str, ...], entry: Entry, place: Place) -> str:
    makers = {**OBJECTS, **entry.objects}
    unknown = [p for p in params if p not in makers]
    assert not unknown, f"{name}: give OBJECTS (or this URL's line in URLS) a maker for {unknown}"
    return reverse(name, kwargs={p: makers[p](place) for p in params})


def _check(name: str, url: str, expected: dict[str, Policy], clients: dict[str, Client], where: str) -> list[str]:
    """Ask ``url`` as each role with each method; the mismatches, each naming URL, role, method, expected, got."""
    problems: list[str] = []
    first_post = True
    fields: set[str] = set()
    for role, by_method in expected.items():
        for method, want in by_method.items():
            attempts: list[dict[str, str] | None] = [JUNK if method == "POST" else None]
            if method == "POST" and want == OK and first_post:
                first_post = False
                # The first role allowed to post also sends an empty form, and the page's own form with a number
                # too large for any column in every field: any answer but a server error will do for that one.
                attempts.insert(0, None)
                if fields:
                    _answer_for_junk_in_the_page_form(problems, name, where, role, url, clients[role], fields)
            for data in attempts:
                got, wrote, response = _ask(clients[role], method, url, data)
                sent = "" if method == "GET" else (" (junk)" if data else " (empty)")
                if got != want:
                    problems.append(f"{name} [{where}] {role} {method}{sent} {url}: expected {want}, got {got}")
                elif got != OK and wrote:
                    problems.append(f"{name} [{where}] {role} {method}{sent} {url}: refused ({got}) but wrote rows")
                if method == "GET":
                    fields = _form_fields(response) if got == OK else set()
    return problems


def _answer_for_junk_in_the_page_form(
    problems: list[str], name: str, where: str, role: str, url: str, client: Client, fields: set[str]
) -> None:
    got, _wrote, _response = _ask(client, "POST", url, {**JUNK, **dict.fromkeys(fields, HUGE)})
    if got not in ANSWERS:
        problems.append(f"{name} [{where}] {role} POST (the page's form, junk) {url}: got {got}")


# ---------------------------------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------------------------------


def test_the_walk_finds_the_pages() -> None:
    names = {name for name, _ in ALL_URLS}
    assert {"home", "members:member-list", "members:member-edit"} <= names


def test_every_line_of_the_table_is_a_url() -> None:
    """A line left behind after a URL was renamed or removed would hide that the new name has none."""
    assert set(URLS) - {name for name, _ in ALL_URLS} == set()


@pytest.mark.parametrize(("name", "params"), ALL_URLS, ids=[n for n, _ in ALL_URLS])
def test_access(tree, people, settings, tmp_path, name, params) -> None:
    assert name in URLS, (
        f"{name} has no line in URLS of tests/test_url_access.py: add one, e.g. "
        f'"{name}": page(CELL_READ, CELL_WRITE), naming what each role gets for a GET and a POST'
    )
    settings.MEDIA_ROOT = tmp_path / "media"
    entry = URLS[name]
    clients = _clients(people)
    a1 = Place(tree.cell_a1, MemberFactory.create(cell=tree.cell_a1, full_name="Nguyễn Thị Hồng"), people)
    expected = {role: {"GET": entry.get[role], "POST": entry.post[role]} for role in ROLES}
    problems = _check(name, _url(name, params, entry, a1), expected, clients, "cell A1")
    if set(params) - NOT_CELL_OBJECTS:
        a2 = Place(tree.cell_a2, MemberFactory.create(cell=tree.cell_a2, full_name="Trần Văn Bình"), people)
        mirrored = {role: expected[stranger] for role, stranger in SAME_WARD.items()}
        problems += _check(name, _url(name, params, entry, a2), mirrored, clients, "cell A2")
    assert not problems, f"{len(problems)} answers differ from the table:\n" + "\n".join(problems)


PAIRED_URLS = [(name, params) for name, params in ALL_URLS if len(set(params) - NOT_CELL_OBJECTS) > 1]


@pytest.mark.parametrize(("name", "params"), PAIRED_URLS, ids=[n for n, _ in PAIRED_URLS])
def test_an_object_of_another_cell_inside_a_url_of_ones_own(tree, people, name, params) -> None:
    """A URL naming two objects (a member and one of their periods, a meeting and a resolution it reviews) with the
    first of cell A1 and the second of cell A2: not found, for A1's secretary and for an administrator alike."""
    entry = URLS.get(name, page(CELL_READ))
    makers = {**OBJECTS, **entry.objects}
    a1 = Place(tree.cell_a1, MemberFactory.create(cell=tree.cell_a1), people)
    a2 = Place(tree.cell_a2, MemberFactory.create(cell=tree.cell_a2), people)
    first, *others = [p for p in params if p not in NOT_CELL_OBJECTS]
    kwargs = {p: makers[p](a2 if p in others else a1) for p in params}
    url = reverse(name, kwargs=kwargs)
    expected = {role: {"GET": NOT_FOUND, "POST": NOT_FOUND} for role in ("admin", "secretary")}
    problems = _check(name, url, expected, _clients(people), f"{first} of A1, {', '.join(others)} of A2")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("who", ["nobody", "secretary"])
def test_the_admin_is_for_staff_only(client_for, people, who) -> None:
    response = client_for(who).get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
