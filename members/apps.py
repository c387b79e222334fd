from django.apps import AppConfig


class MembersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "members"

    def ready(self) -> None:
        from members import checks  # noqa: F401  (registers the deploy checks)
