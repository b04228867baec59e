from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ssp.meetings import notices


class Command(BaseCommand):
    help = (
        "Daily job (cron): the invitation with the agenda for meetings due within the "
        "municipality's 'agenda_days_before' days, and reminders to sign unsigned protocols "
        "(at most every third day). Safe to run twice and in parallel."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        invitations, reminders = notices.run_daily()
        self.stdout.write(f"{invitations} invitation(s), {reminders} reminder(s) sent.")
