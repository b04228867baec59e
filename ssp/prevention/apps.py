from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PreventionConfig(AppConfig):
    name = "ssp.prevention"
    label = "prevention"
    verbose_name = _("Forebyggelse")

    def ready(self) -> None:
        # Agenda items may link to plans and focus areas (their decision approves or sets
        # them), and the coordination standing item shows the coming activities: registered
        # here, so that the meetings app never imports prevention.
        from ssp.prevention import coordination, meeting_links

        meeting_links.register()
        coordination.register()
