"""Reminders and escalation: in-app notifications, their deliveries by a channel, preferences, calendar feeds."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Kind(models.TextChoices):
    DUE_SOON = "due_soon", _("Task due soon")
    DUE_TODAY = "due_today", _("Task due today")
    OVERDUE = "overdue", _("Task overdue")
    ESCALATION_CELL = "escalation_cell", _("Overdue tasks reported to the secretary")
    ESCALATION_WARD = "escalation_ward", _("Overdue tasks reported to the member in charge")
    MEETING_NOTICE = "meeting_notice", _("Meeting notice")
    MEETING_PACK = "meeting_pack", _("Meeting documents released")
    MISSING_MONTHLY_WORK = "missing_monthly", _("No meeting or monthly review yet this month")
    WEEKLY_DIGEST = "weekly_digest", _("Weekly summary of the cells")
    DAILY_DIGEST = "daily_digest", _("Daily summary of messages")
    PROBATION_ENDING = "probation_ending", _("Probation ending: the cell's review is due")
    TASK_ASSIGNED = "task_assigned", _("Task assigned to you")
    REPORT_WAITING = "report_waiting", _("Progress report waiting for confirmation")
    REPORT_DECIDED = "report_decided", _("Your progress report was confirmed or sent back")
    MEETING_INVITED = "meeting_invited", _("Invitation to a meeting")
    MEETING_CANCELLED = "meeting_cancelled", _("Meeting cancelled")
    ABSENCE_DECIDED = "absence_decided", _("Your absence request was decided")
    DOCUMENT_LATE = "document_late", _("A committee's document not made concrete by a cell in time")


class Notification(models.Model):
    """One message to one person. Its natural key (recipient, kind, object, day) is unique: a sweep run twice,
    or two beats firing together, cannot make a second one."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    object_ref = models.CharField(max_length=40, help_text="What it is about, e.g. task:12, meeting:3, cell:7.")
    day = models.DateField(_("day"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "resolutions_notification"  # the table it had in resolutions, before the app was its own
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "kind", "object_ref", "day"], name="notification_natural_key")
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.subject


class Delivery(models.Model):
    """A notification sent through one channel (email today; SMS or Zalo later). The row, not the broker, is the
    source of truth (``notifications.tasks.send_delivery``): PENDING until a worker claims it (SENDING, with
    ``claimed_at``), SENT once the channel took it. A claim left by a worker that died is sent again once by the
    periodic job (``abandoned_claims``); a second abandoned claim leaves the row UNSURE, for a person to check,
    rather than risking a third copy. Delivery is at least once, with at most one extra copy after a crash."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("email delivery", "Waiting")
        SENDING = "sending", pgettext_lazy("email delivery", "Sending")
        SENT = "sent", pgettext_lazy("email delivery", "Sent")
        FAILED = "failed", pgettext_lazy("email delivery", "Failed")
        UNSURE = "unsure", pgettext_lazy("email delivery", "Needs checking")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=16)
    address = models.CharField(_("address"), max_length=254)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When a worker claimed the row to send it (SENDING), and how many such claims were abandoned by a worker
    # that died before it marked the row sent.
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    abandoned_claims = models.PositiveSmallIntegerField(_("abandoned sends"), default=0)
    # When the row is next expected to be sent: its creation (empty), or the end of a retry's wait. A PENDING row
    # well past it was lost on the way (a broker down or restarted) and is queued again by the periodic job.
    due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "resolutions_delivery"  # the table it had in resolutions, before the app was its own
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once_per_channel")]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.channel} → {self.address}: {self.status}"


class Preference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    daily_digest = models.BooleanField(_("one email a day instead of one per message"), default=False)
    muted_kinds = models.JSONField(_("muted kinds"), default=list, blank=True)

    class Meta:
        db_table = "resolutions_preference"  # the table it had in resolutions, before the app was its own
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)


def new_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A private iCalendar address: whoever has the token reads the feed, until it is revoked."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "resolutions_calendarfeed"  # the table it had in resolutions, before the app was its own
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user} ({'revoked' if self.revoked_at else 'active'})"
