from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from ssp.cases.services import install_default_legal_bases
from ssp.organisation.presets import PresetError, available_presets
from ssp.organisation.services import load_preset
from ssp.prevention.presets import install_prevention_preset


class Command(BaseCommand):
    help = (
        "Build a municipality's SSP organisation from a preset (R1), with the default legal "
        "bases for disclosures (R4) when it has none, and its intervention staircase and "
        "catalogue (R7). Safe to run twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help=f"preset name: {', '.join(available_presets())}")
        parser.add_argument("--file", help="a preset file of your own instead of a built-in one")

    def handle(self, *args: Any, **options: Any) -> None:
        name: str = options["name"]
        path = Path(options["file"]) if options.get("file") else None
        try:
            # A project-level command: the organisation may not import cases or prevention, so
            # the reference data the cases app needs for a new municipality, and its staircase
            # and catalogue of interventions, are installed here, in one step.
            with transaction.atomic():
                result = load_preset(name=name, path=path)
                install_default_legal_bases(municipality=result.municipality)
                prevention = install_prevention_preset(
                    municipality=result.municipality, preset_name=name
                )
        except PresetError as exc:
            raise CommandError(exc.message) from exc
        if result.changed:
            self.stdout.write(
                f"{result.municipality}: {result.created} created, {result.updated} updated, "
                f"{result.deleted} removed."
            )
        else:
            self.stdout.write(f"{result.municipality}: already up to date, nothing changed.")
        if prevention.changed:
            self.stdout.write(
                f"{result.municipality}: staircase and catalogue: {prevention.created} created, "
                f"{prevention.updated} updated."
            )
