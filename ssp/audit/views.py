"""Pages for data subjects' rights (subject access, correction) and for supervision (the
disclosures log and the audit trail). Thin: validate, look up with access, call the service or
selector, render. Access decisions live in ssp/access.py and cases/access.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ssp import access
from ssp.audit import forms, subject_access, supervision
from ssp.audit.models import AuditAction
from ssp.cases import access as case_access
from ssp.errors import DomainError
from ssp.http import PDF, XLSX, actor_of, file_response, page_number, user_of
from ssp.versioning import StaleEdit

INVALID = 400
JSON = "application/json; charset=utf-8"


# --- Subject access (GDPR art. 15) -----------------------------------------------------------


@access.require(access.can_handle_subject_access)
def subject_access_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The request form; a valid post answers with the export file (PDF or JSON)."""
    actor = actor_of(request)
    person = case_access.get_young_person_for(actor, pk)
    form = forms.SubjectAccessForm(
        request.POST or None, holders=subject_access.custody_holders_of(person)
    )
    status = 200
    if request.method == "POST":
        status = INVALID
        if form.is_valid():
            chosen = form.to_request()
            try:
                content = subject_access.produce_subject_access(
                    actor_user=user_of(request), person=person, request=chosen
                )
            except DomainError as error:
                form.add_error(None, error.message)
                status = error.status_code
            else:
                filename = subject_access.export_filename(person, chosen.export_format)
                if chosen.export_format == subject_access.ExportFormat.JSON:
                    return file_response(
                        subject_access.export_json(content), content_type=JSON, filename=filename
                    )
                return file_response(
                    subject_access.export_pdf(request=request, content=content),
                    content_type=PDF,
                    filename=filename,
                )
    return render(
        request,
        "audit/subject_access.html",
        {"person": person, "form": form, "own_request_age": subject_access.OWN_REQUEST_AGE},
        status=status,
    )


@access.require(access.can_correct_young_person)
def young_person_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """GDPR art. 16: correct a young person's simple facts, with a reason."""
    actor = actor_of(request)
    person = case_access.get_young_person_for(actor, pk)
    form = forms.CorrectionForm(request.POST or None, person=person)
    status = 200
    current: dict[str, Any] | None = None
    if request.method == "POST":
        status = INVALID
        if form.is_valid():
            try:
                subject_access.correct_young_person(
                    actor_user=user_of(request),
                    person=person,
                    data=form.to_data(),
                    fingerprint=form.cleaned_data["fingerprint"],
                )
            except StaleEdit as error:
                form.add_error(None, error.message)
                current = error.current
                fresh = case_access.get_young_person_for(actor, pk)
                data = request.POST.copy()
                data["fingerprint"] = subject_access.fingerprint_of(fresh)
                errors = form.non_field_errors()
                form = forms.CorrectionForm(data, person=fresh)
                form.is_valid()
                for message in errors:
                    form.add_error(None, message)
                status = error.status_code
            except DomainError as error:
                form.add_error(None, error.message)
                status = error.status_code
            else:
                messages.success(
                    request, _("Rettelsen er gemt; de tidligere oplysninger er bevaret.")
                )
                return redirect("cases:young_person", pk=pk)
    return render(
        request,
        "audit/subject_access_correct.html",
        {"person": person, "form": form, "current": current},
        status=status,
    )


# --- Supervision -------------------------------------------------------------------------------


@access.require(access.can_supervise)
def supervision_disclosures(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = forms.DisclosureFilterForm(request.GET or None, actor=actor)
    chosen = form.chosen()
    page, rows = supervision.disclosures_page(actor, chosen, page=page_number(request))
    supervision.record_supervision(
        actor_user=user_of(request),
        action=AuditAction.DISCLOSURES_LOG_VIEWED,
        data=_filter_data(chosen),
    )
    return render(
        request,
        "audit/supervision_disclosures.html",
        {"form": form, "page": page, "rows": rows},
    )


@access.require(access.can_supervise)
def supervision_disclosures_xlsx(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    chosen = forms.DisclosureFilterForm(request.GET or None, actor=actor).chosen()
    rows = supervision.disclosure_rows(actor, chosen)
    supervision.record_supervision(
        actor_user=user_of(request),
        action=AuditAction.DISCLOSURES_LOG_EXPORTED,
        data={**_filter_data(chosen), "rows": len(rows)},
    )
    return file_response(
        supervision.disclosures_xlsx(rows),
        content_type=XLSX,
        filename=f"{supervision.DISCLOSURES_FILENAME}.xlsx",
    )


def _filter_data(chosen: supervision.DisclosureFilter) -> dict[str, object]:
    return {
        "from": chosen.start,
        "to": chosen.end,
        "legal_basis": chosen.legal_basis.pk if chosen.legal_basis else None,
    }


@access.require(access.can_supervise)
def supervision_audit_trail(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = forms.EventFilterForm(request.GET or None, actor=actor)
    chosen = form.chosen()
    page, rows = supervision.events_page(actor, chosen, page=page_number(request))
    supervision.record_supervision(
        actor_user=user_of(request),
        action=AuditAction.AUDIT_TRAIL_VIEWED,
        data={"user": chosen.user_id, "action": chosen.action},
    )
    return render(
        request, "audit/supervision_audit_trail.html", {"form": form, "page": page, "rows": rows}
    )
