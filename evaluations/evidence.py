"""The evidence beside each member's self-assessment: what the data of the year shows about them.

``cell_evidence`` reads a whole cell in four aggregate queries, whatever the number of members, tasks or
meetings, and returns plain dataclasses. It counts as the rest of the product does:

- tasks of the year are the tasks of the cell's adopted resolutions whose deadline falls in the year, cancelled
  ones left out; a done task is late when it was closed after its deadline (``Task.days_late``), an open task
  past its deadline on the day of the evaluation is overdue, "not met" is a task judged not done;
- meetings of the year are the cell's meetings held in the year (held or minutes approved), from their
  attendance rows;
- opinions are the speeches recorded under the member's name in those meetings; reports are their progress
  reports on the cell's tasks during the year that the cell confirmed (one waiting for review or sent back is not
  yet evidence, as it does not yet count toward the task's progress);
- discipline records are the member's disciplinary decisions dated in the year.

``evidence_under`` reads the same figures for every cell under an organisation at once (the demo's seeding).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Value
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from evaluations.models import Level
from evaluations.rules import evidence_warning
from meetings.models import Attendance, Meeting, Speech
from members.models import Discipline, Organisation
from resolutions.models import ProgressUpdate, Resolution, Task

HELD = (Meeting.Status.HELD, Meeting.Status.APPROVED)


@dataclass
class TaskCounts:
    total: int = 0
    on_time: int = 0
    late: int = 0
    not_met: int = 0
    overdue: int = 0
    open: int = 0  # still open, not yet due

    @property
    def done(self) -> int:
        return self.on_time + self.late


@dataclass
class MemberEvidence:
    led: TaskCounts = field(default_factory=TaskCounts)
    supported: TaskCounts = field(default_factory=TaskCounts)
    meetings: int = 0  # meetings the member was expected at: not exempt, not away
    attended: int = 0
    absent_with_reason: int = 0
    absent_without_reason: int = 0
    speeches: int = 0
    reports: int = 0
    disciplines: int = 0

    @property
    def attendance_rate(self) -> int | None:
        return round(self.attended * 100 / self.meetings) if self.meetings else None

    def warning(self, level: str) -> str:
        """The warning this evidence draws against proposing ``level`` (``rules.evidence_warning``)."""
        return evidence_warning(
            level,
            overdue=self.led.overdue,
            not_met=self.led.not_met,
            absent_without_reason=self.absent_without_reason,
            disciplines=self.disciplines,
        )

    @property
    def weighs_against(self) -> bool:
        """Whether proposing "excellent" or "well completed" draws a warning."""
        return bool(self.warning(Level.GOOD))

    @property
    def html(self) -> SafeString:
        """The evidence as the pages show it (``render_evidence``)."""
        return render_evidence(self)


@dataclass(frozen=True)
class _Phrases:
    """The sentences of the evidence in one language."""

    tasks: str
    not_done: str
    attended: str
    absent: str
    opinions: str
    terms: tuple[str, str, str, str]


@functools.lru_cache(maxsize=16)
def _phrases(language: str | None) -> _Phrases:
    """Translated once per language (the catalogues do not change while the process runs), not once per member:
    ``language`` is the active one, the cache's key."""
    return _Phrases(
        tasks=gettext("%(total)s: %(on_time)s on time, %(late)s late"),
        not_done=gettext("%(overdue)s overdue, %(not_met)s not met"),
        attended=gettext("attended %(attended)s of %(meetings)s"),
        absent=gettext("absent %(with_reason)s with reason, %(without_reason)s without"),
        opinions=gettext("%(speeches)s opinions at meetings, %(reports)s progress reports"),
        terms=(gettext("Tasks led"), gettext("Tasks supported"), gettext("Meetings"), gettext("Opinions and reports")),
    )


def _tasks_html(counts: TaskCounts, phrases: _Phrases) -> str:
    text = phrases.tasks % {
        "total": counts.total,
        "on_time": counts.on_time,
        "late": counts.late,
    }
    if counts.overdue or counts.not_met:
        late = phrases.not_done % {
            "overdue": counts.overdue,
            "not_met": counts.not_met,
        }
        text += f', <span class="text-danger">{late}</span>'
    return text


def render_evidence(ev: MemberEvidence) -> SafeString:
    """The evidence of one member for the year as a definition list: tasks led and supported, meetings, opinions
    and reports.

    Built in Python once per member rather than through a template per row (the pages list a whole cell). It
    reads as ``{% blocktranslate %}`` would render it: the translated sentence as written, the figures plain
    integers (the project does not group thousands, so ``localize`` of an integer is its ``str``).
    """
    phrases = _phrases(get_language())
    meetings = phrases.attended % {"attended": ev.attended, "meetings": ev.meetings}
    if ev.absent_with_reason or ev.absent_without_reason:
        meetings += "; " + phrases.absent % {
            "with_reason": ev.absent_with_reason,
            "without_reason": ev.absent_without_reason,
        }
    opinions = phrases.opinions % {
        "speeches": ev.speeches,
        "reports": ev.reports,
    }
    texts = (_tasks_html(ev.led, phrases), _tasks_html(ev.supported, phrases), meetings, opinions)
    rows = zip(phrases.terms, texts, strict=True)
    # The texts are our own translations and integers, inserted as the template tags insert them (unescaped).
    items = "".join(f'  <dt class="col-6">{term}</dt>\n  <dd class="col-6">{text}</dd>\n' for term, text in rows)
    return mark_safe(f'\n<dl class="evidence row small mb-0">\n{items}</dl>\n')


def _task_counts(day: dt.date, via: str = "") -> dict[str, Count]:
    """Counts of tasks by outcome; ``via="task__"`` counts over the supporters' link table (a row per task and
    supporter) instead of the tasks themselves."""
    done = Q(**{f"{via}status": Task.Status.DONE})
    late = Q(**{f"{via}completed_on__gt": F(f"{via}deadline")})
    is_open = Q(**{f"{via}status__in": Task.OPEN})
    return {
        "total": Count("pk"),
        "on_time": Count("pk", filter=done & ~late),
        "late": Count("pk", filter=done & late),
        "not_met": Count("pk", filter=Q(**{f"{via}status": Task.Status.NOT_MET})),
        "overdue": Count("pk", filter=is_open & Q(**{f"{via}deadline__lt": day})),
        "open": Count("pk", filter=is_open & Q(**{f"{via}deadline__gte": day})),
    }


def _per_member(rows: QuerySet[Any], member: str, figure: str) -> QuerySet[Any]:
    """``rows`` counted per member (``member`` names their member's column), each count named ``figure``."""
    return rows.order_by().values(who=F(member)).annotate(n=Count("pk"), figure=Value(figure))


def evidence_day(year: int, today: dt.date | None = None) -> dt.date:
    """The day the evidence is judged on: the end of the year, or today while the year runs."""
    today = today or timezone.localdate()
    return min(today, dt.date(year, 12, 31))


def cell_evidence(cell: Organisation, year: int, *, day: dt.date | None = None) -> dict[int, MemberEvidence]:
    """Every member's evidence for ``year`` in ``cell``, by member id, in four queries.

    ``day`` decides which open tasks are overdue (``evidence_day`` by default). Members with nothing recorded
    are absent from the result: use ``.get(pk, MemberEvidence())``.
    """
    return _evidence({"cell": cell}, year, day or evidence_day(year))


def evidence_under(org: Organisation, year: int, *, day: dt.date | None = None) -> dict[int, MemberEvidence]:
    """The same for every cell under ``org`` at once, in four queries whatever the number of cells."""
    return _evidence({"cell__path__startswith": org.path}, year, day or evidence_day(year))


def _evidence(scope: dict[str, object], year: int, day: dt.date) -> dict[int, MemberEvidence]:
    """``scope`` is one lookup on a cell (``{"cell": cell}`` or a path prefix), applied to each relation."""

    def on(prefix: str) -> dict[str, object]:
        return {f"{prefix}{name}": value for name, value in scope.items()}

    result: dict[int, MemberEvidence] = {}

    def of(member_id: int) -> MemberEvidence:
        return result.setdefault(member_id, MemberEvidence())

    carried_out = Resolution.CARRIED_OUT  # adopted, whatever happened to them since
    tasks = Task.objects.filter(**on("resolution__"), resolution__status__in=carried_out, deadline__year=year)
    tasks = tasks.exclude(status=Task.Status.CANCELLED)
    names = list(_task_counts(day))
    for row in tasks.filter(lead_member__isnull=False).values("lead_member_id").annotate(**_task_counts(day)):
        of(row["lead_member_id"]).led = TaskCounts(**{name: row[name] for name in names})
    through = Task.supporters.through.objects.filter(task__in=tasks.values("pk"))
    for row in through.values("member_id").annotate(**_task_counts(day, via="task__")):
        of(row["member_id"]).supported = TaskCounts(**{name: row[name] for name in names})

    status = Attendance.Status
    attendance = (
        Attendance.objects.filter(**on("meeting__"), meeting__status__in=HELD, meeting__date__year=year)
        .values("member_id")
        .annotate(
            expected=Count("pk", filter=~Q(status__in=[status.EXEMPT, status.AWAY])),
            attended=Count("pk", filter=Q(status__in=Attendance.ATTENDED)),
            with_reason=Count("pk", filter=Q(status=status.ABSENT_WITH_REASON)),
            without_reason=Count("pk", filter=Q(status=status.ABSENT_WITHOUT_REASON)),
        )
    )
    for row in attendance:
        evidence = of(row["member_id"])
        evidence.meetings = row["expected"]
        evidence.attended = row["attended"]
        evidence.absent_with_reason = row["with_reason"]
        evidence.absent_without_reason = row["without_reason"]

    # Opinions, reports and discipline records: three counts per member, read together (UNION ALL), each row
    # naming the figure it counts.
    speeches = Speech.objects.filter(
        **on("meeting__"), meeting__status__in=HELD, meeting__date__year=year, speaker__isnull=False
    )
    zone = timezone.get_current_timezone()
    start = dt.datetime(year, 1, 1, tzinfo=zone)
    end = dt.datetime(year + 1, 1, 1, tzinfo=zone)
    reports = ProgressUpdate.objects.filter(
        **on("task__resolution__"), created_at__gte=start, created_at__lt=end, review=ProgressUpdate.Review.CONFIRMED
    )
    disciplines = Discipline.objects.filter(**on("member__"), decided_on__year=year)
    counts = _per_member(speeches, "speaker_id", "speeches").union(
        _per_member(reports, "author_id", "reports"), _per_member(disciplines, "member_id", "disciplines"), all=True
    )
    for row in counts:
        setattr(of(row["who"]), row["figure"], row["n"])
    return result
