"""Pages: the weekly review of police reports, the deadline board, network councils, the
14-day count, absence monitoring and hot spots."""

from __future__ import annotations

import csv
import io
from datetime import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from ssp import access
from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.cases import forms as case_forms
from ssp.cases.cpr import parse_cpr
from ssp.errors import DomainError
from ssp.organisation import selectors as org_selectors
from ssp.police import access as police_access
from ssp.police import forms, maps, selectors, services


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _actor(request: HttpRequest) -> access.Actor:
    return access.get_actor(request.user)


def _routing_form(request: HttpRequest, data: Any = None, prefix: str = "") -> forms.RoutingForm:
    actor = _actor(request)
    return forms.RoutingForm(
        data,
        members=selectors.review_members(actor),
        fora=selectors.local_groups(actor),
        prefix=prefix or None,
    )


@access.require(police_access.can_review)
def review(request: HttpRequest) -> HttpResponse:
    """The weekly review ('listemøde'): unreviewed reports, each with its routing form."""
    actor = _actor(request)
    queue = list(selectors.review_queue(actor)[:100])
    record_event(
        actor=request.user,
        action=AuditAction.REVIEW_VIEWED,
        municipality_id=actor.municipality_id,
        data={"reports": [report.pk for report in queue]},
    )
    forms_by_report = []
    choices: dict[str, list[Any]] = {}
    for report in queue:
        form = _routing_form(request, prefix=f"r{report.pk}")
        for name in ("member", "home_contact", "forum"):
            # One query for the choices of every form on the page, however long the queue.
            if name not in choices:
                choices[name] = list(form.fields[name].choices)  # type: ignore[attr-defined]
            form.fields[name].choices = choices[name]  # type: ignore[attr-defined]
        forms_by_report.append((report, form))
    return render(
        request,
        "police/review.html",
        {
            "queue": forms_by_report,
            "routed": selectors.recently_routed(actor),
            "upload_form": forms.UploadForm(),
        },
    )


@require_POST
@access.require(police_access.can_review)
def import_list(request: HttpRequest) -> HttpResponse:
    form = forms.UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        raise DomainError(_("Vælg en fil."))
    upload = form.cleaned_data["file"]
    result = services.import_police_list(
        actor_user=_user(request), filename=upload.name, content=upload.read()
    )
    if result.ok:
        messages.success(
            request,
            _("%(created)s rapporter er importeret, %(dup)s var allerede registreret.")
            % {"created": result.created, "dup": result.duplicates},
        )
        if result.outside_target:
            messages.warning(
                request,
                _("Række %(rows)s er sprunget over: den unge er uden for SSP's målgruppe.")
                % {"rows": ", ".join(str(r) for r in result.outside_target)},
            )
        return redirect("police:review")
    return render(
        request,
        "police/import_errors.html",
        {"errors": result.errors, "filename": upload.name, "back": "police:review"},
        status=400,
    )


@access.require(police_access.can_review)
def report_new(request: HttpRequest) -> HttpResponse:
    form = forms.ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        digits, birth = parse_cpr(data["cpr"])
        first, _space, last = data["name"].strip().partition(" ")
        row = {
            "cpr": digits,
            "birth": birth,
            "first_name": first,
            "last_name": last or "-",
            "date": data["date"],
            "time": data["time"] or time(0, 0),
            "offence": data["offence"],
            "reference": data["reference"],
            "description": data["description"],
        }
        try:
            services.register_report(actor_user=_user(request), row=row)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Rapporten er registreret."))
            return redirect("police:review")
    return render(request, "police/report_form.html", {"form": form})


@require_POST
@access.require(police_access.can_review)
def report_route(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.get_report_for(_actor(request), pk)
    form = _routing_form(request, request.POST, prefix=f"r{pk}")
    if not form.is_valid():
        raise DomainError(_("Vælg hvem rapporten fordeles til, og hvem der kontakter hjemmet."))
    data = form.cleaned_data
    services.route_report(
        actor_user=_user(request),
        report=report,
        data=services.RoutingData(
            routing=data["routing"],
            home_contact=data["home_contact"],
            member=data["member"],
            forum=data["forum"],
            other=data["other"],
            raise_concern=data["raise_concern"],
        ),
    )
    messages.success(request, _("Rapporten er fordelt, og fristen for kontakt til familien kører."))
    return redirect("police:review")


@access.require(police_access.can_see_deadlines)
def deadline_board(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    rows = selectors.deadline_board(actor)
    record_event(
        actor=request.user,
        action=AuditAction.DEADLINES_VIEWED,
        municipality_id=actor.municipality_id,
        data={"deadlines": [row.deadline.pk for row in rows]},
    )
    return render(
        request,
        "police/deadlines.html",
        {
            "rows": rows,
            "councils": selectors.councils(actor),
            "is_staff": police_access.can_review(actor),
            "met_form": forms.MetForm(initial={"met_on": timezone.localdate()}),
        },
    )


@require_POST
@access.require(police_access.can_see_deadlines)
def deadline_met(request: HttpRequest, pk: int) -> HttpResponse:
    deadline = selectors.get_deadline_for(_actor(request), pk)
    form = forms.MetForm(request.POST)
    if not form.is_valid():
        raise DomainError(_("Angiv datoen."))
    services.meet_deadline(
        actor_user=_user(request), deadline=deadline, met_on=form.cleaned_data["met_on"]
    )
    messages.success(request, _("Fristen er markeret som overholdt."))
    return redirect("police:deadlines")


@access.require(police_access.can_review)
def council_new(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    deadline = selectors.get_deadline_for(actor, pk)
    form = forms.CouncilForm(request.POST or None, members=selectors.review_members(actor))
    if request.method == "POST" and form.is_valid():
        council = services.call_network_council(
            actor_user=_user(request),
            deadline=deadline,
            meeting_at=form.cleaned_data["meeting_at"],
            professionals=list(form.cleaned_data["professionals"]),
            network=form.cleaned_data["network"],
            invited_young_person=form.cleaned_data["invited_young_person"],
            invited_custody_holders=form.cleaned_data["invited_custody_holders"],
        )
        messages.success(request, _("Netværkssamrådet er indkaldt."))
        return redirect("police:council", pk=council.pk)
    return render(request, "police/council_form.html", {"deadline": deadline, "form": form})


@access.require(police_access.can_review)
def council_detail(request: HttpRequest, pk: int) -> HttpResponse:
    council = selectors.get_council_for(_actor(request), pk)
    record_event(
        actor=request.user,
        action=AuditAction.COUNCIL_VIEWED,
        obj=council,
        object_repr=f"networkcouncil:{council.pk}",
        municipality_id=council.municipality_id,
        subject_ref=f"youngperson:{council.young_person_id}",
    )
    form = forms.HeldForm(request.POST or None, initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        services.record_council_held(
            actor_user=_user(request), council=council, held_on=form.cleaned_data["held_on"]
        )
        messages.success(request, _("Netværkssamrådet er registreret som afholdt."))
        return redirect("police:council", pk=pk)
    return render(request, "police/council_detail.html", {"council": council, "form": form})


@access.require(police_access.can_see_counts)
def concern_counts(request: HttpRequest) -> HttpResponse:
    table = selectors.concern_counts(_actor(request))
    export = request.GET.get("format")
    header = [_("SSP-medarbejder"), *[f"{s:%d.%m.%Y}-{e:%d.%m.%Y}" for s, e in table.periods]]
    if export == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(header)
        for name, counts in table.rows:
            writer.writerow([name, *counts])
        response = HttpResponse(
            buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="bekymringer-14-dage.csv"'
        return response
    if export == "xlsx":
        workbook = Workbook()
        sheet = workbook.active
        sheet.append(header)
        for name, counts in table.rows:
            sheet.append([name, *counts])
        buffer_bytes = io.BytesIO()
        workbook.save(buffer_bytes)
        response = HttpResponse(
            buffer_bytes.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="bekymringer-14-dage.xlsx"'
        return response
    return render(request, "police/counts.html", {"table": table})


@access.require(police_access.can_see_absence)
def absence(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    municipality = org_selectors.get_municipality_by_id(actor, actor.municipality_id)
    threshold = services.absence_threshold(municipality)
    month, rows = selectors.worrying_absence(actor, threshold)
    record_event(
        actor=request.user, action=AuditAction.ABSENCE_VIEWED, municipality_id=municipality.pk
    )
    return render(
        request,
        "police/absence.html",
        {
            "month": month,
            "rows": rows,
            "threshold": threshold,
            "upload_form": forms.UploadForm() if police_access.can_review(actor) else None,
        },
    )


@require_POST
@access.require(police_access.can_review)
def absence_import(request: HttpRequest) -> HttpResponse:
    form = forms.UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        raise DomainError(_("Vælg en fil."))
    upload = form.cleaned_data["file"]
    result = services.import_absence(
        actor_user=_user(request), filename=upload.name, content=upload.read()
    )
    if result.errors:
        return render(
            request,
            "police/import_errors.html",
            {"errors": result.errors, "filename": upload.name, "back": "police:absence"},
            status=400,
        )
    messages.success(
        request,
        _("Fraværet er importeret: %(created)s nye og %(updated)s opdaterede.")
        % {"created": result.created, "updated": result.updated},
    )
    return redirect("police:absence")


@access.require(police_access.can_see_absence)
def absence_concern(request: HttpRequest, pk: int) -> HttpResponse:
    """One click from worrying absence to the concern form, filled in (source: absence)."""
    actor = _actor(request)
    record = selectors.get_absence_for(actor, pk)
    record_event(
        actor=request.user,
        action=AuditAction.ABSENCE_RECORD_VIEWED,
        object_type="police.absencerecord",
        object_id=str(record.pk),
        municipality_id=record.municipality_id,
    )
    municipality = org_selectors.get_municipality_by_id(actor, actor.municipality_id)
    person = selectors.known_person(actor, record)
    form = case_forms.ConcernForm(
        initial={
            "subject": "person",
            "cpr": selectors.record_cpr(record),
            "first_name": person.first_name if person else "",
            "last_name": person.last_name if person else "",
            "school": record.school.pk,
            "class_name": record.class_name,
            "source": "absence",
            "description": _(
                "Bekymrende fravær i %(month)s: %(total)s %% i alt, %(unauth)s %% ulovligt."
            )
            % {
                "month": record.month.strftime("%m/%Y"),
                "total": record.total_percent,
                "unauth": record.unauthorised_percent,
            },
        },
        units=org_selectors.units_of(municipality),
        districts=org_selectors.districts_of(municipality),
        case_levels=bool(municipality.rule("case_levels")),
    )
    return render(
        request, "cases/concern_form.html", {"form": form, "form_action": "/bekymringer/ny/"}
    )


@access.require(police_access.can_see_hot_spots)
def hot_spots(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    spots = list(selectors.hot_spots(actor))
    return render(
        request,
        "police/hot_spots.html",
        {
            "spots": spots,
            "can_edit": police_access.can_review(actor),
            "map": maps.tile_map(
                [
                    (s.name, s.latitude, s.longitude)
                    for s in spots
                    if s.latitude is not None and s.longitude is not None
                ],
                settings.SSP_MAP_TILE_URL,
            ),
            "attribution": settings.SSP_MAP_ATTRIBUTION,
        },
    )


@access.require(police_access.can_review)
def hot_spot_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    actor = _actor(request)
    spot = selectors.get_hot_spot_for(actor, pk) if pk else None
    initial: dict[str, Any] = {"period_start": timezone.localdate()}
    if spot is not None:
        initial = {
            field: getattr(spot, field)
            for field in (
                "name",
                "address",
                "latitude",
                "longitude",
                "period_start",
                "period_end",
                "description",
                "outreach_plan",
                "status",
            )
        }
        initial["concerns"] = list(spot.concerns.all())
    form = forms.HotSpotForm(
        request.POST or None, initial=initial, concerns=selectors.place_concerns(actor)
    )
    if request.method == "POST" and form.is_valid():
        saved = services.save_hot_spot(
            actor_user=_user(request), hot_spot=spot, data=dict(form.cleaned_data)
        )
        messages.success(request, _("Hot spottet er gemt."))
        return redirect("police:hot_spot", pk=saved.pk)
    return render(request, "police/hot_spot_form.html", {"form": form, "spot": spot})


@access.require(police_access.can_see_hot_spots)
def hot_spot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    spot = selectors.get_hot_spot_for(actor, pk)
    return render(
        request,
        "police/hot_spot_detail.html",
        {"spot": spot, "can_edit": police_access.can_review(actor)},
    )
