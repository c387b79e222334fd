"""The meetings shown on pages of other apps (the member's coming meetings on "My tasks")."""

from __future__ import annotations

from typing import Any

from django import template

from meetings.services import upcoming_meetings
from members.models import today

register = template.Library()


@register.inclusion_tag("meetings/includes/_coming_meetings.html")
def coming_meetings(member_id: int | None) -> dict[str, Any]:
    """The planned meetings of the member's cell, each with the member's own absence request."""
    return {"meetings": upcoming_meetings(member_id, today()) if member_id else []}
