"""Pickers that scale: a person or forum field whose options are searched on the server.

A select with every member of a large municipality (5,000 options) makes a page of megabytes; a
picker here renders only what the user has chosen, a search box and, after a search, at most
`MAX_RESULTS` matches. The same field works in three ways:

- with htmx: the search box asks the form's search endpoint (`hx-get`) for matches as the user
  types, and the matches appear as radio buttons (one choice) or checkboxes (several) under it;
  an `aria-live` status says how many were found;
- without JavaScript: a "Søg" button posts the form as a search step (`SEARCH_BUTTON`); the view
  shows the form again, unvalidated, with the matches (`is_search_step`);
- after a failed post: the chosen values are shown again, fetched by id from the allowed
  queryset (nothing else is fetched).

The field's queryset is the only source of truth: the caller gives it from the access rules
(`case_access.choosable_members` ...), the server-side validation checks every posted id
against it (a Danish error for anything else), and the search endpoint searches that same
queryset (`search_response`). The widget is only a way to find the ids.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import Model, Q, QuerySet
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ssp.validation import clean_search

MIN_QUERY_LENGTH = 2
MAX_RESULTS = 20
# A failed post shows at most this many chosen values again (a forged post cannot make the
# page fetch more).
MAX_CHOSEN = 100
# The search words used (the rest are ignored), as on the other search pages.
MAX_WORDS = 5
# The search box's name is the field's name with this suffix; the no-JS search button's name.
SEARCH_SUFFIX = "__q"
SEARCH_BUTTON = "_ac_search"
# The largest primary key a database stores (a signed 64-bit integer).
MAX_PK = 2**63 - 1
# What the search endpoint accepts as the field's HTML name and id (a form prefix included).
_SAFE_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}")


def valid_pks(values: Iterable[Any]) -> list[int]:
    """The values that can be primary keys (others are left to the field's own error)."""
    pks = []
    for value in values:
        text = str(value).strip()
        if text.isdecimal() and 0 < int(text) <= MAX_PK:
            pks.append(int(text))
    return pks


@dataclass(frozen=True)
class Option:
    value: int
    label: str
    hint: str


class AutocompleteWidget(forms.Widget):
    """Renders the chosen values, a search box and (after a no-JS search) the matches.

    It reaches its field through `choices.field` (Django's `ModelChoiceIterator`), so the
    options always come from the field's current, access-scoped queryset.
    """

    template_name = "includes/autocomplete.html"

    def __init__(self, attrs: dict[str, Any] | None = None, *, multiple: bool = False) -> None:
        super().__init__(attrs)
        self.multiple = multiple
        self.allow_multiple_selected = multiple
        self.choices: Any = ()
        self.query = ""

    def use_required_attribute(self, initial: Any) -> bool:
        return False  # a list of radio buttons or checkboxes; the server says what is missing

    def id_for_label(self, id_: str) -> str:
        return id_  # the search box carries the field's id, so its label names the box

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        self.query = clean_search(str(data.get(name + SEARCH_SUFFIX, "") or ""))
        if self.multiple:
            getter = getattr(data, "getlist", None)
            return getter(name) if getter is not None else data.get(name)
        return data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False  # no box checked is a value (none), as with CheckboxSelectMultiple

    def format_value(self, value: Any) -> list[str]:
        if value is None or value == "":
            return []
        values = value if isinstance(value, list | tuple) else [value]
        return [str(v.pk if isinstance(v, Model) else v) for v in values]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        field: AutocompleteMixin | None = getattr(self.choices, "field", None)
        chosen_values = context["widget"]["value"]
        chosen: list[Option] = []
        results: list[Option] = []
        more = False
        if isinstance(field, AutocompleteMixin):
            chosen = field.options_for(valid_pks(chosen_values))
            if self.query:
                found, more = field.search(self.query)
                taken = {o.value for o in chosen}
                results = [o for o in found if o.value not in taken]
        widget_id = str(context["widget"]["attrs"].get("id") or f"id_{name}")
        context["widget"].update(
            {
                "id": widget_id,
                # A single picker with Django's own id needs no `hx-vals` (`search_response`).
                "default_id": widget_id == f"id_{name}",
                "multiple": self.multiple,
                "input_type": "checkbox" if self.multiple else "radio",
                "chosen": chosen,
                "results": results,
                "query": self.query,
                "searched": bool(self.query),
                "status": result_status(
                    too_short=field.too_short(self.query) if field else True,
                    count=len(results),
                    more=more,
                )
                if self.query
                else "",
                "search_url": getattr(field, "search_url", ""),
                # A form with a picker per row (the minutes) shows the hint once, by this id.
                "hint_id": getattr(field, "hint_id", ""),
                "search_name": name + SEARCH_SUFFIX,
                "search_button": SEARCH_BUTTON,
                "min_length": MIN_QUERY_LENGTH,
            }
        )
        return context


class AutocompleteMixin:
    """What the two picker fields share: the search over their queryset and the labels."""

    queryset: QuerySet[Any] | None
    widget: AutocompleteWidget

    def __init__(
        self,
        *args: Any,
        search_fields: Sequence[str] = ("name",),
        search_url: str = "",
        search_by_pk: bool = False,
        hint_id: str = "",
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault(
            "error_messages",
            {
                "invalid_choice": _(
                    "Den valgte kan ikke vælges her. Søg igen, og vælg i listen med træf."
                ),
                "invalid_pk_value": _(
                    "Den valgte kan ikke vælges her. Søg igen, og vælg i listen med træf."
                ),
            },
        )
        super().__init__(*args, **kwargs)
        self.search_fields = tuple(search_fields)
        self.search_url = search_url
        self.search_by_pk = search_by_pk
        self.hint_id = hint_id

    def label_from_instance(self, obj: Any) -> str:
        return str(obj)

    def hint_from_instance(self, obj: Any) -> str:
        return ""

    def option(self, obj: Any) -> Option:
        return Option(
            value=obj.pk, label=self.label_from_instance(obj), hint=self.hint_from_instance(obj)
        )

    def options_for(self, pks: list[int]) -> list[Option]:
        """The chosen values again, fetched by id from the allowed queryset only."""
        if not pks or self.queryset is None:
            return []
        return [self.option(obj) for obj in self.queryset.filter(pk__in=pks[:MAX_CHOSEN])]

    def matching(self, query: str) -> QuerySet[Any]:
        """The allowed queryset narrowed by the search words (each word in one search field)."""
        if self.queryset is None:
            raise ValueError("a picker needs a queryset")
        text = clean_search(query)
        found = self.queryset
        if self.search_by_pk and text.isdecimal():
            return found.filter(pk=int(text)) if int(text) <= MAX_PK else found.none()
        words = text.split()[:MAX_WORDS]
        if not self.search_fields or not words:
            return found.none()
        for word in words:
            condition = Q()
            for name in self.search_fields:
                condition |= Q(**{f"{name}__icontains": word})
            found = found.filter(condition)
        return found

    def too_short(self, query: str) -> bool:
        """Fewer than `MIN_QUERY_LENGTH` characters (a number is enough where numbers are
        searched: case 7 is case 7)."""
        text = clean_search(query)
        return len(text) < MIN_QUERY_LENGTH and not (self.search_by_pk and text.isdecimal())

    def search(self, query: str) -> tuple[list[Option], bool]:
        """At most `MAX_RESULTS` matches, and whether there were more."""
        if self.too_short(query):
            return [], False
        rows = list(self.matching(query)[: MAX_RESULTS + 1])
        return [self.option(obj) for obj in rows[:MAX_RESULTS]], len(rows) > MAX_RESULTS


class AutocompleteChoiceField(AutocompleteMixin, forms.ModelChoiceField[Any]):
    """One record, found by searching (a task's owner, the forum a case goes to)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", AutocompleteWidget(multiple=False))
        kwargs.setdefault("empty_label", None)
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            value = value[-1] if value else None
        if value not in self.empty_values and not valid_pks([value]):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class AutocompleteMultipleChoiceField(AutocompleteMixin, forms.ModelMultipleChoiceField[Any]):
    """Several records, found by searching (the receivers of a disclosure)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", AutocompleteWidget(multiple=True))
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> Any:
        values = value if isinstance(value, list | tuple) else [value]
        if len(values) > MAX_CHOSEN:
            raise forms.ValidationError(_("Vælg højst %(n)s.") % {"n": MAX_CHOSEN}, code="too_many")
        for pk in values:
            if pk not in self.empty_values and not valid_pks([pk]):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": str(pk)},
                )
        return super().clean(value)


def result_status(*, too_short: bool, count: int, more: bool) -> str:
    """The words the live region says after a search."""
    if too_short:
        return str(_("Skriv mindst %(n)s tegn.") % {"n": MIN_QUERY_LENGTH})
    if count == 0:
        return str(_("Ingen fundet. Prøv et andet navn."))
    if more:
        return str(
            _("Der er flere end %(n)s træf. Skriv mere af navnet for at se færre.")
            % {"n": MAX_RESULTS}
        )
    return ngettext("%(n)s fundet.", "%(n)s fundet.", count) % {"n": count}


def is_search_step(form: forms.BaseForm) -> bool:
    """Whether a post is the no-JS "Søg" step rather than a submission.

    Then the form is shown again with what the user typed and the matches, without validating
    (no errors yet: the user has not finished).
    """
    if not form.is_bound or SEARCH_BUTTON not in form.data:
        return False
    unvalidated: Any = form
    unvalidated._errors = ErrorDict()  # noqa: SLF001 - shown unvalidated, as on a first visit
    return True


def _name_of_search(request: HttpRequest) -> str:
    """The field's name from its search box's parameter (`<name>__q`), if exactly one."""
    names = [key[: -len(SEARCH_SUFFIX)] for key in request.GET if key.endswith(SEARCH_SUFFIX)]
    return names[0] if len(names) == 1 else ""


def search_response(
    request: HttpRequest,
    field: AutocompleteMixin,
    *,
    queryset: QuerySet[Any] | None = None,
) -> HttpResponse:
    """The search endpoint's answer: matches from the field's (access-scoped) queryset, as the
    radio buttons or checkboxes the field's form posts, and the live region's words.

    The caller has already looked up what the search is about with the same access check as the
    form (404 for what the user may not see). GET parameters: `name` and `id` of the field on the
    page, `multiple`, and the search text in `<name>__q` (or `q`).
    """
    if queryset is not None:
        field.queryset = queryset
    # A single picker whose id is Django's default sends only its search box (`<name>__q`):
    # the name comes from that parameter and the id from the name.
    name = request.GET.get("name", "") or _name_of_search(request)
    widget_id = request.GET.get("id", "")
    if not _SAFE_NAME.fullmatch(name):
        name = "valg"
    if not _SAFE_NAME.fullmatch(widget_id):
        widget_id = f"id_{name}"
    query = clean_search(request.GET.get(name + SEARCH_SUFFIX) or request.GET.get("q") or "")
    found, more = field.search(query)
    multiple = request.GET.get("multiple") == "1"
    return render(
        request,
        "includes/autocomplete_results.html",
        {
            "widget": {
                "name": name,
                "id": widget_id,
                "input_type": "checkbox" if multiple else "radio",
                "results": found,
                "status": result_status(
                    too_short=field.too_short(query), count=len(found), more=more
                ),
                "oob": True,
            }
        },
    )
