from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class DashboardsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboards"

    def ready(self) -> None:
        from chibo.lib.changes import rows_changed
        from dashboards.cache import (
            CELL_PATHS,
            organisation_changed,
            tracked_deleted,
            tracked_rows_changed,
            tracked_saved,
        )
        from dashboards.tasks import SUMMARY_BUILD
        from members.models import Organisation
        from resolutions.background import register_pdf_build

        # The dashboards' cached figures are keyed by a token per organisation (dashboards.cache): every write of
        # what they read renews the tokens of its cell and of every level above it.
        for model in CELL_PATHS:
            post_save.connect(tracked_saved, sender=model, dispatch_uid=f"dashboard-saved-{model.__name__}")
            post_delete.connect(tracked_deleted, sender=model, dispatch_uid=f"dashboard-deleted-{model.__name__}")
            rows_changed.connect(tracked_rows_changed, sender=model, dispatch_uid=f"dashboard-rows-{model.__name__}")
        post_save.connect(organisation_changed, sender=Organisation, dispatch_uid="dashboard-organisation-saved")
        post_delete.connect(organisation_changed, sender=Organisation, dispatch_uid="dashboard-organisation-deleted")
        register_pdf_build(SUMMARY_BUILD)  # lost builds of the summary PDF are queued again (resolutions.tasks)
