"""The audited admin: every change made in Django's admin is an audit event in its transaction.

The event names the model (`object_type`) and the record by `label:pk`, never by its display
name, so no child's name reaches the audit trail through the admin.

A delete confirmation (one record, or the bulk action) shows counts per kind, never a record's
name: Django's own lists every related record by its display name, whoever looks. A deletion
that would delete or is blocked by personal data (a case, a concern, a task, a police row, a
meeting...) is refused with the reason: personal data is deleted by the retention rules, with
the destruction register, not in the admin.

Records that are `Versioned` (several administrators may edit a forum at once) carry the version
they were opened at in a hidden field; a save from an older version is refused with the Danish
`StaleEdit` message, the user's input stays in the form, and the values now stored are shown.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.contrib import admin
from django.contrib.admin import widgets as admin_widgets
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.admin.utils import NestedObjects
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connection, router
from django.db.models import Field, Model, QuerySet
from django.forms import BaseInlineFormSet, BaseModelFormSet, ModelForm
from django.http import HttpRequest, QueryDict
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.versioning import StaleEdit, Versioned

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldGroups

ModelT = TypeVar("ModelT", bound=Model)

VERSION_FIELD = "expected_version"
STORED_VALUE_MAX_LENGTH = 200


class VersionedAdminForm(forms.ModelForm):  # type: ignore[type-arg]  # any Versioned model
    """An admin form that refuses to save over a newer version of its record."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    # Inline rows are saved only when changed, so only changed rows are checked.
    checks_unchanged = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial[VERSION_FIELD] = self.instance.version

    def has_changed(self) -> bool:
        return any(name != VERSION_FIELD for name in self.changed_data)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        instance = self.instance
        if instance.pk is None or not (self.checks_unchanged or self.has_changed()):
            return cleaned
        model = type(instance)
        rows = model._default_manager.filter(pk=instance.pk)
        if connection.in_atomic_block:  # the admin's transaction: hold the row until the save
            rows = rows.select_for_update()
        stored = rows.first()
        if stored is None:
            return cleaned
        expected = cleaned.get(VERSION_FIELD)
        if expected != stored.version:
            self._refuse_stale(stored)
        instance.version = stored.version + 1
        return cleaned

    def _refuse_stale(self, stored: Model) -> None:
        """Keep the user's input, show what is stored now, and let a second save go through."""
        fields = [
            name
            for name in self.fields
            if name != VERSION_FIELD and name in {f.name for f in stored._meta.concrete_fields}
        ]
        current = {name: getattr(stored, name) for name in fields}
        stale = StaleEdit(current=current, version=getattr(stored, "version", 0))
        differing = [name for name in fields if self._differs(stored, name)]
        details = [
            _("Gemt nu – %(field)s: »%(value)s«")
            % {
                "field": self.fields[name].label or name,
                "value": str(current[name])[:STORED_VALUE_MAX_LENGTH],
            }
            for name in differing
        ]
        data = self.data.copy() if isinstance(self.data, QueryDict) else dict(self.data)
        data[self.add_prefix(VERSION_FIELD)] = str(stale.version)
        self.data = data
        raise ValidationError([stale.message, *details])

    def _differs(self, stored: Model, name: str) -> bool:
        """Whether the stored value differs from what this user sent."""
        field = self.fields[name]
        attnames = {f.name: f.attname for f in stored._meta.concrete_fields}
        stored_value = getattr(stored, attnames[name])
        try:
            return field.has_changed(field.prepare_value(stored_value), self[name].data)
        except (TypeError, ValueError, ValidationError):
            return True


class VersionedInlineForm(VersionedAdminForm):
    checks_unchanged = False


ChildT = TypeVar("ChildT", bound=Model)
ParentT = TypeVar("ParentT", bound=Model)


def _inner_widget(widget: forms.Widget) -> forms.Widget:
    """The input inside the admin's related-field wrapper (the add and change links)."""
    inner = getattr(widget, "widget", None)
    return inner if isinstance(inner, forms.Widget) else widget


def label_widget(widget: forms.Widget, label: str, *, every_field: bool) -> None:
    """Issue 15, accessibility: give the admin's inputs that no <label> names an accessible name.
    A split date and time input gets one per half ("Afholdt: dato", "Afholdt: tidspunkt"; the
    field's label points at the date only); an autocomplete (select2) box gets its label, which
    ssp/static/ssp/admin.js also gives the box select2 draws; with `every_field` (the cells of a
    tabular inline, which name their column only in the table head) every input gets it."""
    inner = _inner_widget(widget)
    if isinstance(inner, admin_widgets.AdminSplitDateTime):
        for part, name in zip(inner.widgets, (_("dato"), _("tidspunkt")), strict=True):
            part.attrs["aria-label"] = f"{label}: {name}"
    elif every_field or isinstance(inner, admin_widgets.AutocompleteMixin):
        inner.attrs.setdefault("aria-label", label)


class LabelledWidgetsMixin:
    """Names every admin input that Django leaves without a label (see `label_widget`)."""

    label_every_field = False

    def formfield_for_dbfield(
        self, db_field: Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        formfield: forms.Field | None = super().formfield_for_dbfield(  # type: ignore[misc]
            db_field, request, **kwargs
        )
        if formfield is not None:
            label = str(formfield.label or capfirst(db_field.verbose_name))
            label_widget(formfield.widget, label, every_field=self.label_every_field)
        return formfield


class LabelledTabularInline(LabelledWidgetsMixin, admin.TabularInline[ChildT, ParentT]):
    """A tabular inline whose cells are named (a row's inputs have no <label>), its "delete"
    box included."""

    label_every_field = True

    def get_formset(
        self, request: HttpRequest, obj: ParentT | None = None, **kwargs: Any
    ) -> type[BaseInlineFormSet[ChildT, ParentT, Any]]:
        formset = super().get_formset(request, obj, **kwargs)

        class Labelled(formset):  # type: ignore[valid-type,misc]
            def add_fields(self, form: forms.BaseForm, index: int | None) -> None:
                super().add_fields(form, index)
                if "DELETE" in form.fields:
                    form.fields["DELETE"].widget.attrs.setdefault("aria-label", _("Slet"))

        return Labelled


class VersionedTabularInline(LabelledTabularInline[ChildT, ParentT]):
    """A tabular inline of `Versioned` rows: each row carries its version (hidden)."""

    form = VersionedInlineForm

    def get_fields(self, request: HttpRequest, obj: ParentT | None = None) -> _FieldGroups:
        fields = list(super().get_fields(request, obj))
        return fields if VERSION_FIELD in fields else [*fields, VERSION_FIELD]


def _versioned(model: type[Model]) -> bool:
    return issubclass(model, Versioned)


MUNICIPALITY_LABEL = "organisation.municipality"


def _municipality_id(obj: Model) -> int | None:
    """The municipality an administered record belongs to, for the supervision pages."""
    if obj._meta.label_lower == MUNICIPALITY_LABEL:
        return int(obj.pk)
    municipality_id = getattr(obj, "municipality_id", None)
    return municipality_id if isinstance(municipality_id, int) else None


# The apps whose records describe the organisation, its users and their logins, never a young
# person or a family (background job results hold ids and statuses: ssp/police/tasks.py). The
# records of every other app hold personal data, or may: an app added later is treated as
# personal until it is named here. Only these apps' models may be registered in the admin
# (tests/test_admin_privacy.py).
ADMINISTRATION_APPS = frozenset(
    {
        "organisation",
        "prevention",  # no personal data (its free text is checked when saved)
        "reports",  # figures only, suppressed; its text is checked when saved and published
        "auth",
        "accounts",
        "admin",
        "contenttypes",
        "sessions",
        "otp_totp",
        "axes",
        "django_tasks_database",
    }
)


def holds_personal_data(model: type[Model]) -> bool:
    """Whether the admin must neither name nor delete records of this kind."""
    return model._meta.app_label not in ADMINISTRATION_APPS


class DeletionSummary(list[str]):
    """Lines "kind: count" for a delete confirmation, and the reason when deletion is refused
    (the templates in ssp/templates/admin/ show `protected.reason`)."""

    def __init__(self, lines: Iterable[str] = (), *, reason: str = "") -> None:
        super().__init__(lines)
        self.reason = reason


def _kind_name(model: type[Model]) -> str:
    """The plural name of a kind; a many-to-many row is named by the record that holds it."""
    owner = model._meta.auto_created
    if owner and isinstance(owner, type):
        field = next((f for f in owner._meta.many_to_many if f.remote_field.through is model), None)
        relation = f" ({field.verbose_name})" if field is not None else ""
        return f"{capfirst(owner._meta.verbose_name_plural)}{relation}"
    return str(capfirst(model._meta.verbose_name_plural))


def _count_lines(counts: Counter[type[Model]]) -> list[str]:
    return sorted(f"{_kind_name(model)}: {count}" for model, count in counts.items())


def summarise_deletion(
    objs: Sequence[Model] | QuerySet[Any],
    request: HttpRequest,
    admin_site: admin.AdminSite,
    *,
    instead: str = "",
) -> tuple[list[str], dict[str, int], set[str], list[str]]:
    """`ModelAdmin.get_deleted_objects` without a single record's name: counts per kind.

    Returns (to delete, counts, kinds the user may not delete, protected). Deletion is refused
    (everything goes in `protected`, with the reason) when it would delete personal data or a
    record protects what is deleted, as Django refuses a deletion blocked by PROTECT. `instead`
    says what the administrator can do instead.
    """
    records = list(objs)
    if not records:
        return [], {}, set(), []
    collector = NestedObjects(using=router.db_for_write(type(records[0])), origin=objs)
    collector.collect(records)
    collected = [obj for group in collector.model_objs.values() for obj in group]
    perms_needed = {
        str(obj._meta.verbose_name)
        for obj in collected
        if admin_site.is_registered(type(obj))
        and not admin_site.get_model_admin(type(obj)).has_delete_permission(request, obj)
    }
    deleted = Counter(type(obj) for obj in collected)
    personal = Counter({model: n for model, n in deleted.items() if holds_personal_data(model)})
    protected = Counter(type(obj) for obj in collector.protected)
    model_count = {
        str(model._meta.verbose_name_plural): n
        for model, n in deleted.items()
        if not holds_personal_data(model)
    }
    if personal or any(holds_personal_data(model) for model in protected):
        reason = _(
            "Kan ikke slettes: der er personoplysninger knyttet til (antal pr. art herunder). "
            "Personoplysninger slettes efter kommunens regler for opbevaring, ikke i "
            "administrationen."
        )
        reason = f"{reason} {instead}".strip()
        refused = DeletionSummary(_count_lines(personal + protected), reason=reason)
        # Refused whatever the user's rights: the reason shown is the personal data, not a
        # missing permission on a related kind (e.g. an approved annual report).
        return [], model_count, set(), refused
    if protected:
        return [], model_count, perms_needed, DeletionSummary(_count_lines(protected))
    return DeletionSummary(_count_lines(deleted)), model_count, perms_needed, []


class AuditedAdmin(LabelledWidgetsMixin, admin.ModelAdmin[ModelT]):
    """A ModelAdmin whose saves and deletes write audit events (label:pk, never a name), and which
    refuses stale saves of `Versioned` records, in its own form and in its inlines. Its delete
    confirmations name no record and refuse to delete personal data (`summarise_deletion`)."""

    # What the administrator can do instead of a deletion refused for personal data.
    instead_of_deleting: str | Promise = ""

    def __init__(self, model: type[ModelT], admin_site: admin.AdminSite) -> None:
        super().__init__(model, admin_site)
        if _versioned(model) and not issubclass(self.form, VersionedAdminForm):
            self.form = VersionedAdminForm

    def get_inline_instances(
        self, request: HttpRequest, obj: ModelT | None = None
    ) -> list[InlineModelAdmin[Any, ModelT]]:
        inlines = super().get_inline_instances(request, obj)
        for inline in inlines:
            if _versioned(inline.model) and not isinstance(inline, VersionedTabularInline):
                raise ImproperlyConfigured(
                    f"{type(inline).__name__} edits Versioned rows: make it a "
                    "VersionedTabularInline, so that stale rows are refused."
                )
        return inlines

    def save_model(
        self, request: HttpRequest, obj: ModelT, form: ModelForm[ModelT], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        record_event(
            actor=request.user,
            action=AuditAction.ADMIN_CHANGED if change else AuditAction.ADMIN_CREATED,
            obj=obj,
            municipality_id=_municipality_id(obj),
            data={"fields": sorted(form.changed_data)},
            request=request,
        )

    def save_formset(
        self,
        request: HttpRequest,
        form: ModelForm[ModelT],
        formset: BaseModelFormSet[Any, Any],
        change: bool,
    ) -> None:
        super().save_formset(request, form, formset, change)
        touched = [(obj, AuditAction.ADMIN_CREATED) for obj in formset.new_objects]
        touched += [(obj, AuditAction.ADMIN_CHANGED) for obj, _fields in formset.changed_objects]
        touched += [(obj, AuditAction.ADMIN_DELETED) for obj in formset.deleted_objects]
        for obj, action in touched:
            record_event(
                actor=request.user,
                action=action,
                obj=obj,
                municipality_id=_municipality_id(form.instance),
                request=request,
            )

    def get_deleted_objects(
        self, objs: Sequence[ModelT] | QuerySet[ModelT], request: HttpRequest
    ) -> tuple[list[str], dict[str, int], set[str], list[str]]:
        return summarise_deletion(
            objs, request, self.admin_site, instead=str(self.instead_of_deleting)
        )

    def _record_deleted(self, request: HttpRequest, obj: ModelT) -> None:
        record_event(
            actor=request.user,
            action=AuditAction.ADMIN_DELETED,
            obj=obj,
            municipality_id=_municipality_id(obj),
            request=request,
        )

    def delete_model(self, request: HttpRequest, obj: ModelT) -> None:
        self._record_deleted(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ModelT]) -> None:
        for obj in queryset:
            self._record_deleted(request, obj)
        super().delete_queryset(request, queryset)
