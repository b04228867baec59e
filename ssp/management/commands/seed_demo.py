from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ssp.demo import seed_all
from ssp.organisation.demo import (
    DEMO_NAME,
    DEMO_PASSWORD,
    DEMO_SIGNERS,
    DEMO_USERS,
    demo_exists,
)


class Command(BaseCommand):
    help = "Create a fictitious demo municipality with one login per role (password 'demo')."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--i-know-this-is-not-production",
            action="store_true",
            dest="not_production",
            help="allow demo logins with a known password although DEBUG is off",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEBUG or options["not_production"]):
            raise CommandError(
                "Refusing to create demo users with a known password: DEBUG is off. "
                "Use --i-know-this-is-not-production on a test server."
            )
        if demo_exists():
            self.stdout.write(f"{DEMO_NAME} is already there; nothing changed.")
        else:
            seed_all()
            self.stdout.write(f"Created {DEMO_NAME} with demo people.")
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password '{DEMO_PASSWORD}' for all):")
        for demo in DEMO_USERS:
            self.stdout.write(f"  {demo.username:<16} {demo.name}, {demo.title}")
        self.stdout.write("The steering group's other permanent members (they sign its protocol):")
        for demo in DEMO_SIGNERS:
            self.stdout.write(f"  {demo.username:<16} {demo.name}, {demo.title}")
