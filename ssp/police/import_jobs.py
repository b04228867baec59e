"""Imports in the background (R5: police lists and absence files).

An upload is checked at once (type by content, size, header and number of rows:
`imports.count_data_rows`, reading it as a stream), stored through Django's default storage (so
several web servers and the worker share it), recorded as an `ImportJob` and handed to the task
worker (`tasks.run_import_job`, run by `manage.py db_worker` in production). The job page shows
the rows done of the total and then the report.

The worker reads the stored file as a stream too (`list_import.import_police_list`): neither
process holds a large list in memory.

One file (by its SHA-256) is imported once per municipality and kind: the partial unique
constraint on `ImportJob` makes a second or concurrent upload of the same file find the first
job, and its uploader is told so. A failed job does not count: the file can be tried again.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.paginator import Page, Paginator
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    IntegrityError,
    connection,
    connections,
    transaction,
)
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ssp import access
from ssp.errors import DomainError
from ssp.police import absence, imports, list_import
from ssp.police import access as police_access
from ssp.police.models import ImportJob, ImportKind, ImportStatus, PoliceReport

logger = logging.getLogger(__name__)

STORAGE_DIRECTORY = "imports"
# A job that has not finished this long after it was created is reported by
# `manage.py import_jobs` as stuck.
STUCK_AFTER_MINUTES = 30
# Issue 15: the job page lists the reports a police list created, this many a page; the list of
# jobs on the import page likewise.
JOB_REPORTS_PAGE_SIZE = 50
JOBS_PAGE_SIZE = 20


@dataclass(frozen=True)
class Submitted:
    job: ImportJob
    # The same file was uploaded before (or at the same moment): `job` is that first job.
    already_submitted: bool


def _first_job(municipality_id: int, kind: str, digest: str) -> ImportJob | None:
    return (
        ImportJob.objects.filter(municipality_id=municipality_id, kind=kind, sha256=digest)
        .exclude(status=ImportStatus.FAILED)
        .first()
    )


def submit_import(
    *, actor_user: User, kind: ImportKind, filename: str, content: imports.Content
) -> Submitted:
    """R5: check an upload, store it and queue its import; the same file is imported once.

    `content` is the upload itself (a seekable file, e.g. Django's `UploadedFile`, read as a
    stream) or its bytes.

    The job row is committed before the task is queued, so the worker always finds it. A job
    whose queueing failed stays pending: `manage.py import_jobs` shows it and can queue it."""
    actor = access.get_actor(actor_user)
    if not police_access.may_import(actor, kind):
        raise DomainError(
            _("Kun SSP-medarbejdere og politiets SSP-kontakt indlæser politiets lister.")
            if kind == ImportKind.POLICE
            else _("Kun SSP-medarbejdere indlæser fravær.")
        )
    municipality_id = access.municipality_of(actor)
    if municipality_id is None:
        raise DomainError(_("Din bruger hører ikke til en kommune."))
    stream = imports.binary(content)
    try:
        rows_total = imports.count_data_rows(filename, stream, kind)
    except imports.FileError as exc:
        raise DomainError(exc.message) from exc
    digest = imports.sha256_of(stream)
    first = _first_job(municipality_id, kind, digest)
    if first is not None:
        return Submitted(first, already_submitted=True)
    suffix = PurePath(filename).suffix.lower()[:10]
    stored_name = default_storage.save(
        f"{STORAGE_DIRECTORY}/{municipality_id}/{kind}-{uuid.uuid4().hex}{suffix}",
        File(imports.binary(stream)),
    )
    try:
        with transaction.atomic():
            job = ImportJob.objects.create(
                municipality_id=municipality_id,
                kind=kind,
                filename=PurePath(filename).name[:255],
                stored_name=stored_name,
                sha256=digest,
                rows_total=rows_total,
                created_by=actor_user,
            )
    except IntegrityError:
        # Uploaded at the same moment by someone else: theirs is the one imported.
        default_storage.delete(stored_name)
        first = _first_job(municipality_id, kind, digest)
        if first is None:
            raise
        return Submitted(first, already_submitted=True)
    queue_job(job)
    return Submitted(job, already_submitted=False)


def queue_job(job: ImportJob) -> None:
    from ssp.police.tasks import run_import_job  # the task module imports this one

    run_import_job.enqueue(job.pk)


def _finish(job: ImportJob, status: ImportStatus, report: dict[str, object]) -> None:
    job.status = status
    job.report = report
    job.finished_at = timezone.now()
    fields = ["status", "report", "finished_at", "rows_done", "batch"]
    if status == ImportStatus.DONE:
        job.rows_done = job.rows_total
    job.save(update_fields=fields)
    if job.stored_name:
        # The file holds CPR numbers: it is kept no longer than the import needs it.
        default_storage.delete(job.stored_name)


def run_job(job_id: int) -> str:
    """The task: claim the job (a second run of the same job does nothing), import the stored
    file as its uploader, record progress and the report, and delete the file."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.PENDING).update(
        status=ImportStatus.RUNNING, started_at=timezone.now()
    )
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if not claimed:
        return str(job.status)

    # The report's messages are stored as the users read them, in the site's language.
    with translation.override(settings.LANGUAGE_CODE), _progress_recorder(job_id) as progress:
        return _run(job, progress)


@contextmanager
def _progress_recorder(job_id: int) -> Iterator[list_import.ProgressCallback]:
    """Records the rows checked so far on the job. On PostgreSQL the police import checks its
    rows inside the transaction that writes them (`list_import`), so the progress is written
    on a connection of its own (in autocommit): the job page sees it before the commit."""
    if connection.vendor != "postgresql":

        def progress(rows_done: int) -> None:
            ImportJob.objects.filter(pk=job_id).update(rows_done=rows_done)

        yield progress
        return
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    table = connection.ops.quote_name(ImportJob._meta.db_table)

    def progress_aside(rows_done: int) -> None:
        # Progress is a courtesy: a failure to write it (no free connection) stops no import.
        try:
            with side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET rows_done = %s WHERE id = %s",  # noqa: S608 - model name
                    [rows_done, job_id],
                )
        except DatabaseError:
            logger.warning("import job %s: the progress could not be recorded", job_id)

    try:
        yield progress_aside
    finally:
        side.close()


def _run(job: ImportJob, progress: list_import.ProgressCallback) -> str:
    try:
        with default_storage.open(job.stored_name, "rb") as stored:
            if imports.sha256_of(stored) != job.sha256:
                raise DomainError(_("Den gemte fil er ændret. Indlæs filen igen."))
            if job.kind == ImportKind.POLICE:
                police = list_import.import_police_list(
                    actor_user=job.created_by,
                    filename=job.filename,
                    content=stored,
                    progress=progress,
                )
                job.batch_id = police.batch_id
                report = police.as_json()
            else:
                pupils = absence.import_absence(
                    actor_user=job.created_by,
                    filename=job.filename,
                    content=stored,
                    progress=progress,
                )
                job.batch_id = pupils.batch_id
                report = pupils.as_json()
    except DomainError as exc:
        _finish(job, ImportStatus.FAILED, {"error": exc.message})
    except Exception:
        logger.exception("import job %s failed", job.pk)
        _finish(
            job,
            ImportStatus.FAILED,
            {"error": _("Indlæsningen fejlede uventet. Intet er indlæst. Prøv igen.")},
        )
        raise
    else:
        _finish(job, ImportStatus.DONE, report)
    return str(job.status)


def import_job_page(actor: access.Actor, *, page: int = 1) -> Page[ImportJob]:
    """One page of the police-list imports the actor sees (`police_access.visible_import_jobs`:
    SSP staff every job of the municipality, the police's SSP contact their own), newest
    first. A job names a file, its uploader's account and counts: never a child."""
    jobs = (
        police_access.visible_import_jobs(actor)
        .filter(kind=ImportKind.POLICE)
        .only("pk", "kind", "filename", "status", "rows_total", "rows_done", "report", "created_at")
        .order_by("-created_at", "-pk")
    )
    return Paginator(jobs, JOBS_PAGE_SIZE).get_page(page)


def job_report_page(job: ImportJob, *, page: int = 1) -> Page[PoliceReport]:
    """Issue 15: one page of the reports a finished police list created, in the list's order,
    with their list fields only (journal number, offence, received date, status): not the
    child, not whom a report was routed to, not the concern behind it. The job is one the
    actor may see (`police_access.get_import_job_for`). Rows that were already registered
    belong to an earlier import and are counted in the job's report, not listed here."""
    if job.kind != ImportKind.POLICE or job.batch_id is None:
        return Paginator(PoliceReport.objects.none(), JOB_REPORTS_PAGE_SIZE).get_page(1)
    rows = (
        PoliceReport.objects.filter(municipality_id=job.municipality_id, batch_id=job.batch_id)
        .select_related("offence")
        .only(
            "pk",
            "police_reference",
            "received_on",
            "status",
            "offence_text",
            "attempt",
            "offence__name",
            "offence__serious",
        )
        .order_by("pk")
    )
    return Paginator(rows, JOB_REPORTS_PAGE_SIZE).get_page(page)


def unfinished_jobs() -> QuerySet[ImportJob]:
    """Pending and running jobs, oldest first (for `manage.py import_jobs`)."""
    return ImportJob.objects.filter(
        status__in=[ImportStatus.PENDING, ImportStatus.RUNNING]
    ).order_by("created_at")


def fail_job(job: ImportJob) -> bool:
    """Give up a stuck job (its worker died; its writes were rolled back with it): the file is
    deleted and the same file may be uploaded again. False if the job had already finished."""
    updated = ImportJob.objects.filter(
        pk=job.pk, status__in=[ImportStatus.PENDING, ImportStatus.RUNNING]
    ).update(
        status=ImportStatus.FAILED,
        finished_at=timezone.now(),
        report={"error": _("Indlæsningen blev afbrudt. Intet er indlæst. Prøv igen.")},
    )
    if updated and job.stored_name:
        default_storage.delete(job.stored_name)
    return bool(updated)
