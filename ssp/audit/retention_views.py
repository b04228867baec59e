"""The coordinator's retention page (issue 10, part 3): what the rules delete in the next 30
days, holds with a reason, and the destruction register. SSP staff only (403 for others: the
page is a kind of work; a hold of another municipality is a 404)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ssp import access
from ssp.audit import retention
from ssp.audit.models import HoldReason, RetentionHold, RetentionKind
from ssp.errors import DomainError
from ssp.forms import OneTimeTokenMixin, StyledForm
from ssp.http import actor_of, user_of
from ssp.validation import max_length_of


class HoldForm(OneTimeTokenMixin, StyledForm):
    """Hold one record, named by kind and number (hidden), with a reason."""

    kind = forms.ChoiceField(choices=RetentionKind.choices, widget=forms.HiddenInput)
    object_id = forms.IntegerField(min_value=1, max_value=2**62, widget=forms.HiddenInput)
    reason = forms.ChoiceField(label=gettext_lazy("Begrundelse"), choices=HoldReason.choices)
    note = forms.CharField(
        label=gettext_lazy("Bemærkning (uden navne)"),
        max_length=max_length_of(RetentionHold, "note"),
        required=False,
    )

    @classmethod
    def for_record(cls, record: retention.DueRecord, data: Any = None) -> HoldForm:
        return cls(
            data,
            initial={"kind": record.kind.value, "object_id": record.object_id},
            auto_id=f"id_hold_{record.kind.value}_{record.object_id}_%s",
        )

    def is_for(self, record: retention.DueRecord) -> bool:
        return self.data.get("kind") == record.kind.value and self.data.get("object_id") == str(
            record.object_id
        )


@access.require(retention.can_manage_retention)
def retention_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request)


def _render_list(
    request: HttpRequest, *, failed: HoldForm | None = None, status: int = 200
) -> HttpResponse:
    """The page; after a refused hold, that row's form is the bound one with its errors."""
    actor = actor_of(request)
    records = retention.upcoming(actor)
    page = Paginator(records, retention.PAGE_SIZE).get_page(request.GET.get("side"))
    rows = [
        (
            record,
            failed if failed is not None and failed.is_for(record) else HoldForm.for_record(record),
        )
        for record in page
    ]
    return render(
        request,
        "audit/retention.html",
        {
            "page": page,
            "rows": rows,
            "failed": failed,
            "holds": retention.active_holds(actor),
            "register": retention.destruction_register(actor),
            "days": retention.UPCOMING_DAYS,
        },
        status=status,
    )


@require_POST
@access.require(retention.can_manage_retention)
def retention_hold(request: HttpRequest) -> HttpResponse:
    form = HoldForm(request.POST)
    if not form.is_valid():
        return _render_list(request, failed=form, status=400)
    try:
        retention.set_hold(
            actor_user=user_of(request),
            kind=RetentionKind(form.cleaned_data["kind"]),
            object_id=form.cleaned_data["object_id"],
            reason=HoldReason(form.cleaned_data["reason"]),
            note=form.cleaned_data["note"],
            form_token=form.token(),
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _render_list(request, failed=form, status=exc.status_code)
    messages.success(request, _("Sletningen er sat i bero."))
    return redirect("audit:retention")


@require_POST
@access.require(retention.can_manage_retention)
def retention_lift(request: HttpRequest, pk: int) -> HttpResponse:
    hold = retention.get_hold_for(actor_of(request), pk)
    retention.lift_hold(actor_user=user_of(request), hold=hold)
    messages.success(request, _("Sletningen er ikke længere i bero."))
    return redirect("audit:retention")
