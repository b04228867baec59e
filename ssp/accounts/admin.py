"""Users and API tokens in the admin; every change is an audit event."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User

from ssp.accounts.models import ApiToken
from ssp.audit.admin import AuditedAdmin


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    list_display = ["name", "user", "hint", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["key_hash", "hint", "created_at", "last_used_at"]
    search_fields = ["name", "user__username"]

    def has_add_permission(self, request: object) -> bool:
        return False  # tokens are made with manage.py create_api_token (shown once)


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class AuditedUserAdmin(AuditedAdmin, UserAdmin):
    """Administrators manage ordinary users; only a superuser grants superuser or staff status
    and permissions, or changes a superuser."""

    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        fields = super().get_readonly_fields(request, obj)
        if request.user.is_superuser:
            return fields
        return (*fields, "is_superuser", "is_staff", "user_permissions", "groups")

    def get_queryset(self, request: Any) -> Any:
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(is_superuser=False)


@admin.register(Group)
class AuditedGroupAdmin(AuditedAdmin, GroupAdmin):
    pass
