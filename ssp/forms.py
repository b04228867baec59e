"""Form helpers shared by every app: DKFDS styling, date widgets and member pickers."""

from __future__ import annotations

from typing import Any

from django import forms

from ssp.organisation.models import Member

DATE_WIDGET = forms.DateInput(attrs={"type": "date", "class": "form-input"}, format="%Y-%m-%d")


class StyledForm(forms.Form):
    """Gives the widgets the CSS classes of Det Fælles Designsystem."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
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


class MemberChoiceField(forms.ModelChoiceField[Member]):
    """One member, shown with title and unit (whom a task or an agreement is given to)."""

    def label_from_instance(self, obj: Member) -> str:
        unit = f", {obj.unit}" if obj.unit else ""
        return f"{obj.name} ({obj.title}{unit})"


class MembersChoiceField(forms.ModelMultipleChoiceField[Member]):
    """Several members, shown with their sector (the members of an ad hoc group)."""

    def label_from_instance(self, obj: Member) -> str:
        return f"{obj.name} ({obj.get_sector_display()})"
