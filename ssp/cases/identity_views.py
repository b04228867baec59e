"""Issue 15: pages that complete a young person's identity and merge two registrations (SSP
staff). Thin: validate, look up with the access rules, call the service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ssp import access, autocomplete
from ssp.access import Actor
from ssp.cases import identity, identity_forms, services
from ssp.cases.models import YoungPerson
from ssp.errors import DomainError
from ssp.http import actor_of, user_of
from ssp.validation import clean_search

INVALID = 400
# The confirmation step's button: present when the user confirmed the merge.
CONFIRM = "confirm"


def _already_merged() -> str:
    return _("De to registreringer er allerede lagt sammen. Her er den samlede.")


def _merged_away_message() -> str:
    return _(
        "Den unge er lagt sammen med en anden registrering. Her er den samlede: tilføj "
        "CPR-nummeret her, hvis det mangler."
    )


def _merged_away(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    """ "Tilføj CPR-nummer" for a person merged away (by a colleague, since the page was
    opened): to the survivor with a message, else the 404 of a person that does not exist."""
    survivor_id = identity.merged_into(actor.municipality_id or 0, pk)
    if survivor_id is None:
        raise Http404
    survivor = identity.get_person_to_complete(actor, survivor_id)
    messages.info(request, _merged_away_message())
    return redirect("cases:young_person", pk=survivor.pk)


def _record_name_search(request: HttpRequest, field: Any, query: str) -> None:
    """The picker's search by name is audited like the search of the young people (`/unge/?q=`):
    the kind and the number of hits, not the words."""
    if not isinstance(field, autocomplete.AutocompleteMixin) or field.too_short(query):
        return
    found, _more = field.search(query)
    services.record_search(actor_user=user_of(request), query=query, hits=len(found))


@access.require(identity.can_complete_identity)
def young_person_identity(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Tilføj CPR-nummer": on success back to the person; a number another young person has
    shows that person and the way to merge the two."""
    actor = actor_of(request)
    try:
        person = identity.get_person_to_complete(actor, pk)
    except Http404:
        return _merged_away(request, actor, pk)
    form = identity_forms.CompleteIdentityForm(request.POST or None)
    context: dict[str, Any] = {"person": person, "form": form, "clash": None}
    # The box "Ret fødselsdatoen til CPR-nummerets" is shown once the dates were found to differ.
    context["birth_mismatch"] = bool(request.POST.get("correct_birth_date"))
    status = 200
    if request.method == "POST":
        status = INVALID
        if form.is_valid():
            try:
                result = identity.complete_identity(
                    actor_user=user_of(request),
                    person=person,
                    cpr=form.cleaned_data["cpr"],
                    correct_birth_date=form.cleaned_data["correct_birth_date"],
                )
            except identity.BirthDateMismatch as error:
                form.add_error("correct_birth_date", error.message)
                context["birth_mismatch"] = True
                status = error.status_code
            except DomainError as error:
                form.add_error("cpr", error.message)
                status = error.status_code
            else:
                if result.merged_away:
                    messages.info(request, _merged_away_message())
                    return redirect("cases:young_person", pk=result.person.pk)
                if result.clash is None:
                    messages.success(request, _("CPR-nummeret er tilføjet."))
                    return redirect("cases:young_person", pk=person.pk)
                context["clash"] = identity.facts_of(result.clash)
                context["own"] = identity.facts_of(result.person)
                status = 200
    return render(request, "cases/young_person_identity.html", context, status=status)


def _merge_form(actor: Actor, person: YoungPerson, data: Any = None) -> identity_forms.MergeForm:
    return identity_forms.MergeForm(
        data,
        candidates=identity.merge_candidates(actor, person),
        search_url=reverse("cases:young_person_merge_search", args=[person.pk]),
    )


@access.require(identity.can_merge_young_people)
def young_person_merge_search(request: HttpRequest, pk: int) -> HttpResponse:
    """The merge form's picker: the other young people of the municipality, by name."""
    actor = actor_of(request)
    person = identity.get_person_to_merge(actor, pk)
    field = _merge_form(actor, person).fields["other"]
    if not isinstance(field, autocomplete.AutocompleteMixin):
        raise TypeError("other is not a picker")
    query = request.GET.get("other" + autocomplete.SEARCH_SUFFIX) or request.GET.get("q") or ""
    _record_name_search(request, field, clean_search(query))
    return autocomplete.search_response(request, field)


@access.require(identity.can_merge_young_people)
def young_person_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the other registration, see both side by side with the one that survives, and
    confirm. A second post for a person merged away already leads to the survivor."""
    actor = actor_of(request)
    try:
        person = identity.get_person_to_merge(actor, pk)
    except Http404:
        return _merged_already(request, actor, pk)
    form = _merge_form(actor, person, request.POST or None)
    if request.method != "POST":
        return render(request, "cases/young_person_merge.html", {"person": person, "form": form})
    if autocomplete.is_search_step(form):
        query = clean_search(request.POST.get("other" + autocomplete.SEARCH_SUFFIX) or "")
        _record_name_search(request, form.fields["other"], query)
        return render(request, "cases/young_person_merge.html", {"person": person, "form": form})
    if not form.is_valid():
        if _merged_into_this(actor, person, request.POST.get("other")):
            messages.info(request, _already_merged())
            return redirect("cases:young_person", pk=person.pk)
        return render(
            request,
            "cases/young_person_merge.html",
            {"person": person, "form": form},
            status=INVALID,
        )
    other = form.cleaned_data["other"]
    plan = identity.plan_merge(person, other)
    context = {
        "person": person,
        "form": form,
        "plan": plan,
        "survivor": identity.facts_of(plan.survivor),
        "merged": identity.facts_of(plan.merged),
        "warnings": [] if plan.refusal else identity.merge_warnings(plan.survivor, plan.merged),
        "error": "",
    }
    if CONFIRM not in request.POST or plan.refusal:
        return render(
            request,
            "cases/young_person_merge_confirm.html",
            context,
            status=INVALID if plan.refusal and CONFIRM in request.POST else 200,
        )
    try:
        result = identity.merge_young_people(
            actor_user=user_of(request), person_id=person.pk, other_id=other.pk
        )
    except DomainError as error:
        context["error"] = error.message
        return render(
            request, "cases/young_person_merge_confirm.html", context, status=error.status_code
        )
    if result.already:
        messages.info(request, _already_merged())
    else:
        messages.success(
            request, _("De to registreringer er lagt sammen. Alt om barnet står nu her.")
        )
    return redirect("cases:young_person", pk=result.survivor.pk)


def _merged_into_this(actor: Actor, person: YoungPerson, posted: Any) -> bool:
    """Whether the posted other person was merged into `person` before (the same post again)."""
    pks = autocomplete.valid_pks([posted]) if posted else []
    return bool(pks) and identity.merged_into(actor.municipality_id or 0, pks[0]) == person.pk


def _merged_already(request: HttpRequest, actor: Actor, pk: int) -> HttpResponse:
    """The page of a person merged away: to the survivor with a message (if the actor may see
    it), else the 404 of a person that does not exist."""
    survivor_id = identity.merged_into(actor.municipality_id or 0, pk)
    if survivor_id is None:
        raise Http404
    survivor = identity.get_person_to_merge(actor, survivor_id)
    messages.info(request, _already_merged())
    return redirect("cases:young_person", pk=survivor.pk)
