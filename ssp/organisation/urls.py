from django.urls import path

from ssp.organisation import views

app_name = "organisation"

urlpatterns = [
    path("", views.municipality_list, name="municipality_list"),
    path("<slug:slug>/", views.chart, name="chart"),
    path("fora/<int:pk>/", views.forum_detail, name="forum"),
    path("<slug:slug>/kontakt/", views.contact_index, name="contacts"),
    path(
        "<slug:slug>/kontakt/distrikt/<slug:district>/",
        views.contact_district,
        name="contact_district",
    ),
    path("<slug:slug>/kontakt/enhed/<slug:unit>/", views.contact_unit, name="contact_unit"),
]
