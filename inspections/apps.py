from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "inspections"
    verbose_name = _("Inspection and supervision")

    def ready(self) -> None:
        from inspections.personal_data import SECTIONS
        from members.personal_data import register

        register(*SECTIONS)  # what this app holds about a member (members/personal_data.py)

        from inspections.models import Inspection
        from members.versions import track

        # An inspection shows on the pages of the body that conducts it and of who it inspects (members.versions).
        track(Inspection, "body_org__path", "subject_org__path", "subject_member__cell__path")
