from django.urls import path

from ssp.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/kode/", views.login_code_view, name="login_code"),
    path("logout/", views.logout_view, name="logout"),
    path("", views.profile_view, name="profile"),
    path("moedemails/", views.meeting_emails_view, name="meeting_emails"),
    path("tavshedspligt/", views.confidentiality_view, name="confidentiality"),
    path("totrin/", views.second_factor_setup_view, name="second_factor_setup"),
    path("totrin/bekraeft/", views.second_factor_verify_view, name="second_factor_verify"),
    path("totrin/fjern/", views.second_factor_remove_view, name="second_factor_remove"),
]

# Issue 15 (helper U): users in bulk, invitations and password reset.
from ssp.accounts import bulk_views  # noqa: E402

urlpatterns += [
    path("brugere/import/", bulk_views.bulk_import_view, name="bulk_import"),
    path("brugere/import/gennemfoer/", bulk_views.bulk_apply_view, name="bulk_apply"),
    path("adgangskode/glemt/", bulk_views.password_reset_view, name="password_reset"),
    path("adgangskode/sendt/", bulk_views.password_reset_done_view, name="password_reset_done"),
    path(
        "adgangskode/ny/<uidb64>/<token>/",
        bulk_views.password_confirm_view,
        name="password_reset_confirm",
    ),
    path(
        "adgangskode/faerdig/",
        bulk_views.password_reset_complete_view,
        name="password_reset_complete",
    ),
]
