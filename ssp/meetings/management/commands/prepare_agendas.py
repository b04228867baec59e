from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from ssp.meetings.services import prepare_next_agendas


class Command(BaseCommand):
    help = (
        "Daily job (cron): put concerns awaiting a decision and cases due for follow-up on the "
        "next planned meeting of the forum that handles them. Safe to run twice."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        added = prepare_next_agendas(today=timezone.localdate())
        self.stdout.write(f"{added} agenda item(s) added.")
