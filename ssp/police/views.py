"""Pages: the weekly review of police reports, the deadline board, network councils, the
14-day count, absence monitoring and hot spots."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms as django_forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ssp import access, autocomplete
from ssp.cases.selectors import authority_members
from ssp.errors import DomainError
from ssp.forms import ForumPicker, MemberPicker
from ssp.http import CSV, XLSX, actor_of, file_response, page_number, url_for_each, user_of
from ssp.organisation import selectors as org_selectors
from ssp.police import absence as absence_services
from ssp.police import access as police_access
from ssp.police import (
    council_invitations,
    council_views,
    deadlines,
    exports,
    forms,
    import_jobs,
    maps,
    selectors,
    services,
)
from ssp.police import hot_spots as hot_spot_services
from ssp.police.models import (
    Deadline,
    DeadlineKind,
    ImportKind,
    ImportStatus,
    NetworkCouncil,
    ReportStatus,
)
from ssp.versioning import StaleEdit

EXPORT_CSV = "csv"
EXPORT_XLSX = "xlsx"
IMPORT_BACK = {ImportKind.POLICE: "police:review", ImportKind.ABSENCE: "police:absence"}
# A typed date shown back in its row after a refusal is cut to this length.
MAX_DATE_INPUT = 32
# A page number kept across a mark-as-met has at most this many digits (anything else: page 1).
MAX_PAGE_DIGITS = 9


def _routing_form(request: HttpRequest, report_pk: int, data: object = None) -> forms.RoutingForm:
    """The routing form of one report (its fields prefixed by the report, so several forms
    opened on the review page stay apart)."""
    actor = actor_of(request)
    return forms.RoutingForm(
        data,
        members=authority_members(actor),
        fora=selectors.local_groups(actor),
        prefix=f"r{report_pk}",
    )


@access.require(police_access.can_review)
def review(request: HttpRequest) -> HttpResponse:
    """The weekly review ('listemøde'): one page of the waiting reports, each with a "Fordel"
    button that opens its routing form on demand, and the reports routed lately."""
    actor = actor_of(request)
    queue = selectors.review_queue(actor, page=request.GET.get("side"))
    reports = list(queue.object_list)
    services.record_review_viewed(actor_user=user_of(request), reports=reports, page=queue.number)
    return render(
        request,
        "police/review.html",
        {
            "page": queue,
            "reports": reports,
            "routed": selectors.recently_routed(actor),
            "routed_days": selectors.RECENTLY_ROUTED_DAYS,
            "upload_form": forms.UploadForm(),
            "can_correct_reports": police_access.can_correct_report(actor),
            "can_manage_offences": police_access.can_manage_offences(actor),
        },
    )


@require_http_methods(["GET", "POST"])
@access.require(police_access.can_import_police_list)
def import_list(request: HttpRequest) -> HttpResponse:
    """GET: the police list's upload page with the imports the actor sees (issue 15: the
    police's SSP contact works here, not on the weekly review). POST: the list is checked and
    queued; the job page shows its progress."""
    if request.method == "POST":
        return _submit_upload(request, ImportKind.POLICE)
    actor = actor_of(request)
    return render(
        request,
        "police/import.html",
        {
            "upload_form": forms.UploadForm(),
            "page": import_jobs.import_job_page(actor, page=page_number(request)),
            "can_register_report": police_access.can_register_report(actor),
            "can_correct_reports": police_access.can_correct_report(actor),
        },
    )


def _import_back(request: HttpRequest, kind: ImportKind) -> str:
    """Where an import's pages lead back to: the weekly review or the absence page for SSP
    staff; the police list's own page for the police's SSP contact (who has no review)."""
    if kind == ImportKind.POLICE and not police_access.can_review(actor_of(request)):
        return "police:import"
    return IMPORT_BACK[kind]


def _submit_upload(request: HttpRequest, kind: ImportKind) -> HttpResponse:
    form = forms.UploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            submitted = import_jobs.submit_import(
                actor_user=user_of(request), kind=kind, filename=upload.name, content=upload
            )
        except DomainError as error:
            form.add_error("file", error.message)
        else:
            if submitted.already_submitted:
                messages.info(
                    request,
                    _(
                        "Den samme fil er allerede indlæst eller ved at blive det. Den indlæses "
                        "ikke igen: her er den første indlæsning."
                    ),
                )
            return redirect("police:import_job", pk=submitted.job.pk)
    return render(
        request,
        "police/import_refused.html",
        {"form": form, "kind": kind, "back": _import_back(request, kind)},
        status=400,
    )


def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """An import's progress (htmx polls the fragment every second; without JavaScript the page
    refreshes itself), then its report. Only those who may import its kind in its municipality
    reach it (the police's SSP contact only their own jobs): the lookup answers 404 to everyone
    else. A police list's page lists the reports it created with their status (issue 15), by
    their list fields only: no child, no routing target, no concern."""
    job = police_access.get_import_job_for(actor_of(request), pk)
    if request.headers.get("HX-Request"):
        if job.is_finished:
            return HttpResponse(headers={"HX-Refresh": "true"})
        return render(request, "police/_import_progress.html", {"job": job})
    errors = job.report.get("errors", [])
    return render(
        request,
        "police/import_job.html",
        {
            "job": job,
            "errors": errors,
            # The report keeps the first rows that failed and counts them all.
            "errors_total": job.report.get("errors_total") or len(errors),
            "outside_total": job.report.get("outside_target_total")
            or len(job.report.get("outside_target", [])),
            "back": _import_back(request, ImportKind(job.kind)),
            "reports_page": (
                import_jobs.job_report_page(job, page=page_number(request))
                if job.status == ImportStatus.DONE
                else None
            ),
            "page_path": reverse("police:import_job", kwargs={"pk": job.pk}),
        },
    )


@access.require(police_access.can_register_report)
def report_new(request: HttpRequest) -> HttpResponse:
    """One report entered by hand. SSP staff return to the weekly review; the police's SSP
    contact (issue 15: no review) lands on the report's own page, its list fields only."""
    actor = actor_of(request)
    reviews = police_access.can_review(actor)
    form = forms.ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.register_report(actor_user=user_of(request), row=form.to_data())
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Rapporten er registreret."))
            if reviews or not police_access.can_correct_report(actor):
                return redirect("police:review" if reviews else "police:import")
            return redirect("police:report", pk=report.pk)
    return render(
        request,
        "police/report_form.html",
        {"form": form, "back": "police:review" if reviews else "police:import"},
        status=_form_status(request, form),
    )


def _form_status(request: HttpRequest, form: django_forms.BaseForm) -> int:
    """400 for a post that failed (the form shows why), 200 for the page itself."""
    return 400 if request.method == "POST" and form.errors else 200


def _add_service_error(form: django_forms.BaseForm, error: DomainError) -> None:
    """The service's reason on the form: on the field it names, else above the form."""
    field = getattr(error, "field", None)
    form.add_error(field if field in form.fields else None, error.message)


@access.require(police_access.can_route_report)
def report_route(request: HttpRequest, pk: int) -> HttpResponse:
    """One report's routing form: a fragment for the review page's "Fordel" button (htmx), the
    page of its own without JavaScript, and the page again with the reasons when a routing is
    refused (400). A routing made goes back to the review."""
    report = police_access.get_report_for(actor_of(request), pk)
    form = _routing_form(request, report.pk, request.POST if request.method == "POST" else None)
    if request.method == "POST" and autocomplete.is_search_step(form):
        # Without JavaScript a picker's "Søg" posts the form: the page again, with the matches.
        services.record_review_viewed(actor_user=user_of(request), reports=[report])
        return render(request, "police/route_form.html", {"report": report, "form": form})
    if request.method == "POST" and form.is_valid():
        try:
            services.route_report(actor_user=user_of(request), report=report, data=form.to_data())
        except services.AlreadyRouted as error:
            # A double click or a colleague first: the review shows the routing that was made.
            messages.info(request, error.message)
            return redirect("police:review")
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("Rapporten er fordelt, og fristen for kontakt til familien kører.")
            )
            return redirect("police:review")
    fragment = request.method == "GET" and bool(request.headers.get("HX-Request"))
    if request.method == "GET" and report.status != ReportStatus.WAITING:
        # Routed meanwhile (by a colleague): back to the review, which shows the routing. An htmx
        # request is told to load the page, not to put the review inside the queue's row.
        messages.info(
            request,
            _("Rapporten er trukket tilbage og skal ikke fordeles.")
            if report.status == ReportStatus.WITHDRAWN
            else _("Rapporten er allerede fordelt."),
        )
        if fragment:
            return HttpResponse(headers={"HX-Redirect": reverse("police:review")})
        return redirect("police:review")
    services.record_review_viewed(actor_user=user_of(request), reports=[report])
    if fragment:
        # The "Fordel" button the user pressed is replaced by the form: focus moves into it.
        form.fields["routing"].widget.attrs["autofocus"] = True
    return render(
        request,
        "police/_route_form.html" if fragment else "police/route_form.html",
        {"report": report, "form": form},
        status=_form_status(request, form),
    )


@access.require(police_access.can_route_report)
def route_member_search(request: HttpRequest) -> HttpResponse:
    """The routing form's person pickers ("Person", "Kontakter hjemmet"): authority members of
    the municipality, searched by name, title or unit (at most a few matches)."""
    return autocomplete.search_response(
        request, MemberPicker(queryset=authority_members(actor_of(request)))
    )


@access.require(police_access.can_route_report)
def route_forum_search(request: HttpRequest) -> HttpResponse:
    """The routing form's local-group picker: the municipality's local groups, by name."""
    return autocomplete.search_response(
        request, ForumPicker(queryset=selectors.local_groups(actor_of(request)))
    )


def _board_query(request: HttpRequest) -> dict[str, str]:
    """The board's window and page as the request names them, cleaned (kept across a
    mark-as-met: the user returns to the page the deadline was on)."""
    query = {}
    window = selectors.board_window(request.GET.get("vis"))
    if window != selectors.BoardWindow.CURRENT:
        query["vis"] = window.value
    side = request.GET.get("side", "")
    if side.isdecimal() and len(side) <= MAX_PAGE_DIGITS:
        query["side"] = side
    return query


@access.require(police_access.can_see_deadlines)
def deadline_board(request: HttpRequest) -> HttpResponse:
    return _render_board(request, forms.MetForm(initial={"met_on": timezone.localdate()}))


def _render_board(
    request: HttpRequest,
    met_form: forms.MetForm,
    status: int = 200,
    *,
    failed: Deadline | None = None,
) -> HttpResponse:
    """One page of the board: overdue deadlines and those due within a week first (the current
    window), later ones behind the "Senere frister" tab; both paginated. After a refused date,
    `failed` is the deadline it was typed for: the error above the board names it, and its row
    keeps the typed value beside its own error."""
    actor = actor_of(request)
    board = selectors.deadline_board(
        actor, window=selectors.board_window(request.GET.get("vis")), page=request.GET.get("side")
    )
    services.record_deadlines_viewed(
        actor_user=user_of(request),
        deadlines=[row.deadline for row in board.rows],
        page=board.page.number,
    )
    met_url = url_for_each("police:deadline_met")
    council_url = url_for_each("police:council_new")
    for row in board.rows:
        row.met_url = met_url(row.deadline.pk)
        row.council_url = council_url(row.deadline.pk)
    later = board.window == selectors.BoardWindow.LATER
    return render(
        request,
        "police/deadlines.html",
        {
            "rows": board.rows,
            "page": board.page,
            "windows": selectors.BoardWindow,
            "later": later,
            # The pagination's links keep the window; the met forms keep window and page.
            "page_query": urlencode({"vis": board.window.value}) if later else "",
            "query": urlencode(_board_query(request)),
            "councils": selectors.councils(actor),
            "can_call_council": police_access.can_call_network_council(actor),
            "met_form": met_form,
            "failed": failed,
            "failed_on_page": failed is not None
            and any(row.deadline.pk == failed.pk for row in board.rows),
            # The typed value goes back into the failed row's date input as typed.
            "failed_value": str(met_form.data.get("met_on", ""))[:MAX_DATE_INPUT]
            if failed is not None
            else "",
            "today": timezone.localdate(),
        },
        status=status,
    )


@require_POST
@access.require(police_access.can_meet_deadline)
def deadline_met(request: HttpRequest, pk: int) -> HttpResponse:
    deadline = police_access.get_deadline_for(actor_of(request), pk)
    form = forms.MetForm(request.POST, starts_on=deadline.starts_on)
    if form.is_valid():
        try:
            services.meet_deadline(
                actor_user=user_of(request), deadline=deadline, met_on=form.cleaned_data["met_on"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Fristen er markeret som overholdt."))
            back = reverse("police:deadlines")
            query = _board_query(request)
            return redirect(f"{back}?{urlencode(query)}" if query else back)
    return _render_board(request, form, status=400, failed=deadline)


@access.require(police_access.can_call_network_council)
def council_new(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    deadline = police_access.get_deadline_for(actor, pk)
    form = forms.CouncilForm(request.POST or None, members=authority_members(actor))
    if request.method == "POST" and form.is_valid():
        try:
            council = council_invitations.call_council(
                actor_user=user_of(request),
                deadline=deadline,
                place=form.cleaned_data["place"],
                **form.to_kwargs(),
            )
        except DomainError as error:
            _add_service_error(form, error)
        else:
            messages.success(request, _("Netværkssamrådet er indkaldt."))
            return redirect("police:council", pk=council.pk)
    return render(
        request,
        "police/council_form.html",
        {"deadline": deadline, "form": form},
        status=_form_status(request, form),
    )


def _invited_names(council: NetworkCouncil) -> list[str]:
    """Who is invited, as the council page lists them (no empty entries, no stray commas)."""
    names: list[str] = []
    if council.invited_young_person:
        names.append(council.young_person.full_name)
    if council.invited_custody_holders:
        names += [holder.name for holder in council.young_person.custody_holders.all()]
    names += [member.name for member in council.professionals.all()]
    if council.network:
        names.append(council.network)
    return [name for name in names if name]


@access.require(police_access.can_see_councils)
def council_detail(request: HttpRequest, pk: int) -> HttpResponse:
    council = police_access.get_council_for(actor_of(request), pk)
    services.record_council_viewed(actor_user=user_of(request), council=council)
    form = forms.HeldForm(request.POST or None, initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.record_council_held(
                actor_user=user_of(request), council=council, held_on=form.cleaned_data["held_on"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Netværkssamrådet er registreret som afholdt."))
            return redirect("police:council", pk=pk)
    return render(
        request,
        "police/council_detail.html",
        {
            "council": council,
            "form": form,
            "invited_names": _invited_names(council),
            "statute": deadlines.statute_for(DeadlineKind.NETWORK_COUNCIL),
            **council_views.invitation_context(request, council),
        },
        status=_form_status(request, form),
    )


@access.require(police_access.can_see_counts)
def concern_counts(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    table = selectors.published_counts(actor, selectors.concern_counts(actor))
    export = request.GET.get("format")
    if export == EXPORT_CSV:
        return file_response(
            exports.counts_csv(table),
            content_type=CSV,
            filename=f"{exports.COUNTS_FILENAME}.csv",
        )
    if export == EXPORT_XLSX:
        return file_response(
            exports.counts_xlsx(table),
            content_type=XLSX,
            filename=f"{exports.COUNTS_FILENAME}.xlsx",
        )
    return render(
        request,
        "police/counts.html",
        {
            "table": table,
            "rows": zip(table.row_labels, table.cells, strict=True),
            "exact": police_access.sees_exact_counts(actor),
        },
    )


@access.require(police_access.can_see_absence)
def absence(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    municipality = org_selectors.get_municipality_by_id(actor, actor.municipality_id)
    month, rows = selectors.worrying_absence(actor)
    absence_services.record_absence_viewed(actor_user=user_of(request), rows_shown=len(rows))
    return render(
        request,
        "police/absence.html",
        {
            "month": month,
            "rows": rows,
            "threshold": police_access.absence_threshold(municipality),
            "upload_form": (
                forms.UploadForm() if police_access.can_import_absence(actor) else None
            ),
        },
    )


@require_POST
@access.require(police_access.can_import_absence)
def absence_import(request: HttpRequest) -> HttpResponse:
    """The absence file is checked and queued; the job page shows its progress."""
    return _submit_upload(request, ImportKind.ABSENCE)


@access.require(police_access.can_see_absence)
def absence_concern(request: HttpRequest, pk: int) -> HttpResponse:
    """One click from worrying absence to the concern form, filled in (source: absence).

    The form posts back here: the pupil's CPR number comes from the record, not the page."""
    actor = actor_of(request)
    record = police_access.get_absence_record_for(actor, pk)
    municipality = org_selectors.get_municipality_by_id(actor, actor.municipality_id)
    form = forms.AbsenceConcernForm(
        request.POST or None,
        record=record,
        person=selectors.known_person(actor, record),
        units=org_selectors.units_of(municipality),
        districts=org_selectors.districts_of(municipality),
        case_levels=bool(municipality.rule("case_levels")),
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                concern = absence_services.raise_absence_concern(
                    actor_user=user_of(request), record=record, data=form.to_data()
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                return redirect("cases:concern_receipt", pk=concern.pk)
    else:
        absence_services.record_absence_record_viewed(actor_user=user_of(request), record=record)
    return render(request, "cases/concern_form.html", {"form": form})


@access.require(police_access.can_see_hot_spots)
def hot_spots(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    spots = list(selectors.hot_spots(actor))
    return render(
        request,
        "police/hot_spots.html",
        {
            "spots": spots,
            "can_edit": police_access.can_edit_hot_spots(actor),
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


@access.require(police_access.can_edit_hot_spots)
def hot_spot_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    actor = actor_of(request)
    spot = police_access.get_hot_spot_for(actor, pk) if pk else None
    concerns = selectors.place_concerns(actor)
    form: forms.HotSpotForm
    if spot is None:
        form = forms.HotSpotForm(
            request.POST or None, initial={"period_start": timezone.localdate()}, concerns=concerns
        )
    else:
        form = forms.HotSpotEditForm(
            request.POST or None, initial=forms.HotSpotEditForm.initial_for(spot), concerns=concerns
        )
    stored: list[tuple[str, object]] = []
    if request.method == "POST" and form.is_valid():
        try:
            saved = hot_spot_services.save_hot_spot(
                actor_user=user_of(request),
                hot_spot=spot,
                data=form.to_data(),
                expected_version=(
                    form.expected_version() if isinstance(form, forms.HotSpotEditForm) else None
                ),
            )
        except StaleEdit as stale:
            # Keep what the user typed, show what the other person saved, and let the next
            # save go against the version now stored.
            typed = request.POST.copy()
            typed["version"] = str(stale.version)
            form = forms.HotSpotEditForm(typed, concerns=concerns)
            form.is_valid()
            form.add_error(None, stale.message)
            stored = forms.HotSpotEditForm.stored_values(stale.current)
            status = stale.status_code
        except DomainError as error:
            form.add_error(None, error.message)
            status = error.status_code
        else:
            messages.success(request, _("Hot spottet er gemt."))
            return redirect("police:hot_spot", pk=saved.pk)
    else:
        status = _form_status(request, form)
    return render(
        request,
        "police/hot_spot_form.html",
        {"form": form, "spot": spot, "stored": stored},
        status=status,
    )


@access.require(police_access.can_see_hot_spots)
def hot_spot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    spot = police_access.get_hot_spot_for(actor, pk)
    return render(
        request,
        "police/hot_spot_detail.html",
        {
            "spot": spot,
            "concerns": selectors.linked_concerns(actor, spot),
            "can_edit": police_access.can_edit_hot_spots(actor),
        },
    )
