from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "meetings"

    def ready(self) -> None:
        from meetings.personal_data import SECTIONS
        from meetings.tasks import MINUTES_BUILD
        from members.personal_data import register
        from resolutions.background import register_pdf_build

        register(*SECTIONS)  # what the meetings hold about a member (members/personal_data.py)
        register_pdf_build(MINUTES_BUILD)  # lost builds of the minutes PDF are queued again (resolutions.tasks)
