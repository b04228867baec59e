"""R5 absence monitoring: the monthly absence per pupil, imported from the schools' systems, and
the worrying absence turned into a concern by the school's SSP contact."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

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


@dataclass
class AbsenceImportReport:
    created: int = 0
    updated: int = 0
    errors: list[imports.RowError] = field(default_factory=list)


def _school(municipality_id: int, name: str) -> Unit | None:
    return Unit.objects.filter(
        municipality_id=municipality_id, kind=UnitKind.SCHOOL, name__iexact=name.strip()
    ).first()


@transaction.atomic
def import_absence(*, actor_user: User, filename: str, content: bytes) -> AbsenceImportReport:
    """R5: the monthly absence per pupil; all or nothing; the same file twice changes nothing."""
    actor = enforce_for_service(police_access.can_import_absence, actor_user)
    municipality_id = municipality_of(actor)
    try:
        parsed = imports.parse_absence(filename, content)
    except imports.FileError as exc:
        raise DomainError(exc.message) from exc
    errors = list(parsed.errors)
    schools: dict[str, Unit | None] = {}
    for row in parsed.rows:
        schools.setdefault(row["school"], _school(municipality_id, row["school"]))
        if schools[row["school"]] is None:
            errors.append(
                imports.RowError(
                    row["row"],
                    _("skolen '%(school)s' findes ikke i kommunen") % {"school": row["school"]},
                )
            )
    if errors:
        return AbsenceImportReport(errors=sorted(errors, key=lambda e: e.row))
    batch = ImportBatch.objects.create(
        municipality_id=municipality_id,
        kind=ImportKind.ABSENCE,
        filename=filename[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        rows=len(parsed.rows),
        created_by=actor_user,
    )
    result = AbsenceImportReport()
    for row in parsed.rows:
        school = schools[row["school"]]
        if school is None:
            continue
        _record, created = AbsenceRecord.objects.update_or_create(
            municipality_id=municipality_id,
            cpr_index=blind_index(row["cpr"]),
            month=row["month"],
            defaults={
                "school": school,
                "class_name": row["class"][:20],
                "cpr_encrypted": encrypt(row["cpr"]),
                "birth_date": row["birth"],
                "total_percent": row["total"],
                "unauthorised_percent": row["unauthorised"],
                "batch": batch,
            },
        )
        if created:
            result.created += 1
        else:
            result.updated += 1
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
