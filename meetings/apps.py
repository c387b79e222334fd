from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "meetings"

    def ready(self) -> None:
        from meetings.models import Meeting, MonthlyReview
        from meetings.personal_data import SECTIONS
        from meetings.tasks import MINUTES_BUILD
        from members.personal_data import register
        from resolutions.apps import track_dashboard
        from resolutions.tasks import PDF_BUILDS

        track_dashboard(Meeting, MonthlyReview)  # the dashboards read meetings and monthly reviews
        register(*SECTIONS)  # what the meetings hold about a member (members/personal_data.py)
        if MINUTES_BUILD not in PDF_BUILDS:  # lost builds of the minutes PDF are queued again (resolutions.tasks)
            PDF_BUILDS.append(MINUTES_BUILD)
