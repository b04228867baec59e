from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "ssp.audit"
    label = "audit"
    verbose_name = _("Revisionsspor")

    def ready(self) -> None:
        from ssp.audit import signals  # noqa: F401  (connects the login/logout receivers)
