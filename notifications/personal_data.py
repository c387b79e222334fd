"""What the notifications hold about a member, for the member's data export (``members.personal_data``): the
messages sent to them, their notification settings and their calendar addresses."""

from __future__ import annotations

from typing import Any

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.personal_data import Row, Section, model_rows, plain
from notifications.models import CalendarFeed, Notification, Preference


def _notifications(member: Any) -> list[Row]:
    if not member.user_id:
        return []
    rows = Notification.objects.filter(recipient_id=member.user_id).order_by("created_at", "pk")
    return model_rows(
        rows,
        extra=lambda n: {capfirst(_("time")): plain(n.created_at), capfirst(_("read at")): plain(n.read_at)},
    )


def _settings(member: Any) -> list[Row]:
    """The notification settings and calendar addresses of the member's account (the addresses' keys are not
    written out: they open the calendar to whoever holds them)."""
    if not member.user_id:
        return []
    rows = model_rows(Preference.objects.filter(user_id=member.user_id), exclude=("user",))
    for feed in CalendarFeed.objects.filter(user_id=member.user_id).order_by("created_at"):
        rows.append(
            {
                capfirst(_("calendar address")): _("created %(when)s") % {"when": f"{plain(feed.created_at):%d/%m/%Y}"},
                capfirst(_("revoked")): plain(feed.revoked_at),
            }
        )
    return rows


SECTIONS = (
    Section("notifications", gettext_lazy("Notifications"), _notifications, ("notifications.Notification.recipient",)),
    Section(
        "settings",
        gettext_lazy("Notification settings"),
        _settings,
        ("notifications.Preference.user", "notifications.CalendarFeed.user"),
    ),
)
