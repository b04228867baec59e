"""The annual plan as Excel and as PDF (R7), for everyone who sees the plan."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from ssp import access
from ssp.http import PDF, XLSX, actor_of, file_response
from ssp.prevention import access as prevention_access
from ssp.prevention import export


@access.require(prevention_access.can_see_prevention)
def plan_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    plan = prevention_access.get_plan_for(actor, pk)
    content = export.plan_xlsx(export.plan_export(actor, plan))
    return file_response(content, content_type=XLSX, filename=export.filename(plan, "xlsx"))


@access.require(prevention_access.can_see_prevention)
def plan_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    plan = prevention_access.get_plan_for(actor, pk)
    content = export.plan_pdf(export.plan_export(actor, plan))
    return file_response(content, content_type=PDF, filename=export.filename(plan, "pdf"))
