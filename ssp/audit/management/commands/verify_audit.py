"""Verify the audit trail (`manage.py verify_audit`): chain what waits, then recompute the chain.

Events still waiting to be chained are reported apart from the chain's problems, with their
number and the age of the oldest; one older than `PENDING_WARNING_AGE` is a warning (something
keeps them from being chained), not a break.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.utils import timezone

from ssp.audit.models import AuditEvent
from ssp.audit.services import (
    PENDING_WARNING_AGE,
    ChainError,
    PendingEvents,
    chain_all,
    parse_anchors,
    pending_events,
    verify_anchors,
    verify_chain,
)


def chain_before_checking(command: BaseCommand) -> None:
    """Chain the waiting events first, so the check covers them; a failure is reported and the
    check goes on (it will name the cause, e.g. a missing head)."""
    try:
        chain_all()
    except (ChainError, DatabaseError) as exc:
        command.stderr.write(f"Could not chain the waiting events: {exc}")


def report_pending(command: BaseCommand, pending: PendingEvents) -> None:
    if not pending.count:
        return
    age = pending.age(timezone.now())
    line = (
        f"{pending.count} event(s) not yet chained, the oldest written "
        f"{int(age.total_seconds())} s ago."
    )
    if pending.is_overdue(PENDING_WARNING_AGE):
        command.stderr.write(
            f"Warning: {line} Older than {int(PENDING_WARNING_AGE.total_seconds())} s: "
            "is chaining failing? Run chain_audit and read its errors."
        )
    else:
        command.stdout.write(line)


class Command(BaseCommand):
    help = (
        "Chain the waiting audit events, verify the hash chain of the audit trail, and with "
        "--anchor that every anchored position is still in it; exits with an error when it is "
        "broken. Events not yet chained are reported (a warning when old), not checked."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchor",
            metavar="FILE",
            help="A file of anchor lines written by anchor_audit (a syslog file will do).",
        )
        parser.add_argument(
            "--no-chain",
            action="store_true",
            help="Do not chain waiting events first (e.g. with a read-only database role).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_chain"]:
            chain_before_checking(self)
        problems = verify_chain()
        if options["anchor"]:
            path = Path(options["anchor"])
            try:
                lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError as exc:
                raise CommandError(f"Cannot read the anchor file {path}: {exc}") from exc
            problems += verify_anchors(parse_anchors(lines))
        pending = pending_events()
        report_pending(self, pending)
        if problems:
            for problem in problems:
                self.stderr.write(f"Event {problem.sequence}: {problem.reason}")
            raise CommandError(f"The audit trail is broken ({len(problems)} problem(s)).")
        chained = AuditEvent.objects.filter(sequence__isnull=False).count()
        self.stdout.write(f"The audit trail is intact ({chained} events).")
