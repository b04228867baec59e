"""The election item's small form (issue 14): after the decision is written in the minutes,
the forum's manager records the result (re-elected until a date, or a new member with the end
of her term), which updates the membership (`ssp.meetings.terms.record_election`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ssp import access, autocomplete
from ssp.access import Actor, get_or_404
from ssp.errors import DomainError
from ssp.forms import DATE_WIDGET, MemberPicker, StyledForm, set_picker
from ssp.http import actor_of, user_of
from ssp.meetings import access as meeting_access
from ssp.meetings import terms
from ssp.meetings.models import AgendaItem, ItemKind, Meeting
from ssp.organisation import selectors as org_selectors
from ssp.organisation.models import Member

RE_ELECTED = "re_elected"
NEW_MEMBER = "new_member"


class ElectionForm(StyledForm):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Valgets resultat"),
        choices=[
            (RE_ELECTED, gettext_lazy("Genvalgt")),
            (NEW_MEMBER, gettext_lazy("Nyt medlem valgt")),
        ],
        widget=forms.RadioSelect,
    )
    re_elected_until = forms.DateField(
        label=gettext_lazy("Genvalgt til"), widget=DATE_WIDGET, required=False
    )
    new_member = MemberPicker(
        label=gettext_lazy("Nyt medlem"), queryset=Member.objects.none(), required=False
    )
    new_term_ends_on = forms.DateField(
        label=gettext_lazy("Det nye medlems valgperiode udløber"),
        widget=DATE_WIDGET,
        required=False,
    )

    def __init__(self, *args: Any, item: AgendaItem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_picker(
            self,
            "new_member",
            org_selectors.members_of_forum_municipality(item.meeting.forum),
            reverse("meetings:election_search", args=[item.meeting_id, item.pk]),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == RE_ELECTED and not data.get("re_elected_until"):
            self.add_error("re_elected_until", _("Angiv, hvornår den nye valgperiode udløber."))
        if data.get("outcome") == NEW_MEMBER:
            if not data.get("new_member"):
                self.add_error("new_member", _("Vælg det nye medlem."))
            if not data.get("new_term_ends_on"):
                self.add_error("new_term_ends_on", _("Angiv, hvornår valgperioden udløber."))
        return data

    def to_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        if data["outcome"] == RE_ELECTED:
            until: date = data["re_elected_until"]
            return {"re_elected_until": until}
        return {"new_member": data["new_member"], "new_term_ends_on": data["new_term_ends_on"]}


def _election_item(actor: Actor, pk: int, item: int) -> tuple[Meeting, AgendaItem]:
    """The meeting (managed by the actor, else 403/404) and its election item (else 404)."""
    meeting = meeting_access.get_meeting_for(actor, pk, for_change=True)
    the_item = get_or_404(
        meeting_access.changeable_items(actor, meeting).filter(
            kind=ItemKind.ELECTION, election_for__isnull=False
        ),
        pk=item,
    )
    return meeting, the_item


@access.require(meeting_access.can_use_meetings)
def election(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    actor = actor_of(request)
    meeting, the_item = _election_item(actor, pk, item)
    context: dict[str, Any] = {
        "meeting": meeting,
        "item": the_item,
        "membership": the_item.election_for,
        "recorded": the_item.link_applied_at is not None,
    }
    if request.method != "POST":
        context["form"] = ElectionForm(item=the_item)
        return render(request, "meetings/election_form.html", context)
    form = ElectionForm(request.POST, item=the_item)
    context["form"] = form
    if autocomplete.is_search_step(form):
        return render(request, "meetings/election_form.html", context)
    if form.is_valid():
        try:
            terms.record_election(actor_user=user_of(request), item=the_item, **form.to_data())
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Valget er registreret, og medlemskabet er opdateret."))
            return redirect("meetings:detail", pk=meeting.pk)
    return render(request, "meetings/election_form.html", context, status=400)


@access.require(meeting_access.can_use_meetings)
def election_search(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    """The election form's member picker: members of the forum's municipality, for those who
    may record the election (404/403 otherwise)."""
    _meeting, the_item = _election_item(actor_of(request), pk, item)
    field = ElectionForm(item=the_item).fields["new_member"]
    if not isinstance(field, MemberPicker):
        raise TypeError("new_member is not a picker")
    return autocomplete.search_response(request, field)
