from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PropagandistsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "propagandists"
    verbose_name = _("Propagandists")

    def ready(self) -> None:
        from members.personal_data import register
        from propagandists.personal_data import SECTIONS

        register(*SECTIONS)  # what this app holds about a member (members/personal_data.py)

        from members.versions import track
        from propagandists import models

        # What the pages show of the cell's propagandists, with their way to the cell (members.versions).
        track(models.Propagandist, "cell__path")
        track(models.PropagandistTopic, "propagandist__cell__path")
