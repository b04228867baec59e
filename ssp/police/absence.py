"""R5 absence monitoring: the monthly absence per pupil, imported from the schools' systems, and
the worrying absence turned into a concern by the school's SSP contact."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from ssp.access import municipality_of
from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.cases import services as case_services
from ssp.cases.cpr import format_cpr
from ssp.cases.models import Concern, ConcernSubject
from ssp.crypto import blind_index, decrypt, encrypt
from ssp.errors import DomainError
from ssp.organisation.models import Unit, UnitKind
from ssp.police import access as police_access
from ssp.police import imports
from ssp.police.models import AbsenceRecord, ImportBatch, ImportKind
from ssp.police.services import enforce_for_service

IMPORT_CHUNK_ROWS = 500
RECORD_FIELDS = [
    "school",
    "class_name",
    "cpr_encrypted",
    "birth_date",
    "total_percent",
    "unauthorised_percent",
    "batch",
]


@dataclass
class AbsenceImportReport:
    created: int = 0
    updated: int = 0
    errors: list[imports.RowError] = field(default_factory=list)
    batch_id: int | None = None

    def as_json(self) -> dict[str, Any]:
        """For the import job's page: counts and row messages, no CPR numbers."""
        return {
            "created": self.created,
            "updated": self.updated,
            "errors": [{"row": e.row, "message": e.message} for e in self.errors],
        }


def _schools(municipality_id: int) -> dict[str, Unit]:
    """The municipality's schools by name, case-insensitive: read once per import."""
    units = Unit.objects.filter(municipality_id=municipality_id, kind=UnitKind.SCHOOL)
    return {unit.name.strip().casefold(): unit for unit in units.order_by("-pk")}


def _write_chunk(
    *,
    municipality_id: int,
    batch: ImportBatch,
    chunk: list[dict[str, Any]],
    schools: dict[str, Unit],
    result: AbsenceImportReport,
) -> None:
    """Existing records of the chunk's pupils read in one query, then bulk update and insert."""
    existing = {
        (record.cpr_index, record.month): record
        for record in AbsenceRecord.objects.filter(
            municipality_id=municipality_id,
            cpr_index__in={row["cpr_index"] for row in chunk},
            month__in={row["month"] for row in chunk},
        )
    }
    changed: list[AbsenceRecord] = []
    new: list[AbsenceRecord] = []
    for row in chunk:
        values = {
            "school": schools[row["school"].casefold()],
            "class_name": row["class"],
            "cpr_encrypted": encrypt(row["cpr"]),
            "birth_date": row["birth"],
            "total_percent": row["total"],
            "unauthorised_percent": row["unauthorised"],
            "batch": batch,
        }
        record = existing.get((row["cpr_index"], row["month"]))
        if record is None:
            new.append(
                AbsenceRecord(
                    municipality_id=municipality_id,
                    cpr_index=row["cpr_index"],
                    month=row["month"],
                    **values,
                )
            )
            continue
        for name, value in values.items():
            setattr(record, name, value)
        changed.append(record)
    AbsenceRecord.objects.bulk_create(new)
    AbsenceRecord.objects.bulk_update(changed, RECORD_FIELDS)
    result.created += len(new)
    result.updated += len(changed)


def import_absence(
    *,
    actor_user: User,
    filename: str,
    content: imports.Content,
    progress: Callable[[int], None] | None = None,
) -> AbsenceImportReport:
    """R5: the monthly absence per pupil; all or nothing; the same file twice changes nothing.

    Run by the task worker (`import_jobs.run_job`): rows are checked outside any transaction
    (`progress` is told how far), then written in one transaction with bulk inserts and
    updates; one audit event, at the end."""
    actor = enforce_for_service(police_access.can_import_absence, actor_user)
    municipality_id = municipality_of(actor)
    try:
        parsed = imports.parse_absence(filename, content)
    except imports.FileError as exc:
        raise DomainError(exc.message) from exc
    errors = list(parsed.errors)
    schools = _schools(municipality_id)
    for count, row in enumerate(parsed.rows, start=1):
        if row["school"].casefold() not in schools:
            errors.append(
                imports.RowError(
                    row["row"],
                    _("skolen '%(school)s' findes ikke i kommunen") % {"school": row["school"]},
                )
            )
        row["cpr_index"] = blind_index(row["cpr"])
        if progress is not None and count % IMPORT_CHUNK_ROWS == 0:
            progress(count)
    if errors:
        return AbsenceImportReport(errors=sorted(errors, key=lambda e: e.row))
    if progress is not None:
        progress(len(parsed.rows))
    result = AbsenceImportReport()
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            municipality_id=municipality_id,
            kind=ImportKind.ABSENCE,
            filename=filename[:255],
            sha256=imports.sha256_of(content),
            rows=len(parsed.rows),
            created_by=actor_user,
        )
        for start in range(0, len(parsed.rows), IMPORT_CHUNK_ROWS):
            _write_chunk(
                municipality_id=municipality_id,
                batch=batch,
                chunk=parsed.rows[start : start + IMPORT_CHUNK_ROWS],
                schools=schools,
                result=result,
            )
        result.batch_id = batch.pk
        record_event(
            actor=actor_user,
            action=AuditAction.ABSENCE_IMPORTED,
            obj=batch,
            municipality_id=municipality_id,
            data={"created": result.created, "updated": result.updated},
        )
    return result


@transaction.atomic
def record_absence_viewed(*, actor_user: User, rows_shown: int) -> None:
    """The list of worrying absence shows pupils (masked): its opening is logged."""
    actor = enforce_for_service(
        police_access.can_see_absence, actor_user, _("Din rolle har ikke adgang til fraværet.")
    )
    record_event(
        actor=actor_user,
        action=AuditAction.ABSENCE_VIEWED,
        municipality_id=actor.municipality_id,
        data={"rows": rows_shown},
    )


@transaction.atomic
def record_absence_record_viewed(*, actor_user: User, record: AbsenceRecord) -> None:
    """Opening one pupil's absence (to raise a concern) is logged, by the record's id."""
    enforce_for_service(
        police_access.can_see_absence, actor_user, _("Din rolle har ikke adgang til fraværet.")
    )
    record_event(
        actor=actor_user,
        action=AuditAction.ABSENCE_RECORD_VIEWED,
        obj=record,
        municipality_id=record.municipality_id,
    )


def record_cpr(record: AbsenceRecord) -> str:
    """The pupil's full CPR number: server-side only, for the concern raised from the record."""
    return format_cpr(decrypt(record.cpr_encrypted))


@transaction.atomic
def raise_absence_concern(
    *, actor_user: User, record: AbsenceRecord, data: case_services.ConcernData
) -> Concern:
    """R5: worrying absence becomes a concern about the pupil of the record (source: absence).

    The CPR number is taken from the record here, never from the form: the page shows it
    masked, and a posted number cannot point the concern at another child.
    """
    if data.subject == ConcernSubject.PERSON and data.young_person is not None:
        data.young_person.cpr = record_cpr(record)
    return case_services.raise_concern(actor_user=actor_user, data=data)
