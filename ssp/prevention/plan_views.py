"""Pages of focus areas, annual plans and their activities (R7).

Everyone with a role in the municipality reads them (no personal data); SSP staff keep focus
areas; staff and the members of a plan's forum make and change plans and activities. Every
decision is an access function (`ssp/prevention/access.py`); the views parse, look up, call a
service or selector and render.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms as django_forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ssp import access, autocomplete
from ssp.access import Actor
from ssp.cases.selectors import members_of_municipality
from ssp.errors import DomainError
from ssp.forms import ForumPicker, MemberPicker
from ssp.http import actor_of, page_number, user_of
from ssp.meetings import access as meeting_access
from ssp.organisation import selectors as org_selectors
from ssp.prevention import access as prevention_access
from ssp.prevention import forms, selectors, services
from ssp.prevention.calendar import conflict_text
from ssp.prevention.models import Activity, AnnualPlan, FocusArea
from ssp.versioning import StaleEdit

INVALID = 400
# The forum search answers the focus-area form's picker with this parameter (`?til=fokus`),
# the plan form's without it.
FOCUS_AREA_SEARCH = "fokus"


def _keep_on_form(form: django_forms.Form, error: DomainError) -> None:
    """The service's reason on the form: above it, and on each field it names."""
    form.add_error(None, error.message)
    if isinstance(error, services.PersonalDataFound):
        for name in error.fields:
            if name in form.fields:
                form.add_error(name, _("Fjern personoplysningerne her."))


# --- Focus areas ------------------------------------------------------------------------------


def _open_meetings(actor: Actor, areas: list[FocusArea]) -> set[int]:
    """The meetings where these areas were decided that the actor may open: only those are
    linked (the others are named with their date, never a link that answers 404)."""
    ids = {area.decided_item.meeting_id for area in areas if area.decided_item is not None}
    if not ids:
        return set()
    return set(
        meeting_access.visible_meetings(actor).filter(pk__in=ids).values_list("pk", flat=True)
    )


@access.require(prevention_access.can_see_prevention)
def focus_areas(request: HttpRequest) -> HttpResponse:
    """The municipality's focus areas, newest period first, decided or not."""
    actor = actor_of(request)
    page = selectors.focus_areas_page(actor, page_number(request))
    return render(
        request,
        "prevention/focus_areas.html",
        {
            "page": page,
            "focus_areas": list(page.object_list),
            "open_meetings": _open_meetings(actor, list(page.object_list)),
            "can_manage": prevention_access.can_manage_focus_areas(actor),
        },
    )


@access.require(prevention_access.can_see_prevention)
def focus_area_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    area = selectors.focus_area_detail(actor, pk)
    return render(
        request,
        "prevention/focus_area_detail.html",
        {
            "area": area,
            "activities": selectors.focus_area_activities(actor, area),
            "window": selectors.FOCUS_AREA_ACTIVITIES_WINDOW,
            "open_meetings": _open_meetings(actor, [area]),
            "can_manage": prevention_access.can_manage_focus_areas(actor),
        },
    )


def _focus_area_form(
    actor: Actor, data: Any = None, area: FocusArea | None = None
) -> forms.FocusAreaForm:
    choices: dict[str, Any] = {
        "fora": services.focus_area_fora(access.municipality_of(actor)),
        "fora_search": reverse("prevention:plan_forum_search")
        + "?"
        + urlencode({"til": FOCUS_AREA_SEARCH}),
    }
    if area is None:
        return forms.FocusAreaForm(data, **choices)
    return forms.FocusAreaEditForm(data, initial=forms.FocusAreaForm.initial_for(area), **choices)


@access.require(prevention_access.can_manage_focus_areas)
def focus_area_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create (`pk=None`) or change a focus area (SSP staff)."""
    actor = actor_of(request)
    area = prevention_access.get_focus_area_for(actor, pk, for_change=True) if pk else None
    form = _focus_area_form(actor, request.POST or None, area)
    status = 200
    if request.method == "POST" and not autocomplete.is_search_step(form):
        status = INVALID
        if form.is_valid():
            try:
                if isinstance(form, forms.FocusAreaEditForm) and area is not None:
                    saved = services.update_focus_area(
                        actor_user=user_of(request),
                        focus_area=area,
                        data=form.to_data(),
                        expected_version=form.expected_version(),
                    )
                else:
                    saved = services.create_focus_area(
                        actor_user=user_of(request), data=form.to_data(), token=form.token()
                    )
            except StaleEdit as stale:
                typed = request.POST.copy()
                typed["version"] = str(stale.version)
                form = _focus_area_form(actor, typed, area)
                form.is_valid()
                form.add_error(None, stale.message)
                status = stale.status_code
            except DomainError as error:
                _keep_on_form(form, error)
                status = error.status_code
            else:
                messages.success(request, _("Fokusområdet er gemt."))
                return redirect("prevention:focus_area", pk=saved.pk)
    return render(
        request,
        "prevention/focus_area_form.html",
        {"form": form, "area": area},
        status=status,
    )


# --- Annual plans -----------------------------------------------------------------------------


@access.require(prevention_access.can_see_prevention)
def plans(request: HttpRequest) -> HttpResponse:
    """The municipality's annual plans, filtered by school year and forum (a GET form)."""
    actor = actor_of(request)
    search = selectors.PlanFilter.from_values(
        year=request.GET.get("aar"), forum=request.GET.get("forum")
    )
    page = selectors.plans_page(actor, search, page_number(request))
    kept = {
        "aar": "" if search.school_year is None else search.school_year,
        "forum": "" if search.forum_id is None else search.forum_id,
    }
    return render(
        request,
        "prevention/plans.html",
        {
            "page": page,
            "plans": list(page.object_list),
            "search": search,
            "searched": any(value != "" for value in kept.values()),
            "school_years": [
                (year, services.school_year_label(year))
                for year in selectors.plan_school_years(actor)
            ],
            "fora": selectors.plan_filter_fora(actor),
            "page_query": urlencode({k: v for k, v in kept.items() if v != ""}),
            "can_make_plans": prevention_access.can_make_plans(actor),
        },
    )


def _plan_form(actor: Actor, data: Any = None) -> forms.PlanForm:
    return forms.PlanForm(
        data,
        initial={"school_year": services.current_school_year(), "copy_last": True},
        fora=prevention_access.plan_fora(actor).order_by("name"),
        fora_search=reverse("prevention:plan_forum_search"),
    )


@access.require(prevention_access.can_make_plans)
def plan_new(request: HttpRequest) -> HttpResponse:
    """A new annual plan for one of the actor's fora, by default a copy of last year's."""
    actor = actor_of(request)
    form = _plan_form(actor, request.POST or None)
    status = 200
    existing: AnnualPlan | None = None
    if request.method == "POST" and not autocomplete.is_search_step(form):
        status = INVALID
        if form.is_valid():
            try:
                plan = services.create_plan(
                    actor_user=user_of(request),
                    forum=form.cleaned_data["forum"],
                    school_year=form.cleaned_data["school_year"],
                    copy_last=bool(form.cleaned_data["copy_last"]),
                )
            except services.PlanExists as exists:
                form.add_error(None, exists.message)
                existing = exists.plan
                status = exists.status_code
            except DomainError as error:
                _keep_on_form(form, error)
                status = error.status_code
            else:
                messages.success(request, _("Årsplanen er oprettet."))
                return redirect("prevention:plan", pk=plan.pk)
    return render(
        request, "prevention/plan_form.html", {"form": form, "existing": existing}, status=status
    )


@access.require(prevention_access.can_see_prevention)
def forum_search(request: HttpRequest) -> HttpResponse:
    """The forum pickers' search: the plan form's (the actor's plan fora) or, with
    `?til=fokus`, the focus-area form's (the fora that set focus areas)."""
    actor = actor_of(request)
    if request.GET.get("til") == FOCUS_AREA_SEARCH:
        access.enforce(prevention_access.can_manage_focus_areas, actor)
        fora = services.focus_area_fora(access.municipality_of(actor))
    else:
        access.enforce(prevention_access.can_make_plans, actor)
        fora = prevention_access.plan_fora(actor)
    return autocomplete.search_response(request, ForumPicker(queryset=fora.order_by("name")))


@access.require(prevention_access.can_see_prevention)
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A plan: its facts, status and approval, and its activities by date (paginated)."""
    actor = actor_of(request)
    plan = selectors.plan_detail(actor, prevention_access.get_plan_for(actor, pk))
    page = selectors.plan_activities_page(actor, plan, page_number(request))
    return render(
        request,
        "prevention/plan_detail.html",
        {
            "plan": plan,
            "page": page,
            "activities": list(page.object_list),
            "can_change": prevention_access.can_change_plan(actor, plan),
        },
    )


# --- Activities -------------------------------------------------------------------------------


def _activity_form(
    actor: Actor, plan: AnnualPlan, data: Any = None, activity: Activity | None = None
) -> forms.ActivityForm:
    choices: dict[str, Any] = {
        "focus_areas": selectors.focus_areas_for_plan(
            actor, plan, activity.focus_area_id if activity else None
        ),
        "interventions": selectors.interventions_for_activities(
            actor, activity.intervention_id if activity else None
        ),
        "units": org_selectors.units_of(org_selectors.get_own_municipality(actor)),
        "members": members_of_municipality(actor),
        "search_urls": {
            "unit": reverse("prevention:plan_unit_search"),
            "responsible": reverse("prevention:plan_member_search"),
        },
    }
    if activity is None:
        return forms.ActivityForm(data, **choices)
    return forms.ActivityEditForm(data, initial=forms.ActivityForm.initial_for(activity), **choices)


@access.require(prevention_access.can_see_prevention)
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A new activity in plan `pk` (`prevention:activity_new`) or a change of activity `pk`
    (`prevention:activity_edit`): staff and the plan's forum's members."""
    actor = actor_of(request)
    activity: Activity | None = None
    if request.resolver_match is not None and request.resolver_match.url_name == "activity_new":
        plan = prevention_access.get_plan_for(actor, pk, for_change=True)
    else:
        activity = prevention_access.get_activity_for(actor, pk, for_change=True)
        plan = activity.plan
    form = _activity_form(actor, plan, request.POST or None, activity)
    status = 200
    conflicts: list[str] = []
    if request.method == "POST" and not autocomplete.is_search_step(form):
        status = INVALID
        if form.is_valid():
            try:
                if isinstance(form, forms.ActivityEditForm) and activity is not None:
                    saved = services.update_activity(
                        actor_user=user_of(request),
                        activity=activity,
                        data=form.to_data(),
                        expected_version=form.expected_version(),
                    )
                else:
                    saved = services.create_activity(
                        actor_user=user_of(request),
                        plan=plan,
                        data=form.to_data(),
                        token=form.token(),
                    )
            except StaleEdit as stale:
                typed = request.POST.copy()
                typed["version"] = str(stale.version)
                form = _activity_form(actor, plan, typed, activity)
                form.is_valid()
                form.add_error(None, stale.message)
                status = stale.status_code
            except services.DoubleBooking as double:
                form.add_error(None, double.message)
                conflicts = [conflict_text(conflict) for conflict in double.conflicts]
                status = double.status_code
            except DomainError as error:
                _keep_on_form(form, error)
                status = error.status_code
            else:
                messages.success(request, _("Aktiviteten er gemt."))
                return redirect("prevention:activity", pk=saved.pk)
    return render(
        request,
        "prevention/activity_form.html",
        {"form": form, "plan": plan, "activity": activity, "conflicts": conflicts},
        status=status,
    )


@access.require(prevention_access.can_see_prevention)
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    activity = selectors.activity_detail(actor, pk)
    return render(
        request,
        "prevention/activity_detail.html",
        {
            "activity": activity,
            "plan": activity.plan,
            "can_change": prevention_access.can_change_plan(actor, activity.plan),
        },
    )


@require_POST
@access.require(prevention_access.can_see_prevention)
def activity_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a planned activity done (a button on its page; a second click changes nothing)."""
    activity = prevention_access.get_activity_for(actor_of(request), pk, for_change=True)
    services.mark_done(actor_user=user_of(request), activity=activity)
    messages.success(request, _("Aktiviteten er markeret som gennemført."))
    return redirect("prevention:activity", pk=activity.pk)


@access.require(prevention_access.can_see_prevention)
def activity_evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    """The evaluation of a done activity: how many were reached, what worked, what next."""
    activity = prevention_access.get_activity_for(actor_of(request), pk, for_change=True)
    initial = {
        "reached": activity.reached,
        "what_worked": activity.what_worked,
        "what_next": activity.what_next,
        "version": activity.version,
    }
    form = forms.EvaluationForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = INVALID
        if form.is_valid():
            try:
                services.evaluate(
                    actor_user=user_of(request),
                    activity=activity,
                    reached=form.cleaned_data["reached"],
                    what_worked=form.cleaned_data["what_worked"],
                    what_next=form.cleaned_data["what_next"],
                    expected_version=form.expected_version(),
                )
            except DomainError as error:
                _keep_on_form(form, error)
                status = error.status_code
            else:
                messages.success(request, _("Evalueringen er gemt."))
                return redirect("prevention:activity", pk=activity.pk)
    return render(
        request,
        "prevention/activity_evaluate.html",
        {"form": form, "activity": activity},
        status=status,
    )


@access.require(prevention_access.can_make_plans)
def member_search(request: HttpRequest) -> HttpResponse:
    """The activity form's responsible picker: the municipality's members."""
    picker = MemberPicker(queryset=members_of_municipality(actor_of(request)))
    return autocomplete.search_response(request, picker)


@access.require(prevention_access.can_make_plans)
def unit_search(request: HttpRequest) -> HttpResponse:
    """The activity form's school-or-place picker: the municipality's units."""
    municipality = org_selectors.get_own_municipality(actor_of(request))
    picker = forms.UnitPicker(queryset=org_selectors.units_of(municipality))
    return autocomplete.search_response(request, picker)
