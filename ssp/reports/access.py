"""Who may see and write the reports (R8).

Reports hold figures only, suppressed (`suppression.py`: no count of children or cases from 1 to
4 leaves the platform), so everyone who works in the SSP collaboration of the municipality sees
them: SSP staff, employees and politicians (the steering group decides on them). SSP staff
write the draft's text and put it on the steering group's agenda. A published report is public
(`public_reports`, no login). Built on `ssp/access.py` only.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from ssp.access import (
    Actor,
    get_or_404,
    is_employee,
    is_politician,
    is_ssp_staff,
    municipality_of,
)
from ssp.reports.models import (
    AnnualReport,
    Evaluation,
    EvaluationInvitation,
    EvaluationStatus,
)


def can_see_reports(actor: Actor) -> bool:
    """Staff, employees and politicians of a municipality (the navigation's "Rapporter")."""
    return is_ssp_staff(actor) or is_employee(actor) or is_politician(actor)


def can_write_reports(actor: Actor) -> bool:
    """SSP staff make the annual report and write its text sections."""
    return is_ssp_staff(actor)


def visible_reports(actor: Actor) -> QuerySet[AnnualReport]:
    if not can_see_reports(actor):
        return AnnualReport.objects.none()
    return AnnualReport.objects.filter(municipality_id=municipality_of(actor))


def public_reports(municipality_slug: str) -> QuerySet[AnnualReport]:
    """The published reports of a municipality, for everyone (no login)."""
    return AnnualReport.objects.filter(
        municipality__slug=municipality_slug, published_at__isnull=False
    )


def get_report_for(actor: Actor, year: int, *, for_change: bool = False) -> AnnualReport:
    """The actor's municipality's report of `year`, or 404; `for_change` asks the right to
    write it (404 likewise)."""
    if for_change and not can_write_reports(actor):
        return get_or_404(AnnualReport.objects.none(), year=year)
    return get_or_404(visible_reports(actor), year=year)


# --- Effect measurement ---------------------------------------------------------------------


def can_import_effect(actor: Actor) -> bool:
    """SSP staff import the police's aggregate figures and the youth profile survey."""
    return is_ssp_staff(actor)


# --- Biennial evaluation --------------------------------------------------------------------


def can_manage_evaluations(actor: Actor) -> bool:
    """SSP staff make an evaluation, choose its fora, send it out and close it."""
    return is_ssp_staff(actor)


def visible_evaluations(actor: Actor) -> QuerySet[Evaluation]:
    """The municipality's evaluations: all of them for staff; the sent ones (their summaries,
    without names and suppressed) for employees and politicians."""
    if not can_see_reports(actor):
        return Evaluation.objects.none()
    evaluations = Evaluation.objects.filter(municipality_id=municipality_of(actor))
    if can_manage_evaluations(actor):
        return evaluations
    return evaluations.exclude(status=EvaluationStatus.DRAFT)


def get_evaluation_for(actor: Actor, pk: int, *, for_change: bool = False) -> Evaluation:
    """An evaluation the actor may see (404 otherwise); `for_change` asks the right to manage
    it (404 likewise)."""
    if for_change and not can_manage_evaluations(actor):
        return get_or_404(Evaluation.objects.none(), pk=pk)
    return get_or_404(visible_evaluations(actor), pk=pk)


def open_invitations(actor: Actor) -> QuerySet[EvaluationInvitation]:
    """The actor's own invitations still to answer: the evaluation is out and its deadline has
    not passed."""
    if actor.user_id is None:
        return EvaluationInvitation.objects.none()
    return EvaluationInvitation.objects.filter(
        user_id=actor.user_id,
        answered_on__isnull=True,
        evaluation__status=EvaluationStatus.OPEN,
        evaluation__closes_on__gte=timezone.localdate(),
    )


def get_invitation_for(actor: Actor, evaluation_pk: int, forum_pk: int) -> EvaluationInvitation:
    """The actor's own open invitation to answer for a forum, or 404 (also when answered)."""
    return get_or_404(open_invitations(actor), evaluation_id=evaluation_pk, forum_id=forum_pk)
