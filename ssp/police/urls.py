from django.urls import path

from ssp.police import catalogue_views, correction_views, council_views, views

app_name = "police"

urlpatterns = [
    path("politi/", views.review, name="review"),
    path("politi/import/", views.import_list, name="import"),
    path("politi/import/<int:pk>/", views.import_job, name="import_job"),
    path("politi/ny/", views.report_new, name="report_new"),
    path("politi/rapporter/<int:pk>/fordel/", views.report_route, name="route"),
    path("politi/rapporter/", correction_views.reports, name="reports"),
    path("politi/rapporter/<int:pk>/", correction_views.report_detail, name="report"),
    path("politi/rapporter/<int:pk>/ret/", correction_views.report_correct, name="report_correct"),
    path(
        "politi/rapporter/<int:pk>/traek-tilbage/",
        correction_views.report_withdraw,
        name="report_withdraw",
    ),
    path("politi/lovovertraedelser/", catalogue_views.offences, name="offences"),
    path("politi/lovovertraedelser/ny/", catalogue_views.offence_new, name="offence_new"),
    path("politi/lovovertraedelser/<int:pk>/", catalogue_views.offence_edit, name="offence_edit"),
    path(
        "politi/lovovertraedelser/betegnelser/<int:pk>/slet/",
        catalogue_views.alias_delete,
        name="alias_delete",
    ),
    path("politi/fordel/personer/", views.route_member_search, name="route_member_search"),
    path("politi/fordel/lokalgrupper/", views.route_forum_search, name="route_forum_search"),
    path("frister/", views.deadline_board, name="deadlines"),
    path("frister/<int:pk>/overholdt/", views.deadline_met, name="deadline_met"),
    path("frister/<int:pk>/netvaerkssamraad/", views.council_new, name="council_new"),
    path("netvaerkssamraad/<int:pk>/", views.council_detail, name="council"),
    path("netvaerkssamraad/<int:pk>/inviter/", council_views.council_invite, name="council_invite"),
    path("netvaerkssamraad/<int:pk>/brev.pdf", council_views.council_letter, name="council_letter"),
    path("optaelling/", views.concern_counts, name="counts"),
    path("fravaer/", views.absence, name="absence"),
    path("fravaer/import/", views.absence_import, name="absence_import"),
    path("fravaer/<int:pk>/bekymring/", views.absence_concern, name="absence_concern"),
    path("hotspots/", views.hot_spots, name="hot_spots"),
    path("hotspots/ny/", views.hot_spot_edit, name="hot_spot_new"),
    path("hotspots/<int:pk>/", views.hot_spot_detail, name="hot_spot"),
    path("hotspots/<int:pk>/ret/", views.hot_spot_edit, name="hot_spot_edit"),
]
