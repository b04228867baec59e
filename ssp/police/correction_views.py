"""Issue 16: police reports found, corrected or withdrawn by the police's SSP contact or the SSP
staff, with a reason. The pages show a report's list fields only (journal number, dates,
offence, status): never the child, the concern or whom it was routed to."""

from __future__ import annotations

from django import forms as django_forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ssp import access
from ssp.errors import DomainError
from ssp.http import actor_of, page_number, user_of
from ssp.police import access as police_access
from ssp.police import corrections, forms, selectors, services
from ssp.police.models import PoliceReport, ReportStatus
from ssp.validation import clean_search


def _status(request: HttpRequest, form: django_forms.BaseForm, error_status: int = 400) -> int:
    return error_status if request.method == "POST" and form.errors else 200


@access.require(police_access.can_correct_report)
def reports(request: HttpRequest) -> HttpResponse:
    """The municipality's reports, newest first, by journal number and received date."""
    search = forms.ReportSearchForm(request.GET or None)
    query, received = "", None
    if search.is_valid():
        query = clean_search(search.cleaned_data["q"] or "")
        received = search.cleaned_data["modtaget"]
    page = selectors.correctable_report_page(
        actor_of(request), query=query, received=received, page=page_number(request)
    )
    keep = {"q": query} if query else {}
    if received is not None:
        keep["modtaget"] = received.isoformat()
    return render(
        request,
        "police/reports.html",
        {
            "search": search,
            "page": page,
            "reports": page.object_list,
            "page_query": "&".join(f"{k}={v}" for k, v in keep.items()),
            "searched": bool(keep),
            "list_max": selectors.CORRECTION_LIST_MAX,
        },
        status=400 if search.errors else 200,
    )


def _detail_context(report: PoliceReport) -> dict[str, object]:
    return {
        "report": report,
        "council": selectors.report_council_state(report),
        "corrections": [
            (c, corrections.original_values(c)) for c in selectors.report_corrections(report)
        ],
        "can_change": report.status != ReportStatus.WITHDRAWN and report.anonymised_at is None,
    }


@access.require(police_access.can_correct_report)
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = police_access.get_report_to_correct_for(actor_of(request), pk)
    return render(request, "police/report_detail.html", _detail_context(report))


def _outcome_message(request: HttpRequest, outcome: corrections.Outcome) -> None:
    parts = []
    if outcome.removed:
        parts.append(
            ngettext(
                "%(n)s åben frist er fjernet.", "%(n)s åbne frister er fjernet.", outcome.removed
            )
            % {"n": outcome.removed}
        )
    if outcome.added:
        parts.append(_("Fristen for netværkssamråd løber nu fra rapportens modtagelse."))
    if outcome.moved:
        parts.append(_("Fristen er flyttet efter den rettede modtagelsesdato."))
    if outcome.kept_council:
        parts.append(
            _(
                "Et netværkssamråd er allerede indkaldt eller holdt på grundlag af rapporten; "
                "det bevares."
            )
        )
    for part in parts:
        messages.info(request, part)


@access.require(police_access.can_correct_report)
def report_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a report with a reason; the form carries the values it was opened with."""
    report = police_access.get_report_to_correct_for(actor_of(request), pk)
    if report.status == ReportStatus.WITHDRAWN or report.anonymised_at is not None:
        messages.error(
            request, _("Rapporten er trukket tilbage eller anonymiseret og kan ikke rettes.")
        )
        return redirect("police:report", pk=report.pk)
    offences = services.load_offences(report.municipality_id)
    if report.offence is not None and report.offence not in offences:
        offences.append(report.offence)  # a retired local kind stays choosable for its report
    form = forms.CorrectionForm(
        request.POST if request.method == "POST" else None,
        initial=forms.CorrectionForm.initial_for(report, corrections.fingerprint(report)),
        offences=offences,
    )
    status = _status(request, form)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = corrections.correct_report(
                actor_user=user_of(request),
                report=report,
                data=form.to_data(),
                opened=form.cleaned_data["opened"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
            status = error.status_code
        else:
            if outcome.correction is None:
                messages.info(request, _("Rapporten har allerede disse oplysninger."))
            else:
                messages.success(request, _("Rapporten er rettet."))
                _outcome_message(request, outcome)
            return redirect("police:report", pk=report.pk)
    return render(
        request, "police/report_correct.html", {"report": report, "form": form}, status=status
    )


@access.require(police_access.can_correct_report)
def report_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    report = police_access.get_report_to_correct_for(actor_of(request), pk)
    if report.status == ReportStatus.WITHDRAWN:
        messages.info(request, _("Rapporten er allerede trukket tilbage."))
        return redirect("police:report", pk=report.pk)
    form = forms.WithdrawForm(request.POST if request.method == "POST" else None)
    status = _status(request, form)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = corrections.withdraw_report(
                actor_user=user_of(request), report=report, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
            status = error.status_code
        else:
            messages.success(request, _("Rapporten er trukket tilbage."))
            _outcome_message(request, outcome)
            return redirect("police:report", pk=report.pk)
    return render(
        request, "police/report_withdraw.html", {"report": report, "form": form}, status=status
    )
