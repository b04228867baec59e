from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliceConfig(AppConfig):
    name = "ssp.police"
    label = "police"
    verbose_name = _("Politiets lister og frister")
