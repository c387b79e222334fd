"""The daily sweep: who must be reminded of what today, decided with a few indexed queries per kind.

Every message is a ``Notification`` with a natural key (recipient, kind, object, day) under a unique
constraint, so running the sweep twice — or two beats firing together — creates nothing new. Emails are
``Delivery`` rows sent one by one by ``notifications.tasks.send_delivery`` after the transaction commits.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from celery import signature
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from meetings.models import Meeting, MonthlyReview
from members.models import Member, Organisation, Role
from members.rules import PROBATION_MONTHS, add_months, probation, public_holidays
from notifications.models import Delivery, Kind, Notification, Preference
from resolutions.background import queue_after_commit
from resolutions.carrying import addressed, chosen_cells, first_adoptions
from resolutions.models import Resolution, Task
from resolutions.rules import Concrete, concretised

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# The task that sends one delivery (``notifications.tasks``, which imports this module for the sweep), queued by
# its name: the name it had in ``resolutions.tasks``, kept for the messages already queued.
SEND_DELIVERY = "resolutions.tasks.send_delivery"
send_delivery = signature(SEND_DELIVERY)


class ReminderSettings(TypedDict):
    """The sweep's thresholds, in days (``WEEKLY_DIGEST_WEEKDAY``: 0 is Monday)."""

    DUE_SOON_DAYS: Sequence[int]
    OVERDUE_REPEAT_DAYS: int
    ESCALATE_CELL_DAYS: int
    ESCALATE_WARD_DAYS: int
    MEETING_NOTICE_DAYS: Sequence[int]
    MONTHLY_CHECK_DAY: int
    WEEKLY_DIGEST_WEEKDAY: int
    PROBATION_NOTICE_DAYS: int


def reminder_settings() -> ReminderSettings:
    """Thresholds (the unconfirmed practice of the field is a setting, with these defaults)."""
    conf: ReminderSettings = {
        "DUE_SOON_DAYS": (3, 1),
        "OVERDUE_REPEAT_DAYS": 3,
        "ESCALATE_CELL_DAYS": 7,
        "ESCALATE_WARD_DAYS": 14,
        "MEETING_NOTICE_DAYS": (3, 1),
        "MONTHLY_CHECK_DAY": 25,
        "WEEKLY_DIGEST_WEEKDAY": 0,  # Monday
        # The secretary is told of a member's probation ending this many days ahead (once per member).
        "PROBATION_NOTICE_DAYS": 30,
    }
    conf.update(settings.CHIBO.get("REMINDERS", {}))
    return conf


@dataclass
class Draft:
    recipient_id: int
    kind: str
    object_ref: str
    subject: str
    body: str
    url: str = ""


@dataclass
class SweepReport:
    day: dt.date
    drafted: dict[str, int] = field(default_factory=dict)
    created: int = 0
    emails: int = 0

    def __str__(self) -> str:
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(self.drafted.items())) or "—"
        return f"{self.day:%d/%m/%Y}: {self.created} new notifications ({kinds}), {self.emails} emails queued"


def _d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


# ---------------------------------------------------------------------------------------------------
# Tasks: due soon, due today, overdue, escalation
# ---------------------------------------------------------------------------------------------------


class OverdueItem(TypedDict):
    """A task past its deadline, as an escalation message lists it."""

    title: str
    deadline: str
    number: str
    late: int


def _task_drafts(day: dt.date, conf: ReminderSettings) -> list[Draft]:
    due_soon_days = tuple(conf["DUE_SOON_DAYS"])
    repeat = int(conf["OVERDUE_REPEAT_DAYS"])
    to_cell, to_ward = int(conf["ESCALATE_CELL_DAYS"]), int(conf["ESCALATE_WARD_DAYS"])
    horizon = day + dt.timedelta(days=max(due_soon_days, default=0))
    # One query: every open task of a resolution in force that is due by the horizon, with what a message needs.
    tasks = list(
        Task.objects.live()
        .open()
        .filter(deadline__lte=horizon)
        .values("pk", "title", "deadline", "lead_member__user_id", "resolution__cell_id", "resolution__number")
    )
    soon_ids = [t["pk"] for t in tasks if (t["deadline"] - day).days in due_soon_days]
    supporters: dict[int, list[int]] = defaultdict(list)
    through = Task.supporters.through.objects.filter(task_id__in=soon_ids, member__user__isnull=False)
    for task_id, user_id in through.values_list("task_id", "member__user_id"):  # one query
        supporters[task_id].append(user_id)

    drafts: list[Draft] = []
    escalate: dict[str, dict[int, list[OverdueItem]]] = {"cell": defaultdict(list), "ward": defaultdict(list)}
    crossed: dict[str, set[int]] = {"cell": set(), "ward": set()}
    for t in tasks:
        url = reverse("resolutions:task-detail", args=[t["pk"]])
        ref = f"task:{t['pk']}"
        lead = t["lead_member__user_id"]
        days_left = (t["deadline"] - day).days
        numbers = {"title": t["title"], "deadline": _d(t["deadline"]), "number": t["resolution__number"]}
        if days_left in due_soon_days:
            subject = ngettext("Task due in %(n)d day: %(title)s", "Task due in %(n)d days: %(title)s", days_left) % {
                "n": days_left,
                "title": t["title"],
            }
            body = _("The task “%(title)s” of resolution %(number)s is due on %(deadline)s.") % numbers
            for user_id in {lead, *supporters.get(t["pk"], [])} - {None}:
                drafts.append(Draft(user_id, Kind.DUE_SOON, ref, subject, body, url))
        elif days_left == 0 and lead:
            subject = _("Task due today: %(title)s") % numbers
            body = _("The task “%(title)s” of resolution %(number)s is due today, %(deadline)s.") % numbers
            drafts.append(Draft(lead, Kind.DUE_TODAY, ref, subject, body, url))
        elif days_left < 0:
            late = -days_left
            if lead and late % repeat == 1 % repeat:  # the day after the deadline, then every `repeat` days
                subject = _("Task overdue: %(title)s") % numbers
                body = _(
                    "The task “%(title)s” of resolution %(number)s was due on %(deadline)s, %(late)d days ago."
                ) % {
                    **numbers,
                    "late": late,
                }
                drafts.append(Draft(lead, Kind.OVERDUE, ref, subject, body, url))
            cell = t["resolution__cell_id"]
            item = OverdueItem(title=t["title"], deadline=_d(t["deadline"]), number=t["resolution__number"], late=late)
            if late > to_cell:
                escalate["cell"][cell].append(item)
                if late == to_cell + 1:
                    crossed["cell"].add(cell)
            if late > to_ward:
                escalate["ward"][cell].append(item)
                if late == to_ward + 1:
                    crossed["ward"].add(cell)
    drafts += _escalation_drafts(escalate, crossed, to_cell, to_ward)
    return drafts


def _escalation_drafts(
    escalate: dict[str, dict[int, list[OverdueItem]]], crossed: dict[str, set[int]], to_cell: int, to_ward: int
) -> list[Draft]:
    """One message per recipient listing all such tasks, sent when a task newly crosses the threshold."""
    cells = crossed["cell"] | crossed["ward"]
    if not cells:
        return []
    roles = Role.objects.filter(organisation_id__in=cells, kind__in=[Role.Kind.SECRETARY, Role.Kind.IN_CHARGE])
    by_cell: dict[tuple[int, str], list[int]] = defaultdict(list)
    for cell_id, kind, user_id in roles.values_list("organisation_id", "kind", "user_id"):  # one query
        by_cell[(cell_id, kind)].append(user_id)
    names = dict(Organisation.objects.filter(pk__in=cells).values_list("pk", "name"))
    per_recipient: dict[tuple[int, str], list[tuple[int, list[OverdueItem]]]] = defaultdict(list)
    for level, role, kind in (
        ("cell", Role.Kind.SECRETARY, Kind.ESCALATION_CELL),
        ("ward", Role.Kind.IN_CHARGE, Kind.ESCALATION_WARD),
    ):
        for cell_id in crossed[level]:
            for user_id in by_cell.get((cell_id, role), []):
                per_recipient[(user_id, kind)].append((cell_id, escalate[level][cell_id]))
    drafts = []
    for (user_id, kind), cells_tasks in per_recipient.items():
        days = to_cell if kind == Kind.ESCALATION_CELL else to_ward
        lines = []
        for cell_id, items in cells_tasks:
            lines.append(f"{names.get(cell_id, '')}:")
            lines += [
                "- " + _("%(title)s (resolution %(number)s), due %(deadline)s, %(late)d days late") % item
                for item in sorted(items, key=lambda i: -i["late"])
            ]
        count = sum(len(items) for _cell, items in cells_tasks)
        subject = ngettext(
            "%(n)d task overdue for more than %(days)d days", "%(n)d tasks overdue for more than %(days)d days", count
        ) % {"n": count, "days": days}
        ref = "cells:" + ",".join(str(c) for c, _items in sorted(cells_tasks))[:30]
        url = reverse("members:org-detail", args=[cells_tasks[0][0]])
        drafts.append(Draft(user_id, kind, ref, subject, "\n".join(lines), url))
    return drafts


# ---------------------------------------------------------------------------------------------------
# Meetings: notices, and cells that have not met or reviewed this month
# ---------------------------------------------------------------------------------------------------


def _meeting_drafts(day: dt.date, conf: ReminderSettings) -> list[Draft]:
    notice_days = tuple(conf["MEETING_NOTICE_DAYS"])
    dates = [day + dt.timedelta(days=n) for n in notice_days]
    meetings = list(
        Meeting.objects.filter(status=Meeting.Status.PLANNED, date__in=dates).prefetch_related("agenda_items")
    )
    if not meetings:
        return []
    recipients_by_cell = _meeting_recipients({m.cell_id for m in meetings}, day)
    drafts = []
    for meeting in meetings:
        agenda = "\n".join(f"{i}. {item.title}" for i, item in enumerate(meeting.agenda_items.all(), start=1))
        numbers = {"date": _d(meeting.date), "time": meeting.starts_at.strftime("%H:%M"), "place": meeting.place}
        subject = _("Cell meeting on %(date)s at %(time)s") % numbers
        body = _("The cell meets on %(date)s at %(time)s, at %(place)s.") % numbers + "\n\n" + agenda
        url = reverse("meetings:meeting-detail", args=[meeting.pk])
        recipients = recipients_by_cell[meeting.cell_id]
        drafts += [Draft(user, Kind.MEETING_NOTICE, f"meeting:{meeting.pk}", subject, body, url) for user in recipients]
    return drafts


def _meeting_recipients(cell_ids: set[int], day: dt.date) -> dict[int, set[int]]:
    """Cell id → the accounts told about its meetings: its members who are not exempt, and the ward member in
    charge (two queries)."""
    recipients: dict[int, set[int]] = defaultdict(set)
    rows = Member.objects.active().filter(cell_id__in=cell_ids, user__isnull=False).with_flags(day)
    flags = rows.values_list("cell_id", "user_id", "is_exempt")  # type: ignore[misc]  # annotated by with_flags()
    for cell_id, user_id, is_exempt in flags:
        if not is_exempt:
            recipients[cell_id].add(user_id)
    in_charge = Role.objects.filter(organisation_id__in=cell_ids, kind=Role.Kind.IN_CHARGE)
    for cell_id, user_id in in_charge.values_list("organisation_id", "user_id"):
        recipients[cell_id].add(user_id)
    return recipients


def pack_drafts(meeting: Meeting) -> list[Draft]:
    """The message that the meeting pack is released: to everyone told about the meeting, once."""
    numbers = {"date": _d(meeting.date), "time": meeting.starts_at.strftime("%H:%M")}
    subject = _("Documents for the cell meeting on %(date)s") % numbers
    body = (
        _(
            "The documents of the cell meeting on %(date)s at %(time)s (the agenda, the draft resolutions and the "
            "review of last month's resolution) are released. Read them before the meeting."
        )
        % numbers
    )
    url = reverse("meetings:meeting-pack", args=[meeting.pk])
    recipients = _meeting_recipients({meeting.cell_id}, meeting.date)[meeting.cell_id]
    return [Draft(user, Kind.MEETING_PACK, f"meeting:{meeting.pk}", subject, body, url) for user in recipients]


def cancellation_drafts(meeting: Meeting) -> list[Draft]:
    """The message that a meeting is cancelled, with its reason: to everyone told about the meeting, at once."""
    numbers = {
        "date": _d(meeting.date),
        "time": meeting.starts_at.strftime("%H:%M"),
        "place": meeting.place,
        "reason": meeting.cancel_reason,
    }
    subject = _("The cell meeting on %(date)s is cancelled") % numbers
    body = _("The cell meeting on %(date)s at %(time)s, at %(place)s, is cancelled. Reason: %(reason)s") % numbers
    url = reverse("meetings:meeting-detail", args=[meeting.pk])
    recipients = _meeting_recipients({meeting.cell_id}, meeting.date)[meeting.cell_id]
    return [Draft(user, Kind.MEETING_CANCELLED, f"meeting:{meeting.pk}", subject, body, url) for user in recipients]


def _missing_monthly_drafts(day: dt.date, conf: ReminderSettings) -> list[Draft]:
    if day.day != int(conf["MONTHLY_CHECK_DAY"]):
        return []
    month = Q(date__year=day.year, date__month=day.month)
    held = Meeting.objects.filter(month, cell=OuterRef("pk"), status__in=[Meeting.Status.HELD, Meeting.Status.APPROVED])
    reviewed = MonthlyReview.objects.filter(
        meeting__cell=OuterRef("pk"), meeting__date__year=day.year, meeting__date__month=day.month
    )
    lacking = list(
        Organisation.objects.cells()
        .annotate(has_meeting=Exists(held), has_review=Exists(reviewed))
        .filter(Q(has_meeting=False) | Q(has_review=False))
        .values("pk", "name", "has_meeting", "has_review")
    )
    if not lacking:
        return []
    roles = Role.objects.filter(
        organisation_id__in=[c["pk"] for c in lacking], kind__in=[Role.Kind.SECRETARY, Role.Kind.IN_CHARGE]
    ).values_list("organisation_id", "user_id")
    by_cell: dict[int, list[int]] = defaultdict(list)
    for cell_id, user_id in roles:
        by_cell[cell_id].append(user_id)
    drafts = []
    for cell in lacking:
        missing = []
        if not cell["has_meeting"]:
            missing.append(_("no meeting has been held"))
        if not cell["has_review"]:
            missing.append(_("no monthly review has been recorded"))
        subject = _("%(cell)s: monthly work missing") % {"cell": cell["name"]}
        body = _("By %(date)s, in %(cell)s %(missing)s this month.") % {
            "date": _d(day),
            "cell": cell["name"],
            "missing": _(" and ").join(missing),
        }
        url = reverse("meetings:meeting-list", args=[cell["pk"]])
        drafts += [
            Draft(u, Kind.MISSING_MONTHLY_WORK, f"cell:{cell['pk']}", subject, body, url) for u in by_cell[cell["pk"]]
        ]
    return drafts


def _weekly_digest_drafts(day: dt.date, conf: ReminderSettings) -> list[Draft]:
    """For ward committee members on the digest weekday: their cells, what is overdue, what got done."""
    if day.weekday() != int(conf["WEEKLY_DIGEST_WEEKDAY"]):
        return []
    roles = list(
        Role.objects.filter(kind__in=[Role.Kind.IN_CHARGE, Role.Kind.STANDING]).values_list(
            "user_id", "organisation__path"
        )
    )
    if not roles:
        return []
    week_ago = day - dt.timedelta(days=7)
    live = Q(resolutions__status__in=Resolution.LIVE)
    cells = list(
        Organisation.objects.cells()
        .annotate(
            overdue=Count(
                "resolutions__tasks",
                filter=live & Q(resolutions__tasks__status__in=Task.OPEN, resolutions__tasks__deadline__lt=day),
            ),
            done=Count(
                "resolutions__tasks",
                filter=Q(resolutions__tasks__status=Task.Status.DONE, resolutions__tasks__completed_on__gte=week_ago),
            ),
        )
        .values("pk", "name", "path", "overdue", "done")
    )
    by_user: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for user_id, path in roles:
        by_user[user_id] += [c for c in cells if str(c["path"]).startswith(path)]
    drafts = []
    for user_id, user_cells in by_user.items():
        if not user_cells:
            continue
        lines = [
            _("%(cell)s: %(overdue)d overdue, %(done)d done in the last 7 days") % {"cell": c["name"], **c}
            for c in sorted(user_cells, key=lambda c: (-int(c["overdue"]), str(c["name"])))
        ]
        subject = _("Weekly summary of your cells, %(date)s") % {"date": _d(day)}
        drafts.append(Draft(user_id, Kind.WEEKLY_DIGEST, f"user:{user_id}", subject, "\n".join(lines)))
    return drafts


# ---------------------------------------------------------------------------------------------------
# Members: probation ending
# ---------------------------------------------------------------------------------------------------


def _probation_drafts(day: dt.date, conf: ReminderSettings) -> list[Draft]:
    """The cell's secretaries, once for each member whose probation ends within the notice days (or has ended)
    while the cell's review is still due: the review and vote come within 30 working days of the end."""
    notice = int(conf["PROBATION_NOTICE_DAYS"])
    members = list(
        Member.objects.probation_ending(day, notice)
        # Older than a year and a quarter, any review deadline has passed: the pages show them, no reminder.
        .filter(admitted_on__gte=add_months(day, -(PROBATION_MONTHS + 3)))
        .values("pk", "full_name", "admitted_on", "cell_id")
    )
    holidays = public_holidays()
    due = [(m, probation(m["admitted_on"], day, holidays)) for m in members]
    due = [(m, p) for m, p in due if not p.review_overdue]
    if not due:
        return []
    secretaries: dict[int, list[int]] = defaultdict(list)
    for cell_id, user_id in Role.objects.filter(
        organisation_id__in={m["cell_id"] for m, _p in due}, kind=Role.Kind.SECRETARY
    ).values_list("organisation_id", "user_id"):  # one query
        secretaries[cell_id].append(user_id)
    refs = [f"member:{m['pk']}" for m, _p in due]
    # Exactly once per member and secretary, whatever the day: earlier reminders are not repeated.
    told = set(
        Notification.objects.filter(kind=Kind.PROBATION_ENDING, object_ref__in=refs).values_list(
            "recipient_id", "object_ref"
        )
    )
    drafts = []
    for member, dates in due:
        ref = f"member:{member['pk']}"
        subject = _("Probation of %(name)s ends on %(date)s") % {"name": member["full_name"], "date": _d(dates.ends_on)}
        body = dates.summary() + "\n" + _("Prepare the cell's review and vote; the party committee then decides.")
        url = reverse("members:member-detail", args=[member["pk"]])
        drafts += [
            Draft(user_id, Kind.PROBATION_ENDING, ref, subject, body, url)
            for user_id in secretaries.get(member["cell_id"], [])
            if (user_id, ref) not in told
        ]
    return drafts


# ---------------------------------------------------------------------------------------------------
# Committees' documents: cells that have not made them concrete by the deadline
# ---------------------------------------------------------------------------------------------------


def _document_drafts(day: dt.date, conf: ReminderSettings) -> list[Draft]:
    """The secretary and the ward member in charge of each cell a committee's document in force addresses, once
    its deadline to make the document concrete has passed while the cell has adopted no resolution of its own
    carrying it out (``rules.concretised``: LATE). Exactly once per recipient, document and cell, whatever the
    day: six queries, whatever the number of documents and cells."""
    documents = list(
        Resolution.objects.filter(status__in=Resolution.LIVE, concretise_by__lt=day)
        .exclude(cell__kind=Organisation.Kind.CELL)
        .select_related("cell")
        .only("pk", "number", "title", "concretise_by", "cell__path", "cell__name")
    )
    if not documents:
        return []
    ids = [document.pk for document in documents]
    cells = list(Organisation.objects.cells().order_by("path").only("pk", "path", "name"))  # one query
    chosen = chosen_cells(ids)  # one query
    adopted = first_adoptions(ids, Organisation.objects.cells().values("pk"))  # one query
    late = [
        (document, cell)
        for document, addressed_here in addressed(documents, chosen, cells)
        for cell in addressed_here
        if concretised(adopted_on=adopted.get((document.pk, cell.pk)), deadline=document.concretise_by, day=day)
        == Concrete.LATE
    ]
    if not late:
        return []
    recipients: dict[int, list[int]] = defaultdict(list)
    roles = Role.objects.filter(
        organisation_id__in={cell.pk for _document, cell in late}, kind__in=[Role.Kind.SECRETARY, Role.Kind.IN_CHARGE]
    )
    for cell_id, user_id in roles.values_list("organisation_id", "user_id"):  # one query
        recipients[cell_id].append(user_id)
    # Exactly once per recipient, document and cell, whatever the day: the reference has no day (one query).
    refs = {_late_ref(document, cell) for document, cell in late}
    told = set(
        Notification.objects.filter(kind=Kind.DOCUMENT_LATE, object_ref__in=refs).values_list(
            "recipient_id", "object_ref"
        )
    )
    drafts = []
    for document, cell in late:
        ref = _late_ref(document, cell)
        subject, body, url = _late_message(document, cell)
        drafts += [
            Draft(user_id, Kind.DOCUMENT_LATE, ref, subject, body, url)
            for user_id in dict.fromkeys(recipients.get(cell.pk, []))
            if (user_id, ref) not in told
        ]
    return drafts


def _late_ref(document: Resolution, cell: Organisation) -> str:
    return f"document:{document.pk}:cell:{cell.pk}"


def _late_message(document: Resolution, cell: Organisation) -> tuple[str, str, str]:
    """The subject, body and link of the message to a cell late in making a committee's document concrete."""
    assert document.concretise_by is not None  # only documents with a deadline are late
    numbers = {
        "number": document.number,
        "title": document.title,
        "committee": document.cell.name,
        "cell": cell.name,
        "date": _d(document.concretise_by),
    }
    subject = _("%(cell)s: %(number)s not yet made concrete") % numbers
    body = (
        _(
            "%(cell)s was to make %(number)s of %(committee)s, “%(title)s”, concrete by %(date)s, in a resolution "
            "of its own that carries it out. The deadline has passed and the cell has adopted no such resolution."
        )
        % numbers
    )
    return subject, body, reverse("resolutions:resolution-detail", args=[document.pk])


# ---------------------------------------------------------------------------------------------------
# The sweep
# ---------------------------------------------------------------------------------------------------

BUILDERS = (
    _task_drafts,
    _meeting_drafts,
    _missing_monthly_drafts,
    _weekly_digest_drafts,
    _probation_drafts,
    _document_drafts,
)


def sweep(day: dt.date) -> SweepReport:
    """Decide today's reminders, store them once, and queue their emails."""
    conf = reminder_settings()
    drafts = [draft for builder in BUILDERS for draft in builder(day, conf)]
    return store(drafts, day)


@transaction.atomic
def store(drafts: Iterable[Draft], day: dt.date, *, only_these: bool = False) -> SweepReport:
    """Store the drafts not muted by their recipient and queue their emails. The sweep queues every email of the
    day still pending; an event (``only_these``) queues only those of its own messages."""
    drafts = list(drafts)
    report = SweepReport(day)
    prefs = {p.user_id: p for p in Preference.objects.filter(user_id__in={d.recipient_id for d in drafts})}
    kept = [d for d in drafts if d.kind not in (prefs[d.recipient_id].muted_kinds if d.recipient_id in prefs else [])]
    for d in kept:
        report.drafted[d.kind] = report.drafted.get(d.kind, 0) + 1
    # An event counts and queues only its own messages, not the whole day's.
    made = Notification.objects.filter(day=day)
    if only_these:
        made = made.filter(
            kind__in={d.kind for d in kept},
            object_ref__in={d.object_ref for d in kept},
            recipient_id__in={d.recipient_id for d in kept},
        )
    before = made.count()
    _create(kept, day)
    report.created = made.count() - before
    report.emails = queue_emails(day, notifications=made if only_these else None)
    return report


def _create(drafts: Iterable[Draft], day: dt.date) -> None:
    """Store the drafts; one already stored under the same natural key is left as it is."""
    Notification.objects.bulk_create(
        (
            Notification(
                recipient_id=d.recipient_id,
                kind=d.kind,
                object_ref=d.object_ref,
                day=day,
                subject=d.subject[:200],
                body=d.body,
                url=d.url,
            )
            for d in drafts
        ),
        batch_size=1000,
        ignore_conflicts=True,
    )


def queue_emails(
    day: dt.date, *, kinds: Iterable[str] | None = None, notifications: QuerySet[Notification] | None = None
) -> int:
    """Give today's notifications (or only ``notifications``) an email delivery (once: unique per channel) and
    queue the pending ones."""
    digest = Preference.objects.filter(user=OuterRef("recipient_id"), daily_digest=True)
    rows = (
        (Notification.objects.all() if notifications is None else notifications)
        .filter(day=day, recipient__is_active=True)
        .exclude(recipient__email="")
        .annotate(wants_digest=Exists(digest))
        .filter(Q(wants_digest=False) | Q(kind=Kind.DAILY_DIGEST))
    )
    if kinds is not None:
        rows = rows.filter(kind__in=list(kinds))
    Delivery.objects.bulk_create(
        (
            Delivery(notification_id=pk, channel="email", address=email)
            for pk, email in rows.values_list("pk", "recipient__email")
        ),
        batch_size=1000,
        ignore_conflicts=True,
    )
    pending_rows = Delivery.objects.filter(notification__day=day, status=Delivery.Status.PENDING)
    if notifications is not None:
        pending_rows = pending_rows.filter(notification__in=notifications)
    pending = list(pending_rows.values_list("pk", flat=True))
    # With the broker down the rows stay PENDING: the periodic job queues them again (resolutions.background).
    queue_after_commit(send_delivery, [(pk,) for pk in pending])
    return len(pending)


@transaction.atomic
def daily_digests(day: dt.date) -> int:
    """One email a day for those who asked for it, listing the day's messages."""
    users = Preference.objects.filter(daily_digest=True).values_list("user_id", flat=True)
    grouped: dict[int, list[Notification]] = defaultdict(list)
    for n in Notification.objects.filter(day=day, recipient_id__in=users).exclude(kind=Kind.DAILY_DIGEST):
        grouped[n.recipient_id].append(n)
    drafts = [
        Draft(
            user_id,
            Kind.DAILY_DIGEST,
            f"user:{user_id}",
            ngettext("%(n)d message today", "%(n)d messages today", len(items)) % {"n": len(items)},
            "\n\n".join(f"{n.subject}\n{n.body}" for n in items),
            reverse("notifications:notification-list"),
        )
        for user_id, items in grouped.items()
    ]
    _create(drafts, day)
    return queue_emails(day, kinds=[Kind.DAILY_DIGEST])


def mark_read(notification: Notification) -> None:
    """The user opened their notification: it is read (once; a second opening changes nothing)."""
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())


def mark_all_read(user: User) -> int:
    """Every unread notification of ``user`` is read; how many were."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
