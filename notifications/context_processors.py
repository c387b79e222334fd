from functools import cache

from django.db import connections, router
from django.http import HttpRequest

from notifications.models import Notification

# The bell's count, on every page that shows the bell: written out, as the ORM spends ten times more Python building
# it than the database spends answering it (the index on recipient and read_at). tests/test_navbar.py checks it.
_UNREAD = f"SELECT COUNT(*) FROM {Notification._meta.db_table} WHERE recipient_id = %s AND read_at IS NULL"


def unread_notifications(request: HttpRequest) -> dict[str, object]:
    """The bell's unread count, rendered with the page (one indexed count, and only on pages that show the bell):
    no second request after every page. Read lazily and once."""

    @cache
    def count() -> int:
        with connections[router.db_for_read(Notification)].cursor() as cursor:
            cursor.execute(_UNREAD, [request.user.pk])
            return int(cursor.fetchone()[0])

    return {"unread_notifications": count}
