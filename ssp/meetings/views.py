"""Meeting pages, the public protocol pages and the iCalendar feeds.

Thin views: parse the input, look the meeting up through `ssp.meetings.access` (which decides
who may see and change what), call a service, render. Templates get booleans from the access
module (`can_manage`, `can_see_closed`, ...), never the actor."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ssp import access, autocomplete
from ssp.access import Actor, get_or_404
from ssp.errors import DomainError
from ssp.forms import ForumPicker, MemberPicker
from ssp.http import ICS, PDF, actor_of, file_response, url_for_each, user_of
from ssp.meetings import access as meeting_access
from ssp.meetings import calendar, decisions, forms, links, pdf, scheduling, selectors, services
from ssp.meetings.access import ItemView, Mode
from ssp.meetings.links import Linked, PanelContent
from ssp.meetings.models import Meeting
from ssp.organisation import selectors as org_selectors
from ssp.validation import without_control_characters
from ssp.versioning import StaleEdit

PAST_SHOWN = 20
# The years the meeting list's archive (`?aar=`) accepts.
MIN_YEAR = 2000
MAX_YEAR = 2100
FORWARDED_SHOWN = 20


def _with_version(data: QueryDict, version: int) -> QueryDict:
    """The user's post with the version now stored: after a refused stale save, saving again
    is a deliberate choice made after seeing what the other person saved."""
    fresh = data.copy()
    fresh["version"] = str(version)
    return fresh


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdecimal() and len(value) <= 9 else None


def _list_context(
    request: HttpRequest,
    *,
    calendar_form: forms.CalendarForm | None = None,
    meeting_form: forms.MeetingForm | None = None,
) -> dict[str, Any]:
    """The meeting list: the next UPCOMING_DAYS (paginated) and the last RECENT_DAYS, or with
    `?aar=` one year's meetings (paginated); `?forum=` narrows either to one forum."""
    actor = actor_of(request)
    managed = meeting_access.managed_fora(actor)
    can_plan = meeting_access.can_plan_meetings(actor)
    token = calendar.feed_token(user_of(request))
    forum_id = _int_param(request, "forum")
    forum = meeting_access.get_forum_for_calendar(actor, forum_id) if forum_id else None
    year = _int_param(request, "aar")
    if year is not None and not MIN_YEAR <= year <= MAX_YEAR:
        year = None
    page = max(1, _int_param(request, "side") or 1)
    this_year = timezone.localdate().year
    return {
        "forum": forum,
        "year": year,
        # What the page links keep: the forum and year shown.
        "page_query": urlencode(
            {key: value for key, value in (("forum", forum_id), ("aar", year)) if value}
        ),
        "this_year": this_year,
        "upcoming_days": selectors.UPCOMING_DAYS,
        "recent_days": selectors.RECENT_DAYS,
        "archive": selectors.meeting_archive(actor, year=year, forum=forum, page=page)
        if year is not None
        else None,
        "upcoming": selectors.upcoming_meetings(actor, forum=forum, page=page)
        if year is None
        else None,
        "past": selectors.recent_meetings(actor, forum=forum, limit=PAST_SHOWN)
        if year is None
        else [],
        "past_shown": PAST_SHOWN,
        "forwarded": selectors.forwarded_to(actor)[:FORWARDED_SHOWN] if year is None else [],
        "calendar_form": (calendar_form or forms.CalendarForm(fora=managed, prefix="calendar"))
        if can_plan
        else None,
        "meeting_form": (meeting_form or forms.MeetingForm(fora=managed, prefix="meeting"))
        if can_plan
        else None,
        "feed_url": request.build_absolute_uri(reverse("meetings:my_feed", args=[token])),
        "forum_feed_url": request.build_absolute_uri(
            reverse("meetings:forum_feed", args=[token, forum.pk])
        )
        if forum is not None
        else "",
    }


@access.require(meeting_access.can_use_meetings)
def meeting_list(request: HttpRequest) -> HttpResponse:
    return render(request, "meetings/meeting_list.html", _list_context(request))


@require_POST
@access.require(meeting_access.can_plan_meetings)
def calendar_generate(request: HttpRequest) -> HttpResponse:
    form = forms.CalendarForm(
        request.POST, fora=meeting_access.managed_fora(actor_of(request)), prefix="calendar"
    )
    if autocomplete.is_search_step(form):  # the forum picker's search without JavaScript
        context = _list_context(request, calendar_form=form)
        return render(request, "meetings/meeting_list.html", context)
    if form.is_valid():
        try:
            created = services.generate_calendar(actor_user=user_of(request), **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                ngettext(
                    "%(n)s møde er lagt i kalenderen.",
                    "%(n)s møder er lagt i kalenderen.",
                    len(created),
                )
                % {"n": len(created)},
            )
            return redirect("meetings:list")
    context = _list_context(request, calendar_form=form)
    return render(request, "meetings/meeting_list.html", context, status=400)


@require_POST
@access.require(meeting_access.can_plan_meetings)
def meeting_new(request: HttpRequest) -> HttpResponse:
    form = forms.MeetingForm(
        request.POST, fora=meeting_access.managed_fora(actor_of(request)), prefix="meeting"
    )
    if autocomplete.is_search_step(form):  # the forum picker's search without JavaScript
        context = _list_context(request, meeting_form=form)
        return render(request, "meetings/meeting_list.html", context)
    if form.is_valid():
        try:
            meeting = services.create_meeting(actor_user=user_of(request), **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("meetings:detail", pk=meeting.pk)
    context = _list_context(request, meeting_form=form)
    return render(request, "meetings/meeting_list.html", context, status=400)


@dataclass
class AgendaEntry(ItemView):
    """An item as the agenda page and PDF show it: the item view (redacted or not) and, for an
    item the reader sees whole, the object it links to and the panel under it."""

    linked: Linked | None = None
    panel: PanelContent | None = None
    # For a reader who manages the meeting: where the item is edited ("" for everybody else).
    edit_url: str = ""
    # The concern or case the item is about, for a reader who sees the item whole.
    concern_url: str = ""
    case_url: str = ""


@dataclass
class Agenda:
    entries: list[ItemView]
    panels: dict[int, PanelContent]
    # Whether any item has a decision (read from all the items, also those shown redacted).
    has_decisions: bool


def _agenda(actor: Actor, meeting: Meeting, mode: Mode, *, can_manage: bool) -> Agenda:
    """The agenda as the actor sees it, each unredacted item with its link and panel; and the
    panels by item id. A redacted item never shows either. `can_manage`: each item with the
    link to edit it."""
    pairs = selectors.agenda_with_items(actor, meeting, mode)
    shown, panels = services.item_links(
        actor, meeting, [item for view, item in pairs if not view.redacted]
    )
    edit_url = url_for_each("meetings:item_edit", meeting.pk) if can_manage else None
    concern_url = url_for_each("cases:concern_detail")
    case_url = url_for_each("cases:case_detail")
    entries: list[ItemView] = [
        AgendaEntry(
            **{f.name: getattr(view, f.name) for f in fields(ItemView)},
            linked=None if view.redacted else shown.get(view.pk),
            panel=None if view.redacted else panels.get(view.pk),
            edit_url=edit_url(view.pk) if edit_url is not None else "",
            concern_url=concern_url(view.concern_id)
            if view.concern_id and not view.redacted
            else "",
            case_url=case_url(view.case_id) if view.case_id and not view.redacted else "",
        )
        for view, _item in pairs
    ]
    has_decisions = scheduling.any_decided(item for _view, item in pairs)
    return Agenda(entries=entries, panels=panels, has_decisions=has_decisions)


def _detail_context(actor: Actor, meeting: Meeting, **overrides: Any) -> dict[str, Any]:
    """What the meeting page shows this actor; every permission comes from the access module.
    `overrides` put back what a refused post typed (a bound form) and why it was refused."""
    mode = meeting_access.mode_for(actor, meeting)
    as_member = mode is Mode.MEMBER
    can_manage = meeting_access.can_manage_meeting(actor, meeting)
    # The protocol's signatures are shown to members of a held meeting only; hashing the
    # protocol text for them costs as much as reading the agenda again.
    shows_protocol = meeting.is_held and as_member
    agenda = _agenda(actor, meeting, mode, can_manage=can_manage)
    # The protocol is hashed once for the page (both parts), its signatures read once.
    signatures = services.current_signatures(meeting) if shows_protocol else []
    context: dict[str, Any] = {
        "meeting": meeting,
        "as_member": as_member,
        "for_orientation": mode is Mode.ORIENTATION,
        "mode_guest": mode is Mode.GUEST,
        "items": agenda.entries,
        "panels": agenda.panels,
        "has_decisions": agenda.has_decisions,
        "can_manage": can_manage,
        "can_see_closed": access.can_see_closed_items(actor),
        "show_contribution_form": meeting_access.offers_contribution_form(actor, meeting),
        "is_signer": meeting_access.can_sign_protocol(actor, meeting),
        "as_guest": mode is Mode.GUEST,
        "can_close": meeting_access.can_close_meeting(actor, meeting)
        and not meeting.is_held
        and meeting.has_started,
        "guests": list(meeting.guests.all()),
        "can_manage_guests": meeting_access.can_manage_guests(actor, meeting),
        "signature_lines": services.signature_lines(meeting, signatures=signatures)
        if shows_protocol
        else [],
        "previous": selectors.previous_meeting(meeting) if as_member else None,
        "my_tasks": selectors.my_open_tasks(actor) if as_member else [],
        "attendance": selectors.attendance_of(meeting),
        "signatures": signatures,
        "signers": services.signers_needed(meeting) if shows_protocol else [],
        "forwards": selectors.forwards_of(meeting),
        "findings": [],
        "minutes_open_from": services.minutes_open_from(meeting),
    }
    return context | overrides


def _guest_form(meeting: Meeting, data: QueryDict | None = None) -> forms.GuestForm:
    return forms.GuestForm(
        data,
        meeting=meeting,
        candidates=org_selectors.members_of_forum_municipality(meeting.forum),
        prefix="guest",
    )


def _detail_refused(request: HttpRequest, meeting: Meeting, error: DomainError) -> HttpResponse:
    """A button on the meeting page (sign, approve, publish, prepare) was refused: the same page
    with the reason, not a dead end."""
    context = _detail_context(actor_of(request), meeting, action_error=error.message)
    return render(request, "meetings/meeting_detail.html", context, status=error.status_code)


@access.require(meeting_access.can_use_meetings)
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    meeting = meeting_access.get_meeting_for(actor, pk)
    services.record_view(actor_user=user_of(request), meeting=meeting)
    return render(request, "meetings/meeting_detail.html", _detail_context(actor, meeting))


@access.require(meeting_access.can_use_meetings)
def item_new(request: HttpRequest, pk: int) -> HttpResponse:
    """A new item for the agenda: the form on its own page, or (asked for by the meeting page
    with htmx when its "Nyt punkt" is opened) as a fragment; a refused post comes back on the
    form's page with what was typed and why (issue 11: the meeting page no longer builds the
    form and its link choices for every view)."""
    actor = actor_of(request)
    meeting = meeting_access.get_meeting_for(actor, pk, for_change=True)
    posted = request.method == "POST"
    form = forms.ItemForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        allow_closed=meeting.forum.may_discuss_individuals,
        link_groups=forms.link_choices(actor, meeting.forum),
    )
    if not posted:
        return _form_page(request, meeting, form, "item_new", _("Nyt punkt"))
    if form.is_valid():
        try:
            services.add_item(actor_user=user_of(request), meeting=meeting, **form.to_data())
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("meetings:detail", pk=pk)
    return _form_page(request, meeting, form, "item_new", _("Nyt punkt"), status=400)


def _form_page(
    request: HttpRequest,
    meeting: Meeting,
    form: forms.ItemForm | forms.GuestForm,
    name: str,
    title: str,
    *,
    status: int = 200,
) -> HttpResponse:
    """A meeting's form (`meetings/_<name>_form.html`) on its own page, or (asked for by the
    meeting page with htmx when its box is opened) alone."""
    fragment = f"meetings/_{name}_form.html"
    template = fragment if request.headers.get("HX-Request") else "meetings/form_page.html"
    context = {"meeting": meeting, "form": form, "fragment": fragment, "title": title}
    return render(request, template, context, status=status)


@access.require(meeting_access.can_use_meetings)
def attachment_download(request: HttpRequest, pk: int, attachment: int) -> FileResponse:
    actor = actor_of(request)
    meeting = meeting_access.get_meeting_for(actor, pk)
    the_attachment = meeting_access.get_attachment_for(actor, meeting, attachment)
    services.record_attachment(actor_user=user_of(request), attachment=the_attachment)
    return FileResponse(
        the_attachment.file.open("rb"), as_attachment=True, filename=the_attachment.name
    )


@access.require(meeting_access.can_use_meetings)
def item_edit(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    actor = actor_of(request)
    meeting = meeting_access.get_meeting_for(actor, pk, for_change=True)
    the_item = meeting_access.get_item_for(actor, meeting, item, for_change=True)
    initial = {
        "title": the_item.title,
        "description": the_item.description,
        "visibility": the_item.visibility,
        "version": the_item.version,
        "link": links.link_value(present) if (present := links.link_of(the_item)) else "",
    }
    allow_closed = meeting.forum.may_discuss_individuals
    link_groups = forms.link_choices(actor, meeting.forum, the_item)
    form = forms.ItemEditForm(
        request.POST or None, initial=initial, allow_closed=allow_closed, link_groups=link_groups
    )
    context: dict[str, Any] = {"meeting": meeting, "item": the_item}
    status = 200
    if request.method == "POST":
        status = 400
        if request.POST.get("delete"):
            try:
                services.delete_item(actor_user=user_of(request), item=the_item)
            except DomainError as error:
                form.is_valid()
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Punktet er slettet."))
                return redirect("meetings:detail", pk=pk)
        elif form.is_valid():
            try:
                services.update_item(actor_user=user_of(request), item=the_item, **form.to_data())
            except StaleEdit as stale:
                form = forms.ItemEditForm(
                    _with_version(request.POST, stale.version),
                    allow_closed=allow_closed,
                    link_groups=link_groups,
                )
                form.is_valid()
                form.add_error(None, stale.message)
                context["saved_now"] = form.saved_rows(stale.current)
                status = stale.status_code
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Punktet er rettet."))
                return redirect("meetings:detail", pk=pk)
    context["form"] = form
    return render(request, "meetings/item_form.html", context, status=status)


@require_POST
@access.require(meeting_access.can_use_meetings)
def agenda_prepare(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_access.get_meeting_for(actor_of(request), pk, for_change=True)
    try:
        added = services.prepare_agenda(actor_user=user_of(request), meeting=meeting)
    except DomainError as error:
        return _detail_refused(request, meeting, error)
    messages.success(
        request,
        ngettext(
            "%(n)s punkt er sat på dagsordenen.", "%(n)s punkter er sat på dagsordenen.", added
        )
        % {"n": added},
    )
    return redirect("meetings:detail", pk=pk)


@require_POST
@access.require(meeting_access.can_use_meetings)
def contribution_new(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    actor = actor_of(request)
    meeting = meeting_access.get_meeting_for(actor, pk)
    the_item = meeting_access.get_item_to_contribute(actor, meeting, item)
    form = forms.ContributionForm(request.POST)
    refused = None
    if form.is_valid():
        try:
            services.add_contribution(
                actor_user=user_of(request), item=the_item, text=form.cleaned_data["text"]
            )
        except DomainError as error:
            refused = error.message
        else:
            messages.success(request, _("Dit bidrag er givet videre til punktet."))
            return redirect("meetings:detail", pk=pk)
    context = _detail_context(
        actor,
        meeting,
        contribution_form=form,
        contribution_item=the_item.pk,
        action_error=refused,
    )
    return render(request, "meetings/meeting_detail.html", context, status=400)


@access.require(meeting_access.can_use_meetings)
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    meeting = meeting_access.get_meeting_for(actor, pk, for_change=True)
    # Issue 14: the members of the meeting's day (an election since does not change them).
    members = [
        ms.member for ms in meeting_access.meeting_memberships(meeting).select_related("member")
    ]
    voters = meeting_access.voting_members(meeting.forum, on=meeting_access.meeting_day(meeting))

    def minutes_form(data: QueryDict | None) -> forms.MinutesForm:
        return forms.MinutesForm(
            data,
            meeting=meeting,
            members=members,
            items=selectors.minutes_items(actor, meeting),
            attendance=selectors.attendance_by_member(meeting),
            candidates=org_selectors.members_of_forum_municipality(meeting.forum),
            voters=voters,
        )

    form = minutes_form(request.POST if request.method == "POST" else None)
    context: dict[str, Any] = {
        "meeting": meeting,
        "minutes_open_from": services.minutes_open_from(meeting),
    }
    status = 200
    if request.method == "POST" and not autocomplete.is_search_step(form):
        status = 400
        if form.is_valid():
            try:
                services.record_minutes(
                    actor_user=user_of(request),
                    meeting=meeting,
                    attendance=form.attendance_data(),
                    decisions=form.decision_data(),
                    expected_version=form.expected_version(),
                    apply_links=form.apply_links(),
                )
            except StaleEdit as stale:
                form = minutes_form(_with_version(request.POST, stale.version))
                form.is_valid()
                form.add_error(None, stale.message)
                context["saved_now"] = form.saved_rows(stale.current)
                status = stale.status_code
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Referatet er gemt."))
                return redirect("meetings:detail", pk=pk)
    context["form"] = form
    return render(request, "meetings/minutes_form.html", context, status=status)


@require_POST
@access.require(meeting_access.can_use_meetings)
def close(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Afslut mødet": refused (with the undecided items named) while an item has no
    decision."""
    meeting = meeting_access.get_meeting_for(actor_of(request), pk, for_change=True)
    try:
        services.close_meeting(actor_user=user_of(request), meeting=meeting)
    except DomainError as error:
        return _detail_refused(request, meeting, error)
    messages.success(request, _("Mødet er afsluttet. Protokollen kan nu underskrives."))
    return redirect("meetings:detail", pk=pk)


@access.require(meeting_access.can_use_meetings)
def guest_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Invite a guest: the form on its own page, or (asked for by the meeting page with htmx
    when its "Invitér en gæst" is opened) as a fragment; the member picker's search without
    JavaScript and a refused post come back on the form's page with what was typed."""
    actor = actor_of(request)
    meeting = meeting_access.get_meeting_for(actor, pk, for_change=True)
    if request.method != "POST":
        return _form_page(request, meeting, _guest_form(meeting), "guest_new", _("Invitér en gæst"))
    form = _guest_form(meeting, request.POST)
    if autocomplete.is_search_step(form):
        return _form_page(request, meeting, form, "guest_new", _("Invitér en gæst"))
    if form.is_valid():
        try:
            services.add_guest(
                actor_user=user_of(request),
                meeting=meeting,
                name=form.cleaned_data["name"],
                organisation=form.cleaned_data["organisation"],
                email=form.cleaned_data["email"],
                member=form.cleaned_data["member"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Gæsten er inviteret."))
            return redirect("meetings:detail", pk=pk)
    return _form_page(request, meeting, form, "guest_new", _("Invitér en gæst"), status=400)


@require_POST
@access.require(meeting_access.can_use_meetings)
def guest_remove(request: HttpRequest, pk: int, guest: int) -> HttpResponse:
    actor = actor_of(request)
    meeting = meeting_access.get_meeting_for(actor, pk, for_change=True)
    the_guest = meeting_access.get_guest_for(actor, meeting, guest)
    try:
        services.remove_guest(actor_user=user_of(request), guest=the_guest)
    except DomainError as error:
        return _detail_refused(request, meeting, error)
    messages.success(request, _("Gæsten er fjernet."))
    return redirect("meetings:detail", pk=pk)


@access.require(meeting_access.can_use_meetings)
def decision_lookup(request: HttpRequest) -> HttpResponse:
    """A decision by its number ("STY 2026-14", `?nummer=`): to its meeting's item, else 404
    (also for a decision the user may not see)."""
    number = request.GET.get("nummer", "")
    try:
        found = decisions.find(actor_of(request), number)
    except Http404:
        # From the search box on the meeting list: back there with the reason, not a dead end.
        messages.warning(
            request,
            _("Der er ingen beslutning med nummeret „%(number)s“, som du kan se.")
            % {"number": without_control_characters(number.strip())[:30]},
        )
        return redirect("meetings:list")
    return redirect(f"{reverse('meetings:detail', args=[found.meeting_id])}#punkt-{found.pk}")


@require_POST
@access.require(meeting_access.can_use_meetings)
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_access.get_meeting_to_sign(actor_of(request), pk)
    try:
        services.sign_protocol(actor_user=user_of(request), meeting=meeting)
    except DomainError as error:
        return _detail_refused(request, meeting, error)
    messages.success(request, _("Du har underskrevet protokollen."))
    return redirect("meetings:detail", pk=pk)


@require_POST
@access.require(meeting_access.can_use_meetings)
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_access.get_meeting_for(actor_of(request), pk, for_change=True)
    try:
        services.approve_minutes(actor_user=user_of(request), meeting=meeting)
    except DomainError as error:
        return _detail_refused(request, meeting, error)
    messages.success(request, _("Referatet er godkendt og sendt videre."))
    return redirect("meetings:detail", pk=pk)


@require_POST
@access.require(meeting_access.can_use_meetings)
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    meeting = meeting_access.get_meeting_for(actor, pk, for_change=True)
    try:
        findings = services.publish(actor_user=user_of(request), meeting=meeting)
    except DomainError as error:
        return _detail_refused(request, meeting, error)
    if not findings:
        messages.success(request, _("Den offentlige udgave er offentliggjort."))
        return redirect("meetings:detail", pk=pk)
    messages.error(request, _("Offentliggørelsen er stoppet: fjern personoplysningerne nedenfor."))
    context = _detail_context(actor, meeting) | {"findings": findings}
    return render(request, "meetings/meeting_detail.html", context, status=409)


@require_POST
@access.require(meeting_access.can_use_meetings)
def task_done(request: HttpRequest, task: int) -> HttpResponse:
    the_task = meeting_access.get_task_for(actor_of(request), task)
    services.complete_meeting_task(actor_user=user_of(request), task=the_task)
    messages.success(request, _("Opgaven er markeret som udført."))
    return redirect("home")


@access.require(meeting_access.can_use_meetings)
def meeting_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    meeting = meeting_access.get_meeting_for(actor, pk)
    mode = meeting_access.mode_for(actor, meeting)
    content = pdf.render_meeting(
        meeting=meeting,
        items=_agenda(actor, meeting, mode, can_manage=False).entries,
        public=False,
        attendance=selectors.attendance_of(meeting) if mode is Mode.MEMBER else [],
        guests=list(meeting.guests.all()) if mode is Mode.MEMBER else [],
        signatures=services.signature_lines(meeting) if mode is Mode.MEMBER else [],
    )
    services.record_pdf(actor_user=user_of(request), meeting=meeting)
    return file_response(content, content_type=PDF, filename=f"moede-{meeting.pk}.pdf")


# --- Public pages (no login) ---------------------------------------------------------------


@login_not_required
def public_list(request: HttpRequest, slug: str) -> HttpResponse:
    meetings = selectors.published_meetings(slug)
    return render(request, "meetings/public_list.html", {"meetings": meetings, "slug": slug})


@login_not_required
def public_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_access.get_public_meeting(pk)
    return render(
        request,
        "meetings/public_meeting.html",
        {
            "meeting": meeting,
            "items": selectors.agenda_for(None, meeting, Mode.PUBLIC),
            "site_name": str(meeting.forum.municipality or meeting.forum.police_district),
            "signature_lines": services.signature_lines(meeting, public=True),
        },
    )


@login_not_required
def public_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_access.get_public_meeting(pk)
    content = pdf.render_meeting(
        meeting=meeting,
        items=selectors.agenda_for(None, meeting, Mode.PUBLIC),
        public=True,
        signatures=services.signature_lines(meeting, public=True),
    )
    return file_response(
        content, content_type=PDF, filename=f"protokol-{meeting.pk}.pdf", disposition="inline"
    )


# --- iCalendar feeds (a signed token in the URL, for Outlook subscriptions) -----------------


@login_not_required
def my_feed(request: HttpRequest, token: str) -> HttpResponse:
    actor = access.get_actor(calendar.user_for_token(token))
    return _ics(
        calendar.feed(request, selectors.calendar_meetings(actor), name=_("Mine SSP-møder"))
    )


@login_not_required
def forum_feed(request: HttpRequest, token: str, forum: int) -> HttpResponse:
    actor = access.get_actor(calendar.user_for_token(token))
    the_forum = meeting_access.get_forum_for_calendar(actor, forum)
    return _ics(
        calendar.feed(request, selectors.calendar_meetings(actor, the_forum), name=the_forum.name)
    )


def _ics(body: bytes) -> HttpResponse:
    return file_response(body, content_type=ICS, filename="ssp.ics", disposition="inline")


# --- Pickers' search endpoints (ssp/autocomplete.py) -------------------------------------------


@access.require(meeting_access.can_plan_meetings)
def fora_search(request: HttpRequest) -> HttpResponse:
    """The forum picker of "Planlæg kalender" and "Nyt møde": the fora the user manages."""
    fora = meeting_access.managed_fora(actor_of(request)).order_by("name")
    return autocomplete.search_response(request, ForumPicker(queryset=fora))


@access.require(meeting_access.can_use_meetings)
def responsible_search(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    """The minutes' picker of who is responsible for an item's decision: for those who may
    write the minutes of that item (404 otherwise); a closed item's candidates are authority
    persons only (`responsible_candidates`)."""
    actor = actor_of(request)
    meeting = meeting_access.get_meeting_for(actor, pk, for_change=True)
    the_item = get_or_404(meeting_access.changeable_items(actor, meeting), pk=item)
    candidates = meeting_access.responsible_candidates(
        org_selectors.members_of_forum_municipality(meeting.forum), the_item
    )
    return autocomplete.search_response(request, MemberPicker(queryset=candidates))


@access.require(meeting_access.can_use_meetings)
def deputy_search(request: HttpRequest, pk: int) -> HttpResponse:
    """The minutes' picker of a member's deputy: the municipality's members, for those who
    write the minutes (404/403 otherwise)."""
    meeting = meeting_access.get_meeting_for(actor_of(request), pk, for_change=True)
    candidates = org_selectors.members_of_forum_municipality(meeting.forum)
    return autocomplete.search_response(request, MemberPicker(queryset=candidates))


@access.require(meeting_access.can_use_meetings)
def guest_search(request: HttpRequest, pk: int) -> HttpResponse:
    """The guest form's picker of a guest with a login: the municipality's members."""
    meeting = meeting_access.get_meeting_for(actor_of(request), pk, for_change=True)
    candidates = org_selectors.members_of_forum_municipality(meeting.forum)
    return autocomplete.search_response(request, MemberPicker(queryset=candidates))
