"""Login, logout and failed logins are audit events (receivers of Django's auth signals)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from ssp.audit.models import ACTOR_LABEL_MAX_LENGTH, AuditAction
from ssp.audit.services import record_event


@receiver(user_logged_in)
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record_event(actor=user, action=AuditAction.LOGIN, obj=user, request=request)


@receiver(user_logged_out)
def audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record_event(actor=user, action=AuditAction.LOGOUT, obj=user, request=request)


@receiver(user_login_failed)
def audit_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    record_event(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        object_type="auth.user",
        object_repr=str(credentials.get("username", ""))[:ACTOR_LABEL_MAX_LENGTH],
        request=request,
    )
