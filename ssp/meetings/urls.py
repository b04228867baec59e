from django.urls import path

from ssp.http import danish_page
from ssp.meetings import election_views, schedule_views, views

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
    path("offentlig/<slug:slug>/moeder/", danish_page(views.public_list), name="public_list"),
    path("offentlig/moeder/<int:pk>/", danish_page(views.public_meeting), name="public_meeting"),
    path("offentlig/moeder/<int:pk>/pdf/", danish_page(views.public_pdf), name="public_pdf"),
    path("kalender/<str:token>.ics", views.my_feed, name="my_feed"),
    path("kalender/<str:token>/forum/<int:forum>.ics", views.forum_feed, name="forum_feed"),
    # Issue 14 (L): the election item's result.
    path(
        "moeder/<int:pk>/punkter/<int:item>/valg/",
        election_views.election,
        name="election",
    ),
    path(
        "moeder/<int:pk>/punkter/<int:item>/valg/medlemmer/",
        election_views.election_search,
        name="election_search",
    ),
    # Issue 14 (N): edit, move and cancel a meeting; joint events.
    path("moeder/<int:pk>/ret/", schedule_views.meeting_edit, name="edit"),
    path("moeder/<int:pk>/aflys/", schedule_views.meeting_cancel, name="cancel"),
    path("moeder/faelles/nyt/", schedule_views.joint_new, name="joint_new"),
    # Issue 14 (P): closing a meeting, guests, the minutes' pickers, decisions by number.
    path("moeder/<int:pk>/afslut/", views.close, name="close"),
    path("moeder/<int:pk>/gaester/", views.guest_new, name="guest_new"),
    path("moeder/<int:pk>/gaester/<int:guest>/fjern/", views.guest_remove, name="guest_remove"),
    path("moeder/<int:pk>/gaester/vaelg/", views.guest_search, name="guest_search"),
    path("moeder/<int:pk>/referat/stedfortraeder/", views.deputy_search, name="deputy_search"),
    path("moeder/beslutninger/", views.decision_lookup, name="decision_lookup"),
]
