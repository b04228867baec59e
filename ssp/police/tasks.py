"""Background jobs: e-mail is sent by the task worker, after the transaction commits; uploaded
lists are imported by it (`import_jobs.run_job`)."""

from __future__ import annotations

from django.core.mail import send_mail
from django_tasks import task

from ssp.police import import_jobs


@task()
def send_email(to: list[str], subject: str, body: str) -> int:
    return send_mail(subject, body, None, to)


@task()
def run_import_job(job_id: int) -> str:
    """Import one uploaded police list or absence file (an `ImportJob`)."""
    return import_jobs.run_job(job_id)
