"""Issue 16: the municipality's configuration pages (rules, ages and deadlines, worksheet help
texts, standing agenda items per forum type, legal bases). Thin: services in
`ssp/organisation/configuration.py` and `ssp/cases/legal_bases.py`.

Every page: `require(access.can_configure)` (403 for the kinds of work that configure
nothing), then `configuration.get_municipality_to_configure` (404 for another municipality)."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ssp import access, autocomplete
from ssp.cases import legal_bases as bases
from ssp.errors import DomainError
from ssp.http import actor_of, page_number, user_of
from ssp.organisation import config_forms as forms
from ssp.organisation import configuration as conf
from ssp.organisation.models import ForumType, Municipality, StandingItem
from ssp.versioning import StaleEdit

INVALID = 400


def _municipality(request: HttpRequest, slug: str) -> Municipality:
    return conf.get_municipality_to_configure(actor_of(request), slug)


def _keep_on_form(form: django_forms.Form, error: DomainError) -> None:
    form.add_error(None, error.message)


@access.require(access.can_configure)
def config_index(request: HttpRequest, slug: str) -> HttpResponse:
    """The overview: each section with a one-line summary."""
    municipality = _municipality(request, slug)
    latest = municipality.rule_versions.select_related("created_by").order_by("-number").first()
    context = {
        "municipality": municipality,
        "latest": latest,
        "bases_count": bases.current_legal_bases(municipality).count(),
        "standing_count": conf.standing_items_of(municipality).count(),
        "help_count": len(conf.risk_factor_help(municipality)),
        "help_total": len(conf.worksheet_help_names()),
    }
    return render(request, "organisation/config/index.html", context)


def _rules_form(
    municipality: Municipality, data: Any = None, *, initial: dict[str, Any] | None = None
) -> forms.RulesForm:
    return forms.RulesForm(
        data,
        initial=initial if initial is not None else forms.RulesForm.initial_for(municipality),
        municipality=municipality,
        search_url=reverse("organisation:config_rules", args=[municipality.slug]),
    )


@access.require(access.can_configure)
def config_rules(request: HttpRequest, slug: str) -> HttpResponse:
    """Ages, deadlines, review weekday, agenda days, absence threshold, case levels and the
    forum for general prevention; below, the history of the rule set's versions. A GET with
    the forum picker's search box (`general_prevention_forum__q`) is the picker's search."""
    municipality = _municipality(request, slug)
    if request.method == "GET" and any(
        key.endswith(autocomplete.SEARCH_SUFFIX) for key in request.GET
    ):
        field = _rules_form(municipality).fields["general_prevention_forum"]
        if isinstance(field, autocomplete.AutocompleteMixin):
            return autocomplete.search_response(request, field)
    form = _rules_form(municipality, request.POST or None)
    status = 200
    if request.method == "POST" and not autocomplete.is_search_step(form):
        status = INVALID
        if form.is_valid():
            try:
                version = conf.update_rules(
                    actor_user=user_of(request),
                    municipality=municipality,
                    data=form.to_data(),
                    expected_version=form.expected_version(),
                )
            except StaleEdit as stale:
                typed = request.POST.copy()
                typed["version"] = str(stale.version)
                form = _rules_form(municipality, typed)
                form.is_valid()
                form.add_error(None, stale.message)
                status = stale.status_code
            except DomainError as error:
                _keep_on_form(form, error)
                status = error.status_code
            else:
                if version is None:
                    messages.info(request, _("Intet er ændret."))
                else:
                    messages.success(
                        request,
                        _("Reglerne er gemt som version %(n)s.") % {"n": version.number},
                    )
                return redirect("organisation:config_rules", slug=municipality.slug)
    page, history = conf.rule_history_page(municipality, page=page_number(request))
    return render(
        request,
        "organisation/config/rules.html",
        {"municipality": municipality, "form": form, "page": page, "history": history},
        status=status,
    )


@access.require(access.can_configure)
def config_worksheet(request: HttpRequest, slug: str) -> HttpResponse:
    """A help text under each statement and risk factor of the worksheet."""
    municipality = _municipality(request, slug)
    form = forms.WorksheetHelpForm(
        request.POST or None, initial=forms.WorksheetHelpForm.initial_for(municipality)
    )
    status = 200
    if request.method == "POST":
        status = INVALID
        if form.is_valid():
            try:
                version = conf.update_worksheet_help(
                    actor_user=user_of(request),
                    municipality=municipality,
                    texts=form.texts(),
                    expected_version=form.expected_version(),
                )
            except StaleEdit as stale:
                typed = request.POST.copy()
                typed["version"] = str(stale.version)
                form = forms.WorksheetHelpForm(typed)
                form.is_valid()
                form.add_error(None, stale.message)
                status = stale.status_code
            except DomainError as error:
                _keep_on_form(form, error)
                status = error.status_code
            else:
                if version is None:
                    messages.info(request, _("Intet er ændret."))
                else:
                    messages.success(request, _("Hjælpeteksterne er gemt."))
                return redirect("organisation:config_worksheet", slug=municipality.slug)
    return render(
        request,
        "organisation/config/worksheet.html",
        {"municipality": municipality, "form": form},
        status=status,
    )


@access.require(access.can_configure)
def standing_items(request: HttpRequest, slug: str) -> HttpResponse:
    """The standing items grouped by the forum types the municipality has; a form adds one."""
    municipality = _municipality(request, slug)
    kinds = conf.forum_types_in(municipality)
    form = forms.StandingItemForm(request.POST or None, forum_types=kinds)
    status = 200
    if request.method == "POST":
        status = INVALID
        if form.is_valid():
            try:
                conf.add_standing_item(
                    actor_user=user_of(request),
                    municipality=municipality,
                    forum_type=form.cleaned_data["forum_type"],
                    title=form.cleaned_data["title"],
                    position=form.cleaned_data["position"],
                )
            except DomainError as error:
                _keep_on_form(form, error)
                status = error.status_code
            else:
                messages.success(request, _("Det faste punkt er oprettet."))
                return redirect("organisation:standing_items", slug=municipality.slug)
    items = conf.standing_items_of(municipality)[: conf.STANDING_ITEMS_SHOWN]
    by_type: dict[str, list[StandingItem]] = {}
    for item in items:
        by_type.setdefault(item.forum_type, []).append(item)
    groups = [(kind, by_type.get(kind.value, [])) for kind in kinds]
    # Items of a type the municipality no longer has (its fora dissolved) are still shown.
    groups += [
        (ForumType(value), rows)
        for value, rows in by_type.items()
        if value not in {kind.value for kind in kinds}
    ]
    return render(
        request,
        "organisation/config/standing_items.html",
        {"municipality": municipality, "form": form, "groups": groups},
        status=status,
    )


@access.require(access.can_configure)
def standing_item_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    municipality = _municipality(request, slug)
    item = conf.get_standing_item(municipality, pk)
    form = forms.StandingItemEditForm(
        request.POST or None, initial={"title": item.title, "position": item.position}
    )
    status = 200
    if request.method == "POST":
        status = INVALID
        if form.is_valid():
            try:
                conf.update_standing_item(
                    actor_user=user_of(request),
                    item=item,
                    title=form.cleaned_data["title"],
                    position=form.cleaned_data["position"],
                )
            except DomainError as error:
                _keep_on_form(form, error)
                status = error.status_code
            else:
                messages.success(request, _("Det faste punkt er gemt."))
                return redirect("organisation:standing_items", slug=municipality.slug)
    return render(
        request,
        "organisation/config/standing_item_form.html",
        {"municipality": municipality, "form": form, "item": item},
        status=status,
    )


@access.require(access.can_configure)
def standing_item_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A confirmation page; the POST deletes."""
    municipality = _municipality(request, slug)
    item = conf.get_standing_item(municipality, pk)
    if request.method == "POST":
        conf.delete_standing_item(actor_user=user_of(request), item=item)
        messages.success(request, _("Det faste punkt er slettet."))
        return redirect("organisation:standing_items", slug=municipality.slug)
    return render(
        request,
        "organisation/config/standing_item_delete.html",
        {"municipality": municipality, "item": item},
    )


@access.require(access.can_configure)
def legal_bases(request: HttpRequest, slug: str) -> HttpResponse:
    """The bases in force; below, the retired ones (a page at a time)."""
    municipality = _municipality(request, slug)
    context = {
        "municipality": municipality,
        "current": bases.current_legal_bases(municipality)[: bases.CURRENT_SHOWN],
        "retired": bases.retired_legal_bases_page(municipality, page=page_number(request)),
    }
    return render(request, "organisation/config/legal_bases.html", context)


@access.require(access.can_configure)
def legal_basis_new(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = _municipality(request, slug)
    form = forms.LegalBasisNewForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = INVALID
        if form.is_valid():
            try:
                bases.create_legal_basis(
                    actor_user=user_of(request), municipality=municipality, data=form.to_data()
                )
            except DomainError as error:
                _keep_on_form(form, error)
                status = error.status_code
            else:
                messages.success(request, _("Hjemlen er oprettet."))
                return redirect("organisation:legal_bases", slug=municipality.slug)
    return render(
        request,
        "organisation/config/legal_basis_form.html",
        {"municipality": municipality, "form": form, "basis": None},
        status=status,
    )


@access.require(access.can_configure)
def legal_basis_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Saving retires this basis and makes its successor (disclosures keep the old one)."""
    municipality = _municipality(request, slug)
    basis = bases.get_legal_basis_to_configure(municipality, pk)
    form = forms.LegalBasisForm(
        request.POST or None, initial=forms.LegalBasisForm.initial_for(basis)
    )
    status = 200
    if request.method == "POST":
        status = INVALID
        if form.is_valid():
            try:
                bases.change_legal_basis(
                    actor_user=user_of(request), basis=basis, data=form.to_data()
                )
            except DomainError as error:
                _keep_on_form(form, error)
                status = error.status_code
            else:
                messages.success(request, _("Hjemlen er gemt."))
                return redirect("organisation:legal_bases", slug=municipality.slug)
    return render(
        request,
        "organisation/config/legal_basis_form.html",
        {"municipality": municipality, "form": form, "basis": basis},
        status=status,
    )


@access.require(access.can_configure)
def legal_basis_retire(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A confirmation page; the POST retires the basis."""
    municipality = _municipality(request, slug)
    basis = bases.get_legal_basis_to_configure(municipality, pk)
    error = ""
    status = 200
    if request.method == "POST":
        try:
            bases.retire_legal_basis(actor_user=user_of(request), basis=basis)
        except DomainError as refused:
            error = refused.message
            status = refused.status_code
        else:
            messages.success(request, _("Hjemlen er udgået."))
            return redirect("organisation:legal_bases", slug=municipality.slug)
    return render(
        request,
        "organisation/config/legal_basis_retire.html",
        {"municipality": municipality, "basis": basis, "error": error},
        status=status,
    )
