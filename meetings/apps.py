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

        from meetings import models
        from members.versions import track

        # What the pages show of the cell's meetings, each with its way to the cell (members.versions).
        track(models.Meeting, "cell__path")
        track(models.AgendaTemplate, "cell__path")
        for model in (models.AgendaItem, models.Attendance, models.AbsenceRequest, models.Speech, models.MonthlyReview):
            track(model, "meeting__cell__path")
        track(models.Vote, "resolution__cell__path")
