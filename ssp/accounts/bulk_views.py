"""Issue 15: users in bulk (upload, preview, apply) and the password pages (reset request,
done, choose a new password from a link, complete)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ssp import access
from ssp.accounts import bulk_users, oidc, password_reset
from ssp.accounts.bulk_forms import BulkUploadForm, NewPasswordForm, ResetRequestForm
from ssp.audit.middleware import client_address
from ssp.errors import DomainError
from ssp.http import actor_of, user_of
from ssp.organisation.models import Municipality


def _municipality(request: HttpRequest) -> Municipality | None:
    municipality_id = actor_of(request).municipality_id
    if municipality_id is None:
        return None
    return Municipality.objects.filter(pk=municipality_id).first()


def _upload_page(
    request: HttpRequest,
    form: BulkUploadForm,
    *,
    refused: bulk_users.ImportRefused | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "accounts/bulk_upload.html",
        {
            "form": form,
            "refused": refused,
            "errors": refused.errors if refused else [],
            "errors_total": refused.total if refused else 0,
            "max_rows": bulk_users.MAX_ROWS,
        },
        status=status,
    )


@access.require(access.can_import_users)
def bulk_import_view(request: HttpRequest) -> HttpResponse:
    """Upload a file; a valid file is shown as a preview (nothing is written yet)."""
    municipality = _municipality(request)
    if municipality is None:
        form = BulkUploadForm()
        form.add_error(
            None, _("Du er ikke knyttet til en kommune. Log ind som kommunens administrator.")
        )
        return _upload_page(request, form, status=400)
    if request.method != "POST":
        return _upload_page(request, BulkUploadForm())
    form = BulkUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_page(request, form, status=400)
    upload = form.cleaned_data["file"]
    allow_elevated = bool(form.cleaned_data["allow_elevated"])
    try:
        rows = bulk_users.read_rows(filename=upload.name, content=upload, municipality=municipality)
        plan = bulk_users.plan_import(
            rows=rows,
            municipality=municipality,
            allow_elevated=allow_elevated,
            actor_user=user_of(request),
        )
    except bulk_users.ImportRefused as refused:
        form.add_error("file", refused.message)
        return _upload_page(request, form, refused=refused, status=400)
    token = bulk_users.store_pending(
        user_id=user_of(request).pk,
        municipality_id=municipality.pk,
        rows=rows,
        plan=plan,
        allow_elevated=allow_elevated,
    )
    bulk_users.record_preview(actor=request.user, municipality=municipality, plan=plan)
    return render(
        request,
        "accounts/bulk_preview.html",
        {
            "plan": plan,
            "token": token,
            "filename": upload.name,
            "rows": len(rows),
            "allow_elevated": allow_elevated,
        },
    )


@require_POST
@access.require(access.can_import_users)
def bulk_apply_view(request: HttpRequest) -> HttpResponse:
    """Apply the preview this session was shown, once."""
    token = str(request.POST.get("token", ""))
    pending = bulk_users.load_pending(token, user_id=user_of(request).pk)
    municipality = _municipality(request)
    if pending is None or municipality is None or pending.municipality_id != municipality.pk:
        messages.info(
            request,
            _(
                "Forhåndsvisningen er allerede gennemført eller udløbet. Indlæs filen igen, hvis "
                "der mangler noget."
            ),
        )
        return redirect("accounts:bulk_import")
    deactivate = [
        int(value)
        for value in request.POST.getlist("deactivate")
        if value.isdecimal() and len(value) < 12
    ]
    try:
        applied = bulk_users.apply_import(
            actor=request.user,
            actor_user=user_of(request),
            municipality=municipality,
            rows=pending.rows,
            token=token,
            fingerprint=pending.fingerprint,
            allow_elevated=pending.allow_elevated,
            deactivate_member_ids=deactivate,
        )
    except bulk_users.AlreadyApplied as error:
        messages.info(request, error.message)
        return redirect("accounts:bulk_import")
    except DomainError as error:
        bulk_users.drop_pending(token)
        messages.error(request, error.message)
        return redirect("accounts:bulk_import")
    return render(request, "accounts/bulk_done.html", {"applied": applied})


@login_not_required
def password_reset_view(request: HttpRequest) -> HttpResponse:
    """The same answer for any address (known or not, active or not, throttled or not).
    With the password login off (single sign-on only) there is no password to reset."""
    if not oidc.local_login_enabled():
        return _passwords_off(request)
    form = ResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password_reset.request_reset(
            email=form.cleaned_data["email"], client_address=client_address(request)
        )
        return redirect("accounts:password_reset_done")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/password_reset_form.html", {"form": form}, status=status)


@login_not_required
def password_reset_done_view(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_done.html")


class PasswordConfirmView(auth_views.PasswordResetConfirmView):
    """Django's view: the link's token is checked, moved into the session and the address
    changed to `set-password`, so it does not leak through the Referer header."""

    template_name = "accounts/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False

    def dispatch(self, *args: Any, **kwargs: Any) -> HttpResponseBase:
        """With the password login off, a link from before (an invitation) sets no password."""
        if not oidc.local_login_enabled():
            return _passwords_off(self.request)
        return super().dispatch(*args, **kwargs)

    def get_user(self, uidb64: str) -> Any:
        """A deactivated user's link (an invitation or reset sent before) no longer works."""
        user = super().get_user(uidb64)
        if user is not None and not user.is_active:
            return None
        return user


password_confirm_view = login_not_required(PasswordConfirmView.as_view())


def _passwords_off(request: HttpRequest) -> HttpResponse:
    return render(
        request, "accounts/oidc_password_off.html", {"provider_name": oidc.provider_name()}
    )


@login_not_required
def password_reset_complete_view(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_complete.html")
