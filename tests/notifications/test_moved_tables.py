"""The notifications' models moved from resolutions to their own app keeping their tables (notifications 0001,
resolutions 0021): rows written at the old schema read the same through the new models, the content types follow,
and the move goes back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from notifications.models import CalendarFeed, Delivery, Kind, Notification, Preference

OLD = ("resolutions", "0020_task_lead_is_not_follower")
MODELS = ["notification", "delivery", "preference", "calendarfeed"]


def migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()  # what was applied, read again
    return executor


def to_the_leaves() -> None:
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())


def labels() -> dict[str, str]:
    return dict(ContentType.objects.filter(model__in=MODELS).values_list("model", "app_label"))


@pytest.mark.django_db(transaction=True)
def test_rows_written_in_resolutions_are_read_in_notifications_and_back() -> None:
    ContentType.objects.clear_cache()
    known = dict(ContentType.objects.filter(app_label="notifications").values_list("model", "pk"))
    assert set(known) == set(MODELS)
    try:
        executor = migrate([("notifications", None)])  # resolutions 0021 goes back with it
        assert labels() == dict.fromkeys(MODELS, "resolutions")
        old = executor.loader.project_state([OLD]).apps
        User = old.get_model(settings.AUTH_USER_MODEL)
        user = User.objects.create(username="dv_cu", email="dv_cu@example.vn")
        note = old.get_model("resolutions", "Notification").objects.create(
            recipient=user,
            kind="due_soon",
            object_ref="task:1",
            day=dt.date(2026, 1, 5),
            subject="Sắp đến hạn",
            body="…",
        )
        old.get_model("resolutions", "Delivery").objects.create(
            notification=note, channel="email", address=user.email, status="sent", attempts=1
        )
        old.get_model("resolutions", "Preference").objects.create(user=user, daily_digest=True, muted_kinds=["overdue"])
        old.get_model("resolutions", "CalendarFeed").objects.create(user=user, token="cu-token")

        to_the_leaves()
        ContentType.objects.clear_cache()
        assert labels() == dict.fromkeys(MODELS, "notifications")
        # The same rows of the content types: the permissions that point to them follow.
        assert dict(ContentType.objects.filter(app_label="notifications").values_list("model", "pk")) == known
        moved = Notification.objects.get(pk=note.pk)
        assert (moved.recipient_id, moved.kind, moved.subject) == (user.pk, Kind.DUE_SOON, "Sắp đến hạn")
        delivery = Delivery.objects.get(notification=moved)
        assert (delivery.status, delivery.address) == (Delivery.Status.SENT, "dv_cu@example.vn")
        preference = Preference.objects.get(user_id=user.pk)
        assert (preference.daily_digest, preference.muted_kinds) == (True, ["overdue"])
        assert CalendarFeed.objects.get(user_id=user.pk).token == "cu-token"
        Notification.objects.filter(pk=note.pk).update(read_at=timezone.now())  # written through the new model

        executor = migrate([("notifications", None)])
        assert labels() == dict.fromkeys(MODELS, "resolutions")
        old = executor.loader.project_state([OLD]).apps
        again = old.get_model("resolutions", "Notification").objects.get(pk=note.pk)
        assert again.read_at is not None
        assert old.get_model("resolutions", "Delivery").objects.filter(notification_id=note.pk).count() == 1
    finally:
        to_the_leaves()
        ContentType.objects.clear_cache()
    assert labels() == dict.fromkeys(MODELS, "notifications")
