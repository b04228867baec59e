"""Chain the audit events that are written but not yet chained (`manage.py chain_audit`).

Events are normally chained right after their transaction commits; this command catches what a
crashed process or a failed chaining left behind. Run it every minute (a timer), or as a service
with `--every 60`. Safe to run twice and in parallel: chainers take turns on the head's lock.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, close_old_connections

from ssp.audit.services import ChainError, chain_all, pending_events


class Command(BaseCommand):
    help = (
        "Give the audit events written but not yet chained their positions in the hash chain. "
        "With --every SECONDS, keep doing so until stopped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every",
            type=float,
            metavar="SECONDS",
            help="Run as a service: chain, sleep SECONDS, and again, until stopped.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        every: float | None = options["every"]
        if every is None:
            self._chain_once(quiet=False)
            return
        if every <= 0:
            raise CommandError("--every must be a positive number of seconds.")
        while True:
            close_old_connections()
            try:
                self._chain_once(quiet=True)
            except (CommandError, DatabaseError) as exc:
                # A service keeps going: the database may be back at the next round.
                self.stderr.write(str(exc))
            time.sleep(every)

    def _chain_once(self, *, quiet: bool) -> None:
        try:
            chained = chain_all()
        except ChainError as exc:
            raise CommandError(f"Cannot chain the audit trail: {exc}") from exc
        waiting = pending_events().count
        if chained or not quiet:
            self.stdout.write(f"Chained {chained} audit event(s); {waiting} waiting.")
