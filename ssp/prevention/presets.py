"""A municipality's intervention staircase and catalogue as a data file (R7), beside its
organisation preset: `ssp/prevention/presets/<preset>.yaml`.

`install_prevention_preset` validates the whole file first (schema, cross-references, the
personal-data check) and then writes it in one transaction, so a broken file writes nothing. It
is idempotent: steps are matched by number and interventions by name, and only the fields the
file gives are written, so what SSP staff have added in the platform (a contact, ages) stays.
Nothing is ever deleted. A preset without a prevention file gets a default three-step staircase
and no interventions, unless the municipality already has a staircase.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from django.db import transaction
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ssp.audit.models import AuditAction
from ssp.audit.services import record_event
from ssp.cases.personal_data import find_personal_data
from ssp.organisation.models import Municipality, Unit
from ssp.organisation.presets import SLUG_PATTERN, PresetError, read_spec
from ssp.prevention.models import (
    AGE_MAX,
    AGE_MIN,
    STEPS_MAX,
    Intervention,
    PreventionLevel,
    StaircaseStep,
)
from ssp.schema_types import NO_CONTROL
from ssp.validation import max_length_of
from ssp.versioning import save_versioned

PRESET_DIR = Path(__file__).resolve().parent / "presets"

# The staircase of a municipality whose preset has no prevention file: Balvig's three levels,
# with goals neutral enough for any municipality to start from and reword.
DEFAULT_STAIRCASE: tuple[tuple[int, str, PreventionLevel], ...] = (
    (1, "Gode og trygge vilkår for alle børn og unge", PreventionLevel.GENERAL),
    (
        2,
        "Forebygge risikoadfærd og kriminalitet blandt børn og unge i risiko",
        PreventionLevel.SPECIFIC,
    ),
    (3, "Hjælpe den enkelte unge væk fra et kriminelt handlemønster", PreventionLevel.INDIVIDUAL),
)

# Free-text fields of an intervention, checked for personal data like the pages' input.
TEXT_FIELDS = ("name", "target_group", "description", "how_to_refer", "capacity", "material")


GoalText = Annotated[
    str, Field(min_length=1, max_length=max_length_of(StaircaseStep, "goal")), NO_CONTROL
]
NameText = Annotated[
    str, Field(min_length=1, max_length=max_length_of(Intervention, "name")), NO_CONTROL
]
TargetGroupText = Annotated[
    str, Field(max_length=max_length_of(Intervention, "target_group")), NO_CONTROL
]
DescriptionText = Annotated[
    str, Field(max_length=max_length_of(Intervention, "description")), NO_CONTROL
]
HowToReferText = Annotated[
    str, Field(max_length=max_length_of(Intervention, "how_to_refer")), NO_CONTROL
]
CapacityText = Annotated[str, Field(max_length=max_length_of(Intervention, "capacity")), NO_CONTROL]
MaterialText = Annotated[str, Field(max_length=max_length_of(Intervention, "material")), NO_CONTROL]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class StepSpec(_Strict):
    number: int = Field(ge=1, le=STEPS_MAX)
    goal: GoalText
    level: PreventionLevel


class InterventionSpec(_Strict):
    name: NameText
    steps: list[int] = Field(min_length=1, max_length=STEPS_MAX)
    age_min: int | None = Field(default=None, ge=AGE_MIN, le=AGE_MAX)
    age_max: int | None = Field(default=None, ge=AGE_MIN, le=AGE_MAX)
    target_group: TargetGroupText = ""
    description: DescriptionText = ""
    provider_unit: str | None = Field(default=None, pattern=SLUG_PATTERN, max_length=100)
    how_to_refer: HowToReferText = ""
    capacity: CapacityText = ""
    material: MaterialText = ""
    active: bool = True

    @model_validator(mode="after")
    def _checks(self) -> InterventionSpec:
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise ValueError("age_min must not be greater than age_max")
        if len(set(self.steps)) != len(self.steps):
            raise ValueError("a step is named twice")
        return self


class PreventionSpec(_Strict):
    steps: list[StepSpec] = Field(min_length=1, max_length=STEPS_MAX)
    interventions: list[InterventionSpec] = Field(default_factory=list, max_length=1000)


@dataclass
class PreventionResult:
    municipality: Municipality
    created: int = 0
    updated: int = 0
    changed_objects: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def available_prevention_presets() -> list[str]:
    return sorted(path.stem for path in PRESET_DIR.glob("*.yaml"))


def prevention_preset_path(preset_name: str) -> Path | None:
    """The preset's prevention file, or None when it has none (only built-in names count, so a
    name given on the command line cannot reach outside the directory)."""
    if preset_name not in available_prevention_presets():
        return None
    return PRESET_DIR / f"{preset_name}.yaml"


def parse_prevention_preset(path: Path) -> PreventionSpec:
    """Read and validate a prevention file; raise PresetError naming the file and the field."""
    name = path.name
    spec = read_spec(path, PreventionSpec)
    problems: list[str] = []
    numbers = [step.number for step in spec.steps]
    for number in sorted({n for n, count in Counter(numbers).items() if count > 1}):
        problems.append(f"steps: number {number} is used twice")
    names = [intervention.name for intervention in spec.interventions]
    for name_twice in sorted({n for n, count in Counter(names).items() if count > 1}):
        problems.append(f"interventions: name '{name_twice}' is used twice")
    for index, step in enumerate(spec.steps):
        for finding in find_personal_data(step.goal):
            problems.append(f"steps[{index}].goal: personal data ({finding.kind.value})")
    for index, intervention in enumerate(spec.interventions):
        for number in intervention.steps:
            if number not in numbers:
                problems.append(f"interventions[{index}].steps: unknown step {number}")
        for text_field in TEXT_FIELDS:
            for finding in find_personal_data(getattr(intervention, text_field)):
                # The kind only: the file's text may itself be what must not be repeated.
                problems.append(
                    f"interventions[{index}].{text_field}: personal data ({finding.kind.value})"
                )
    if problems:
        raise PresetError("\n".join(f"{name}: {problem}" for problem in problems))
    return spec


def _unit_problems(spec: PreventionSpec, municipality: Municipality, name: str) -> list[str]:
    wanted = {i.provider_unit for i in spec.interventions if i.provider_unit is not None}
    found = set(
        Unit.objects.filter(municipality=municipality, slug__in=wanted).values_list(
            "slug", flat=True
        )
    )
    return [
        f"{name}: interventions[{index}].provider_unit: unknown unit '{i.provider_unit}'"
        for index, i in enumerate(spec.interventions)
        if i.provider_unit is not None and i.provider_unit not in found
    ]


def install_prevention_preset(
    *, municipality: Municipality, preset_name: str, path: Path | None = None
) -> PreventionResult:
    """R7: the municipality's staircase and catalogue from its preset's prevention file (or
    `path`), or the default staircase when there is none. Validates everything, then writes in
    one transaction; a second run changes nothing."""
    preset_path = path if path is not None else prevention_preset_path(preset_name)
    if preset_path is None:
        return install_default_staircase(municipality=municipality)
    spec = parse_prevention_preset(preset_path)
    problems = _unit_problems(spec, municipality, preset_path.name)
    if problems:
        raise PresetError("\n".join(problems))
    return apply_prevention_preset(spec=spec, municipality=municipality)


@transaction.atomic
def install_default_staircase(*, municipality: Municipality) -> PreventionResult:
    """Three steps, general, specific and individual, for a municipality without a staircase;
    an existing staircase, however it looks, is left alone."""
    result = PreventionResult(municipality=municipality)
    # Lock the municipality: two loads at once must not both find no steps.
    Municipality.objects.select_for_update().filter(pk=municipality.pk).first()
    if StaircaseStep.objects.filter(municipality=municipality).exists():
        return result
    for number, goal, level in DEFAULT_STAIRCASE:
        step = StaircaseStep.objects.create(
            municipality=municipality, number=number, goal=goal, level=level
        )
        result.created += 1
        result.changed_objects.append(f"+ step {step}")
    return result


@transaction.atomic
def apply_prevention_preset(
    *, spec: PreventionSpec, municipality: Municipality
) -> PreventionResult:
    """Write a validated prevention file. Idempotent: a second run changes nothing."""
    result = PreventionResult(municipality=municipality)
    steps: dict[int, StaircaseStep] = {}
    for step_spec in spec.steps:
        step = (
            StaircaseStep.objects.select_for_update()
            .filter(municipality=municipality, number=step_spec.number)
            .first()
        )
        values = {"goal": step_spec.goal, "level": step_spec.level.value}
        if step is None:
            step = StaircaseStep.objects.create(
                municipality=municipality, number=step_spec.number, **values
            )
            result.created += 1
            result.changed_objects.append(f"+ step {step}")
        else:
            changed = [name for name, value in values.items() if getattr(step, name) != value]
            if changed:
                for name in changed:
                    setattr(step, name, values[name])
                save_versioned(step, expected_version=step.version, fields=changed)
                result.updated += 1
                result.changed_objects.append(f"~ step {step}: {', '.join(changed)}")
        steps[step.number] = step
    units = {
        unit.slug: unit
        for unit in Unit.objects.filter(
            municipality=municipality,
            slug__in=[i.provider_unit for i in spec.interventions if i.provider_unit],
        )
    }
    for intervention_spec in spec.interventions:
        _sync_intervention(result, intervention_spec, municipality, steps, units)
    return result


def _sync_intervention(
    result: PreventionResult,
    spec: InterventionSpec,
    municipality: Municipality,
    steps: dict[int, StaircaseStep],
    units: dict[str, Unit],
) -> None:
    # Only the fields the file gives: an empty field in the file never wipes what staff wrote.
    given = spec.model_fields_set - {"name", "steps"}
    values: dict[str, Any] = {}
    for name in given:
        if name == "provider_unit":
            values["provider_unit"] = units[spec.provider_unit] if spec.provider_unit else None
        else:
            values[name] = getattr(spec, name)
    wanted_steps = [steps[number] for number in sorted(spec.steps)]
    intervention = (
        Intervention.objects.select_for_update()
        .filter(municipality=municipality, name__iexact=spec.name)
        .first()
    )
    if intervention is None:
        intervention = Intervention.objects.create(
            municipality=municipality, name=spec.name, **values
        )
        intervention.steps.set(wanted_steps)
        result.created += 1
        result.changed_objects.append(f"+ intervention {intervention}")
        record_event(
            actor=None,
            action=AuditAction.INTERVENTION_CREATED,
            obj=intervention,
            municipality_id=municipality.pk,
            data={"source": "preset"},
        )
        return
    changed = sorted(name for name, value in values.items() if getattr(intervention, name) != value)
    for name in changed:
        setattr(intervention, name, values[name])
    steps_changed = set(intervention.steps.values_list("pk", flat=True)) != {
        step.pk for step in wanted_steps
    }
    if not changed and not steps_changed:
        return
    save_versioned(intervention, expected_version=intervention.version, fields=changed)
    if steps_changed:
        intervention.steps.set(wanted_steps)
    result.updated += 1
    result.changed_objects.append(
        f"~ intervention {intervention}: {', '.join(changed + ['steps'] * steps_changed)}"
    )
    record_event(
        actor=None,
        action=AuditAction.INTERVENTION_CHANGED,
        obj=intervention,
        municipality_id=municipality.pk,
        data={"source": "preset", "fields": changed + ["steps"] * steps_changed},
    )
