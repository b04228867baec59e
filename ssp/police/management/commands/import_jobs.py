from __future__ import annotations

from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ssp.police import import_jobs
from ssp.police.models import ImportJob, ImportStatus


class Command(BaseCommand):
    help = (
        "Lists unfinished imports (pending or running), oldest first, and marks those older "
        "than --stuck-minutes as STUCK. --fail ID gives up a stuck job (its writes were rolled "
        "back; its file is deleted; the user may upload the file again); --queue ID queues a "
        "pending job again (when queueing failed)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--fail", type=int, metavar="ID", help="mark a job as failed")
        parser.add_argument("--queue", type=int, metavar="ID", help="queue a pending job again")
        parser.add_argument(
            "--stuck-minutes", type=int, default=import_jobs.STUCK_AFTER_MINUTES, metavar="N"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["fail"] is not None:
            job = self._job(options["fail"])
            if not import_jobs.fail_job(job):
                raise CommandError(f"job {job.pk} has already finished ({job.status})")
            self.stdout.write(f"job {job.pk} marked as failed")
            return
        if options["queue"] is not None:
            job = self._job(options["queue"])
            if job.status != ImportStatus.PENDING:
                raise CommandError(f"job {job.pk} is {job.status}, not pending")
            import_jobs.queue_job(job)
            self.stdout.write(f"job {job.pk} queued")
            return
        stuck_before = timezone.now() - timedelta(minutes=options["stuck_minutes"])
        jobs = list(import_jobs.unfinished_jobs())
        for job in jobs:
            flag = " STUCK" if job.created_at < stuck_before else ""
            started = f"{job.started_at:%Y-%m-%d %H:%M}" if job.started_at else "-"
            self.stdout.write(
                f"{job.pk} {job.kind} municipality={job.municipality_id} {job.status} "
                f"{job.rows_done}/{job.rows_total} rows created={job.created_at:%Y-%m-%d %H:%M} "
                f"started={started} file={job.stored_name}{flag}"
            )
        self.stdout.write(f"{len(jobs)} unfinished import(s).")

    def _job(self, pk: int) -> ImportJob:
        job = ImportJob.objects.filter(pk=pk).first()
        if job is None:
            raise CommandError(f"no import job {pk}")
        return job
