from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "evaluations"

    def ready(self) -> None:
        from evaluations.personal_data import SECTIONS
        from members.personal_data import register

        register(*SECTIONS)  # what this app holds about a member (members/personal_data.py)

        from evaluations import models
        from members.versions import track

        # What the pages show of the cell's evaluations, each with its way to the cell (members.versions).
        track(models.EvaluationCycle, "cell__path")
        for model in (models.CycleStep, models.MemberEvaluation, models.PeopleComment, models.EmulationCriterion):
            track(model, "cycle__cell__path")
