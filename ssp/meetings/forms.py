"""Forms for meetings; they validate input, the services apply the rules.

Every form is a `StyledForm`, so text refuses control characters and dates lie between 1900 and
2100; forms that add fields after `__init__` apply those limits to them too
(`bound_field_limits`). Editing forms carry the version they were opened at."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ssp.access import Actor
from ssp.forms import (
    ForumPicker,
    MemberPicker,
    StyledForm,
    VersionedFormMixin,
    bound_field_limits,
    set_picker,
)
from ssp.meetings import access as meeting_access
from ssp.meetings import links, uploads, votes
from ssp.meetings.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Guest,
    Meeting,
    MeetingKind,
    Visibility,
    VoteChoice,
    VoteKind,
)
from ssp.meetings.services import KEEP_LINK, AttendanceData, DecisionData, minutes_open_from
from ssp.organisation.models import Forum, Member
from ssp.validation import EARLIEST_DATE, LATEST_DATE, max_length_of, within_planning_horizon

MAX_ATTACHMENT_BYTES = uploads.MAX_ATTACHMENT_BYTES
# The browser's own limits for a datetime-local field, the same as the domain range.
DATETIME_BOUNDS = {
    "min": f"{EARLIEST_DATE.isoformat()}T00:00",
    "max": f"{LATEST_DATE.isoformat()}T23:59",
}

WEEKDAYS = [
    (0, _("Mandag")),
    (1, _("Tirsdag")),
    (2, _("Onsdag")),
    (3, _("Torsdag")),
    (4, _("Fredag")),
]


def _managed_fora_search() -> str:
    """The search endpoint of the fora a user plans meetings for (`managed_fora`)."""
    return reverse("meetings:fora_search")


class CalendarForm(StyledForm):
    forum = ForumPicker(label=_("Forum"), queryset=Forum.objects.none())
    year = forms.IntegerField(label=_("År"), min_value=2020, max_value=LATEST_DATE.year)
    weekday = forms.TypedChoiceField(label=_("Ugedag"), choices=WEEKDAYS, coerce=int, initial=1)
    hour = forms.IntegerField(label=_("Klokken"), min_value=7, max_value=20, initial=14)

    def __init__(self, *args: Any, fora: QuerySet[Forum], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_picker(self, "forum", fora, _managed_fora_search())
        self.fields["year"].initial = timezone.localdate().year + 1


class MeetingForm(StyledForm):
    forum = ForumPicker(label=_("Forum"), queryset=Forum.objects.none())
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=[(k, v) for k, v in MeetingKind.choices if k != MeetingKind.ANNUAL_EVENT],
        initial=MeetingKind.EXTRA,
    )
    starts_at = forms.DateTimeField(
        label=_("Tidspunkt"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local", **DATETIME_BOUNDS}),
    )
    location = forms.CharField(
        label=_("Sted"), max_length=max_length_of(Meeting, "location"), required=False
    )
    title = forms.CharField(
        label=_("Titel"), max_length=max_length_of(Meeting, "title"), required=False
    )

    def __init__(self, *args: Any, fora: QuerySet[Forum], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_picker(self, "forum", fora, _managed_fora_search())


# An option group of the "Tilknyt" field: (kind label, [("kind_key:id", label), ...]).
LinkGroup = tuple[str, list[tuple[str, str]]]


def link_choices(actor: Actor, forum: Forum, current: AgendaItem | None = None) -> list[LinkGroup]:
    """The objects an item of this forum's agenda may link to, grouped by kind
    (`links.LinkKind.choices`: the owning app bounds them by what the actor may see). An
    item's present link stays on offer, also when the owner no longer lists it."""
    groups: list[LinkGroup] = []
    present = links.link_of(current) if current is not None else None
    for kind in links.link_kinds():
        options = [
            (links.link_value((kind.key, object_id)), label)
            for object_id, label in kind.choices(actor, forum)
        ]
        if present is not None and present[0] == kind.key:
            value = links.link_value(present)
            if value not in {option for option, _label in options}:
                shown = links.linked(current) if current is not None else None
                options.insert(0, (value, shown.title if shown else value))
        if options:
            groups.append((str(kind.label), options))
    return groups


class _ItemFields(StyledForm):
    title = forms.CharField(label=_("Overskrift"), max_length=max_length_of(AgendaItem, "title"))
    description = forms.CharField(
        label=_("Beskrivelse"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    visibility = forms.ChoiceField(
        label=_("Synlighed"), choices=Visibility.choices, initial=Visibility.INTERNAL
    )
    link = forms.ChoiceField(
        label=_("Tilknyt"),
        required=False,
        help_text=_(
            "Et punkt kan tilknyttes fx en årsplan eller et fokusområde; beslutningen i "
            "referatet kan så føres igennem på det. Ikke for lukkede punkter."
        ),
    )

    def __init__(
        self,
        *args: Any,
        allow_closed: bool,
        link_groups: Sequence[LinkGroup] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if not allow_closed:
            cast(forms.ChoiceField, self.fields["visibility"]).choices = [
                c for c in Visibility.choices if c[0] != Visibility.CLOSED
            ]
        if link_groups:
            cast(forms.ChoiceField, self.fields["link"]).choices = [
                ("", _("Intet")),
                *link_groups,
            ]
        else:
            del self.fields["link"]  # nothing to link to: no empty field

    def chosen_link(self) -> tuple[str, int] | None:
        """The chosen link as (kind key, object id); None for none (or no field)."""
        return links.parse_link_value(self.cleaned_data.get("link") or "")


class ItemForm(_ItemFields):
    """A new item, with an attachment of an allowed kind (checked by content)."""

    attachment = forms.FileField(label=_("Bilag"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachment"].help_text = _("Højst 10 MB: %(kinds)s.") % {
            "kinds": uploads.allowed_kinds_text()
        }

    def clean_attachment(self) -> Any:
        upload = self.cleaned_data.get("attachment")
        if upload is not None:
            uploads.check_attachment(upload, name=upload.name or "", max_bytes=MAX_ATTACHMENT_BYTES)
        return upload

    def to_data(self) -> dict[str, Any]:
        """The input of `services.add_item`."""
        return {
            "title": self.cleaned_data["title"],
            "description": self.cleaned_data["description"],
            "visibility": self.cleaned_data["visibility"],
            "attachment": self.cleaned_data.get("attachment"),
            "link": self.chosen_link(),
        }


class ItemEditForm(VersionedFormMixin, _ItemFields):
    """Changing an item: carries the item's version, so a stale save is refused. Without the
    "Tilknyt" field (nothing to link to) the item's link is left as it is."""

    def to_data(self) -> dict[str, Any]:
        """The input of `services.update_item` (besides the item)."""
        return {
            "title": self.cleaned_data["title"],
            "description": self.cleaned_data["description"],
            "visibility": self.cleaned_data["visibility"],
            "expected_version": self.expected_version(),
            "link": self.chosen_link() if "link" in self.fields else KEEP_LINK,
        }

    def saved_rows(self, current: dict[str, Any]) -> list[tuple[str, str]]:
        """What the other person saved, as (label, text) for the page."""
        return [
            (str(self.fields["title"].label), current["title"]),
            (str(self.fields["description"].label), current["description"]),
            (str(self.fields["visibility"].label), Visibility(current["visibility"]).label),
        ]


class ContributionForm(StyledForm):
    """A member's contribution to a closed item (København)."""

    text = forms.CharField(
        label=_("Din bekymring til punktet (du forlader mødet under punktet)"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _short_textarea() -> forms.Textarea:
    """Two rows, its width from the style sheet (no `cols`: a byte less per item of the
    minutes of a long agenda)."""
    widget = forms.Textarea(attrs={"rows": 2})
    widget.attrs.pop("cols", None)
    return widget


@dataclass(frozen=True)
class MinutesItemRow:
    """One item of the minutes form: its fields, the object it links to, and the box that
    applies the decision to it (None when there is none, or it was applied: `applied`)."""

    item: AgendaItem
    decision: forms.BoundField
    responsible: forms.BoundField
    deadline: forms.BoundField
    linked: links.Linked | None
    apply: forms.BoundField | None
    applied: bool
    vote_kind: forms.BoundField | None = None
    votes: tuple[tuple[Member, forms.BoundField], ...] = ()


@dataclass(frozen=True)
class AttendanceRow:
    """One permanent member's attendance in the minutes form (issue 14)."""

    member: Member
    status: forms.BoundField
    deputy: forms.BoundField
    left: forms.BoundField


# An item's "Ansvarlig" picker is the field `resp_<item id>`: its name recurs ten times in the
# picker's markup, so a short one keeps the form of an 88-item agenda under 150 KB (issue 14).
# The id of the one hint for every item's "Ansvarlig" picker (meetings/minutes_form.html).
RESPONSIBLE_HINT_ID = "responsible-hint"
# ... and for every member's "Stedfortræder" picker.
DEPUTY_HINT_ID = "deputy-hint"


class MinutesForm(VersionedFormMixin, StyledForm):
    """Attendance per permanent member (til stede / afbud / fraværende, a deputy, left before
    item N) and a decision per agenda item with its vote (issue 14), written from the meeting's
    start; the form carries the minutes' version (`Meeting.version`). `voters`: the forum's
    members with the vote (`access.voting_members`); a deputy votes in her member's place."""

    def __init__(
        self,
        *args: Any,
        meeting: Meeting,
        members: list[Member],
        items: list[AgendaItem],
        attendance: dict[int, Attendance],
        candidates: QuerySet[Member],
        voters: Sequence[Member] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.members = members
        self.items = items
        self.voters = list(voters)
        self.attendance = attendance
        self.fields["version"].initial = meeting.version
        deputy_search = reverse("meetings:deputy_search", args=[meeting.pk])
        # Who voted in whose place: the deputies of the attendance as recorded.
        deputies = {
            a.deputy_id: member_id for member_id, a in attendance.items() if a.deputy_id is not None
        }
        for member in members:
            existing = attendance.get(member.pk)
            self.fields[f"status_{member.pk}"] = forms.ChoiceField(
                label=_("Fremmøde for %(name)s") % {"name": member.name},
                choices=AttendanceStatus.choices,
                required=False,
                initial=existing.status if existing else AttendanceStatus.PRESENT,
            )
            deputy = MemberPicker(
                label=_("Stedfortræder for %(name)s") % {"name": member.name},
                queryset=candidates,
                required=False,
                initial=existing.deputy_id if existing else None,
                hint_id=DEPUTY_HINT_ID,
            )
            deputy.search_url = deputy_search
            self.fields[f"deputy_{member.pk}"] = deputy
            self.fields[f"left_{member.pk}"] = forms.IntegerField(
                label=_("%(name)s forlod mødet før punkt") % {"name": member.name},
                required=False,
                min_value=1,
                max_value=len(items) + 1000,
                initial=existing.left_before_position if existing else None,
            )
        for item in items:
            self.fields[f"decision_{item.pk}"] = forms.CharField(
                label=_("Beslutning"),
                required=False,
                initial=item.decision,
                widget=_short_textarea(),
            )
            responsible = MemberPicker(
                label=_("Ansvarlig"),
                queryset=meeting_access.responsible_candidates(candidates, item),
                required=False,
                initial=item.responsible_id,
                hint_id=RESPONSIBLE_HINT_ID,  # shown once above the items (88 on a big agenda)
            )
            responsible.search_url = reverse(
                "meetings:responsible_search", args=[meeting.pk, item.pk]
            )
            self.fields[f"resp_{item.pk}"] = responsible
            self.fields[f"deadline_{item.pk}"] = forms.DateField(
                label=_("Frist"),
                required=False,
                initial=item.deadline,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                validators=[within_planning_horizon],
            )
            kind = links.awaits_decision(item)
            if kind is not None:
                self.fields[f"apply_{item.pk}"] = forms.BooleanField(
                    label=str(kind.decision_label), required=False
                )
            if self.voters:
                self.fields[f"vote_kind_{item.pk}"] = forms.ChoiceField(
                    label=_("Afstemning"),
                    choices=VoteKind.choices,
                    required=False,
                    initial=item.vote_kind,
                )
                # The votes as `selectors.minutes_items` prefetched them: no query per item.
                given = {v.member_id: v.choice for v in votes.prefetched(item)}
                for voter in self.voters:
                    initial = given.get(voter.pk) or next(
                        (given[d] for d, m in deputies.items() if m == voter.pk and d in given),
                        "",
                    )
                    self.fields[f"vote_{item.pk}_{voter.pk}"] = forms.ChoiceField(
                        label=voter.name,
                        choices=[("", _("Stemte ikke")), *VoteChoice.choices],
                        required=False,
                        initial=initial,
                    )
        # The linked objects as the minutes show them: one `describe` per linked item.
        self.linked = {
            item.pk: shown for item in items if (shown := links.linked(item)) is not None
        }
        bound_field_limits(self)
        self.style_widgets()

    def member_rows(self) -> list[AttendanceRow]:
        return [
            AttendanceRow(
                member=m,
                status=self[f"status_{m.pk}"],
                deputy=self[f"deputy_{m.pk}"],
                left=self[f"left_{m.pk}"],
            )
            for m in self.members
        ]

    def item_rows(self) -> list[MinutesItemRow]:
        return [
            MinutesItemRow(
                item=i,
                decision=self[f"decision_{i.pk}"],
                responsible=self[f"resp_{i.pk}"],
                deadline=self[f"deadline_{i.pk}"],
                linked=self.linked.get(i.pk),
                apply=self[f"apply_{i.pk}"] if f"apply_{i.pk}" in self.fields else None,
                applied=i.link_applied_at is not None and links.link_of(i) is not None,
                vote_kind=self[f"vote_kind_{i.pk}"] if self.voters else None,
                votes=tuple((v, self[f"vote_{i.pk}_{v.pk}"]) for v in self.voters),
            )
            for i in self.items
        ]

    def apply_links(self) -> set[int]:
        """The linked items whose decision is to act on the linked object now."""
        return {item.pk for item in self.items if self.cleaned_data.get(f"apply_{item.pk}")}

    def saved_rows(self, current: dict[str, Any]) -> list[tuple[AgendaItem, dict[str, Any]]]:
        """What the other person saved (`services.minutes_content`), for the items of this
        form only: a closed item's decision is shown to those who may write it, no one else."""
        saved = current["items"]
        return [(item, saved[item.pk]) for item in self.items if item.pk in saved]

    def attendance_data(self) -> dict[int, AttendanceData]:
        """Attendance per member; a status not sent keeps what is recorded (else present)."""
        data = {}
        for m in self.members:
            existing = self.attendance.get(m.pk)
            status = self.cleaned_data.get(f"status_{m.pk}") or (
                existing.status if existing else AttendanceStatus.PRESENT
            )
            data[m.pk] = AttendanceData(
                status=status,
                deputy=self.cleaned_data.get(f"deputy_{m.pk}"),
                left_before=self.cleaned_data.get(f"left_{m.pk}"),
            )
        return data

    def decision_data(self) -> dict[int, DecisionData]:
        data = {}
        for item in self.items:
            deadline: date | None = self.cleaned_data[f"deadline_{item.pk}"]
            vote_kind: str | None = None
            votes: dict[int, str] = {}
            if self.voters and f"vote_kind_{item.pk}" in self.data:
                vote_kind = self.cleaned_data.get(f"vote_kind_{item.pk}") or VoteKind.NONE
                if vote_kind == VoteKind.RECORDED:
                    votes = {
                        v.pk: choice
                        for v in self.voters
                        if (choice := self.cleaned_data.get(f"vote_{item.pk}_{v.pk}"))
                    }
            data[item.pk] = DecisionData(
                decision=self.cleaned_data[f"decision_{item.pk}"],
                responsible=self.cleaned_data[f"resp_{item.pk}"],
                deadline=deadline,
                vote_kind=vote_kind,
                votes=votes,
            )
        return data

    def _check_deputies(self, data: dict[str, Any]) -> None:
        """Issue 14: a deputy is not a permanent member of the forum herself, and attends for
        one member only (the votes are kept by who cast them: two seats could not be told
        apart). The refusal stands at the deputy's field; the input is kept."""
        permanent = {m.pk for m in self.members}
        seen: dict[int, Member] = {}
        for m in self.members:
            deputy = data.get(f"deputy_{m.pk}")
            if deputy is None:
                continue
            if deputy.pk in permanent:
                self.add_error(
                    f"deputy_{m.pk}",
                    _("%(name)s er selv fast medlem af forummet og kan ikke være stedfortræder.")
                    % {"name": deputy.name},
                )
            elif deputy.pk in seen:
                self.add_error(
                    f"deputy_{m.pk}",
                    _("%(name)s er allerede stedfortræder for %(member)s.")
                    % {"name": deputy.name, "member": seen[deputy.pk].name},
                )
            else:
                seen[deputy.pk] = m

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._check_deputies(data)
        if not self.meeting.has_started:
            self.add_error(
                None,
                _("Referatet kan først skrives, når mødet er begyndt: fra %(time)s.")
                % {"time": minutes_open_from(self.meeting)},
            )
        for item in self.items:
            if data.get(f"resp_{item.pk}") and not data.get(f"decision_{item.pk}"):
                self.add_error(
                    f"decision_{item.pk}", _("Skriv beslutningen, når der er en ansvarlig.")
                )
            elif (
                data.get(f"apply_{item.pk}") and not (data.get(f"decision_{item.pk}") or "").strip()
            ):
                self.add_error(
                    f"decision_{item.pk}", _("Skriv beslutningen, før den føres igennem.")
                )
        return data


class GuestForm(StyledForm):
    """An invited guest (issue 14): name and organisation, an e-mail for the invitation, and
    the member when the guest has a login (found by name: `MemberPicker`)."""

    name = forms.CharField(label=_("Navn"), max_length=max_length_of(Guest, "name"), required=False)
    organisation = forms.CharField(
        label=_("Organisation"), max_length=max_length_of(Guest, "organisation"), required=False
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    member = MemberPicker(
        label=_("Gæst med login (valgfrit)"), queryset=Member.objects.none(), required=False
    )

    def __init__(self, *args: Any, meeting: Meeting, candidates: QuerySet[Member], **kwargs: Any):
        super().__init__(*args, **kwargs)
        set_picker(self, "member", candidates, reverse("meetings:guest_search", args=[meeting.pk]))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("name") or "").strip() and data.get("member") is None:
            self.add_error("name", _("Skriv gæstens navn, eller vælg et medlem."))
        return data
