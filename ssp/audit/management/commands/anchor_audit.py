"""Copy the newest position of the audit chain out of the database (run it daily).

An anchor line (sequence, hash, time) in a place the database's users cannot change - a file on
another host, append-only storage, or a remote syslog - lets `verify_audit --anchor FILE` notice
a chain whose newest events were removed and whose head was moved back, which the chain alone
cannot show.
"""

from __future__ import annotations

import syslog
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ssp.audit.management.commands.verify_audit import chain_before_checking
from ssp.audit.services import anchor_line, chain_head, verify_chain

SYSLOG_IDENT = "ssp-audit"


class Command(BaseCommand):
    help = (
        "Write the audit chain's newest position (sequence, hash, time) outside the database: "
        "append a line to --file PATH, or send it to --syslog. Chains the waiting events first; "
        "refuses a broken chain."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        place = parser.add_mutually_exclusive_group(required=True)
        place.add_argument("--file", metavar="PATH", help="Append the anchor line to this file.")
        place.add_argument(
            "--syslog", action="store_true", help="Send the anchor line to the local syslog."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        chain_before_checking(self)  # anchor the newest event, not the newest chained so far
        problems = verify_chain()
        if problems:
            for problem in problems:
                self.stderr.write(f"Event {problem.sequence}: {problem.reason}")
            raise CommandError("The audit trail is broken: not anchoring it. Run verify_audit.")
        anchor = chain_head()
        if anchor is None:
            self.stdout.write("The audit trail is empty: nothing to anchor.")
            return
        line = anchor_line(anchor)
        if options["syslog"]:
            syslog.openlog(SYSLOG_IDENT, syslog.LOG_PID, syslog.LOG_AUTH)
            syslog.syslog(syslog.LOG_NOTICE, line)
            syslog.closelog()
        else:
            path = Path(options["file"])
            try:
                with path.open("a", encoding="utf-8") as anchor_file:
                    anchor_file.write(line + "\n")
            except OSError as exc:
                raise CommandError(f"Cannot write the anchor file {path}: {exc}") from exc
        self.stdout.write(line)
