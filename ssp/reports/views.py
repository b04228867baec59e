"""The annual report's pages (R8): the list of years, a report with its tables (suppressed),
its text sections, PDF and Excel, publication, and the public page and PDF of a published one.

Every decision is an access function (`ssp/reports/access.py`); the views parse, look up, call
a service or selector and render. Nothing here renders a `Table`: only `SuppressedTable`s.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ssp import access
from ssp.errors import DomainError
from ssp.http import PDF, XLSX, actor_of, file_response, user_of
from ssp.prevention.services import PersonalDataFound
from ssp.reports import access as report_access
from ssp.reports import export, forms, selectors, services
from ssp.reports.models import AnnualReport
from ssp.reports.tables import HIDDEN, SMALL
from ssp.versioning import StaleEdit

INVALID = 400


def _list_context(request: HttpRequest, form: forms.NewReportForm | None = None) -> dict[str, Any]:
    actor = actor_of(request)
    next_year = selectors.next_report_year(actor)
    return {
        "reports": selectors.reports_of(actor),
        "next_year": next_year,
        "can_write": report_access.can_write_reports(actor),
        "form": form,
    }


@access.require(report_access.can_see_reports)
def reports(request: HttpRequest) -> HttpResponse:
    """The municipality's annual reports by year; staff make last year's from here."""
    return render(request, "reports/list.html", _list_context(request))


@require_POST
@access.require(report_access.can_write_reports)
def report_new(request: HttpRequest) -> HttpResponse:
    """Make the draft report of a year (a button on the list: "Lav årsrapport for ...")."""
    form = forms.NewReportForm(request.POST)
    if form.is_valid():
        try:
            report = services.create_report(
                actor_user=user_of(request), year=form.cleaned_data["year"]
            )
        except services.ReportExists as exists:
            messages.info(request, exists.message)
            return redirect("reports:report", year=exists.report.year)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Årsrapporten er oprettet som udkast."))
            return redirect("reports:report", year=report.year)
    return render(request, "reports/list.html", _list_context(request, form), status=INVALID)


def _page_context(report: AnnualReport) -> dict[str, Any]:
    tables = selectors.report_tables(report)
    return {
        "report": report,
        "tables": [selectors.table_view(table) for table in tables],
        "has_suppressed": selectors.has_suppressed_cells(tables),
        "small": SMALL,
        "hidden": HIDDEN,
    }


@access.require(report_access.can_see_reports)
def report(request: HttpRequest, year: int) -> HttpResponse:
    """A report: status and approval, the text sections and every table."""
    actor = actor_of(request)
    the_report = selectors.report_detail(actor, year)
    return render(
        request,
        "reports/report.html",
        {**_page_context(the_report), "can_write": report_access.can_write_reports(actor)},
    )


def _keep_on_form(form: forms.TextsForm, error: DomainError) -> None:
    form.add_error(None, error.message)
    if isinstance(error, PersonalDataFound):
        for name in error.fields:
            if name in form.fields:
                form.add_error(name, _("Fjern personoplysningerne her."))


@access.require(report_access.can_write_reports)
def report_edit(request: HttpRequest, year: int) -> HttpResponse:
    """The draft's text sections: foreword, assessment, next year's recommendations."""
    the_report = report_access.get_report_for(actor_of(request), year, for_change=True)
    if the_report.is_approved:
        messages.info(request, _("En godkendt årsrapport kan ikke rettes."))
        return redirect("reports:report", year=year)
    form = forms.TextsForm(request.POST or None, initial=forms.TextsForm.initial_for(the_report))
    status = 200
    if request.method == "POST":
        status = INVALID
        if form.is_valid():
            try:
                services.update_texts(
                    actor_user=user_of(request),
                    report=the_report,
                    foreword=form.cleaned_data["foreword"],
                    assessment=form.cleaned_data["assessment"],
                    recommendations=form.cleaned_data["recommendations"],
                    expected_version=form.expected_version(),
                )
            except StaleEdit as stale:
                typed = request.POST.copy()
                typed["version"] = str(stale.version)
                form = forms.TextsForm(typed, initial=forms.TextsForm.initial_for(the_report))
                form.is_valid()
                form.add_error(None, stale.message)
                status = stale.status_code
            except DomainError as error:
                _keep_on_form(form, error)
                status = error.status_code
            else:
                messages.success(request, _("Teksten er gemt."))
                return redirect("reports:report", year=year)
    return render(request, "reports/edit.html", {"form": form, "report": the_report}, status=status)


@access.require(report_access.can_see_reports)
def report_pdf(request: HttpRequest, year: int) -> HttpResponse:
    the_report = selectors.report_detail(actor_of(request), year)
    content = export.report_pdf(export.report_export(the_report))
    return file_response(content, content_type=PDF, filename=export.filename(the_report, "pdf"))


@access.require(report_access.can_see_reports)
def report_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    the_report = selectors.report_detail(actor_of(request), year)
    content = export.report_xlsx(export.report_export(the_report))
    return file_response(content, content_type=XLSX, filename=export.filename(the_report, "xlsx"))


@require_POST
@access.require(report_access.can_write_reports)
def report_publish(request: HttpRequest, year: int) -> HttpResponse:
    """Publish an approved report: a public page and PDF without login."""
    the_report = report_access.get_report_for(actor_of(request), year, for_change=True)
    services.publish(actor_user=user_of(request), report=the_report)
    messages.success(request, _("Årsrapporten er offentliggjort."))
    return redirect("reports:report", year=year)


@login_not_required
def public_report(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    """A published report for everyone (no login); 404 until it is published."""
    the_report = selectors.public_report(slug, year)
    return render(
        request,
        "reports/public_report.html",
        {**_page_context(the_report), "site_name": the_report.municipality.name},
    )


@login_not_required
def public_report_pdf(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    the_report = selectors.public_report(slug, year)
    content = export.report_pdf(export.report_export(the_report), public=True)
    return file_response(
        content,
        content_type=PDF,
        filename=export.filename(the_report, "pdf"),
        disposition="inline",
    )
