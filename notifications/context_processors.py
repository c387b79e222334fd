from functools import cache

from django.http import HttpRequest

from notifications.models import Notification


def unread_notifications(request: HttpRequest) -> dict[str, object]:
    """The bell's unread count, rendered with the page (one indexed count, and only on pages that show the bell):
    no second request after every page. Read lazily and once."""

    @cache
    def count() -> int:
        return Notification.objects.filter(recipient_id=request.user.pk, read_at__isnull=True).count()

    return {"unread_notifications": count}
