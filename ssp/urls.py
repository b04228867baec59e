from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language

from ssp import views
from ssp.api import api


def _api_urls() -> tuple[list[URLResolver | URLPattern], str, str]:
    """The API authenticates itself (token or session): exempt it from the login redirect."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        callback = getattr(pattern, "callback", None)
        if callback is not None:
            callback.login_required = False
    return patterns, app_name, namespace


admin.site.site_header = "SSP-platformen – administration"
admin.site.site_title = "SSP-platformen"
admin.site.index_title = "Organisation og brugere"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("konto/", include("ssp.accounts.urls")),
    path("oidc/", include("ssp.accounts.oidc")),
    path("organisation/", include("ssp.organisation.urls")),
    path("", include("ssp.cases.urls")),
    path("", include("ssp.meetings.urls")),
    path("", include("ssp.police.urls")),
    path("", include("ssp.audit.urls")),
    path("forebyggelse/", include("ssp.prevention.urls")),
    path("", include("ssp.reports.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    # One login for everything: the admin's own login form would skip the second factor.
    path(
        "admin/login/",
        login_not_required(RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
        name="admin_login_redirect",
    ),
    path("admin/", admin.site.urls),
    path("api/v1/", _api_urls()),
]
