from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboards"

    def ready(self) -> None:
        from dashboards.tasks import SUMMARY_BUILD
        from resolutions.background import register_pdf_build

        # The dashboards' cached figures are keyed by the organisations' tokens (members.versions), which the
        # apps whose rows they read renew on every write.
        register_pdf_build(SUMMARY_BUILD)  # lost builds of the summary PDF are queued again (resolutions.tasks)
