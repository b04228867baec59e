"""Issue 16: tips from citizens and partners without a login (Faxe: hot spots are followed from
what citizens and partners report): a public form about a place or a group, rate-limited, that
lands as a concern with source "tip" for the SSP coordinator. Services in `ssp/cases/tips.py`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ssp.audit.middleware import client_address
from ssp.cases import tips
from ssp.cases.tip_forms import TipForm
from ssp.errors import DomainError
from ssp.organisation.models import Municipality


def _municipality(slug: str) -> Municipality:
    """The municipality the public form is for (a slug is public; unknown: 404)."""
    return get_object_or_404(Municipality, slug=slug)


@login_not_required
def tip(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = _municipality(slug)
    status = 200
    if request.method == "POST":
        form = TipForm(request.POST)
        if form.is_valid():
            if form.is_bot:
                return redirect("cases:tip_thanks", slug=municipality.slug)
            try:
                tips.receive_tip(
                    municipality=municipality,
                    data=form.to_data(),
                    client_address=client_address(request),
                    token=form.token(),
                )
            except tips.TipRefused as refused:
                form.add_error(None, refused.message)
                for name in refused.fields:
                    form.add_error(name, _("Fjern personoplysningerne her."))
                status = refused.status_code
            except DomainError as error:
                form.add_error(None, error.message)
                status = error.status_code
            else:
                return redirect("cases:tip_thanks", slug=municipality.slug)
        else:
            status = 400
    else:
        form = TipForm()
    return render(
        request,
        "cases/tip.html",
        {"municipality": municipality, "form": form, "site_name": municipality.name},
        status=status,
    )


@login_not_required
def tip_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = _municipality(slug)
    return render(
        request,
        "cases/tip_thanks.html",
        {"municipality": municipality, "site_name": municipality.name},
    )
