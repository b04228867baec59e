"""Keeping the catalogue of interventions (R7): SSP staff create and change interventions.

Every service re-checks `can_manage_catalogue`, keeps the steps, the provider unit and the
contact inside the actor's municipality, refuses personal data in the free text
(`ssp/cases/personal_data.py`) and writes its audit event in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ssp import access
from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.cases import selectors as case_selectors
from ssp.cases.personal_data import find_personal_data
from ssp.errors import DomainError
from ssp.organisation.models import Member, Unit
from ssp.prevention import access as prevention_access
from ssp.prevention.models import AGE_MAX, AGE_MIN, Intervention, StaircaseStep
from ssp.versioning import save_versioned

# The free-text fields checked for personal data, in the order the form shows them.
FREE_TEXT_FIELDS = (
    "name",
    "target_group",
    "description",
    "how_to_refer",
    "capacity",
    "material",
)
SAVED_FIELDS = (
    "name",
    "age_min",
    "age_max",
    "target_group",
    "description",
    "provider_unit_id",
    "contact_id",
    "how_to_refer",
    "capacity",
    "material",
    "active",
)


@dataclass
class InterventionData:
    """What a form or the API gives to create or change an intervention."""

    name: str
    step_ids: list[int] = field(default_factory=list)
    age_min: int | None = None
    age_max: int | None = None
    target_group: str = ""
    description: str = ""
    provider_unit_id: int | None = None
    contact_id: int | None = None
    how_to_refer: str = ""
    capacity: str = ""
    material: str = ""
    active: bool = True


class PersonalDataFound(DomainError):
    """The free text holds personal data: the kinds found and the fields they were found in
    (never the text itself: a name must not be echoed to anyone testing names)."""

    def __init__(self, message: str, *, fields: list[str]) -> None:
        super().__init__(message)
        self.fields = fields


def _field_label(name: str) -> str:
    model_field = Intervention._meta.get_field(name)
    return str(getattr(model_field, "verbose_name", name))


def check_free_text(actor: access.Actor, data: InterventionData, municipality_id: int) -> None:
    """Refuse CPR-like numbers, e-mail addresses and phone numbers from everyone, and registered
    young people's names from authority persons, naming the kinds and the fields."""
    names = (
        case_selectors.registered_names(municipality_id)
        if prevention_access.checks_registered_names(actor)
        else []
    )
    kinds: set[str] = set()
    fields_found: list[str] = []
    for name in FREE_TEXT_FIELDS:
        findings = find_personal_data(str(getattr(data, name)), names=names)
        if findings:
            kinds.update(str(finding.kind.label) for finding in findings)
            fields_found.append(name)
    if fields_found:
        labels = ", ".join(f"«{_field_label(name)}»" for name in fields_found)
        raise PersonalDataFound(
            _(
                "Kataloget må ikke indeholde personoplysninger. Fundet: %(kinds)s i %(fields)s. "
                "Skriv om grupper, klasser og steder, ikke om personer."
            )
            % {"kinds": ", ".join(sorted(kinds)), "fields": labels},
            fields=fields_found,
        )


def _validated(
    actor_user: User, data: InterventionData
) -> tuple[access.Actor, int, list[StaircaseStep]]:
    """The actor, its municipality and the chosen steps, or a DomainError in Danish."""
    actor = access.get_actor(actor_user)
    if not prevention_access.can_manage_catalogue(actor):
        raise DomainError(_("Kun SSP-medarbejdere kan oprette og rette indsatser."))
    municipality_id = access.municipality_of(actor)
    name = data.name.strip()
    if not name:
        raise DomainError(_("Indsatsen skal have et navn."))
    data.name = name
    for age in (data.age_min, data.age_max):
        if age is not None and not AGE_MIN <= age <= AGE_MAX:
            raise DomainError(
                _("En alder skal ligge mellem %(low)s og %(high)s år.")
                % {"low": AGE_MIN, "high": AGE_MAX}
            )
    if data.age_min is not None and data.age_max is not None and data.age_min > data.age_max:
        raise DomainError(_("'Fra alder' skal være mindre end eller lig med 'Til alder'."))
    step_ids = sorted(set(data.step_ids))
    if not step_ids:
        raise DomainError(_("Vælg mindst ét trin på indsatstrappen."))
    steps = list(StaircaseStep.objects.filter(municipality_id=municipality_id, pk__in=step_ids))
    if len(steps) != len(step_ids):
        raise DomainError(_("Et af trinnene hører ikke til kommunens indsatstrappe."))
    if (
        data.provider_unit_id is not None
        and not Unit.objects.filter(
            pk=data.provider_unit_id, municipality_id=municipality_id
        ).exists()
    ):
        raise DomainError(_("Udbyderen skal være en enhed i kommunen."))
    if (
        data.contact_id is not None
        and not Member.objects.filter(pk=data.contact_id, municipality_id=municipality_id).exists()
    ):
        raise DomainError(_("Kontaktpersonen skal være en person i kommunen."))
    check_free_text(actor, data, municipality_id)
    return actor, municipality_id, steps


def _name_taken(municipality_id: int, name: str, *, other_than: int | None = None) -> bool:
    taken = Intervention.objects.filter(municipality_id=municipality_id, name__iexact=name)
    if other_than is not None:
        taken = taken.exclude(pk=other_than)
    return taken.exists()


def _name_taken_error() -> DomainError:
    return DomainError(_("Kataloget har allerede en indsats med det navn. Vælg et andet navn."))


@transaction.atomic
def create_intervention(*, actor_user: User, data: InterventionData) -> Intervention:
    """A new intervention in the actor's municipality's catalogue."""
    _actor, municipality_id, steps = _validated(actor_user, data)
    if _name_taken(municipality_id, data.name):
        raise _name_taken_error()
    values = {name: getattr(data, name) for name in SAVED_FIELDS}
    try:
        with transaction.atomic():  # a savepoint: a race on the name is a clear error
            intervention = Intervention.objects.create(municipality_id=municipality_id, **values)
    except IntegrityError as error:
        raise _name_taken_error() from error
    intervention.steps.set(steps)
    record_event(
        actor=actor_user,
        action=AuditAction.INTERVENTION_CREATED,
        obj=intervention,
        municipality_id=municipality_id,
    )
    return intervention


@transaction.atomic
def update_intervention(
    *,
    actor_user: User,
    intervention: Intervention,
    data: InterventionData,
    expected_version: int,
) -> Intervention:
    """Change an intervention; no lost update: saved only if the stored version is still
    `expected_version` (else `StaleEdit` with what the other person saved)."""
    _actor, municipality_id, steps = _validated(actor_user, data)
    if intervention.municipality_id != municipality_id:
        raise DomainError(_("Indsatsen findes ikke i kommunens katalog."))
    if _name_taken(municipality_id, data.name, other_than=intervention.pk):
        raise _name_taken_error()
    for name in SAVED_FIELDS:
        setattr(intervention, name, getattr(data, name))
    try:
        with transaction.atomic():
            save_versioned(intervention, expected_version=expected_version, fields=SAVED_FIELDS)
    except IntegrityError as error:
        raise _name_taken_error() from error
    intervention.steps.set(steps)
    record_event(
        actor=actor_user,
        action=AuditAction.INTERVENTION_CHANGED,
        obj=intervention,
        municipality_id=municipality_id,
    )
    return intervention
