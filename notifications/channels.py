"""How a notification leaves the building. One small interface, so that an SMS or Zalo channel can be added
later without touching the sweep: a channel sends one ``Delivery`` and raises on failure."""

from __future__ import annotations

from typing import Protocol

from django.conf import settings

from chibo.lib.emails import build_email
from notifications.models import Delivery


class Channel(Protocol):
    def send(self, delivery: Delivery) -> None: ...


class EmailChannel:
    def send(self, delivery: Delivery) -> None:
        notification = delivery.notification
        recipient = notification.recipient
        base = settings.CHIBO.get("SITE_URL", "").rstrip("/")
        # A member is greeted by the name on the cell's roll, not the account's (often only a login name).
        member = getattr(recipient, "member", None)  # None when the account has no member record
        context = {
            "notification": notification,
            "recipient_name": (member.full_name if member else "") or recipient.get_full_name() or recipient.username,
            "link": f"{base}{notification.url}" if notification.url and base else notification.url,
        }
        build_email("notifications/emails/notification", context, [delivery.address]).send(fail_silently=False)


CHANNELS: dict[str, Channel] = {"email": EmailChannel()}
