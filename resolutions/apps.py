from django.apps import AppConfig


class ResolutionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "resolutions"

    def ready(self) -> None:
        from members.personal_data import register
        from resolutions.personal_data import SECTIONS

        register(*SECTIONS)  # what the resolution side holds about a member (members/personal_data.py)

        from members.versions import track
        from resolutions import models

        # What the pages show of the cell's resolutions, each with its way to the cell (members.versions).
        track(models.Resolution, "cell__path")
        track(models.PublicOpinion, "cell__path")
        for model in (
            models.Target,
            models.CellTarget,
            models.Task,
            models.Version,
            models.StatusChange,
            models.Dissemination,
        ):
            track(model, "resolution__cell__path")
        track(models.ProgressUpdate, "task__resolution__cell__path")
