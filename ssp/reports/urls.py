from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from ssp.http import danish_page
from ssp.reports import dashboard_views, effect_views, evaluation_views, views

app_name = "reports"

urlpatterns: list[URLPattern | URLResolver] = [
    path("rapporter/", views.reports, name="list"),
    path("rapporter/ny/", views.report_new, name="new"),
    path("rapporter/oversigt/", dashboard_views.dashboard, name="dashboard"),
    path("rapporter/effekt/", effect_views.effect, name="effect"),
    path("rapporter/effekt/indlaes/", effect_views.effect_import, name="effect_import"),
    path("rapporter/evalueringer/", evaluation_views.evaluations, name="evaluations"),
    path("rapporter/evalueringer/ny/", evaluation_views.evaluation_new, name="evaluation_new"),
    path("rapporter/evalueringer/<int:pk>/", evaluation_views.evaluation, name="evaluation"),
    path(
        "rapporter/evalueringer/<int:pk>/ret/",
        evaluation_views.evaluation_edit,
        name="evaluation_edit",
    ),
    path(
        "rapporter/evalueringer/<int:pk>/send/",
        evaluation_views.evaluation_send,
        name="evaluation_send",
    ),
    path(
        "rapporter/evalueringer/<int:pk>/afslut/",
        evaluation_views.evaluation_close,
        name="evaluation_close",
    ),
    path(
        "rapporter/evalueringer/<int:pk>/svar/<int:forum_pk>/",
        evaluation_views.evaluation_answer,
        name="evaluation_answer",
    ),
    path("rapporter/<int:year>/", views.report, name="report"),
    path("rapporter/<int:year>/ret/", views.report_edit, name="edit"),
    path("rapporter/<int:year>/pdf/", views.report_pdf, name="pdf"),
    path("rapporter/<int:year>/excel/", views.report_xlsx, name="xlsx"),
    path("rapporter/<int:year>/offentliggoer/", views.report_publish, name="publish"),
    path(
        "offentlig/<slug:slug>/rapporter/<int:year>/",
        danish_page(views.public_report),
        name="public",
    ),
    path(
        "offentlig/<slug:slug>/rapporter/<int:year>/pdf/",
        danish_page(views.public_report_pdf),
        name="public_pdf",
    ),
]
