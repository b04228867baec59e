from django.urls import path

from ssp.organisation import config_views, guide_views, views

app_name = "organisation"

urlpatterns = [
    path("", views.municipality_list, name="municipality_list"),
    path("fora/mine/", views.my_fora, name="my_fora"),
    path("<slug:slug>/", views.chart, name="chart"),
    path("<slug:slug>/fora/", views.chart_fora, name="chart_fora"),
    path("fora/<int:pk>/", views.forum_detail, name="forum"),
    path("<slug:slug>/kontakt/", views.contact_index, name="contacts"),
    path(
        "<slug:slug>/kontakt/distrikt/<slug:district>/",
        views.contact_district,
        name="contact_district",
    ),
    path("<slug:slug>/kontakt/enhed/<slug:unit>/", views.contact_unit, name="contact_unit"),
    path("<slug:slug>/vejledning/", guide_views.guide, name="guide"),
    path("<slug:slug>/vejledning/ret/", guide_views.guide_edit, name="guide_edit"),
    path("<slug:slug>/opsaetning/", config_views.config_index, name="config"),
    path("<slug:slug>/opsaetning/regler/", config_views.config_rules, name="config_rules"),
    path(
        "<slug:slug>/opsaetning/arbejdsark/", config_views.config_worksheet, name="config_worksheet"
    ),
    path(
        "<slug:slug>/opsaetning/faste-punkter/", config_views.standing_items, name="standing_items"
    ),
    path(
        "<slug:slug>/opsaetning/faste-punkter/<int:pk>/",
        config_views.standing_item_edit,
        name="standing_item_edit",
    ),
    path(
        "<slug:slug>/opsaetning/faste-punkter/<int:pk>/slet/",
        config_views.standing_item_delete,
        name="standing_item_delete",
    ),
    path("<slug:slug>/opsaetning/hjemler/", config_views.legal_bases, name="legal_bases"),
    path(
        "<slug:slug>/opsaetning/hjemler/ny/", config_views.legal_basis_new, name="legal_basis_new"
    ),
    path(
        "<slug:slug>/opsaetning/hjemler/<int:pk>/",
        config_views.legal_basis_edit,
        name="legal_basis_edit",
    ),
    path(
        "<slug:slug>/opsaetning/hjemler/<int:pk>/udgaa/",
        config_views.legal_basis_retire,
        name="legal_basis_retire",
    ),
]
