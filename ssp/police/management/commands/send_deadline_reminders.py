from __future__ import annotations

from functools import partial
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from ssp.police.services import due_messages
from ssp.police.tasks import send_email


class Command(BaseCommand):
    help = (
        "Daily job (cron): reminders for deadlines due within two days and escalation of "
        "overdue deadlines to the SSP coordinators. Safe to run twice and in parallel."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            messages = due_messages(timezone.localdate())
            for message in messages:
                transaction.on_commit(
                    partial(send_email.enqueue, message.to, message.subject, message.body)
                )
        self.stdout.write(f"{len(messages)} e-mail(s) queued.")
