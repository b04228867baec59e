"""Pages for concerns, cases and young people. Thin: validate, look up with access, call the
service, render. Every access decision is made in cases/access.py; reads go through
cases/selectors.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ssp import access, autocomplete
from ssp.access import Actor
from ssp.cases import access as case_access
from ssp.cases import adhoc, forms, identity, identity_forms, pdf, receipt, selectors, services
from ssp.cases.models import (
    Case,
    CaseStatus,
    Concern,
    ConcernStatus,
    Level,
    Outcome,
    YoungPerson,
    sector_labels,
)
from ssp.choices import choice_label
from ssp.errors import DomainError
from ssp.forms import ForumPicker, MemberPicker, MembersPicker
from ssp.http import PDF, actor_of, file_response, page_number, url_for_each, user_of
from ssp.organisation import configuration
from ssp.organisation import selectors as org_selectors
from ssp.prevention import from_concern
from ssp.prevention.models import ActivityKind
from ssp.prevention.services import PersonalDataFound
from ssp.prevention.usage import intervention_choices
from ssp.validation import clean_search
from ssp.versioning import StaleEdit

# The case list's filter for "every status".
ALL_STATUSES = "all"
# The young people list's filter "Mangler CPR" (issue 15).
MISSING_CPR = "mangler_cpr"
# A form that fails is shown again with what the user typed: 400, or 409 when somebody else
# saved first (ssp/versioning.py).
INVALID = 400


def _status_of(error: DomainError | None) -> int:
    return error.status_code if error is not None else INVALID


def _keep_on_form(form: django_forms.Form, error: DomainError) -> None:
    """The service's reason on the form the user is on (never the dead-end error page)."""
    form.add_error(None, error.message)


# --- Concerns ------------------------------------------------------------------------------


@access.require(case_access.can_raise_concern)
def concern_new(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    municipality = org_selectors.get_municipality_by_id(actor, actor.municipality_id)
    form = forms.ConcernForm(
        request.POST or None,
        units=org_selectors.units_of(municipality),
        districts=org_selectors.districts_of(municipality),
        case_levels=bool(municipality.rule("case_levels")),
        interventions=intervention_choices(actor),
        risk_help=configuration.risk_factor_help(municipality),
        municipality=municipality,
    )
    if request.method == "POST" and form.is_valid():
        try:
            concern = services.raise_concern(actor_user=user_of(request), data=form.to_data())
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("cases:concern_receipt", pk=concern.pk)
    return render(
        request, "cases/concern_form.html", {"form": form, "guide_slug": municipality.slug}
    )


@access.require(case_access.can_raise_concern)
def concern_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    concern = case_access.get_receipt_concern_for(actor_of(request), pk)
    return render(
        request,
        "cases/concern_receipt.html",
        {
            "concern": concern,
            "receivers": services.concern_receivers(concern),
            # Issue 15: the receipt names a meeting only when one is planned for the concern.
            "meeting": receipt.planned_meeting(concern),
        },
    )


@access.require(case_access.can_raise_concern)
def concern_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    status = request.GET.get("status", "")
    if status not in ConcernStatus.values:
        status = ""
    page = selectors.concerns_for(actor, status=status, page=page_number(request))
    return render(
        request,
        "cases/concern_list.html",
        {
            "page": page,
            "rows": selectors.concern_rows(actor, page.object_list),
            "status": status,
            "statuses": ConcernStatus.choices,
            "awaiting_decision": ConcernStatus.AWAITING_DECISION,
            "sees_incoming": case_access.can_see_incoming_concerns(actor),
        },
    )


def _concern_page(
    request: HttpRequest,
    pk: int,
    *,
    failed: dict[str, django_forms.Form] | None = None,
    error: DomainError | None = None,
    searching: bool = False,
) -> HttpResponse:
    """The concern page; after a failed decision, with that form bound and its errors (400);
    after a no-JS search in a forum picker, with that form and the matches (200)."""
    actor = actor_of(request)
    concern = case_access.get_concern_for(actor, pk)
    sees_register = case_access.sees_register_name(actor, concern)
    if concern.young_person and sees_register:
        services.record_view(actor_user=user_of(request), obj=concern, person=concern.young_person)
    context: dict[str, Any] = {
        "concern": concern,
        "reporter_only": not sees_register,
        "person_name": concern.name_for(sees_register=sees_register),
    }
    if sees_register and case_access.can_route_concern(actor):
        context["route_form"] = _route_form(actor, initial={"forum": concern.forum_id})
    if sees_register and case_access.can_open_case(actor):
        context["open_form"] = _open_case_form(
            actor,
            initial={
                "forum": concern.forum_id,
                "level": concern.level if concern.level else Level.RED,
            },
        )
    if sees_register and case_access.can_drop_concern(actor):
        context["drop_form"] = forms.DropForm()
    if case_access.can_move_concern_to_prevention(actor) and services.may_become_activity(concern):
        context["may_become_activity"] = True
    if failed:
        context.update(failed)
    status = 200 if failed is None or searching else _status_of(error)
    return render(request, "cases/concern_detail.html", context, status=status)


def _route_form(actor: Actor, data: Any = None, **kwargs: Any) -> forms.RouteForm:
    return forms.RouteForm(
        data,
        fora=selectors.active_fora(actor),
        fora_search=reverse("cases:concern_fora_search"),
        auto_id="route_%s",
        **kwargs,
    )


def _open_case_form(actor: Actor, data: Any = None, **kwargs: Any) -> forms.OpenCaseForm:
    return forms.OpenCaseForm(
        data,
        fora=selectors.individual_fora(actor),
        fora_search=reverse("cases:case_fora_search"),
        auto_id="open_%s",
        **kwargs,
    )


@access.require(case_access.can_route_concern)
def concern_fora_search(request: HttpRequest) -> HttpResponse:
    """The forum picker of "Send til": the fora a concern may be sent to."""
    fora = selectors.active_fora(actor_of(request))
    return autocomplete.search_response(request, ForumPicker(queryset=fora))


@access.require(case_access.can_raise_concern)
def concern_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _concern_page(request, pk)


@require_POST
@access.require(case_access.can_route_concern)
def concern_route(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    concern = case_access.get_concern_for(actor, pk)
    form = _route_form(actor, request.POST)
    if autocomplete.is_search_step(form):
        return _concern_page(request, pk, failed={"route_form": form}, searching=True)
    if form.is_valid():
        try:
            services.route_concern(
                actor_user=user_of(request), concern=concern, forum=form.cleaned_data["forum"]
            )
        except DomainError as error:
            _keep_on_form(form, error)
            return _concern_page(request, pk, failed={"route_form": form}, error=error)
        messages.success(
            request,
            _("Bekymringen er sendt til %(forum)s.") % {"forum": form.cleaned_data["forum"]},
        )
        return redirect("cases:concern_detail", pk=pk)
    return _concern_page(request, pk, failed={"route_form": form})


@require_POST
@access.require(case_access.can_drop_concern)
def concern_drop(request: HttpRequest, pk: int) -> HttpResponse:
    concern = case_access.get_concern_for(actor_of(request), pk)
    form = forms.DropForm(request.POST)
    if form.is_valid():
        try:
            services.drop_concern(
                actor_user=user_of(request), concern=concern, note=form.cleaned_data["note"]
            )
        except DomainError as error:
            _keep_on_form(form, error)
            return _concern_page(request, pk, failed={"drop_form": form}, error=error)
        messages.success(request, _("Bekymringen er henlagt."))
        return redirect("cases:concern_detail", pk=pk)
    return _concern_page(request, pk, failed={"drop_form": form})


@require_POST
@access.require(case_access.can_open_case)
def case_open(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    concern = case_access.get_concern_for(actor, pk)
    form = _open_case_form(actor, request.POST)
    if autocomplete.is_search_step(form):
        return _concern_page(request, pk, failed={"open_form": form}, searching=True)
    if form.is_valid():
        try:
            case = services.open_case(
                actor_user=user_of(request),
                concerns=[concern],
                level=form.cleaned_data["level"],
                forum=form.cleaned_data["forum"],
                case_level=concern.case_level,
            )
        except DomainError as error:
            _keep_on_form(form, error)
            return _concern_page(request, pk, failed={"open_form": form}, error=error)
        messages.success(request, _("Sagen er oprettet."))
        return redirect("cases:case_detail", pk=case.pk)
    return _concern_page(request, pk, failed={"open_form": form})


# --- Cases ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseListRow:
    """A row of the case list: the case with its link and level as text."""

    case: Case
    url: str
    level_label: str


@access.require(access.can_see_personal_data)
def case_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    status = request.GET.get("status", CaseStatus.OPEN)
    can_search = case_access.can_search_cases(actor)
    q = clean_search(request.GET.get("q", "")) if can_search else ""
    page = selectors.cases_for(actor, status=status, page=page_number(request), q=q)
    # One reverse for the page's links, and each level's label alone (issue 11).
    case_url = url_for_each("cases:case_detail")
    rows = [
        CaseListRow(case=case, url=case_url(case.pk), level_label=choice_label(Level, case.level))
        for case in page.object_list
    ]
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page,
            "rows": rows,
            "q": q,
            "can_search": can_search,
            "status": status,
            "open_status": CaseStatus.OPEN,
            "closed_status": CaseStatus.CLOSED,
            "all_statuses": ALL_STATUSES,
        },
    )


def _cpr_context(actor: Actor, person: YoungPerson, *, full_cpr: str = "") -> dict[str, Any]:
    """The CPR number as this actor may see it: masked unless "Vis CPR" was just asked for."""
    return {
        "cpr": full_cpr or case_access.cpr_display_for(actor, person),
        "cpr_shown": bool(full_cpr),
        "can_show_cpr": case_access.can_see_full_cpr(actor),
    }


# The consent form sits on the case page next to forms loaded on demand (the disclosure form
# also has "given_by"): its own ids keep the page's ids unique.
CONSENT_IDS = "consent_%s"


def _case_context(actor: Actor, case: Case) -> dict[str, Any]:
    """The case page: what the case holds and the consent form (its choices are the case's own
    custody holders). The forms that choose among people or fora load on demand from their own
    pages (`CASE_FORMS`), so the page does not grow with the municipality."""
    detail = selectors.case_detail(case)
    return {
        "case": case,
        **detail,
        **_cpr_context(actor, case.young_person),
        "today": timezone.localdate(),
        "shows_115_notice": case_access.shows_115_notice(actor),
        "can_set_up_adhoc_group": case_access.can_set_up_adhoc_group(actor),
        "can_escalate": case_access.can_escalate_case(actor),
        "can_close": case_access.can_close_case(actor),
        "level_form": (
            _level_form(case) if case_access.can_change_case_level(actor, case) else None
        ),
        "level_warnings": services.level_rule_warnings(case) if case.is_open else [],
        "completable_tasks": case_access.completable_task_ids(actor, case, detail["tasks"]),
        "consent_form": forms.ConsentRecordForm(
            holders=detail["custody_holders"], case=case, auto_id=CONSENT_IDS
        ),
        "consent_status": services.consent_status(
            case=case,
            consents=detail["consents"],
            holders=detail["custody_holders"],
            today=timezone.localdate(),
        ),
    }


def _case_page(
    request: HttpRequest,
    case: Case,
    *,
    failed: tuple[str, django_forms.Form] | None = None,
    error: DomainError | None = None,
) -> HttpResponse:
    """The case page (its view is audited); after a failed form, that form bound, with the
    user's text and the reason, opened where it sits on the page (400)."""
    actor = actor_of(request)
    services.record_view(actor_user=user_of(request), obj=case, person=case.young_person)
    context = _case_context(actor, case)
    status = 200
    if failed is not None:
        name, form = failed
        context[name] = form
        context["failed_form"] = name
        status = _status_of(error)
    return render(request, "cases/case_detail.html", context, status=status)


@access.require(access.can_see_personal_data)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_page(request, case_access.get_case_for(actor_of(request), pk))


@access.require(access.can_see_personal_data)
def agreement_new(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    case = case_access.get_case_for(actor, pk, for_change=True)
    form = forms.AgreementForm(
        request.POST or None,
        members=case_access.choosable_members(actor, case),
        members_search=_members_search(case),
        interventions=intervention_choices(actor),
    )
    status = 200
    if request.method == "POST" and not autocomplete.is_search_step(form):
        status = INVALID
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = services.make_action_agreement(
                    actor_user=user_of(request),
                    case=case,
                    first_action=data["first_action"],
                    coordinator=data["coordinator"],
                    contact_person=data["contact_person"],
                    follow_up_date=data["follow_up_date"],
                    participants=list(data["participants"]),
                    tasks=form.tasks(),
                )
            except DomainError as error:
                _keep_on_form(form, error)
                status = error.status_code
            else:
                if result.notified:
                    messages.success(
                        request,
                        _(
                            "Handlingsaftalen er registreret, og der er sendt en e-mail til "
                            "%(names)s fra SSP-teamet."
                        )
                        % {"names": get_text_list(result.notified, _("og"))},
                    )
                else:
                    messages.success(request, _("Handlingsaftalen er registreret."))
                    messages.warning(
                        request,
                        _(
                            "Ingen har fået besked: SSP-teamet har ingen formand eller "
                            "koordinator med en e-mailadresse."
                        ),
                    )
                for warning in result.warnings:
                    messages.warning(request, warning)
                return redirect("cases:case_detail", pk=case.pk)
    return render(request, "cases/agreement_form.html", {"case": case, "form": form}, status=status)


@access.require(access.can_see_personal_data)
def agreement_pdf(request: HttpRequest, pk: int, agreement: int) -> HttpResponse:
    the_agreement = case_access.get_agreement_for(actor_of(request), pk, agreement)
    content = pdf.render_agreement(request=request, agreement=the_agreement)
    services.record_pdf(actor_user=user_of(request), agreement=the_agreement)
    return file_response(
        content, content_type=PDF, filename=f"handlingsaftale-{the_agreement.pk}.pdf"
    )


# --- The case page's forms, each on its own page (and as a fragment the page loads) ---------


@dataclass(frozen=True)
class CaseForm:
    """One of the case page's forms that choose among people or fora."""

    key: str
    url_name: str
    title: str | Promise
    submit: str | Promise
    testid: str


TASK_FORM = CaseForm(
    "task_form",
    "cases:task_new",
    gettext_lazy("Ny opgave"),
    gettext_lazy("Opret opgave"),
    "task-form",
)
DISCLOSURE_FORM = CaseForm(
    "disclosure_form",
    "cases:disclosure_new",
    gettext_lazy("Registrér videregivelse"),
    gettext_lazy("Registrér videregivelse"),
    "disclosure-form",
)
ADHOC_FORM = CaseForm(
    "adhoc_form",
    "cases:adhoc_new",
    gettext_lazy("Nedsæt ad hoc handlegruppe"),
    gettext_lazy("Nedsæt handlegruppe"),
    "adhoc-form",
)
ESCALATE_FORM = CaseForm(
    "escalate_form",
    "cases:case_escalate",
    gettext_lazy("Send sagen til et andet forum"),
    gettext_lazy("Send videre"),
    "escalate-form",
)


def _members_search(case: Case) -> str:
    return reverse("cases:member_search", args=[case.pk])


def _case_form_page(
    request: HttpRequest,
    case: Case,
    which: CaseForm,
    form: django_forms.Form,
    *,
    status: int = 200,
) -> HttpResponse:
    """A case form on its own page, or (asked for by the case page with htmx) as a fragment.
    The page names the case by number only: it shows nothing about the young person."""
    template = (
        "cases/_case_form.html" if request.headers.get("HX-Request") else "cases/case_form.html"
    )
    context = {"case": case, "which": which, "form": form}
    return render(request, template, context, status=status)


def _task_form(actor: Actor, case: Case, data: Any = None) -> forms.TaskForm:
    return forms.TaskForm(
        data,
        members=case_access.choosable_members(actor, case),
        members_search=_members_search(case),
        interventions=intervention_choices(actor),
    )


@access.require(access.can_see_personal_data)
def member_search(request: HttpRequest, pk: int) -> HttpResponse:
    """The member pickers of a case's forms: the people who may be chosen in the case
    (`choosable_members`), for those who may add to it; 404 for anyone else."""
    actor = actor_of(request)
    case = case_access.get_case_for(actor, pk, for_change=True)
    members = case_access.choosable_members(actor, case)
    multiple = request.GET.get("multiple") == "1"
    field = MembersPicker(queryset=members) if multiple else MemberPicker(queryset=members)
    return autocomplete.search_response(request, field)


@access.require(case_access.can_choose_case_forum)
def case_fora_search(request: HttpRequest) -> HttpResponse:
    """The forum pickers of "Opret sag" and "Send sagen til": fora that handle individuals."""
    fora = selectors.individual_fora(actor_of(request))
    return autocomplete.search_response(request, ForumPicker(queryset=fora))


@access.require(access.can_see_personal_data)
def task_new(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    case = case_access.get_case_for(actor, pk, for_change=True)
    form = _task_form(actor, case, request.POST if request.method == "POST" else None)
    if request.method != "POST" or autocomplete.is_search_step(form):
        return _case_form_page(request, case, TASK_FORM, form)
    if not form.is_valid():
        return _case_form_page(request, case, TASK_FORM, form, status=INVALID)
    try:
        services.add_task(
            actor_user=user_of(request), case=case, data=form.to_data(), token=form.token()
        )
    except DomainError as error:
        _keep_on_form(form, error)
        return _case_form_page(request, case, TASK_FORM, form, status=error.status_code)
    messages.success(request, _("Opgaven er oprettet."))
    return redirect("cases:case_detail", pk=pk)


@require_POST
@access.require(access.can_see_personal_data)
def task_done(request: HttpRequest, pk: int, task: int) -> HttpResponse:
    """Only the task's owner or the case's coordinator (404 outside the case, 403 else)."""
    the_task = case_access.get_task_to_complete_for(actor_of(request), pk, task)
    services.complete_task(actor_user=user_of(request), task=the_task)
    messages.success(request, _("Opgaven er markeret som udført."))
    if request.POST.get("next") == "home":
        return redirect("home")
    return redirect("cases:case_detail", pk=pk)


@require_POST
@access.require(access.can_see_personal_data)
def consent_new(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_access.get_case_for(actor_of(request), pk, for_change=True)
    holders = list(case.young_person.custody_holders.all())
    form = forms.ConsentRecordForm(request.POST, holders=holders, case=case, auto_id=CONSENT_IDS)
    if not form.is_valid():
        return _case_page(request, case, failed=("consent_form", form))
    data = form.cleaned_data
    try:
        services.record_consent(
            actor_user=user_of(request),
            case=case,
            form=data["form"],
            given_on=data["given_on"],
            scope=data["scope"],
            custody_holder=form.custody_holder,
            by_young_person=form.by_young_person,
            refused=data["refused"],
            token=form.token(),
        )
    except DomainError as error:
        _keep_on_form(form, error)
        return _case_page(request, case, failed=("consent_form", form), error=error)
    messages.success(request, _("Samtykket er registreret."))
    return redirect("cases:case_detail", pk=pk)


@require_POST
@access.require(access.can_see_personal_data)
def consent_withdraw(request: HttpRequest, pk: int, consent: int) -> HttpResponse:
    the_consent = case_access.get_consent_for(actor_of(request), pk, consent)
    services.withdraw_consent(
        actor_user=user_of(request), consent=the_consent, withdrawn_on=timezone.localdate()
    )
    messages.success(request, _("Samtykket er registreret som tilbagekaldt."))
    return redirect("cases:case_detail", pk=pk)


def _disclosure_form(actor: Actor, case: Case, data: Any = None) -> forms.DisclosureForm:
    return forms.DisclosureForm(
        data,
        members=case_access.choosable_members(actor, case),
        bases=selectors.legal_bases(actor, case),
        members_search=_members_search(case),
    )


@access.require(access.can_see_personal_data)
def disclosure_new(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    case = case_access.get_case_for(actor, pk, for_change=True)
    form = _disclosure_form(actor, case, request.POST if request.method == "POST" else None)
    if request.method != "POST" or autocomplete.is_search_step(form):
        return _case_form_page(request, case, DISCLOSURE_FORM, form)
    if not form.is_valid():
        return _case_form_page(request, case, DISCLOSURE_FORM, form, status=INVALID)
    data = form.cleaned_data
    try:
        services.record_disclosure(
            actor_user=user_of(request),
            case=case,
            legal_basis=data["legal_basis"],
            purpose=data["purpose"],
            information=data["information"],
            given_by=data["given_by"],
            receivers=list(data["receivers"]),
            disclosed_on=data["disclosed_on"],
            token=form.token(),
        )
    except DomainError as error:
        _keep_on_form(form, error)
        return _case_form_page(request, case, DISCLOSURE_FORM, form, status=error.status_code)
    messages.success(request, _("Videregivelsen er registreret."))
    return redirect("cases:case_detail", pk=pk)


@access.require(case_access.can_set_up_adhoc_group)
def adhoc_new(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    case = case_access.get_case_for(actor, pk, for_change=True)
    form = forms.AdhocGroupForm(
        request.POST if request.method == "POST" else None,
        members=case_access.choosable_members(actor, case),
        members_search=_members_search(case),
    )
    if request.method != "POST" or autocomplete.is_search_step(form):
        return _case_form_page(request, case, ADHOC_FORM, form)
    if not form.is_valid():
        return _case_form_page(request, case, ADHOC_FORM, form, status=INVALID)
    try:
        adhoc.set_up_for_case(
            actor_user=user_of(request),
            case=case,
            members=list(form.cleaned_data["members"]),
            task=form.cleaned_data.get("task") or "",
            between_meetings=bool(form.cleaned_data.get("between_meetings")),
            token=form.token(),
        )
    except DomainError as error:
        _keep_on_form(form, error)
        return _case_form_page(request, case, ADHOC_FORM, form, status=error.status_code)
    messages.success(
        request,
        _(
            "Ad hoc handlegruppen er nedsat. "
            "Kun dens medlemmer og SSP-medarbejderne kan nu se sagen."
        ),
    )
    return redirect("cases:case_detail", pk=pk)


@access.require(case_access.can_escalate_case)
def case_escalate(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    case = case_access.get_case_for(actor, pk, for_change=True)
    form = forms.EscalateForm(
        request.POST if request.method == "POST" else None,
        fora=selectors.individual_fora(actor),
        fora_search=reverse("cases:case_fora_search"),
    )
    if request.method != "POST" or autocomplete.is_search_step(form):
        return _case_form_page(request, case, ESCALATE_FORM, form)
    if not form.is_valid():
        return _case_form_page(request, case, ESCALATE_FORM, form, status=INVALID)
    try:
        services.escalate_case(
            actor_user=user_of(request),
            case=case,
            forum=form.cleaned_data["forum"],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as error:
        _keep_on_form(form, error)
        return _case_form_page(request, case, ESCALATE_FORM, form, status=error.status_code)
    messages.success(request, _("Sagen er sendt videre."))
    return redirect("cases:case_detail", pk=pk)


@access.require(case_access.can_close_case)
def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    """The evaluation that closes a case. Of concurrent closes the first wins; the others stay
    on the form with their text, the reason (409) and the evaluation that was stored."""
    case = case_access.get_case_for(actor_of(request), pk, for_change=True)
    if request.method != "POST":
        form = forms.CloseCaseForm(initial={"version": case.version})
        return render(request, "cases/case_close.html", {"case": case, "form": form})
    data = request.POST.copy()
    form = forms.CloseCaseForm(data)
    context: dict[str, Any] = {"case": case, "form": form}
    status = INVALID
    if form.is_valid():
        try:
            services.close_case(
                actor_user=user_of(request),
                case=case,
                expected_version=form.expected_version(),
                **form.evaluation(),
            )
        except (StaleEdit, services.CaseAlreadyClosed) as error:
            _keep_on_form(form, error)
            context["stored"] = error.current
            context["stored_outcome"] = _outcome_label(error.current["evaluation_outcome"])
            context["stored_sectors"] = sector_labels(error.current["evaluation_sectors"])
            context["closed_meanwhile"] = isinstance(error, services.CaseAlreadyClosed)
            data["version"] = str(error.version)  # saving again builds on what is stored
            status = error.status_code
        except DomainError as error:
            _keep_on_form(form, error)
            status = error.status_code
        else:
            messages.success(request, _("Sagen er afsluttet og evalueret."))
            return redirect("cases:case_detail", pk=pk)
    return render(request, "cases/case_close.html", context, status=status)


def _outcome_label(value: str) -> str:
    return str(dict(Outcome.choices).get(value, value))


# --- Young people --------------------------------------------------------------------------


@access.require(case_access.can_search_young_people)
def young_people(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = forms.SearchForm(request.GET or None)
    query = clean_search(form.cleaned_data["q"]) if form.is_valid() else ""
    results = selectors.search_young_people(actor, query)
    if query:
        services.record_search(actor_user=user_of(request), query=query, hits=len(results))
    # Issue 15: "Mangler CPR", the young people named without a CPR number (a page at a time),
    # a listing of young people audited like the search.
    missing_cpr = request.GET.get(MISSING_CPR) == "1"
    page = identity.without_cpr(actor, page=page_number(request)) if missing_cpr else None
    if page is not None:
        services.record_search(
            actor_user=user_of(request),
            query="",
            hits=len(page.object_list),
            by=services.SEARCH_BY_MISSING_CPR,
        )
    return render(
        request,
        "cases/young_people.html",
        {
            "form": form,
            "results": results,
            "query": query,
            "missing_cpr": missing_cpr,
            "missing_param": MISSING_CPR,
            "page": page,
        },
    )


def _young_person_context(
    actor: Actor, person: YoungPerson, *, full_cpr: str = ""
) -> dict[str, Any]:
    living = person.anonymised_at is None
    return {
        "person": person,
        "cases": selectors.cases_of_young_person(actor, person),
        "concerns": identity.concerns_of(actor, person),
        "custody_holders": list(person.custody_holders.all()),
        "can_handle_subject_access": access.can_handle_subject_access(actor),
        # Issue 15: a person without a CPR number is completed, duplicates merged (SSP staff);
        # never an anonymised one (that would identify the anonymised records again).
        "can_complete_identity": identity.can_complete_identity(actor)
        and not person.has_cpr
        and living,
        "identity_form": identity_forms.CompleteIdentityForm(),
        "can_merge": identity.can_merge_young_people(actor) and living,
        "missing_cpr": not person.has_cpr and living,
        **_cpr_context(actor, person, full_cpr=full_cpr),
    }


@access.require(access.can_see_personal_data)
def young_person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    person = case_access.get_young_person_for(actor, pk)
    services.record_view(actor_user=user_of(request), obj=person, person=person)
    return render(request, "cases/young_person.html", _young_person_context(actor, person))


@require_POST
def young_person_cpr(request: HttpRequest, pk: int) -> HttpResponse:
    """The full CPR number ("Vis CPR"), on an explicit request that is audited; others 404."""
    actor = actor_of(request)
    person = case_access.get_young_person_for_full_cpr(actor, pk)
    full_cpr = services.show_full_cpr(actor_user=user_of(request), person=person)
    if request.headers.get("HX-Request"):
        return render(
            request,
            "cases/_cpr.html",
            {"person": person, **_cpr_context(actor, person, full_cpr=full_cpr)},
        )
    return render(
        request, "cases/young_person.html", _young_person_context(actor, person, full_cpr=full_cpr)
    )


# --- Ad hoc action groups (R1, R3; Høje-Taastrup) -----------------------------------------------


@access.require(case_access.can_see_adhoc_groups)
def adhoc_list(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    return render(
        request,
        "cases/adhoc_list.html",
        {
            "groups": adhoc.groups_for(actor),
            "can_set_up": case_access.can_open_adhoc_set_up(actor),
        },
    )


def _set_up_form(actor: Actor, data: Any = None) -> forms.AdhocSetUpForm:
    return forms.AdhocSetUpForm(
        data,
        parents=case_access.adhoc_parent_fora(actor),
        cases=adhoc.person_cases(actor),
        members=adhoc.selectable_members(actor),
        search_urls={
            "parent": reverse("cases:adhoc_fora_search"),
            "case": reverse("cases:adhoc_case_search"),
            "members": reverse("cases:adhoc_member_search"),
        },
        case_names_searchable=case_access.can_search_cases(actor),
        initial={"parent": _parent_initial(actor)},
    )


@access.require(case_access.can_open_adhoc_set_up)
def adhoc_fora_search(request: HttpRequest) -> HttpResponse:
    """The set-up form's forum picker: the fora the actor may set up a group from."""
    form = _set_up_form(actor_of(request))
    return autocomplete.search_response(request, _picker(form, "parent"))


@access.require(case_access.can_open_adhoc_set_up)
def adhoc_case_search(request: HttpRequest) -> HttpResponse:
    """The set-up form's case picker: by number, or by name for those who may search cases."""
    form = _set_up_form(actor_of(request))
    return autocomplete.search_response(request, _picker(form, "case"))


@access.require(case_access.can_open_adhoc_set_up)
def adhoc_member_search(request: HttpRequest) -> HttpResponse:
    """The set-up form's member picker: SSP staff and employees of the municipality."""
    form = _set_up_form(actor_of(request))
    return autocomplete.search_response(request, _picker(form, "members"))


def _picker(form: django_forms.Form, name: str) -> autocomplete.AutocompleteMixin:
    """The form's own picker, so that a search endpoint searches what the form accepts."""
    field = form.fields[name]
    if not isinstance(field, autocomplete.AutocompleteMixin):
        raise TypeError(f"{name} is not a picker")
    return field


def _parent_initial(actor: Actor) -> int | None:
    """The one forum an actor may set up from (a chair of one forum) is chosen already."""
    fora = list(case_access.adhoc_parent_fora(actor).values_list("pk", flat=True)[:2])
    return fora[0] if len(fora) == 1 else None


@access.require(case_access.can_open_adhoc_set_up)
def adhoc_set_up(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    form = _set_up_form(actor, request.POST or None)
    status = 200
    if request.method == "POST" and not autocomplete.is_search_step(form):
        status = INVALID
        if form.is_valid():
            data = form.cleaned_data
            try:
                group = adhoc.set_up_adhoc_group(
                    actor_user=user_of(request),
                    parent=data["parent"],
                    subject=data["subject"],
                    task=data["task"],
                    members=list(data["members"]),
                    between_meetings=bool(data.get("between_meetings")),
                    case=data.get("case"),
                    token=form.token(),
                )
            except DomainError as error:
                _keep_on_form(form, error)
                status = error.status_code
            else:
                messages.success(request, _("Ad hoc handlegruppen er nedsat."))
                return redirect("cases:adhoc_detail", group=group.pk)
    return render(request, "cases/adhoc_form.html", {"form": form}, status=status)


def _group_page(
    request: HttpRequest,
    group_id: int,
    *,
    form: forms.AdhocDissolveForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = actor_of(request)
    group = case_access.get_adhoc_group_for(actor, group_id)
    adhoc.record_group_view(actor_user=user_of(request), group=group)
    can_dissolve = case_access.can_dissolve_adhoc_group(actor, group)
    return render(
        request,
        "cases/adhoc_detail.html",
        {
            "group": group,
            "detail": adhoc.group_detail(actor, group),
            "subject_label": adhoc.subject_label(group.adhoc_subject),
            "can_dissolve": can_dissolve and group.is_active,
            "dissolve_form": form or forms.AdhocDissolveForm(),
            "failed": form is not None,
        },
        status=status,
    )


@access.require(case_access.can_see_adhoc_groups)
def adhoc_detail(request: HttpRequest, group: int) -> HttpResponse:
    return _group_page(request, group)


@require_POST
@access.require(case_access.can_see_adhoc_groups)
def adhoc_dissolve(request: HttpRequest, group: int) -> HttpResponse:
    actor = actor_of(request)
    found = case_access.get_adhoc_group_for(actor, group, for_dissolve=True)
    form = forms.AdhocDissolveForm(request.POST)
    if not form.is_valid():
        return _group_page(request, group, form=form, status=INVALID)
    try:
        adhoc.dissolve_adhoc_group(
            actor_user=user_of(request), group=found, result=form.cleaned_data["result"]
        )
    except DomainError as error:
        _keep_on_form(form, error)
        return _group_page(request, group, form=form, status=error.status_code)
    messages.success(
        request,
        _(
            "Ad hoc handlegruppen er opløst. Resultatet vises på det overordnede forums næste "
            "dagsorden."
        ),
    )
    return redirect("cases:adhoc_detail", group=group)


# --- Case levels and general prevention (issue 16) --------------------------------------------


def _level_form(case: Case, data: Any = None) -> forms.CaseLevelForm:
    return forms.CaseLevelForm(
        data,
        case_levels=bool(case.municipality.rule("case_levels")),
        initial={"version": case.version, "level": case.level, "case_level": case.case_level},
        auto_id="level_%s",
    )


@access.require(case_access.can_raise_concern)
def case_level(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an open case's level with a reason (SSP staff and the case's coordinator). A
    failed or stale change stays on the form with the user's reason (400/409); a level rule
    the case's coordinator no longer meets is shown as a warning (the change is saved)."""
    actor = actor_of(request)
    case = case_access.get_case_for_level_change(actor, pk)
    if request.method != "POST":
        return _level_page(request, case, _level_form(case))
    data = request.POST.copy()
    form = _level_form(case, data)
    if not form.is_valid():
        return _level_page(request, case, form, status=INVALID)
    try:
        result = services.change_case_level(actor_user=user_of(request), case=case, **form.change())
    except StaleEdit as error:
        _keep_on_form(form, error)
        data["version"] = str(error.version)  # saving again builds on what is stored
        return _level_page(request, case, form, stored=error.current, status=error.status_code)
    except DomainError as error:
        _keep_on_form(form, error)
        return _level_page(request, case, form, status=error.status_code)
    if result.change is None:
        messages.info(request, _("Niveauændringen var allerede gemt."))
    else:
        messages.success(request, _("Sagens niveau er ændret."))
    for warning in result.warnings:
        messages.warning(request, warning)
    return redirect("cases:case_detail", pk=pk)


def _level_page(
    request: HttpRequest,
    case: Case,
    form: forms.CaseLevelForm,
    *,
    stored: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The level form on its own page; it names the case by number only."""
    context: dict[str, Any] = {"case": case, "form": form}
    if stored is not None:
        level = str(stored.get("level", ""))
        context["stored_level"] = dict(Level.choices).get(level, level)
        context["stored_case_level"] = stored.get("case_level")
    return render(request, "cases/case_level.html", context, status=status)


def _prevention_form(
    actor: Actor, concern: Concern, data: Any = None
) -> forms.ConcernToPreventionForm:
    plans = from_concern.plan_choices(actor)
    initial: dict[str, Any] = {}
    if data is None:
        suggestion = from_concern.suggestion_for(concern)
        plan = from_concern.default_plan(plans, concern.municipality, concern)
        today = timezone.localdate()
        initial = {
            "plan": plan.pk if plan is not None else None,
            "title": suggestion.title,
            "goal": suggestion.goal,
            "target_group": suggestion.target_group,
            "place": suggestion.place,
            "kind": ActivityKind.OUTREACH,
            "starts_on": today,
            "ends_on": today,
        }
    return forms.ConcernToPreventionForm(data, plans=plans, initial=initial)


def _prevention_page(
    request: HttpRequest,
    concern: Concern,
    form: forms.ConcernToPreventionForm,
    *,
    status: int = 200,
) -> HttpResponse:
    plan_field = form.fields["plan"]
    has_plans = isinstance(plan_field, django_forms.ModelChoiceField) and bool(
        plan_field.queryset is not None and plan_field.queryset.exists()
    )
    return render(
        request,
        "cases/concern_prevention.html",
        {"concern": concern, "form": form, "has_plans": has_plans},
        status=status,
    )


@access.require(case_access.can_move_concern_to_prevention)
def concern_to_prevention(request: HttpRequest, pk: int) -> HttpResponse:
    """A general concern about a group or a place becomes an activity in the prevention plan
    (SSP staff). Twice is once: the second post finds the activity the first made."""
    actor = actor_of(request)
    concern = case_access.get_concern_for(actor, pk)
    if concern.activity_id is None and not services.may_become_activity(concern):
        messages.error(
            request,
            _(
                "Kun en bekymring om en gruppe eller et sted, der ikke er afgjort, kan blive en "
                "aktivitet i forebyggelsesplanen."
            ),
        )
        return redirect("cases:concern_detail", pk=pk)
    if request.method != "POST":
        if concern.activity_id is not None:
            messages.info(request, _("Bekymringen er allerede en aktivitet i forebyggelsesplanen."))
            return redirect("cases:concern_detail", pk=pk)
        return _prevention_page(request, concern, _prevention_form(actor, concern))
    form = _prevention_form(actor, concern, request.POST)
    if not form.is_valid():
        return _prevention_page(request, concern, form, status=INVALID)
    try:
        from_concern.move_concern_to_prevention(
            actor_user=user_of(request),
            concern=concern,
            plan=form.cleaned_data["plan"],
            data=form.activity_data(),
            token=form.token(),
        )
    except PersonalDataFound as error:
        for name in error.fields:
            if name in form.fields:
                form.add_error(name, _("Fjern personoplysningerne."))
        _keep_on_form(form, error)
        return _prevention_page(request, concern, form, status=error.status_code)
    except DomainError as error:
        _keep_on_form(form, error)
        return _prevention_page(request, concern, form, status=error.status_code)
    messages.success(
        request, _("Bekymringen er nu en aktivitet i forebyggelsesplanen. Ret den i årsplanen.")
    )
    return redirect("cases:concern_detail", pk=pk)
