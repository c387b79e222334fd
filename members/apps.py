from django.apps import AppConfig


class MembersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "members"

    def ready(self) -> None:
        from members import checks  # noqa: F401  (registers the deploy checks)
        from members.personal_data import member_sections, register

        # What the members app holds about a member, for the member's data export (members/personal_data.py).
        register(*member_sections())
