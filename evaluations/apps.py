from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "evaluations"

    def ready(self) -> None:
        from evaluations.personal_data import SECTIONS
        from members.personal_data import register

        register(*SECTIONS)  # what this app holds about a member (members/personal_data.py)
