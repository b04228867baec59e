"""The daily retention job: `manage.py apply_retention` (docs/drift.md, daily jobs)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ssp.audit.retention import apply_retention
from ssp.organisation.models import Municipality


class Command(BaseCommand):
    help = (
        "Delete or anonymise what each municipality's retention rules say is due, skip held "
        "records and write the destruction register. Safe to run twice and in parallel."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--municipality", metavar="SLUG", help="Only this municipality (default: all)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = None
        if options["municipality"]:
            municipality = Municipality.objects.filter(slug=options["municipality"]).first()
            if municipality is None:
                raise CommandError(f"No municipality {options['municipality']!r}.")
        report = apply_retention(municipality=municipality)
        for municipality_id, counts in sorted(report.counts.items()):
            for (rule, kind, action), n in sorted(counts.items()):
                self.stdout.write(f"municipality {municipality_id}: {rule} {kind} {action} {n}")
        self.stdout.write(f"Retention run {report.run_id}: {report.total()} row(s) changed.")
        if report.errors:
            for error in report.errors:
                self.stderr.write(error)
            raise CommandError(f"{len(report.errors)} municipality(ies) skipped: broken rules.")
