"""The annual report's services (R8): make the draft, write its text sections, approve it (the
steering group's decision, through the meetings' decision hook) and publish it.

Every service re-checks its rule (`ssp/reports/access.py`), refuses personal data in the text
sections (`ssp.prevention.services.check_texts`, on `ssp/cases/personal_data.py`: the report is
meant for the public) and writes its audit event, by ids only, in the same transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ssp import access
from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.errors import DomainError
from ssp.organisation.models import ForumType
from ssp.prevention.services import check_texts
from ssp.reports import access as report_access
from ssp.reports import selectors
from ssp.reports.models import YEAR_MIN, AnnualReport, ReportStatus
from ssp.versioning import save_versioned

if TYPE_CHECKING:
    from ssp.meetings.models import AgendaItem

TEXT_FIELDS = ("foreword", "assessment", "recommendations")


class ReportExists(DomainError):
    """The municipality has a report of that year already (the page links to it)."""

    status_code = 409

    def __init__(self, message: str, *, report: AnnualReport) -> None:
        super().__init__(message)
        self.report = report


def _writer(actor_user: User) -> access.Actor:
    actor = access.get_actor(actor_user)
    if not report_access.can_write_reports(actor):
        raise DomainError(_("Kun SSP-medarbejdere kan lave og rette årsrapporten."))
    return actor


def latest_year() -> int:
    """The newest year a report may be made for: the current one (the year so far)."""
    return timezone.localdate().year


@transaction.atomic
def create_report(*, actor_user: User, year: int) -> AnnualReport:
    """A draft annual report of the actor's municipality for a past year or the current one
    (the year so far); one per municipality and year (`ReportExists` names the one there is)."""
    actor = _writer(actor_user)
    municipality_id = access.municipality_of(actor)
    if not YEAR_MIN <= year <= latest_year():
        raise DomainError(
            _("En årsrapport laves for et år fra %(low)s til %(high)s.")
            % {"low": YEAR_MIN, "high": latest_year()}
        )
    existing = AnnualReport.objects.filter(municipality_id=municipality_id, year=year).first()
    if existing is None:
        try:
            with transaction.atomic():
                report = AnnualReport.objects.create(municipality_id=municipality_id, year=year)
        except IntegrityError:  # made by somebody else at the same moment
            existing = AnnualReport.objects.get(municipality_id=municipality_id, year=year)
        else:
            record_event(
                actor=actor_user,
                action=AuditAction.REPORT_CREATED,
                obj=report,
                municipality_id=municipality_id,
                data={"year": year},
            )
            return report
    raise ReportExists(
        _("Der er allerede en årsrapport for %(year)s.") % {"year": year}, report=existing
    )


@transaction.atomic
def update_texts(
    *,
    actor_user: User,
    report: AnnualReport,
    foreword: str,
    assessment: str,
    recommendations: str,
    expected_version: int,
) -> AnnualReport:
    """The coordinator's text sections of a draft. They are published, so personal data is
    refused (the fields are named, never the text); a stale save raises `StaleEdit`."""
    actor = _writer(actor_user)
    if report.municipality_id != access.municipality_of(actor):
        raise DomainError(_("Årsrapporten findes ikke."))
    if report.is_approved:
        raise DomainError(_("En godkendt årsrapport kan ikke rettes."))
    texts = {
        "foreword": foreword.strip(),
        "assessment": assessment.strip(),
        "recommendations": recommendations.strip(),
    }
    check_texts(
        actor,
        report.municipality_id,
        {_label(name): text for name, text in texts.items()},
        names={_label(name): name for name in TEXT_FIELDS},
        message=_("Årsrapporten må ikke indeholde personoplysninger."),
    )
    for name, text in texts.items():
        setattr(report, name, text)
    # Approval bumps the version: a save racing it is refused as stale.
    save_versioned(report, expected_version=expected_version, fields=TEXT_FIELDS)
    record_event(
        actor=actor_user,
        action=AuditAction.REPORT_CHANGED,
        obj=report,
        municipality_id=report.municipality_id,
        data={"fields": list(TEXT_FIELDS)},
    )
    return report


def _label(name: str) -> str:
    field = AnnualReport._meta.get_field(name)
    return str(getattr(field, "verbose_name", name)).capitalize()


def approve(actor_user: User, item: AgendaItem) -> None:
    """The decision of `item` approves the report it links to (the meetings' decision hook)."""
    approve_report(actor_user=actor_user, report_id=item.link_id, item=item)


@transaction.atomic
def approve_report(*, actor_user: User, report_id: int | None, item: AgendaItem) -> None:
    """Approve a draft report on the steering group's decision, freezing its figures as they
    are now (suppressed). The item's meeting must be a meeting of the municipality's steering
    group (`ForumType.STYREGRUPPE`); a second approval changes nothing."""
    report = (
        AnnualReport.objects.select_for_update().filter(pk=report_id).first()
        if report_id is not None
        else None
    )
    if report is None:
        raise DomainError(_("Årsrapporten findes ikke længere."))
    forum = item.meeting.forum
    if forum.municipality_id != report.municipality_id or forum.forum_type != ForumType.STYREGRUPPE:
        raise DomainError(_("En årsrapport godkendes på et møde i kommunens SSP-styregruppe."))
    if report.is_approved:
        return
    if report.year >= timezone.localdate().year:
        raise DomainError(
            _("Årsrapporten for %(year)s godkendes, når året er omme.") % {"year": report.year}
        )
    frozen = [
        table.to_json() for table in selectors.live_tables(report.municipality_id, report.year)
    ]
    report.status = ReportStatus.APPROVED
    report.figures = frozen
    report.approved_item = item
    report.approved_at = timezone.now()
    AnnualReport.objects.filter(pk=report.pk).update(
        status=report.status,
        figures=frozen,
        approved_item=item,
        approved_at=report.approved_at,
        version=F("version") + 1,
    )
    record_event(
        actor=actor_user,
        action=AuditAction.REPORT_APPROVED,
        obj=report,
        municipality_id=report.municipality_id,
        data={"agenda_item": item.pk},
    )


@transaction.atomic
def publish(*, actor_user: User, report: AnnualReport) -> AnnualReport:
    """Make an approved report public (a page and a PDF without login); a second publication
    changes nothing."""
    actor = _writer(actor_user)
    locked = (
        AnnualReport.objects.select_for_update()
        .filter(pk=report.pk, municipality_id=access.municipality_of(actor))
        .first()
    )
    if locked is None:
        raise DomainError(_("Årsrapporten findes ikke."))
    if not locked.is_approved:
        raise DomainError(_("Årsrapporten offentliggøres, når styregruppen har godkendt den."))
    if locked.is_published:
        return locked
    # The texts go to the whole internet now: checked again (a name may have been registered
    # since they were written).
    check_texts(
        actor,
        locked.municipality_id,
        {_label(name): str(getattr(locked, name)) for name in TEXT_FIELDS},
        names={_label(name): name for name in TEXT_FIELDS},
        message=_("Årsrapporten må ikke indeholde personoplysninger."),
    )
    locked.published_at = timezone.now()
    AnnualReport.objects.filter(pk=locked.pk).update(published_at=locked.published_at)
    record_event(
        actor=actor_user,
        action=AuditAction.REPORT_PUBLISHED,
        obj=locked,
        municipality_id=locked.municipality_id,
    )
    return locked
