from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from ssp.prevention import views

app_name = "prevention"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.catalogue, name="catalogue"),
    path("indsatser/ny/", views.intervention_edit, name="intervention_new"),
    path("indsatser/<int:pk>/", views.intervention_detail, name="intervention"),
    path("indsatser/<int:pk>/ret/", views.intervention_edit, name="intervention_edit"),
    path("indsatser/enheder/", views.unit_search, name="unit_search"),
    path("indsatser/personer/", views.member_search, name="member_search"),
]
