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
