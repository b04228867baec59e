from django.urls import path

from ssp.cases import identity_views, tip_views, views

app_name = "cases"

urlpatterns = [
    path("bekymringer/", views.concern_list, name="concern_list"),
    path("bekymringer/ny/", views.concern_new, name="concern_new"),
    path("bekymringer/<int:pk>/", views.concern_detail, name="concern_detail"),
    path("bekymringer/<int:pk>/kvittering/", views.concern_receipt, name="concern_receipt"),
    path("bekymringer/<int:pk>/send/", views.concern_route, name="concern_route"),
    path("bekymringer/<int:pk>/henlaeg/", views.concern_drop, name="concern_drop"),
    path("bekymringer/<int:pk>/opret-sag/", views.case_open, name="case_open"),
    path(
        "bekymringer/<int:pk>/forebyggelse/",
        views.concern_to_prevention,
        name="concern_to_prevention",
    ),
    path("tip/<slug:slug>/", tip_views.tip, name="tip"),
    path("tip/<slug:slug>/tak/", tip_views.tip_thanks, name="tip_thanks"),
    path("bekymringer/vaelg/fora/", views.concern_fora_search, name="concern_fora_search"),
    path("sager/", views.case_list, name="case_list"),
    path("sager/<int:pk>/", views.case_detail, name="case_detail"),
    path("sager/<int:pk>/handlingsaftale/", views.agreement_new, name="agreement_new"),
    path(
        "sager/<int:pk>/handlingsaftale/<int:agreement>/pdf/",
        views.agreement_pdf,
        name="agreement_pdf",
    ),
    path("sager/<int:pk>/opgaver/", views.task_new, name="task_new"),
    path("sager/<int:pk>/opgaver/<int:task>/udfoert/", views.task_done, name="task_done"),
    path("sager/<int:pk>/samtykke/", views.consent_new, name="consent_new"),
    path(
        "sager/<int:pk>/samtykke/<int:consent>/tilbagekald/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path("sager/<int:pk>/videregivelse/", views.disclosure_new, name="disclosure_new"),
    path("sager/<int:pk>/handlegruppe/", views.adhoc_new, name="adhoc_new"),
    path("sager/<int:pk>/send-videre/", views.case_escalate, name="case_escalate"),
    path("sager/<int:pk>/vaelg/personer/", views.member_search, name="member_search"),
    path("sager/vaelg/fora/", views.case_fora_search, name="case_fora_search"),
    path("sager/<int:pk>/afslut/", views.case_close, name="case_close"),
    path("sager/<int:pk>/niveau/", views.case_level, name="case_level"),
    path("handlegrupper/", views.adhoc_list, name="adhoc_list"),
    path("handlegrupper/ny/", views.adhoc_set_up, name="adhoc_set_up"),
    path("handlegrupper/vaelg/fora/", views.adhoc_fora_search, name="adhoc_fora_search"),
    path("handlegrupper/vaelg/sager/", views.adhoc_case_search, name="adhoc_case_search"),
    path("handlegrupper/vaelg/personer/", views.adhoc_member_search, name="adhoc_member_search"),
    path("handlegrupper/<int:group>/", views.adhoc_detail, name="adhoc_detail"),
    path("handlegrupper/<int:group>/oploes/", views.adhoc_dissolve, name="adhoc_dissolve"),
    path("unge/", views.young_people, name="young_people"),
    path("unge/<int:pk>/", views.young_person_detail, name="young_person"),
    path("unge/<int:pk>/cpr/", views.young_person_cpr, name="young_person_cpr"),
    # Issue 15: completing the identity and merging duplicates (SSP staff).
    path(
        "unge/<int:pk>/identitet/",
        identity_views.young_person_identity,
        name="young_person_identity",
    ),
    path(
        "unge/<int:pk>/sammenlaeg/",
        identity_views.young_person_merge,
        name="young_person_merge",
    ),
    path(
        "unge/<int:pk>/sammenlaeg/vaelg/",
        identity_views.young_person_merge_search,
        name="young_person_merge_search",
    ),
]
