"""The cap of "excellent" is counted on those classified "well completed" alone (it was counted on "well completed
or better"). A list waiting for the cell's vote or the ward's approval that the corrected rule refuses goes back to
the committee's proposal, with a step saying why and its numbers. Closed years are left as the ward approved and
printed them; their pages flag the breach (``evaluations.views``)."""

from django.conf import settings
from django.db import migrations
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

WAITING = ("vote", "approval")
REASON_LENGTH = 100  # the change history's reason column


def _history(apps, name, row, kind, reason, when):
    """A change-history row for ``row``, as django-simple-history would write it (it is not active here)."""
    model = apps.get_model("evaluations", name)
    historical = apps.get_model("evaluations", f"Historical{name}")
    values = {field.attname: getattr(row, field.attname) for field in model._meta.concrete_fields}
    if len(reason) > REASON_LENGTH:
        reason = reason[: REASON_LENGTH - 1] + "…"
    historical.objects.create(
        **values, history_date=when, history_type=kind, history_change_reason=reason, history_user=None
    )


def send_back_over_the_cap(apps, schema_editor):
    Cycle = apps.get_model("evaluations", "EvaluationCycle")
    Step = apps.get_model("evaluations", "CycleStep")
    percent = int(settings.CHIBO.get("EVALUATION", {}).get("EXCELLENT_PERCENT", 20))
    cycles = Cycle.objects.filter(status__in=WAITING).annotate(
        excellent=Count("evaluations", filter=Q(evaluations__proposed_level="excellent")),
        good=Count("evaluations", filter=Q(evaluations__proposed_level="good")),
    )
    now = timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        for cycle in cycles:
            maximum = cycle.good * percent // 100
            if cycle.excellent <= maximum:
                continue
            numbers = {"excellent": cycle.excellent, "percent": percent, "good": cycle.good, "maximum": maximum}
            breach = (
                ngettext(
                    "%(excellent)d member classified as excellently completed, more than %(percent)d%% of the "
                    "%(good)d members classified as well completed (at most %(maximum)d)",
                    "%(excellent)d members classified as excellently completed, more than %(percent)d%% of the "
                    "%(good)d members classified as well completed (at most %(maximum)d)",
                    cycle.excellent,
                )
                % numbers
            )
            note = gettext("Back to the committee's proposal under the corrected cap of excellent: %(breach)s.") % {
                "breach": breach
            }
            source = cycle.status
            Cycle.objects.filter(pk=cycle.pk).update(status="proposal")
            cycle.status = "proposal"
            step = Step.objects.create(cycle=cycle, from_status=source, to_status="proposal", note=note, by=None)
            _history(apps, "EvaluationCycle", cycle, "~", note, now)
            _history(apps, "CycleStep", step, "+", "", now)


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0003_evidence_warning_and_reason"),
    ]

    operations = [
        migrations.RunPython(send_back_over_the_cap, migrations.RunPython.noop),
    ]
