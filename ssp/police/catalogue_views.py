"""Issue 16: the offence catalogue: the statutory kinds (read only) and the municipality's local
kinds and aliases."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ssp import access
from ssp.errors import DomainError
from ssp.http import actor_of, user_of
from ssp.police import access as police_access
from ssp.police import catalogue, forms, selectors
from ssp.police.models import Offence


@access.require(police_access.can_manage_offences)
def offences(request: HttpRequest) -> HttpResponse:
    national, local = selectors.offence_catalogue(actor_of(request))
    return render(request, "police/offences.html", {"national": national, "local": local})


@access.require(police_access.can_manage_offences)
def offence_new(request: HttpRequest) -> HttpResponse:
    form = forms.LocalOffenceForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                offence = catalogue.add_local_offence(
                    actor_user=user_of(request),
                    name=form.cleaned_data["name"],
                    code=form.cleaned_data["code"],
                    serious=form.cleaned_data["serious"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
                status = error.status_code
            else:
                messages.success(request, _("Kategorien er oprettet."))
                return redirect("police:offence_edit", pk=offence.pk)
    return render(request, "police/offence_new.html", {"form": form}, status=status)


def _edit_form(offence: Offence, data: object = None) -> forms.LocalOffenceEditForm:
    return forms.LocalOffenceEditForm(
        data,
        initial={
            "name": offence.name,
            "serious": offence.serious,
            "opened": catalogue.fingerprint(offence),
        },
    )


@access.require(police_access.can_manage_offences)
def offence_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A kind's page: its aliases (any kind) and, for a local kind, its name, seriousness and
    retirement. One form per post, named by the button (`handling`)."""
    actor = actor_of(request)
    offence = police_access.get_offence_for(actor, pk)
    editable = police_access.may_edit_offence(actor, offence)
    edit_form = _edit_form(offence) if editable else None
    alias_form = forms.AliasForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("handling", "")
        status = 400
        try:
            if action == "betegnelse":
                alias_form = forms.AliasForm(request.POST)
                if alias_form.is_valid():
                    catalogue.add_alias(
                        actor_user=user_of(request),
                        offence=offence,
                        alias=alias_form.cleaned_data["alias"],
                    )
                    messages.success(request, _("Betegnelsen er tilføjet."))
                    return redirect("police:offence_edit", pk=offence.pk)
            elif action in {"udgaaet", "genaktiver"} and editable:
                catalogue.set_offence_retired(
                    actor_user=user_of(request), offence=offence, retired=action == "udgaaet"
                )
                messages.success(
                    request,
                    _("Kategorien er udgået.")
                    if action == "udgaaet"
                    else _("Kategorien er taget i brug igen."),
                )
                return redirect("police:offence_edit", pk=offence.pk)
            elif action == "gem" and editable:
                edit_form = _edit_form(offence, request.POST)
                if edit_form.is_valid():
                    catalogue.update_local_offence(
                        actor_user=user_of(request),
                        offence=offence,
                        name=edit_form.cleaned_data["name"],
                        serious=edit_form.cleaned_data["serious"],
                        opened=edit_form.cleaned_data["opened"],
                    )
                    messages.success(request, _("Kategorien er gemt."))
                    return redirect("police:offence_edit", pk=offence.pk)
            else:
                messages.error(request, _("Lovens egne kategorier kan ikke ændres af kommunen."))
        except DomainError as error:
            status = error.status_code
            target = alias_form if action == "betegnelse" else edit_form
            if target is not None:
                target.add_error(None, error.message)
            else:
                messages.error(request, error.message)
    return render(
        request,
        "police/offence_edit.html",
        {
            "offence": offence,
            "editable": editable,
            "edit_form": edit_form,
            "alias_form": alias_form,
            "aliases": selectors.offence_aliases(actor, offence),
            "builtin_aliases": [a.strip() for a in offence.aliases.split(",") if a.strip()],
        },
        status=status,
    )


@require_POST
@access.require(police_access.can_manage_offences)
def alias_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete one of the municipality's aliases; a second click finds it gone."""
    actor = actor_of(request)
    alias = police_access.visible_offence_aliases(actor).filter(pk=pk).first()
    if catalogue.delete_alias(actor_user=user_of(request), alias_id=pk):
        messages.success(request, _("Betegnelsen er slettet."))
    else:
        messages.info(request, _("Betegnelsen var allerede slettet."))
    if alias is not None:
        return redirect("police:offence_edit", pk=alias.offence_id)
    return redirect("police:offences")
