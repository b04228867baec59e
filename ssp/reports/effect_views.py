"""Effect measurement (Fredericia): the police's aggregate figures and the youth profile survey
as trends against the goal, and their import (CSV or Excel, all rows or none).

The page shows published (suppressed) tables only (`effect.trends`); staff get the upload form
and the last imports. A refused file re-renders the page with the rows named."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ssp import access
from ssp.errors import DomainError
from ssp.http import actor_of, user_of
from ssp.reports import access as report_access
from ssp.reports import effect as effect_service
from ssp.reports import effect_charts
from ssp.reports.effect_forms import EffectUploadForm

INVALID = 400


def _context(
    request: HttpRequest,
    form: EffectUploadForm | None = None,
    result: effect_service.EffectImportResult | None = None,
) -> dict[str, Any]:
    actor = actor_of(request)
    found = effect_service.trends(actor)
    can_import = report_access.can_import_effect(actor)
    return {
        "trends": found,
        "crime": [(trend, effect_charts.trend_chart(trend.table)) for trend in found.crime],
        "survey_rows": (
            list(zip(found.survey.rows, found.survey.goals, strict=True)) if found.survey else []
        ),
        "can_import": can_import,
        "form": (form or EffectUploadForm()) if can_import else None,
        "imports": effect_service.recent_imports(actor),
        "result": result,
        "min_respondents": effect_service.MIN_RESPONDENTS,
    }


@access.require(report_access.can_see_reports)
def effect(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/effect.html", _context(request))


@require_POST
@access.require(report_access.can_import_effect)
def effect_import(request: HttpRequest) -> HttpResponse:
    """Import a file; a refused one re-renders the page with the failing rows (nothing is
    written)."""
    form = EffectUploadForm(request.POST, request.FILES)
    result = None
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = effect_service.import_effect(
                actor_user=user_of(request),
                filename=upload.name or "",
                content=upload.file,
                token=form.token(),
            )
        except DomainError as error:
            form.add_error("file", error.message)
        else:
            if result.ok:
                messages.success(
                    request,
                    ngettext(
                        "Filen er indlæst: %(rows)s række for %(years)s.",
                        "Filen er indlæst: %(rows)s rækker for %(years)s.",
                        result.rows,
                    )
                    % {"rows": result.rows, "years": ", ".join(map(str, result.years))},
                )
                return redirect("reports:effect")
            form.add_error(
                "file",
                ngettext(
                    "Filen er ikke indlæst: %(count)s række har fejl. Ret filen, og indlæs "
                    "den igen. Intet er gemt.",
                    "Filen er ikke indlæst: %(count)s rækker har fejl. Ret filen, og indlæs "
                    "den igen. Intet er gemt.",
                    result.error_count,
                )
                % {"count": result.error_count},
            )
    return render(request, "reports/effect.html", _context(request, form, result), status=INVALID)
