from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ssp.audit.models import AuditEvent
from ssp.audit.services import parse_anchors, verify_anchors, verify_chain


class Command(BaseCommand):
    help = (
        "Verify the hash chain of the audit trail, and with --anchor that every anchored position "
        "is still in it; exits with an error when it is broken."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--anchor",
            metavar="FILE",
            help="A file of anchor lines written by anchor_audit (a syslog file will do).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        problems = verify_chain()
        if options["anchor"]:
            path = Path(options["anchor"])
            try:
                lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError as exc:
                raise CommandError(f"Cannot read the anchor file {path}: {exc}") from exc
            problems += verify_anchors(parse_anchors(lines))
        if problems:
            for problem in problems:
                self.stderr.write(f"Event {problem.sequence}: {problem.reason}")
            raise CommandError(f"The audit trail is broken ({len(problems)} problem(s)).")
        self.stdout.write(f"The audit trail is intact ({AuditEvent.objects.count()} events).")
