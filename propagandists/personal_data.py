"""What the propagandist roster holds about a member, for the member's data export (``members.personal_data``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from members.personal_data import Section, model_rows
from propagandists.models import Propagandist


def _entries(member: Any) -> list[dict[str, Any]]:
    rows = Propagandist.objects.filter(member=member).select_related("cell", "residential_group")
    return model_rows(rows.order_by("starts_on", "pk"), exclude=("member",))


SECTIONS = (
    Section("propagandist", gettext_lazy("Propagandist records"), _entries, ("propagandists.Propagandist.member",)),
)
