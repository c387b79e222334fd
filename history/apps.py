from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class HistoryConfig(AppConfig):
    """The change history pages. Each app says which of its records have one in its ``history.py``, registering
    with ``chibo.lib.history.register``; this imports those modules once every app is ready."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "history"

    def ready(self) -> None:
        autodiscover_modules("history")
