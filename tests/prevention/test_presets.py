"""The staircase and catalogue from a preset (R7): Halsnæs' as its document lists it, a default
staircase for the others, idempotent, and a broken file writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import CommandError, call_command

from ssp.audit.models import AuditAction, AuditEvent
from ssp.organisation.models import Municipality
from ssp.organisation.presets import PresetError
from ssp.organisation.services import load_preset
from ssp.prevention import presets
from ssp.prevention.models import Intervention, PreventionLevel, StaircaseStep
from ssp.prevention.presets import DEFAULT_STAIRCASE, install_prevention_preset
from tests.helpers_db import changes, snapshot

pytestmark = pytest.mark.django_db

APPS = ("organisation", "prevention", "audit")

HALSNAES_STEPS = [
    (1, "Skabe gode, trygge og udviklende vilkår for alle børn og unge", PreventionLevel.GENERAL),
    (2, "Forebygge at unge begår uønskede eller kriminelle hændelser", PreventionLevel.SPECIFIC),
    (
        3,
        "Forhindre den enkelte unge i at udvikle et kriminelt handlemønster",
        PreventionLevel.INDIVIDUAL,
    ),
]
HALSNAES_CATALOGUE = {
    "Information og opbygning af kompetencer": [1],
    "SSP deltagelse på blå mandag": [1],
    "Forældrefiduser": [1],
    "Gadeteam": [2, 3],
    "Cool Kids": [2],
    "Livsmod": [2],
    "Stjernerne": [2],
    "Labyrinten": [2],
    "Pop-up sport": [2],
    "Cyberhus": [2],
    "Fravær – indsats/handleplan": [2],
    "Mobning – indsats/handleplan": [2],
    "Misbrug – indsats/handleplan": [2],
    "Vold – indsats/handleplan": [2],
    "Kriminalitet – indsats/handleplan": [2],
    "Individuelle løsninger relevante for den unge": [3],
}


def staircase_of(municipality: Municipality) -> list[tuple[int, str, str]]:
    return list(
        StaircaseStep.objects.filter(municipality=municipality)
        .order_by("number")
        .values_list("number", "goal", "level")
    )


def catalogue_of(municipality: Municipality) -> dict[str, list[int]]:
    return {
        intervention.name: sorted(step.number for step in intervention.steps.all())
        for intervention in Intervention.objects.filter(municipality=municipality).prefetch_related(
            "steps"
        )
    }


def halsnaes() -> Municipality:
    return Municipality.objects.get(slug="halsnaes")


def broken_copy(tmp_path: Path, change: Callable[[dict[str, Any]], object]) -> Path:
    data = yaml.safe_load((presets.PRESET_DIR / "halsnaes.yaml").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "halsnaes.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_it_loads_halsnaes_staircase_and_catalogue_with_the_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("load_preset", "halsnaes")
    municipality = halsnaes()
    assert staircase_of(municipality) == HALSNAES_STEPS
    assert catalogue_of(municipality) == HALSNAES_CATALOGUE
    assert "staircase and catalogue: 19 created" in capsys.readouterr().out


def test_it_puts_the_documents_parentheses_in_the_target_group_and_invents_nothing() -> None:
    call_command("load_preset", "halsnaes")
    interventions = {i.name: i for i in Intervention.objects.filter(municipality=halsnaes())}
    assert interventions["Cool Kids"].target_group == "børn med angst"
    assert interventions["Livsmod"].target_group == "selvskade, spiseforstyrrelser mm."
    assert interventions["Stjernerne"].target_group == "sårbare piger"
    assert interventions["Labyrinten"].target_group == "børn med forældre med psykiske problemer"
    assert interventions["Cyberhus"].target_group == "chat rådgivning"
    assert interventions["Forældrefiduser"].target_group == "samarbejde mellem forældre"
    for intervention in interventions.values():
        assert (intervention.age_min, intervention.age_max, intervention.contact) == (
            None,
            None,
            None,
        )
        assert intervention.how_to_refer == intervention.capacity == intervention.material == ""
        assert intervention.active
    # The one provider the organisation preset itself names: the Gadeteam unit.
    assert {i.name for i in interventions.values() if i.provider_unit} == {"Gadeteam"}
    gadeteam = interventions["Gadeteam"].provider_unit
    assert gadeteam is not None and gadeteam.name == "Gadeteam"


def test_the_teaching_themes_are_one_intervention_found_by_each_theme() -> None:
    call_command("load_preset", "halsnaes")
    themes = Intervention.objects.get(
        municipality=halsnaes(), name="Information og opbygning af kompetencer"
    )
    for theme in (
        "Alkohol/rygning/rusmidler",
        "Sociale medier og gode vaner på nettet",
        "Seksualundervisning og intime relationer",
        "Social pejling",
        "Konflikthåndtering",
        "Trivsel",
        "Børns rettigheder + hvor kan man få hjælp",
        "Færdselsundervisning",
    ):
        assert f"- {theme}\n" in themes.description + "\n"


def test_each_created_intervention_is_audited() -> None:
    call_command("load_preset", "halsnaes")
    municipality = halsnaes()
    created = AuditEvent.objects.filter(
        action=AuditAction.INTERVENTION_CREATED, municipality_id=municipality.pk
    )
    assert created.count() == len(HALSNAES_CATALOGUE)


def test_loading_twice_changes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("load_preset", "halsnaes")
    before = snapshot(APPS)
    capsys.readouterr()
    call_command("load_preset", "halsnaes")
    assert changes(before, snapshot(APPS)) == []
    assert "staircase and catalogue" not in capsys.readouterr().out
    again = install_prevention_preset(municipality=halsnaes(), preset_name="halsnaes")
    assert not again.changed


def test_a_second_load_keeps_what_staff_added_and_restores_what_the_file_gives() -> None:
    call_command("load_preset", "halsnaes")
    municipality = halsnaes()
    cool_kids = Intervention.objects.get(municipality=municipality, name="Cool Kids")
    Intervention.objects.filter(pk=cool_kids.pk).update(
        age_min=7, age_max=12, capacity="Otte børn", target_group="andet"
    )
    cool_kids.steps.set(StaircaseStep.objects.filter(municipality=municipality, number=1))
    StaircaseStep.objects.filter(municipality=municipality, number=2).update(goal="Noget andet")
    result = install_prevention_preset(municipality=municipality, preset_name="halsnaes")
    assert (result.created, result.updated) == (0, 2)
    cool_kids.refresh_from_db()
    assert (cool_kids.age_min, cool_kids.age_max, cool_kids.capacity) == (7, 12, "Otte børn")
    assert cool_kids.target_group == "børn med angst"
    assert cool_kids.version == 2  # an open edit form of it now sees a stale version
    assert catalogue_of(municipality)["Cool Kids"] == [2]
    assert staircase_of(municipality) == HALSNAES_STEPS
    assert AuditEvent.objects.filter(
        action=AuditAction.INTERVENTION_CHANGED, object_id=str(cool_kids.pk)
    ).exists()


def test_nothing_is_deleted_on_a_second_load() -> None:
    call_command("load_preset", "halsnaes")
    municipality = halsnaes()
    own = Intervention.objects.create(municipality=municipality, name="Vores egen indsats")
    install_prevention_preset(municipality=municipality, preset_name="halsnaes")
    assert Intervention.objects.filter(pk=own.pk).exists()


@pytest.mark.parametrize("preset", ["faxe", "fredericia", "hoeje-taastrup", "koebenhavn"])
def test_other_presets_get_a_default_three_step_staircase_and_no_interventions(
    preset: str,
) -> None:
    call_command("load_preset", preset)
    municipality = Municipality.objects.get(slug=preset)
    assert staircase_of(municipality) == [
        (number, goal, level.value) for number, goal, level in DEFAULT_STAIRCASE
    ]
    assert [level for _n, _g, level in staircase_of(municipality)] == [
        PreventionLevel.GENERAL,
        PreventionLevel.SPECIFIC,
        PreventionLevel.INDIVIDUAL,
    ]
    assert catalogue_of(municipality) == {}


def test_an_existing_staircase_is_left_alone() -> None:
    municipality = load_preset(name="faxe").municipality
    StaircaseStep.objects.create(
        municipality=municipality, number=1, goal="Vores eget mål", level=PreventionLevel.GENERAL
    )
    before = snapshot(APPS)
    result = install_prevention_preset(municipality=municipality, preset_name="faxe")
    assert not result.changed
    assert changes(before, snapshot(APPS)) == []
    call_command("load_preset", "faxe")
    assert staircase_of(municipality) == [(1, "Vores eget mål", PreventionLevel.GENERAL)]


def test_a_name_from_the_command_line_cannot_reach_outside_the_directory() -> None:
    assert presets.prevention_preset_path("../presets/halsnaes") is None
    assert presets.prevention_preset_path("halsnaes") == presets.PRESET_DIR / "halsnaes.yaml"


BROKEN: list[tuple[Callable[[dict[str, Any]], object], str]] = [
    (
        lambda d: d["interventions"][-1].update(steps=[4]),
        r"interventions\[15\]\.steps: unknown step 4",
    ),
    (
        lambda d: d["interventions"][-1].update(name="x" * 201),
        r"interventions\[15\]\.name",
    ),
    (lambda d: d["steps"][0].update(level="purple"), r"steps\[0\]\.level"),
    (lambda d: d["steps"].append(dict(d["steps"][0])), r"steps: number 1 is used twice"),
    (
        lambda d: d["interventions"].append({"name": "Gadeteam", "steps": [2]}),
        r"name 'Gadeteam' is used twice",
    ),
    (
        lambda d: d["interventions"][-1].update(age_min=15, age_max=12),
        r"age_min must not be greater than age_max",
    ),
    (
        lambda d: d["interventions"][-1].update(how_to_refer="Skriv til a.b@halsnaes.dk"),
        r"interventions\[15\]\.how_to_refer: personal data \(email\)",
    ),
    (
        lambda d: d["interventions"][-1].update(description="Se 010203-1234"),
        r"interventions\[15\]\.description: personal data \(cpr\)",
    ),
    (
        lambda d: d["interventions"][-1].update(provider_unit="findes-ikke"),
        r"interventions\[15\]\.provider_unit: unknown unit 'findes-ikke'",
    ),
    (lambda d: d["interventions"][-1].update(colour="red"), r"colour: Extra inputs"),
    (lambda d: d["interventions"][-1].update(capacity="a\x00b"), r"control character"),
]


@pytest.mark.parametrize(("change", "message"), BROKEN)
def test_a_broken_prevention_file_is_refused_before_writing(
    tmp_path: Path, change: Callable[[dict[str, Any]], object], message: str
) -> None:
    municipality = load_preset(name="halsnaes").municipality
    path = broken_copy(tmp_path, change)
    before = snapshot(APPS)
    with pytest.raises(PresetError, match=message):
        install_prevention_preset(municipality=municipality, preset_name="halsnaes", path=path)
    assert changes(before, snapshot(APPS)) == []


def test_a_broken_prevention_file_stops_the_command_and_the_organisation_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken_copy(tmp_path, lambda d: d["interventions"][-1].update(steps=[7]))
    monkeypatch.setattr(presets, "PRESET_DIR", tmp_path)
    before = snapshot(APPS)
    with pytest.raises(CommandError, match=r"halsnaes.yaml: interventions\[15\]\.steps"):
        call_command("load_preset", "halsnaes")
    assert changes(before, snapshot(APPS)) == []


def test_an_error_late_in_the_writing_rolls_back_everything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    municipality = load_preset(name="halsnaes").municipality
    original = presets._sync_intervention

    def failing(result: Any, spec: Any, *args: Any) -> None:
        if spec.name == "Individuelle løsninger relevante for den unge":
            raise RuntimeError("disk full")
        original(result, spec, *args)

    monkeypatch.setattr(presets, "_sync_intervention", failing)
    before = snapshot(APPS)
    with pytest.raises(RuntimeError, match="disk full"):
        install_prevention_preset(municipality=municipality, preset_name="halsnaes")
    assert changes(before, snapshot(APPS)) == []


def test_every_built_in_prevention_file_belongs_to_an_organisation_preset() -> None:
    from ssp.organisation.presets import available_presets

    assert set(presets.available_prevention_presets()) <= set(available_presets())
    for name in presets.available_prevention_presets():
        presets.parse_prevention_preset(presets.PRESET_DIR / f"{name}.yaml")


def test_municipalities_from_before_the_app_get_the_default_staircase_once(
    demo: Municipality,
) -> None:
    """Migration `prevention 0003`: a municipality without steps gets the three default ones;
    one with a staircase (the demo's) keeps it as it is; running it again adds nothing."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module(
        "ssp.prevention.migrations.0003_default_staircase_for_existing_municipalities"
    )
    older = Municipality.objects.create(
        name="Ældre Kommune", slug="aeldre", police_district=demo.police_district
    )
    demo_steps = list(
        StaircaseStep.objects.filter(municipality=demo).values_list("number", "goal", "level")
    )
    migration.install_default_staircases(apps, None)
    migration.install_default_staircases(apps, None)
    created = StaircaseStep.objects.filter(municipality=older).order_by("number")
    assert [(s.number, s.level) for s in created] == [
        (1, "general"),
        (2, "specific"),
        (3, "individual"),
    ]
    assert (
        list(StaircaseStep.objects.filter(municipality=demo).values_list("number", "goal", "level"))
        == demo_steps
    )
