"""Background jobs of the meetings app: one e-mail of a meeting notice (`notices.deliver`),
sent by the task worker after the transaction commits, with the meeting's .ics attached."""

from __future__ import annotations

from django.core.mail import EmailMessage
from django_tasks import task

ICS_FILENAME = "moede.ics"


@task()
def send_notice(to: list[str], subject: str, body: str, ics: str = "") -> int:
    """One notice to one recipient; `ics` is the calendar text (REQUEST or CANCEL), if any."""
    message = EmailMessage(subject, body, None, to)
    if ics:
        method = "CANCEL" if "METHOD:CANCEL" in ics else "REQUEST"
        message.attach(ICS_FILENAME, ics, f"text/calendar; method={method}")
    return message.send()
