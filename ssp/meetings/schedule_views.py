"""Pages to edit, move and cancel a meeting and to create a joint event (issue 14).

Thin views: the lookup `access.get_meeting_for(..., for_change=True)` decides who may (404 for
a meeting the user may not see, 403 for a member who does not manage it), the services in
`scheduling` apply the rules and send the notices; a refused form comes back with the input
and the reason."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ssp import access, autocomplete
from ssp.errors import DomainError
from ssp.http import actor_of, user_of
from ssp.meetings import access as meeting_access
from ssp.meetings import notices, scheduling
from ssp.meetings.models import Meeting
from ssp.meetings.schedule_forms import CancelForm, JointEventForm, MeetingEditForm
from ssp.versioning import StaleEdit


def _edit_page(
    request: HttpRequest,
    meeting: Meeting,
    *,
    edit_form: MeetingEditForm | None = None,
    cancel_form: CancelForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_reschedule = scheduling.can_reschedule(meeting)
    context: dict[str, Any] = {
        "meeting": meeting,
        "edit_form": edit_form or MeetingEditForm.for_meeting(meeting),
        "cancel_form": cancel_form or CancelForm(),
        "can_reschedule": can_reschedule,
        # Why the time is fixed and the meeting cannot be cancelled (begun, attendance,
        # decisions), else None.
        "move_refusal": scheduling.move_refusal(meeting) if can_reschedule else None,
        "notices": notices.notices_of(meeting),
    }
    return render(request, "meetings/meeting_edit.html", context, status=status)


@access.require(meeting_access.can_use_meetings)
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_access.get_meeting_for(actor_of(request), pk, for_change=True)
    if request.method != "POST":
        return _edit_page(request, meeting)
    form = MeetingEditForm(request.POST)
    if form.is_valid():
        try:
            scheduling.change_meeting(
                actor_user=user_of(request), meeting=meeting, **form.to_data()
            )
        except StaleEdit as stale:
            fresh = request.POST.copy()
            fresh["version"] = str(stale.version)
            form = MeetingEditForm(fresh)
            form.is_valid()
            form.add_error(None, stale.message)
            return _edit_page(request, meeting, edit_form=form, status=stale.status_code)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Mødet er gemt, og deltagerne har fået besked."))
            return redirect("meetings:detail", pk=meeting.pk)
    return _edit_page(request, meeting, edit_form=form, status=400)


@require_POST
@access.require(meeting_access.can_use_meetings)
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_access.get_meeting_for(actor_of(request), pk, for_change=True)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            scheduling.cancel_meeting(
                actor_user=user_of(request), meeting=meeting, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Mødet er aflyst, og deltagerne har fået besked."))
            return redirect("meetings:detail", pk=meeting.pk)
    return _edit_page(request, meeting, cancel_form=form, status=400)


@access.require(meeting_access.can_plan_meetings)
def joint_new(request: HttpRequest) -> HttpResponse:
    """A joint event: one forum's annual event held with other fora (all members invited)."""
    fora = scheduling.joinable_fora(actor_of(request))
    if request.method != "POST":
        form = JointEventForm(fora=fora)
        return render(request, "meetings/joint_event.html", {"form": form})
    form = JointEventForm(request.POST, fora=fora)
    if autocomplete.is_search_step(form):  # the pickers' search without JavaScript
        return render(request, "meetings/joint_event.html", {"form": form})
    if form.is_valid():
        try:
            meeting = scheduling.create_joint_event(actor_user=user_of(request), **form.to_data())
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Arrangementet er oprettet."))
            return redirect("meetings:detail", pk=meeting.pk)
    return render(request, "meetings/joint_event.html", {"form": form}, status=400)
