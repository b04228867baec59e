"""Form helpers shared by every app: DKFDS styling, input limits, date widgets, member and forum
pickers (searched on the server, ssp/autocomplete.py), one-time tokens for creating forms and
versions for editing forms."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from django import forms
from django.core.validators import MaxLengthValidator
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from ssp.autocomplete import (
    AutocompleteChoiceField,
    AutocompleteMixin,
    AutocompleteMultipleChoiceField,
)
from ssp.organisation.models import Member
from ssp.validation import (
    EARLIEST_DATE,
    LATEST_DATE,
    in_domain_range,
    reject_control_characters,
)

ModelT = TypeVar("ModelT", bound=Model)

# A safety net for text fields that name no length of their own; fields that map to a column
# take the column's length (`ssp.validation.max_length_of`).
DEFAULT_TEXT_MAX_LENGTH = 300
DEFAULT_TEXTAREA_MAX_LENGTH = 10_000

DATE_WIDGET = forms.DateInput(attrs={"type": "date", "class": "form-input"}, format="%Y-%m-%d")


def bound_field_limits(form: forms.BaseForm) -> None:
    """Every text field refuses control characters and has a length; every date a domain range.

    The limits of issue "never a 500": a NUL byte or the year 9999 is a clear error on the form,
    never an exception further down.
    """
    for field in form.fields.values():
        if isinstance(field, forms.UUIDField | forms.JSONField):
            continue  # parsed into other types; their own validation bounds them
        if isinstance(field, forms.CharField):
            if reject_control_characters not in field.validators:
                field.validators.append(reject_control_characters)
            if field.max_length is None:
                is_area = isinstance(field.widget, forms.Textarea)
                field.max_length = (
                    DEFAULT_TEXTAREA_MAX_LENGTH if is_area else DEFAULT_TEXT_MAX_LENGTH
                )
                field.validators.append(MaxLengthValidator(field.max_length))
                field.widget.attrs.setdefault("maxlength", str(field.max_length))
        elif isinstance(field, forms.DateField | forms.DateTimeField | forms.SplitDateTimeField):
            if in_domain_range not in field.validators:
                field.validators.append(in_domain_range)
            if isinstance(field, forms.DateField):
                field.widget.attrs.setdefault("min", EARLIEST_DATE.isoformat())
                field.widget.attrs.setdefault("max", LATEST_DATE.isoformat())


class StyledForm(forms.Form):
    """Gives the widgets the CSS classes of Det Fælles Designsystem and the input limits."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_field_limits(self)
        self.style_widgets()

    def style_widgets(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select) and not isinstance(
                widget, forms.RadioSelect | forms.CheckboxSelectMultiple
            ):
                widget.attrs.setdefault("class", "form-select")
            elif isinstance(
                widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple
            ):
                continue
            else:
                widget.attrs.setdefault("class", "form-input")


# What a member picker searches and shows: name, title and unit, nothing more.
MEMBER_SEARCH_FIELDS = ("name", "title", "unit__name")


def member_label(obj: Member) -> str:
    unit = f", {obj.unit}" if obj.unit else ""
    return f"{obj.name} ({obj.title}{unit})"


class MemberChoiceField(forms.ModelChoiceField[Member]):
    """One member, shown with title and unit (whom a task or an agreement is given to)."""

    def label_from_instance(self, obj: Member) -> str:
        return member_label(obj)


# The largest primary key a database stores (a signed 64-bit integer).
MAX_PK = 2**63 - 1


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField[ModelT]):
    """A multiple choice of records that refuses ids no database can hold.

    Django checks each id one by one, then fetches them all with `pk__in`; on SQLite an id
    beyond 64 bits overflows there (an OverflowError, a 500), so it is refused first.
    """

    def clean(self, value: Any) -> Any:
        for pk in value if isinstance(value, list | tuple) else [value]:
            text = str(pk).strip()
            digits = text.lstrip("-")
            if digits.isdecimal() and (len(digits) > len(str(MAX_PK)) or int(digits) > MAX_PK):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": text},
                )
        return super().clean(value)


class MembersChoiceField(ModelMultipleChoiceField[Member]):
    """Several members, shown with their sector (the members of an ad hoc group)."""

    def label_from_instance(self, obj: Member) -> str:
        return f"{obj.name} ({obj.get_sector_display()})"


class MemberPicker(AutocompleteChoiceField):
    """One member, found by name, title or unit (ssp/autocomplete.py); for choice sets that grow
    with the municipality. The form gives the queryset from the access rules and the search
    endpoint's URL (`search_url`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("search_fields", MEMBER_SEARCH_FIELDS)
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return member_label(obj)


class MembersPicker(AutocompleteMultipleChoiceField):
    """Several members, found by name, title or unit (ssp/autocomplete.py)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("search_fields", MEMBER_SEARCH_FIELDS)
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return member_label(obj)


class ForumPicker(AutocompleteChoiceField):
    """One forum, found by name (a municipality may have a thousand)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("search_fields", ("name",))
        super().__init__(*args, **kwargs)


def set_picker(form: forms.BaseForm, name: str, queryset: QuerySet[Any], search_url: str) -> None:
    """Give a picker its access-scoped queryset and the search endpoint that searches it."""
    field = form.fields[name]
    if not isinstance(field, AutocompleteMixin):
        raise TypeError(f"{name} is not a picker")
    field.queryset = queryset
    field.search_url = search_url


class OneTimeTokenMixin(forms.Form):
    """A creating form carries a token: the same post twice creates one row, not two.

    The service stores the token in a unique column of the row it creates and returns the row
    that already holds it when the same form is posted again (a double click, a retry).
    """

    form_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("form_token", uuid.uuid4())

    def token(self) -> uuid.UUID | None:
        value = self.cleaned_data.get("form_token")
        return value if isinstance(value, uuid.UUID) else None


class VersionedFormMixin(forms.Form):
    """An editing form carries the version it was opened at; a stale save is refused.

    See `ssp.versioning.save_versioned`: the service compares this version with the stored one.
    """

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        max_value=2_147_483_647,
        error_messages={"required": _("Siden er for gammel. Hent den igen.")},
    )

    def expected_version(self) -> int:
        return int(self.cleaned_data["version"])
