from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


def _tracked_saved(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    from resolutions.models.freshness import renew_for_instance

    if kwargs.get("raw"):
        return
    if update_fields is not None and not sender.objects.all().dashboard_fields.intersection(update_fields):
        return
    renew_for_instance(instance)


def _tracked_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    from resolutions.models.freshness import renew_for_instance

    renew_for_instance(instance)


def track_dashboard(*models: Any) -> None:
    """The dashboards' cached figures are keyed by a token per organisation (resolutions.models.freshness): every
    save or delete of what they read renews the tokens of its cell and of every level above it. The apps above
    call this for their own models (``MeetingsConfig.ready``)."""
    for model in models:
        post_save.connect(_tracked_saved, sender=model, dispatch_uid=f"dashboard-saved-{model.__name__}", weak=False)
        post_delete.connect(
            _tracked_deleted, sender=model, dispatch_uid=f"dashboard-deleted-{model.__name__}", weak=False
        )


class ResolutionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "resolutions"

    def ready(self) -> None:
        from members.models import Organisation
        from members.personal_data import register
        from resolutions.models import Resolution, Task
        from resolutions.models.freshness import renew
        from resolutions.personal_data import SECTIONS

        def organisation_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
            if not kwargs.get("raw"):
                renew([instance.path])

        track_dashboard(Resolution, Task)
        register(*SECTIONS)  # what the resolution side holds about a member (members/personal_data.py)
        post_save.connect(
            organisation_changed, sender=Organisation, dispatch_uid="dashboard-organisation-saved", weak=False
        )
        post_delete.connect(
            organisation_changed, sender=Organisation, dispatch_uid="dashboard-organisation-deleted", weak=False
        )
