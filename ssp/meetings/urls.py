from django.urls import path

from ssp.meetings import views

app_name = "meetings"

urlpatterns = [
    path("moeder/", views.meeting_list, name="list"),
    path("moeder/kalender/", views.calendar_generate, name="calendar_generate"),
    path("moeder/nyt/", views.meeting_new, name="new"),
    path("moeder/<int:pk>/", views.meeting_detail, name="detail"),
    path("moeder/<int:pk>/pdf/", views.meeting_pdf, name="pdf"),
    path("moeder/<int:pk>/punkter/", views.item_new, name="item_new"),
    path("moeder/<int:pk>/forbered/", views.agenda_prepare, name="prepare"),
    path("moeder/<int:pk>/punkter/<int:item>/ret/", views.item_edit, name="item_edit"),
    path(
        "moeder/<int:pk>/bilag/<int:attachment>/",
        views.attachment_download,
        name="attachment",
    ),
    path("moeder/<int:pk>/punkter/<int:item>/bidrag/", views.contribution_new, name="contribution"),
    path("moeder/<int:pk>/referat/", views.minutes, name="minutes"),
    path(
        "moeder/<int:pk>/referat/<int:item>/ansvarlig/",
        views.responsible_search,
        name="responsible_search",
    ),
    path("moeder/vaelg/fora/", views.fora_search, name="fora_search"),
    path("moeder/<int:pk>/underskriv/", views.sign, name="sign"),
    path("moeder/<int:pk>/godkend/", views.approve, name="approve"),
    path("moeder/<int:pk>/offentliggoer/", views.publish, name="publish"),
    path("moeder/opgaver/<int:task>/udfoert/", views.task_done, name="task_done"),
    path("offentlig/<slug:slug>/moeder/", views.public_list, name="public_list"),
    path("offentlig/moeder/<int:pk>/", views.public_meeting, name="public_meeting"),
    path("offentlig/moeder/<int:pk>/pdf/", views.public_pdf, name="public_pdf"),
    path("kalender/<str:token>.ics", views.my_feed, name="my_feed"),
    path("kalender/<str:token>/forum/<int:forum>.ics", views.forum_feed, name="forum_feed"),
]
