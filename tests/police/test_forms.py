"""Every police form has the shared input limits: a `StyledForm` refuses control characters,
caps text and keeps every date between 1900 and 2100 (a year-1 date saved once broke the
deadline board for everyone)."""

from __future__ import annotations

import inspect

from django import forms

from ssp.forms import StyledForm
from ssp.police import forms as police_forms
from ssp.validation import in_domain_range


def police_form_classes() -> list[type[forms.BaseForm]]:
    return [
        cls
        for _name, cls in inspect.getmembers(police_forms, inspect.isclass)
        if issubclass(cls, forms.BaseForm) and cls.__module__ == police_forms.__name__
    ]


def test_every_police_form_is_a_styled_form() -> None:
    classes = police_form_classes()
    assert len(classes) >= 8
    assert [cls.__name__ for cls in classes if not issubclass(cls, StyledForm)] == []


def test_every_date_field_of_a_police_form_has_the_domain_range() -> None:
    for cls in police_form_classes():
        assert issubclass(cls, StyledForm)
        form = cls.__new__(cls)
        StyledForm.__init__(form)  # the limits are added per instance, as in `StyledForm`
        for name, field in form.fields.items():
            if isinstance(field, forms.DateField | forms.DateTimeField):
                assert in_domain_range in field.validators, f"{cls.__name__}.{name}"
