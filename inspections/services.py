"""The steps of an inspection, each one atomic function guarded by its current status."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from inspections.access import can_move
from inspections.models import Inspection
from members.models import Organisation

S = Inspection.Status


def _locked(inspection: Inspection, target: str) -> Inspection:
    locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if not can_move(locked.status, target):
        raise ValidationError(_("This step is not possible in the inspection's current status."))
    return locked


@transaction.atomic
def start_inspection(*, inspection: Inspection, on: dt.date) -> Inspection:
    """Planned → in progress, on ``on`` unless a start date was recorded."""
    locked = _locked(inspection, S.IN_PROGRESS)
    locked.status = S.IN_PROGRESS
    locked.actual_start = locked.actual_start or on
    locked.save(update_fields=["status", "actual_start"])
    return locked


@transaction.atomic
def conclude_inspection(
    *,
    inspection: Inspection,
    findings: str,
    conclusion: str,
    recommendations: str,
    follow_up_due: dt.date | None,
    on: dt.date,
) -> Inspection:
    """In progress → concluded, numbering the notice of conclusion within the issuing body and year.

    The number is drawn under a lock on the body's organisation row, so two conclusions at once never share it."""
    locked = _locked(inspection, S.CONCLUDED)
    if locked.actual_start and on < locked.actual_start:
        raise ValidationError(_("The conclusion cannot be dated before the inspection started."))
    Organisation.objects.select_for_update().filter(pk=locked.body_org_id).values_list("pk").get()
    last = Inspection.objects.filter(body_org_id=locked.body_org_id, number_year=on.year).aggregate(
        last=Max("number_seq")
    )["last"]
    locked.status = S.CONCLUDED
    locked.findings = findings
    locked.conclusion = conclusion
    locked.recommendations = recommendations
    locked.follow_up_due = follow_up_due
    locked.actual_end = on
    locked.number_year = on.year
    locked.number_seq = (last or 0) + 1
    locked.save()
    return locked


@transaction.atomic
def record_follow_up(*, inspection: Inspection, on: dt.date, note: str) -> Inspection:
    """The recommendations were carried out: only for a concluded inspection, once."""
    locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if locked.status != S.CONCLUDED:
        raise ValidationError(_("Only a concluded inspection has a follow-up."))
    if locked.follow_up_done_on is not None:
        raise ValidationError(_("The follow-up was already recorded."))
    locked.follow_up_done_on = on
    locked.follow_up_note = note
    locked.save(update_fields=["follow_up_done_on", "follow_up_note"])
    return locked
