"""Meeting pages, the public protocol pages and the iCalendar feeds."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ssp import access
from ssp.errors import DomainError
from ssp.meetings import access as meeting_access
from ssp.meetings import calendar, forms, pdf, selectors, services
from ssp.meetings.selectors import Mode
from ssp.organisation import selectors as org_selectors


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _actor(request: HttpRequest) -> access.Actor:
    return access.get_actor(request.user)


@access.require(meeting_access.can_use_meetings)
def meeting_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    managed = meeting_access.managed_fora(actor)
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "upcoming": selectors.meetings_for(actor)[:50],
            "past": selectors.meetings_for(actor, past=True)[:20],
            "forwarded": selectors.forwarded_to(actor)[:20],
            "calendar_form": forms.CalendarForm(fora=managed, prefix="calendar")
            if managed.exists()
            else None,
            "meeting_form": forms.MeetingForm(fora=managed, prefix="meeting")
            if managed.exists()
            else None,
            "feed_url": request.build_absolute_uri(
                reverse("meetings:my_feed", args=[calendar.feed_token(_user(request))])
            ),
            "forum_feeds": [
                (
                    forum,
                    request.build_absolute_uri(
                        reverse(
                            "meetings:forum_feed",
                            args=[calendar.feed_token(_user(request)), forum.pk],
                        )
                    ),
                )
                for forum in selectors.my_fora(actor)
            ],
        },
    )


@require_POST
@access.require(meeting_access.can_use_meetings)
def calendar_generate(request: HttpRequest) -> HttpResponse:
    form = forms.CalendarForm(
        request.POST, fora=meeting_access.managed_fora(_actor(request)), prefix="calendar"
    )
    if not form.is_valid():
        raise DomainError(_("Vælg forum og år."))
    created = services.generate_calendar(actor_user=_user(request), **form.cleaned_data)
    messages.success(request, _("%(n)s møder er lagt i kalenderen.") % {"n": len(created)})
    return redirect("meetings:list")


@require_POST
@access.require(meeting_access.can_use_meetings)
def meeting_new(request: HttpRequest) -> HttpResponse:
    form = forms.MeetingForm(
        request.POST, fora=meeting_access.managed_fora(_actor(request)), prefix="meeting"
    )
    if not form.is_valid():
        raise DomainError(_("Vælg forum, type og tidspunkt."))
    meeting = services.create_meeting(actor_user=_user(request), **form.cleaned_data)
    return redirect("meetings:detail", pk=meeting.pk)


@access.require(meeting_access.can_use_meetings)
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    meeting = selectors.get_meeting_for(actor, pk)
    services.record_view(actor_user=_user(request), meeting=meeting)
    mode = selectors.mode_for(actor, meeting)
    manages = mode is Mode.MEMBER and meeting_access.can_manage(actor, meeting.forum)
    context: dict[str, Any] = {
        "meeting": meeting,
        "mode": mode.value,
        "items": selectors.agenda_for(actor, meeting, mode),
        "manages": manages,
        "can_see_closed": access.can_see_closed_items(actor),
        "show_contribution_form": mode is Mode.MEMBER
        and not access.can_see_closed_items(actor),
        "previous": selectors.previous_meeting(meeting) if mode is Mode.MEMBER else None,
        "my_tasks": selectors.my_open_tasks(actor) if mode is Mode.MEMBER else [],
        "attendance": selectors.attendance_of(meeting),
        "signatures": services.current_signatures(meeting),
        "signers": services.signers_needed(meeting),
        "is_signer": actor.member_id in {m.pk for m in services.signers_needed(meeting)},
        "forwards": list(meeting.forwards.select_related("to_forum")),
        "findings": [],
    }
    if manages:
        context["item_form"] = forms.ItemForm(allow_closed=meeting.forum.may_discuss_individuals)
    return render(request, "meetings/meeting_detail.html", context)


def _managed_meeting(request: HttpRequest, pk: int) -> Any:
    actor = _actor(request)
    meeting = selectors.get_meeting_for(actor, pk)
    if not meeting_access.is_member_of(actor, meeting):
        raise Http404
    return meeting


@require_POST
@access.require(meeting_access.can_use_meetings)
def item_new(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _managed_meeting(request, pk)
    form = forms.ItemForm(
        request.POST, request.FILES, allow_closed=meeting.forum.may_discuss_individuals
    )
    if not form.is_valid():
        problems = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        raise DomainError(_("Punktet blev ikke tilføjet: %(problems)s") % {"problems": problems})
    services.add_item(actor_user=_user(request), meeting=meeting, **form.cleaned_data)
    return redirect("meetings:detail", pk=pk)


@access.require(meeting_access.can_use_meetings)
def attachment_download(request: HttpRequest, pk: int, attachment: int) -> FileResponse:
    actor = _actor(request)
    meeting = selectors.get_meeting_for(actor, pk)
    the_attachment = selectors.get_attachment_for(actor, meeting, attachment)
    services.record_attachment(actor_user=_user(request), meeting=meeting, name=the_attachment.name)
    return FileResponse(
        the_attachment.file.open("rb"), as_attachment=True, filename=the_attachment.name
    )


@access.require(meeting_access.can_use_meetings)
def item_edit(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    actor = _actor(request)
    meeting = _managed_meeting(request, pk)
    if not meeting_access.can_manage(actor, meeting.forum):
        raise PermissionDenied
    the_item = selectors.get_item_for(actor, pk, item)
    if the_item.is_closed and not access.can_see_closed_items(actor):
        raise Http404
    allow_closed = meeting.forum.may_discuss_individuals
    initial = {
        "title": the_item.title,
        "description": the_item.description,
        "visibility": the_item.visibility,
    }
    form = forms.ItemForm(request.POST or None, initial=initial, allow_closed=allow_closed)
    if request.method == "POST" and form.is_valid():
        if request.POST.get("delete"):
            services.delete_item(actor_user=_user(request), item=the_item)
            messages.success(request, _("Punktet er slettet."))
        else:
            services.update_item(
                actor_user=_user(request),
                item=the_item,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                visibility=form.cleaned_data["visibility"],
            )
            messages.success(request, _("Punktet er rettet."))
        return redirect("meetings:detail", pk=pk)
    return render(
        request, "meetings/item_form.html", {"meeting": meeting, "item": the_item, "form": form}
    )


@require_POST
@access.require(meeting_access.can_use_meetings)
def agenda_prepare(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _managed_meeting(request, pk)
    added = services.prepare_agenda(actor_user=_user(request), meeting=meeting)
    messages.success(request, _("%(n)s punkter er sat på dagsordenen.") % {"n": added})
    return redirect("meetings:detail", pk=pk)


@require_POST
@access.require(meeting_access.can_use_meetings)
def contribution_new(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    the_item = selectors.get_item_for(_actor(request), pk, item)
    services.add_contribution(
        actor_user=_user(request), item=the_item, text=request.POST.get("text", "")
    )
    messages.success(request, _("Dit bidrag er givet videre til punktet."))
    return redirect("meetings:detail", pk=pk)


@access.require(meeting_access.can_use_meetings)
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    meeting = _managed_meeting(request, pk)
    if not meeting_access.can_manage(actor, meeting.forum):
        raise PermissionDenied
    members = [
        ms.member
        for ms in meeting_access.permanent_memberships(meeting.forum).select_related("member")
    ]
    items = [
        item
        for item in meeting.items.select_related("responsible").order_by("position")
        if not item.is_closed or access.can_see_closed_items(actor)
    ]
    form = forms.MinutesForm(
        request.POST or None,
        members=members,
        items=items,
        attendance={a.member_id: a for a in meeting.attendance.all()},
        candidates=org_selectors.members_of_forum_municipality(meeting.forum),
    )
    if request.method == "POST" and form.is_valid():
        services.record_minutes(
            actor_user=_user(request),
            meeting=meeting,
            attendance=form.attendance_data(),
            decisions=form.decision_data(),
        )
        messages.success(request, _("Referatet er gemt."))
        return redirect("meetings:detail", pk=pk)
    return render(request, "meetings/minutes_form.html", {"meeting": meeting, "form": form})


@require_POST
@access.require(meeting_access.can_use_meetings)
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _managed_meeting(request, pk)
    services.sign_protocol(actor_user=_user(request), meeting=meeting)
    messages.success(request, _("Du har underskrevet protokollen."))
    return redirect("meetings:detail", pk=pk)


@require_POST
@access.require(meeting_access.can_use_meetings)
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _managed_meeting(request, pk)
    services.approve_minutes(actor_user=_user(request), meeting=meeting)
    messages.success(request, _("Referatet er godkendt og sendt videre."))
    return redirect("meetings:detail", pk=pk)


@require_POST
@access.require(meeting_access.can_use_meetings)
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    meeting = _managed_meeting(request, pk)
    findings = services.publish(actor_user=_user(request), meeting=meeting)
    if not findings:
        messages.success(request, _("Den offentlige udgave er offentliggjort."))
        return redirect("meetings:detail", pk=pk)
    messages.error(request, _("Offentliggørelsen er stoppet: fjern personoplysningerne nedenfor."))
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "mode": Mode.MEMBER.value,
            "items": selectors.agenda_for(actor, meeting, Mode.MEMBER),
            "manages": True,
            "findings": findings,
            "attendance": selectors.attendance_of(meeting),
            "signatures": services.current_signatures(meeting),
            "signers": services.signers_needed(meeting),
            "forwards": list(meeting.forwards.select_related("to_forum")),
            "can_see_closed": access.can_see_closed_items(actor),
        },
        status=409,
    )


@require_POST
@access.require(meeting_access.can_use_meetings)
def task_done(request: HttpRequest, task: int) -> HttpResponse:
    the_task = access.get_or_404(selectors.open_tasks_of(_actor(request)), pk=task)
    services.complete_meeting_task(actor_user=_user(request), task=the_task)
    messages.success(request, _("Opgaven er markeret som udført."))
    return redirect("home")


@access.require(meeting_access.can_use_meetings)
def meeting_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    meeting = selectors.get_meeting_for(actor, pk)
    mode = selectors.mode_for(actor, meeting)
    content = pdf.render_meeting(
        meeting=meeting, items=selectors.agenda_for(actor, meeting, mode), public=False
    )
    services.record_pdf(actor_user=_user(request), meeting=meeting)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="moede-{meeting.pk}.pdf"'
    return response


# --- Public pages (no login) ---------------------------------------------------------------


@login_not_required
def public_list(request: HttpRequest, slug: str) -> HttpResponse:
    meetings = selectors.published_meetings(slug)
    return render(request, "meetings/public_list.html", {"meetings": meetings, "slug": slug})


@login_not_required
def public_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_published_meeting(pk)
    return render(
        request,
        "meetings/public_meeting.html",
        {
            "meeting": meeting,
            "items": selectors.agenda_for(None, meeting, Mode.PUBLIC),
            "site_name": str(meeting.forum.municipality or meeting.forum.police_district),
        },
    )


@login_not_required
def public_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_published_meeting(pk)
    content = pdf.render_meeting(
        meeting=meeting, items=selectors.agenda_for(None, meeting, Mode.PUBLIC), public=True
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="protokol-{meeting.pk}.pdf"'
    return response


# --- iCalendar feeds (a signed token in the URL, for Outlook subscriptions) -----------------


@login_not_required
def my_feed(request: HttpRequest, token: str) -> HttpResponse:
    user = calendar.user_for_token(token)
    actor = access.get_actor(user)
    return _ics(
        calendar.feed(request, selectors.calendar_meetings(actor), name=_("Mine SSP-møder"))
    )


@login_not_required
def forum_feed(request: HttpRequest, token: str, forum: int) -> HttpResponse:
    user = calendar.user_for_token(token)
    actor = access.get_actor(user)
    the_forum = selectors.get_forum_for_calendar(actor, forum)
    return _ics(
        calendar.feed(request, selectors.calendar_meetings(actor, the_forum), name=the_forum.name)
    )


def _ics(body: bytes) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="ssp.ics"'
    return response
