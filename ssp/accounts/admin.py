"""Users and API tokens in the admin; every change is an audit event.

Users are deactivated, never deleted: the audit trail points at them and cannot be changed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import ReadOnlyPasswordHashWidget
from django.contrib.auth.models import Group, User
from django.db.models import Max, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ssp.accounts import confidentiality, services
from ssp.accounts.models import ApiToken, ConfidentialityAcknowledgement, LoginUserThrottle
from ssp.audit.admin import AuditedAdmin
from ssp.http import user_of

USERS_ARE_NOT_DELETED = gettext_lazy(
    "Brugere med historik kan ikke slettes; deaktivér brugeren i stedet"
)


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin[ApiToken]):
    list_display = ["name", "user", "hint", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["key_hash", "hint", "created_at", "last_used_at"]
    search_fields = ["name", "user__username"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are made with manage.py create_api_token (shown once)


@admin.register(LoginUserThrottle)
class LoginUserThrottleAdmin(AuditedAdmin[LoginUserThrottle]):
    """Failures for a user name from many addresses; deleting a row lifts its refusal at once."""

    list_display = ["username", "failures", "last_failure_at", "refused_until"]
    search_fields = ["username"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: LoginUserThrottle | None = None
    ) -> bool:
        return False


@admin.register(ConfidentialityAcknowledgement)
class ConfidentialityAcknowledgementAdmin(AuditedAdmin[ConfidentialityAcknowledgement]):
    """R4: who acknowledged the duty of confidentiality, for which text and when (read only)."""

    list_display = ["user", "municipality", "text_version", "acknowledged_at"]
    list_filter = ["municipality"]
    search_fields = ["user__username"]
    readonly_fields = ["user", "municipality", "text_hash", "text", "acknowledged_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: ConfidentialityAcknowledgement | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: ConfidentialityAcknowledgement | None = None
    ) -> bool:
        return False


admin.site.unregister(User)
admin.site.unregister(Group)


class _PasswordHashWidget(ReadOnlyPasswordHashWidget):
    """Django's read-only password widget, without the aria-describedby that the form adds for
    the help text: the admin renders that help text without the id it points at (axe:
    aria-valid-attr-value)."""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        attrs = {k: v for k, v in (attrs or {}).items() if k != "aria-describedby"}
        return super().get_context(name, value, attrs)


@admin.register(User)
class AuditedUserAdmin(AuditedAdmin[User], UserAdmin[User]):
    """Administrators manage ordinary users; only a superuser grants superuser or staff status
    and permissions, or changes a superuser."""

    def get_readonly_fields(
        self, request: HttpRequest, obj: User | None = None
    ) -> list[str] | tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return fields
        return (*fields, "is_superuser", "is_staff", "user_permissions", "groups")

    list_display = (
        "username",
        "email",
        "first_name",
        "last_name",
        "is_staff",
        "is_active",
        "confidentiality_acknowledged",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        queryset = (
            super()
            .get_queryset(request)
            .annotate(last_acknowledged_at=Max("confidentiality_acknowledgements__acknowledged_at"))
        )
        return queryset if request.user.is_superuser else queryset.filter(is_superuser=False)

    @admin.display(
        description=gettext_lazy("Tavshedspligt bekræftet"),
        ordering="last_acknowledged_at",
    )
    def confidentiality_acknowledged(self, obj: User) -> str:
        """R4: when the user last acknowledged the duty of confidentiality ("-": never), and
        whether that was more than a year ago (then it must be given again)."""
        at = getattr(obj, "last_acknowledged_at", None)
        if at is None:
            return "-"
        day = timezone.localtime(at).strftime("%d.%m.%Y")
        if at <= confidentiality.valid_since():
            return _("%(day)s (udløbet)") % {"day": day}
        return day

    def get_form(
        self,
        request: HttpRequest,
        obj: User | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        password = form.base_fields.get("password")
        if password is not None and isinstance(password.widget, ReadOnlyPasswordHashWidget):
            password.widget = _PasswordHashWidget()
        return form

    actions = ["deactivate_users"]

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return False  # deactivate instead: see USERS_ARE_NOT_DELETED

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, object] | None = None
    ) -> HttpResponse:
        """Whoever reaches the delete page is told why not, and where to go instead."""
        messages.error(request, USERS_ARE_NOT_DELETED)
        return HttpResponseRedirect(reverse("admin:auth_user_change", args=[object_id]))

    @admin.action(description=gettext_lazy("Deaktivér valgte brugere"))
    def deactivate_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        me = user_of(request)
        count = 0
        for user in queryset.exclude(pk=me.pk):
            count += services.deactivate_user(user=user, actor=request.user)
        self.message_user(
            request,
            ngettext("%(count)d bruger er deaktiveret.", "%(count)d brugere er deaktiveret.", count)
            % {"count": count},
            messages.SUCCESS,
        )
        if queryset.filter(pk=me.pk).exists():
            self.message_user(request, _("Du kan ikke deaktivere dig selv."), messages.WARNING)


@admin.register(Group)
class AuditedGroupAdmin(AuditedAdmin[Group], GroupAdmin):
    # A plain labelled list instead of Django's two-box filter, whose search icon carries an
    # aria-label on a span without a role (axe: aria-prohibited-attr).
    filter_horizontal = ()
