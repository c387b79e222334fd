from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PropagandistsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "propagandists"
    verbose_name = _("Propagandists")
