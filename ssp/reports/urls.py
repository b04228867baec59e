from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from ssp.reports import dashboard_views, views

app_name = "reports"

urlpatterns: list[URLPattern | URLResolver] = [
    path("rapporter/", views.reports, name="list"),
    path("rapporter/ny/", views.report_new, name="new"),
    path("rapporter/oversigt/", dashboard_views.dashboard, name="dashboard"),
    path("rapporter/<int:year>/", views.report, name="report"),
    path("rapporter/<int:year>/ret/", views.report_edit, name="edit"),
    path("rapporter/<int:year>/pdf/", views.report_pdf, name="pdf"),
    path("rapporter/<int:year>/excel/", views.report_xlsx, name="xlsx"),
    path("rapporter/<int:year>/offentliggoer/", views.report_publish, name="publish"),
    path("offentlig/<slug:slug>/rapporter/<int:year>/", views.public_report, name="public"),
    path(
        "offentlig/<slug:slug>/rapporter/<int:year>/pdf/",
        views.public_report_pdf,
        name="public_pdf",
    ),
]
