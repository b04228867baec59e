from django.urls import path

from ssp.audit import retention_views, views

app_name = "audit"

urlpatterns = [
    path("unge/<int:pk>/indsigt/", views.subject_access_view, name="subject_access"),
    path("unge/<int:pk>/ret/", views.young_person_correct, name="young_person_correct"),
    path("tilsyn/videregivelser/", views.supervision_disclosures, name="supervision_disclosures"),
    path(
        "tilsyn/videregivelser/excel/",
        views.supervision_disclosures_xlsx,
        name="supervision_disclosures_xlsx",
    ),
    path("tilsyn/revisionsspor/", views.supervision_audit_trail, name="supervision_audit_trail"),
    path("opbevaring/", retention_views.retention_list, name="retention"),
    path("opbevaring/bero/", retention_views.retention_hold, name="retention_hold"),
    path("opbevaring/bero/<int:pk>/ophaev/", retention_views.retention_lift, name="retention_lift"),
]
