from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ssp.audit.models import AuditEvent
from ssp.audit.services import verify_chain


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail; exits with an error when it is broken."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = verify_chain()
        if problems:
            for problem in problems:
                self.stderr.write(f"Event {problem.sequence}: {problem.reason}")
            raise CommandError(f"The audit trail is broken ({len(problems)} problem(s)).")
        self.stdout.write(f"The audit trail is intact ({AuditEvent.objects.count()} events).")
