"""Pages for concerns, cases and young people. Thin: validate, look up with access, call the
service, render. Everything read here goes through cases/selectors.py (cases/access.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ssp import access
from ssp.cases import access as case_access
from ssp.cases import forms, pdf, selectors, services
from ssp.cases.models import CaseStatus, ConcernStatus, ConcernSubject, Level
from ssp.errors import DomainError
from ssp.organisation import selectors as org_selectors


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _actor(request: HttpRequest) -> access.Actor:
    return access.get_actor(request.user)


def _page(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("side", "1")))
    except ValueError:
        return 1


# --- Concerns ------------------------------------------------------------------------------


@access.require(case_access.can_raise_concern)
def concern_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    municipality = org_selectors.get_municipality_by_id(actor, actor.municipality_id)
    form = forms.ConcernForm(
        request.POST or None,
        units=org_selectors.units_of(municipality),
        districts=org_selectors.districts_of(municipality),
        case_levels=bool(municipality.rule("case_levels")),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = None
        if data["subject"] == ConcernSubject.PERSON:
            holders = []
            if data.get("parent_name"):
                holders.append(
                    services.CustodyHolderData(
                        name=data["parent_name"], phone=data.get("parent_phone", "")
                    )
                )
            person = services.YoungPersonData(
                first_name=data["first_name"],
                last_name=data["last_name"],
                cpr=data["cpr"],
                school=data.get("school"),
                class_name=data.get("class_name", ""),
                custody_holders=holders,
            )
        try:
            concern = services.raise_concern(
                actor_user=_user(request),
                data=services.ConcernData(
                    subject=data["subject"],
                    source=data["source"],
                    description=data["description"],
                    level=data["level"],
                    case_level=data.get("case_level"),
                    young_person=person,
                    group_size=data.get("group_size"),
                    group_age_min=data.get("group_age_min"),
                    group_age_max=data.get("group_age_max"),
                    place=data.get("place", ""),
                    school_district=data.get("school_district"),
                    worksheet=form.worksheet(),
                ),
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("cases:concern_receipt", pk=concern.pk)
    return render(request, "cases/concern_form.html", {"form": form})


@access.require(case_access.can_raise_concern)
def concern_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    concern = selectors.get_concern_for(_actor(request), pk)
    if concern.raised_by_id != request.user.pk:
        raise PermissionDenied
    return render(
        request,
        "cases/concern_receipt.html",
        {"concern": concern, "receivers": services.concern_receivers(concern)},
    )


@access.require(case_access.can_raise_concern)
def concern_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    status = request.GET.get("status", "")
    if status not in ConcernStatus.values:
        status = ""
    page = selectors.concerns_for(actor, status=status, page=_page(request))
    case_ids = set(case_access.visible_cases(actor).values_list("pk", flat=True))
    for concern in page.object_list:
        concern.person_name = concern.name_for(  # type: ignore[attr-defined]
            sees_register=case_access.sees_register_name(actor, concern, case_ids)
        )
    return render(
        request,
        "cases/concern_list.html",
        {
            "page": page,
            "status": status,
            "statuses": ConcernStatus.choices,
            "sees_incoming": access.is_ssp_staff(actor)
            or access.is_authority_employee(actor),
        },
    )


@access.require(case_access.can_raise_concern)
def concern_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    concern = selectors.get_concern_for(actor, pk)
    sees_register = case_access.sees_register_name(actor, concern)
    reporter_only = not sees_register
    if concern.young_person and sees_register:
        services.record_view(actor_user=_user(request), obj=concern, person=concern.young_person)
    context: dict[str, Any] = {
        "concern": concern,
        "reporter_only": reporter_only,
        "person_name": concern.name_for(sees_register=sees_register),
    }
    if case_access.can_route_concerns(actor) and sees_register:
        context["route_form"] = forms.RouteForm(
            fora=selectors.active_fora(actor), initial={"forum": concern.forum_id}
        )
        context["open_form"] = forms.OpenCaseForm(
            fora=selectors.individual_fora(actor),
            initial={
                "forum": concern.forum_id,
                "level": concern.level if concern.level else Level.RED,
            },
        )
        context["drop_form"] = forms.DropForm()
    return render(request, "cases/concern_detail.html", context)


@require_POST
@access.require(case_access.can_route_concerns)
def concern_route(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    concern = selectors.get_concern_for(actor, pk)
    form = forms.RouteForm(request.POST, fora=selectors.active_fora(actor))
    if form.is_valid():
        services.route_concern(
            actor_user=_user(request), concern=concern, forum=form.cleaned_data["forum"]
        )
        messages.success(
            request,
            _("Bekymringen er sendt til %(forum)s.") % {"forum": form.cleaned_data["forum"]},
        )
    return redirect("cases:concern_detail", pk=pk)


@require_POST
@access.require(case_access.can_open_case)
def concern_drop(request: HttpRequest, pk: int) -> HttpResponse:
    concern = selectors.get_concern_for(_actor(request), pk)
    form = forms.DropForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    services.drop_concern(actor_user=_user(request), concern=concern, note=note)
    messages.success(request, _("Bekymringen er henlagt."))
    return redirect("cases:concern_detail", pk=pk)


@require_POST
@access.require(case_access.can_open_case)
def case_open(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    concern = selectors.get_concern_for(actor, pk)
    form = forms.OpenCaseForm(request.POST, fora=selectors.individual_fora(actor))
    if not form.is_valid():
        raise DomainError(_("Vælg niveau og det forum, der skal behandle sagen."))
    case = services.open_case(
        actor_user=_user(request),
        concerns=[concern],
        level=form.cleaned_data["level"],
        forum=form.cleaned_data["forum"],
        case_level=concern.case_level,
    )
    messages.success(request, _("Sagen er oprettet."))
    return redirect("cases:case_detail", pk=case.pk)


# --- Cases ---------------------------------------------------------------------------------


@access.require(access.can_see_personal_data)
def case_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", CaseStatus.OPEN)
    actor = _actor(request)
    q = "" if actor.is_police else request.GET.get("q", "").strip()[:100]
    return render(
        request,
        "cases/case_list.html",
        {
            "page": selectors.cases_for(actor, status=status, page=_page(request), q=q),
            "q": q,
            "can_search": not actor.is_police,
            "status": status,
        },
    )


def _case_context(request: HttpRequest, case: Any) -> dict[str, Any]:
    actor = _actor(request)
    detail = selectors.case_detail(case)
    members = selectors.members_of_municipality(actor)
    authority = selectors.authority_members(actor)
    return {
        "case": case,
        **detail,
        "is_staff": access.is_ssp_staff(actor),
        "today": timezone.localdate(),
        "is_police": actor.is_police,
        "can_see_cpr": case_access.can_see_full_cpr(actor),
        "task_form": forms.TaskForm(members=members),
        "consent_form": forms.ConsentRecordForm(holders=detail["custody_holders"]),
        "disclosure_form": forms.DisclosureForm(
            members=authority, bases=selectors.legal_bases(actor, case)
        ),
        "adhoc_form": forms.AdhocGroupForm(members=authority),
        "escalate_form": forms.EscalateForm(fora=selectors.individual_fora(actor)),
    }


@access.require(access.can_see_personal_data)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.get_case_for(_actor(request), pk)
    services.record_view(actor_user=_user(request), obj=case, person=case.young_person)
    return render(request, "cases/case_detail.html", _case_context(request, case))


@access.require(access.can_see_personal_data)
def agreement_new(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    case = selectors.get_case_for(actor, pk)
    form = forms.AgreementForm(
        request.POST or None, members=selectors.members_of_municipality(actor)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        tasks = []
        if data.get("task_description"):
            tasks.append(
                services.TaskData(
                    owner=data["task_owner"],
                    description=data["task_description"],
                    due_date=data["task_due_date"],
                )
            )
        try:
            result = services.make_action_agreement(
                actor_user=_user(request),
                case=case,
                first_action=data["first_action"],
                coordinator=data["coordinator"],
                contact_person=data["contact_person"],
                follow_up_date=data["follow_up_date"],
                participants=list(data["participants"]),
                tasks=tasks,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Handlingsaftalen er registreret, og formanden for SSP-teamet har fået besked."),
            )
            for warning in result.warnings:
                messages.warning(request, warning)
            return redirect("cases:case_detail", pk=case.pk)
    return render(request, "cases/agreement_form.html", {"case": case, "form": form})


@access.require(access.can_see_personal_data)
def agreement_pdf(request: HttpRequest, pk: int, agreement: int) -> HttpResponse:
    the_agreement = selectors.get_agreement_for(_actor(request), pk, agreement)
    content = pdf.render_agreement(request=request, agreement=the_agreement)
    services.record_pdf(actor_user=_user(request), agreement=the_agreement)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="handlingsaftale-{the_agreement.pk}.pdf"'
    )
    return response


def _case_post(request: HttpRequest, pk: int) -> Any:
    return selectors.get_case_for(_actor(request), pk)


@require_POST
@access.require(access.can_see_personal_data)
def task_new(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_post(request, pk)
    form = forms.TaskForm(request.POST, members=selectors.members_of_municipality(_actor(request)))
    if not form.is_valid():
        raise DomainError(_("Opgaven mangler tekst, ansvarlig eller frist."))
    services.add_task(
        actor_user=_user(request), case=case, data=services.TaskData(**form.cleaned_data)
    )
    messages.success(request, _("Opgaven er oprettet."))
    return redirect("cases:case_detail", pk=pk)


@require_POST
@access.require(access.can_see_personal_data)
def task_done(request: HttpRequest, pk: int, task: int) -> HttpResponse:
    the_task = selectors.get_task_for(_actor(request), pk, task)
    services.complete_task(actor_user=_user(request), task=the_task)
    messages.success(request, _("Opgaven er markeret som udført."))
    if request.POST.get("next") == "home":
        return redirect("home")
    return redirect("cases:case_detail", pk=pk)


@require_POST
@access.require(access.can_see_personal_data)
def consent_new(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_post(request, pk)
    holders = list(case.young_person.custody_holders.all())
    form = forms.ConsentRecordForm(request.POST, holders=holders)
    if not form.is_valid():
        raise DomainError(_("Samtykket mangler oplysninger: hvem, form, dato og omfang."))
    data = form.cleaned_data
    holder = next((h for h in holders if str(h.pk) == data["given_by"]), None)
    services.record_consent(
        actor_user=_user(request),
        case=case,
        form=data["form"],
        given_on=data["given_on"],
        scope=data["scope"],
        custody_holder=holder,
        by_young_person=data["given_by"] == "young",
        refused=data["refused"],
    )
    messages.success(request, _("Samtykket er registreret."))
    return redirect("cases:case_detail", pk=pk)


@require_POST
@access.require(access.can_see_personal_data)
def consent_withdraw(request: HttpRequest, pk: int, consent: int) -> HttpResponse:
    the_consent = selectors.get_consent_for(_actor(request), pk, consent)
    services.withdraw_consent(
        actor_user=_user(request), consent=the_consent, withdrawn_on=timezone.localdate()
    )
    messages.success(request, _("Samtykket er registreret som tilbagekaldt."))
    return redirect("cases:case_detail", pk=pk)


@require_POST
@access.require(access.can_see_personal_data)
def disclosure_new(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    case = _case_post(request, pk)
    form = forms.DisclosureForm(
        request.POST,
        members=selectors.authority_members(actor),
        bases=selectors.legal_bases(actor, case),
    )
    if not form.is_valid():
        raise DomainError(
            _(
                "Videregivelsen mangler oplysninger: "
                "hjemmel, formål, oplysninger, giver og modtagere."
            )
        )
    data = form.cleaned_data
    services.record_disclosure(
        actor_user=_user(request),
        case=case,
        legal_basis=data["legal_basis"],
        purpose=data["purpose"],
        information=data["information"],
        given_by=data["given_by"],
        receivers=list(data["receivers"]),
        disclosed_on=data["disclosed_on"],
    )
    messages.success(request, _("Videregivelsen er registreret."))
    return redirect("cases:case_detail", pk=pk)


@require_POST
@access.require(case_access.can_open_case)
def adhoc_new(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    case = _case_post(request, pk)
    form = forms.AdhocGroupForm(request.POST, members=selectors.authority_members(actor))
    if not form.is_valid():
        raise DomainError(_("Vælg medlemmerne af handlegruppen."))
    services.create_adhoc_group(
        actor_user=_user(request), case=case, members=list(form.cleaned_data["members"])
    )
    messages.success(
        request,
        _(
            "Ad hoc handlegruppen er nedsat. "
            "Kun dens medlemmer og SSP-medarbejderne kan nu se sagen."
        ),
    )
    return redirect("cases:case_detail", pk=pk)


@require_POST
@access.require(case_access.can_open_case)
def case_escalate(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    case = _case_post(request, pk)
    form = forms.EscalateForm(request.POST, fora=selectors.individual_fora(actor))
    if not form.is_valid():
        raise DomainError(_("Vælg forum og skriv en begrundelse."))
    services.escalate_case(
        actor_user=_user(request),
        case=case,
        forum=form.cleaned_data["forum"],
        reason=form.cleaned_data["reason"],
    )
    messages.success(request, _("Sagen er sendt videre."))
    return redirect("cases:case_detail", pk=pk)


@access.require(case_access.can_open_case)
def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.get_case_for(_actor(request), pk)
    form = forms.CloseCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.close_case(actor_user=_user(request), case=case, **form.cleaned_data)
        messages.success(request, _("Sagen er afsluttet og evalueret."))
        return redirect("cases:case_detail", pk=pk)
    return render(request, "cases/case_close.html", {"case": case, "form": form})


# --- Young people --------------------------------------------------------------------------


@access.require(case_access.can_search_young_people)
def young_people(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = forms.SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results = selectors.search_young_people(actor, query)
    if query:
        services.record_search(actor_user=_user(request), query=query, hits=len(results))
    return render(
        request, "cases/young_people.html", {"form": form, "results": results, "query": query}
    )


@access.require(access.can_see_personal_data)
def young_person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    person = selectors.get_young_person_for(actor, pk)
    services.record_view(actor_user=_user(request), obj=person, person=person)
    return render(
        request,
        "cases/young_person.html",
        {
            "person": person,
            "cases": selectors.cases_of_young_person(actor, person),
            "can_see_cpr": case_access.can_see_full_cpr(actor),
        },
    )
