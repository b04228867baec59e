"""The one source of input limits: control characters, date ranges, column lengths."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django import forms
from django.utils import timezone
from pydantic import BaseModel
from pydantic import ValidationError as PydanticError

from ssp.cases.models import Concern
from ssp.forms import OneTimeTokenMixin, StyledForm, VersionedFormMixin
from ssp.schema_types import DomainDate, Text
from ssp.validation import LATEST_DATE, clean_search, max_length_of


class SampleForm(StyledForm):
    name = forms.CharField(max_length=20)
    note = forms.CharField(widget=forms.Textarea, required=False)
    when = forms.DateField(required=False)
    at = forms.DateTimeField(required=False)


def test_it_refuses_a_nul_byte_with_a_danish_message() -> None:
    form = SampleForm(data={"name": "Ali\x00"})
    assert not form.is_valid()
    assert "kontroltegn" in str(form.errors["name"]) or "Null" in str(form.errors["name"])


def test_it_refuses_other_control_characters_but_keeps_line_breaks() -> None:
    form = SampleForm(data={"name": "ok", "note": "linje 1\r\nlinje 2\tfane"})
    assert form.is_valid(), form.errors
    form = SampleForm(data={"name": "ok", "note": "bip\x07"})
    assert not form.is_valid()
    assert "kontroltegn" in str(form.errors["note"])


def test_it_gives_every_text_field_a_length() -> None:
    form = SampleForm(data={"name": "ok", "note": "x" * 10_001})
    assert not form.is_valid()
    assert "note" in form.errors
    assert form.fields["note"].widget.attrs["maxlength"] == "10000"


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1899-12-31", "2101-01-01"])
def test_it_refuses_dates_outside_the_domain_range(value: str) -> None:
    form = SampleForm(data={"name": "ok", "when": value})
    assert not form.is_valid()
    assert "Datoen må ikke ligge" in str(form.errors["when"])


def test_it_refuses_a_date_time_in_year_9999() -> None:
    form = SampleForm(data={"name": "ok", "at": "9999-12-31T23:59"})
    assert not form.is_valid()
    assert "at" in form.errors


def test_it_accepts_dates_inside_the_range() -> None:
    today = timezone.localdate()
    form = SampleForm(data={"name": "ok", "when": today.isoformat(), "at": "2026-12-01T10:00"})
    assert form.is_valid(), form.errors


def test_the_date_widget_knows_the_range() -> None:
    assert SampleForm().fields["when"].widget.attrs["max"] == LATEST_DATE.isoformat()


def test_lengths_come_from_the_column() -> None:
    assert max_length_of(Concern, "place") == 300
    with pytest.raises(ValueError, match="no max_length"):
        max_length_of(Concern, "raised_at")


def test_a_search_loses_control_characters_and_stays_short() -> None:
    assert clean_search("\x00Ali ") == "Ali"
    assert len(clean_search("x" * 500)) == 100


class Sample(BaseModel):
    name: Text(10)  # type: ignore[valid-type]
    day: DomainDate


def test_api_types_refuse_long_text_control_characters_and_far_dates() -> None:
    assert Sample(name="Ali", day=date(2026, 1, 1)).name == "Ali"
    with pytest.raises(PydanticError, match="at most 10 characters"):
        Sample(name="x" * 11, day=date(2026, 1, 1))
    with pytest.raises(PydanticError, match="control character"):
        Sample(name="A\x00", day=date(2026, 1, 1))
    with pytest.raises(PydanticError, match="date must lie between"):
        Sample(name="Ali", day=date(9999, 12, 31))
    with pytest.raises(PydanticError, match="date must lie between"):
        Sample(name="Ali", day=date.min + timedelta(days=1))


class TokenForm(OneTimeTokenMixin, StyledForm):
    title = forms.CharField(max_length=10)


def test_a_creating_form_carries_a_fresh_token_and_reads_it_back() -> None:
    first, second = TokenForm(), TokenForm()
    assert first.initial["form_token"] != second.initial["form_token"]
    bound = TokenForm(data={"title": "x", "form_token": str(first.initial["form_token"])})
    assert bound.is_valid()
    assert bound.token() == first.initial["form_token"]


class EditForm(VersionedFormMixin, StyledForm):
    title = forms.CharField(max_length=10)


def test_an_editing_form_needs_its_version() -> None:
    form = EditForm(data={"title": "x"})
    assert not form.is_valid()
    assert "Hent den igen" in str(form.errors["version"])
    form = EditForm(data={"title": "x", "version": "3"})
    assert form.is_valid()
    assert form.expected_version() == 3


@pytest.mark.django_db
def test_a_multiple_choice_refuses_ids_no_database_can_hold() -> None:
    from ssp.forms import MembersChoiceField
    from ssp.organisation.models import Member

    field = MembersChoiceField(queryset=Member.objects.all(), required=False)
    for huge in ("9223372036854775808", "7" * 10_000, "-9223372036854775809"):
        with pytest.raises(forms.ValidationError, match="ikke en gyldig værdi"):
            field.clean([huge])


@pytest.mark.parametrize(
    ("side", "expected"),
    [("3", 3), ("0", 1), ("-2", 1), ("²", 1), ("x", 1), ("9" * 30, 1), ("", 1)],
)
def test_a_list_page_number_is_a_plain_number_or_the_first_page(side: str, expected: int) -> None:
    from django.test import RequestFactory

    from ssp.http import page_number

    assert page_number(RequestFactory().get("/sager/", {"side": side})) == expected
