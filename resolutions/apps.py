from django.apps import AppConfig


class ResolutionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "resolutions"

    def ready(self) -> None:
        from members.personal_data import register
        from resolutions.personal_data import SECTIONS

        register(*SECTIONS)  # what the resolution side holds about a member (members/personal_data.py)
