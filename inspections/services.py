"""The steps of an inspection, each one atomic function guarded by its current status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DateField, F, Max, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from chibo.lib.workflow import WorkflowError
from inspections.access import FLOW
from inspections.models import Inspection
from members.models import Organisation

S = Inspection.Status


@contextmanager
def _refused_as_validation_error() -> Iterator[None]:
    """The inspection pages show a refused step as a ``ValidationError``."""
    try:
        yield
    except WorkflowError as error:
        raise ValidationError(error.message) from error


@transaction.atomic
def start_inspection(*, inspection: Inspection, on: dt.date) -> Inspection:
    """Planned → in progress, on ``on`` unless a start date was recorded."""
    actual_start = Coalesce(F("actual_start"), Value(on), output_field=DateField())
    with _refused_as_validation_error():
        FLOW.move(inspection, S.IN_PROGRESS, actual_start=actual_start)
    return inspection


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
    with _refused_as_validation_error():
        FLOW.check(inspection, S.CONCLUDED)
    if inspection.actual_start and on < inspection.actual_start:
        raise ValidationError(_("The conclusion cannot be dated before the inspection started."))
    Organisation.objects.select_for_update().filter(pk=inspection.body_org_id).values_list("pk").get()
    last = Inspection.objects.filter(body_org_id=inspection.body_org_id, number_year=on.year).aggregate(
        last=Max("number_seq")
    )["last"]
    with _refused_as_validation_error():
        FLOW.move(
            inspection,
            S.CONCLUDED,
            findings=findings,
            conclusion=conclusion,
            recommendations=recommendations,
            follow_up_due=follow_up_due,
            actual_end=on,
            number_year=on.year,
            number_seq=(last or 0) + 1,
        )
    return inspection


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
