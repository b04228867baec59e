"""The project package as an app, for the commands that span every app (seed_demo)."""

from __future__ import annotations

from django.apps import AppConfig


class SspConfig(AppConfig):
    name = "ssp"
    label = "ssp"
    verbose_name = "SSP"

    def ready(self) -> None:
        from ssp import lookups

        lookups.register()
