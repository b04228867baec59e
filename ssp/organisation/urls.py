from django.urls import path

from ssp.organisation import views

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
]
