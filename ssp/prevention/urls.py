from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from ssp.prevention import calendar_views, export_views, plan_views, project_views, views

app_name = "prevention"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.catalogue, name="catalogue"),
    path("indsatser/ny/", views.intervention_edit, name="intervention_new"),
    path("indsatser/<int:pk>/", views.intervention_detail, name="intervention"),
    path("indsatser/<int:pk>/ret/", views.intervention_edit, name="intervention_edit"),
    path("indsatser/enheder/", views.unit_search, name="unit_search"),
    path("indsatser/personer/", views.member_search, name="member_search"),
    # Focus areas (the steering group's or a Lokalråd's, set by decision at a meeting).
    path("fokusomraader/", plan_views.focus_areas, name="focus_areas"),
    path("fokusomraader/nyt/", plan_views.focus_area_edit, name="focus_area_new"),
    path("fokusomraader/<int:pk>/", plan_views.focus_area_detail, name="focus_area"),
    path("fokusomraader/<int:pk>/ret/", plan_views.focus_area_edit, name="focus_area_edit"),
    # Annual plans and their activities.
    path("aarsplaner/", plan_views.plans, name="plans"),
    path("aarsplaner/ny/", plan_views.plan_new, name="plan_new"),
    path("aarsplaner/fora/", plan_views.forum_search, name="plan_forum_search"),
    path("aarsplaner/personer/", plan_views.member_search, name="plan_member_search"),
    path("aarsplaner/enheder/", plan_views.unit_search, name="plan_unit_search"),
    path("aarsplaner/<int:pk>/", plan_views.plan_detail, name="plan"),
    path("aarsplaner/<int:pk>/excel/", export_views.plan_xlsx, name="plan_xlsx"),
    path("aarsplaner/<int:pk>/pdf/", export_views.plan_pdf, name="plan_pdf"),
    path("aarsplaner/<int:pk>/aktiviteter/ny/", plan_views.activity_edit, name="activity_new"),
    path("aktiviteter/<int:pk>/", plan_views.activity_detail, name="activity"),
    path("aktiviteter/<int:pk>/ret/", plan_views.activity_edit, name="activity_edit"),
    path("aktiviteter/<int:pk>/gennemfoert/", plan_views.activity_done, name="activity_done"),
    path("aktiviteter/<int:pk>/evaluer/", plan_views.activity_evaluate, name="activity_evaluate"),
    # The activities calendar, with an iCalendar feed.
    path("kalender/", calendar_views.calendar, name="calendar"),
    path("kalender/<str:token>.ics", calendar_views.feed, name="calendar_feed"),
    # Projects.
    path("projekter/", project_views.projects, name="projects"),
    path("projekter/nyt/", project_views.project_edit, name="project_new"),
    path("projekter/<int:pk>/", project_views.project_detail, name="project"),
    path("projekter/<int:pk>/ret/", project_views.project_edit, name="project_edit"),
]
