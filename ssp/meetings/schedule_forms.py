"""Forms to edit, move and cancel a meeting and to create a joint event (issue 14); the
services in `ssp.meetings.scheduling` apply the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ssp.autocomplete import AutocompleteMultipleChoiceField
from ssp.forms import ForumPicker, StyledForm, VersionedFormMixin, set_picker
from ssp.meetings.forms import DATETIME_BOUNDS
from ssp.meetings.models import Meeting
from ssp.organisation.models import Forum
from ssp.validation import max_length_of

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime_field(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(
            format=DATETIME_FORMAT, attrs={"type": "datetime-local", **DATETIME_BOUNDS}
        ),
    )


class ForaPicker(AutocompleteMultipleChoiceField):
    """Several fora, found by name (a municipality may have a thousand)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("search_fields", ("name",))
        super().__init__(*args, **kwargs)


class MeetingEditForm(VersionedFormMixin, StyledForm):
    title = forms.CharField(
        label=_("Titel"), max_length=max_length_of(Meeting, "title"), required=False
    )
    location = forms.CharField(
        label=_("Sted"), max_length=max_length_of(Meeting, "location"), required=False
    )
    starts_at = _datetime_field(_("Begynder"))
    ends_at = _datetime_field(_("Slutter"))

    @classmethod
    def for_meeting(cls, meeting: Meeting) -> MeetingEditForm:
        return cls(
            initial={
                "title": meeting.title,
                "location": meeting.location,
                "starts_at": timezone.localtime(meeting.starts_at),
                "ends_at": timezone.localtime(meeting.ends_at),
                "version": meeting.version,
            }
        )

    def to_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "location": data["location"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "expected_version": self.expected_version(),
        }


class CancelForm(StyledForm):
    reason = forms.CharField(
        label=_("Begrundelse"),
        max_length=max_length_of(Meeting, "cancel_reason"),
        help_text=_("Sendes til deltagerne. Skriv ingen navne eller andre personoplysninger."),
    )
    confirmed = forms.BooleanField(
        label=_("Ja, aflys mødet og send besked til deltagerne"),
        error_messages={"required": _("Sæt kryds for at bekræfte aflysningen.")},
    )


class JointEventForm(StyledForm):
    forum = ForumPicker(label=_("Forum, der holder arrangementet"), queryset=Forum.objects.none())
    joint_fora = ForaPicker(label=_("Sammen med"), queryset=Forum.objects.none())
    title = forms.CharField(label=_("Titel"), max_length=max_length_of(Meeting, "title"))
    starts_at = _datetime_field(_("Tidspunkt"))
    location = forms.CharField(
        label=_("Sted"), max_length=max_length_of(Meeting, "location"), required=False
    )

    def __init__(self, *args: Any, fora: QuerySet[Forum], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        search = reverse("meetings:fora_search")
        set_picker(self, "forum", fora, search)
        set_picker(self, "joint_fora", fora, search)

    def to_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "forum": data["forum"],
            "joint_fora": list(data["joint_fora"]),
            "title": data["title"],
            "starts_at": data["starts_at"],
            "location": data["location"],
        }
