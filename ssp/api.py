"""The JSON API at /api/v1/: one NinjaAPI object mounting each app's router.

Authentication: a bearer token (`manage.py create_api_token USER`) for integrations, or the
browser session. Every endpoint goes through the same selectors and access rules as the pages:
it starts with `actor = access.enforce(rule, actor_of(request))` and looks records up with the
app's `get_*_for`. The handlers below only map exceptions to answers; they decide nothing.
Every endpoint declares the answers they give beside its own, `response={200: X, **ERRORS}`
(`ssp/api_errors.py`), and `tests/test_fuzz_api.py` runs schemathesis over the whole document.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from ssp.accounts.services import user_for_token
from ssp.errors import DomainError


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> object | None:
        user = user_for_token(token)
        if user is None:
            return None
        request.user = user
        return user


api = NinjaAPI(
    title="SSP-platformen API",
    version="1",
    urls_namespace="api",
    auth=[TokenAuth(), django_auth],
    docs_url=None,
)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Ikke fundet."}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": "Ingen adgang."}, status=403)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)


def _mount() -> None:
    from ssp.cases.api import router as cases_router
    from ssp.meetings.api import router as meetings_router
    from ssp.organisation.api import router as organisation_router
    from ssp.prevention.api import router as prevention_router
    from ssp.reports.api import router as reports_router
    from ssp.reports.effect_api import router as effect_router
    from ssp.reports.evaluation_api import router as evaluation_router

    api.add_router("/organisation/", organisation_router)
    api.add_router("/cases/", cases_router)
    api.add_router("/meetings/", meetings_router)
    api.add_router("/prevention/", prevention_router)
    api.add_router("/reports/", reports_router)
    api.add_router("/reports/effect/", effect_router)
    api.add_router("/reports/evaluations/", evaluation_router)


_mount()
