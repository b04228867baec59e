"""Issue 16: tips from citizens and partners without a login (Faxe: hot spots are followed from
what citizens and partners report): a public form about a place or a group, rate-limited, that
lands as a concern with source "tip" for the SSP coordinator. Services in `ssp/cases/tips.py`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse


@login_not_required
def tip(request: HttpRequest, slug: str) -> HttpResponse:
    raise Http404  # scaffold: built by issue 16


@login_not_required
def tip_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    raise Http404  # scaffold: built by issue 16
