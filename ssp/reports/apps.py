from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "ssp.reports"
    label = "reports"
    verbose_name = _("Rapporter")

    def ready(self) -> None:
        # An agenda item of the steering group may link to a draft annual report; its decision
        # approves (and freezes) it. Registered here: the meetings app never imports reports.
        from ssp.reports import meeting_links

        meeting_links.register()
