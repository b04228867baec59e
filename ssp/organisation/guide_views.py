"""Issue 16: the municipality's SSP guide (read by every member, kept by SSP staff)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ssp import access
from ssp.errors import DomainError
from ssp.http import actor_of, user_of
from ssp.organisation import guide as guides
from ssp.organisation.guide_forms import GuideForm
from ssp.prevention.services import PersonalDataFound
from ssp.versioning import StaleEdit


@access.require(access.can_view_organisation)
def guide(request: HttpRequest, slug: str) -> HttpResponse:
    actor = actor_of(request)
    municipality = guides.get_guide_municipality_for(actor, slug)
    page = guides.guide_page(actor, municipality)
    return render(
        request,
        "organisation/guide.html",
        {
            "municipality": municipality,
            "page": page,
            "can_edit": access.can_edit_guide(actor, municipality),
            "tip_url": request.build_absolute_uri(reverse("cases:tip", args=[municipality.slug])),
        },
    )


@access.require(access.can_view_organisation)
def guide_edit(request: HttpRequest, slug: str) -> HttpResponse:
    actor = actor_of(request)
    municipality = guides.get_editable_guide_municipality_for(actor, slug)
    stored: list[tuple[str, str]] = []
    status = 200
    if request.method == "POST":
        form = GuideForm(request.POST)
        if form.is_valid():
            try:
                guides.save_guide(
                    actor_user=user_of(request),
                    municipality=municipality,
                    texts=form.texts(),
                    expected_version=form.expected_version(),
                )
            except StaleEdit as stale:
                # Keep what the user typed, show what is stored now; the next save goes
                # against the version now stored.
                typed = request.POST.copy()
                typed["version"] = str(stale.version)
                form = GuideForm(typed)
                form.is_valid()
                form.add_error(None, stale.message)
                headings = dict(guides.SECTIONS)
                stored = [
                    (str(heading), str(stale.current.get(name) or ""))
                    for name, heading in headings.items()
                ]
                status = stale.status_code
            except DomainError as error:
                form.add_error(None, error.message)
                if isinstance(error, PersonalDataFound):
                    for name in error.fields:
                        form.add_error(name, _("Fjern personoplysningerne her."))
                status = error.status_code
            else:
                messages.success(request, _("Vejledningen er gemt."))
                return redirect("organisation:guide", slug=municipality.slug)
        else:
            status = 400
    else:
        values, version = guides.guide_values(municipality)
        form = GuideForm(initial={**values, "version": version})
    return render(
        request,
        "organisation/guide_edit.html",
        {"municipality": municipality, "form": form, "stored": stored},
        status=status,
    )
