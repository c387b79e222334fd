"""What inspection and supervision hold about a member, for the member's data export (``members.personal_data``):
the inspections of which the member was the subject."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from inspections.models import Inspection
from members.personal_data import Section, model_rows


def _inspections(member: Any) -> list[dict[str, Any]]:
    rows = Inspection.objects.filter(subject_member=member).select_related("body_org", "subject_org")
    return model_rows(rows.order_by("planned_start", "pk"), exclude=("subject_member",))


SECTIONS = (
    Section("inspections", gettext_lazy("Inspections"), _inspections, ("inspections.Inspection.subject_member",)),
)
