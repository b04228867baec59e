"""R1 presets: each municipality's structure as its source describes it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from ssp.audit.models import AuditEvent
from ssp.organisation.configuration import LOCAL_FORUM_TYPES
from ssp.organisation.models import Forum, Municipality, Seat, Unit
from ssp.organisation.presets import PresetError, available_presets
from ssp.organisation.services import load_preset

pytestmark = pytest.mark.django_db

PRESET_DIR = Path(__file__).resolve().parents[2] / "ssp" / "organisation" / "presets"


def fora_of(slug: str) -> dict[str, Forum]:
    municipality = Municipality.objects.get(slug=slug)
    fora = Forum.objects.filter(municipality=municipality) | Forum.objects.filter(
        police_district=municipality.police_district
    )
    return {forum.key: forum for forum in fora.select_related("parent", "school_district")}


def test_it_ships_the_five_source_municipalities() -> None:
    assert available_presets() == [
        "faxe",
        "fredericia",
        "halsnaes",
        "hoeje-taastrup",
        "koebenhavn",
    ]


def test_it_builds_faxe_with_local_ssp_in_three_districts() -> None:
    load_preset(name="faxe")
    faxe = Municipality.objects.get(slug="faxe")
    assert (faxe.target_age_min, faxe.target_age_max) == (6, 25)
    fora = fora_of("faxe")
    assert fora["styregruppe"].forum_type == "styregruppe"
    assert fora["styregruppe"].cadence == "quarterly"
    assert fora["styregruppe"].pre_meeting and fora["styregruppe"].protocol_public
    assert fora["koordinationsgruppe"].parent == fora["styregruppe"]
    assert fora["koordinationsgruppe"].cadence == "quarterly"
    local = {
        f.school_district.name
        for f in fora.values()
        if f.forum_type == "lokalgruppe" and f.school_district is not None
    }
    assert local == {"Distrikt Øst", "Distrikt Midt", "Distrikt Vest"}
    for forum in fora.values():
        if forum.forum_type == "lokalgruppe":
            assert forum.parent == fora["koordinationsgruppe"]
    voting = set(
        Seat.objects.filter(forum=fora["styregruppe"], has_vote=True).values_list(
            "sector", flat=True
        )
    )
    assert voting == {"politics", "police"}


def test_it_builds_hoeje_taastrup_with_kredsraad_lokalraad_and_seven_omraadegrupper() -> None:
    load_preset(name="hoeje-taastrup")
    municipality = Municipality.objects.get(slug="hoeje-taastrup")
    assert (municipality.ssp_plus_age_min, municipality.ssp_plus_age_max) == (18, 25)
    fora = fora_of("hoeje-taastrup")
    kredsraad = fora["kredsraad"]
    assert kredsraad.municipality is None
    assert kredsraad.police_district == municipality.police_district
    assert kredsraad.cadence == "twice_yearly"
    assert fora["lokalraad"].parent == kredsraad
    assert fora["lokalraad"].cadence == "quarterly"
    areas = [f for f in fora.values() if f.forum_type == "omraadegruppe"]
    assert len(areas) == 7
    for area in areas:
        assert area.parent == fora["lokalraad"]
        assert area.cadence == "quarterly"
        assert area.chair_term_years == 2
        assert len(area.standing_items) == 6
    assert fora["ssp-plus"].forum_type == "ssp_plus"


def test_it_builds_koebenhavn_with_three_levels_and_social_services_leading_3_and_4() -> None:
    load_preset(name="koebenhavn")
    municipality = Municipality.objects.get(slug="koebenhavn")
    assert municipality.rule("case_levels") is True
    assert municipality.rule("social_services_lead_levels") == [3, 4]
    fora = fora_of("koebenhavn")
    assert fora["lokaludvalg"].level == "operational"
    assert fora["koordinationsgruppe"].may_discuss_individuals
    assert fora["koordinationsgruppe"].cadence == "biweekly"
    assert fora["ledergruppe"].level == "tactical"
    assert fora["lokaludvalg"].parent == fora["ledergruppe"]
    sectors = set(Seat.objects.filter(forum=fora["lokaludvalg"]).values_list("sector", flat=True))
    assert {"buf", "sof", "police", "kff"} <= sectors


def test_it_builds_fredericia_with_weekly_ssp_team_and_its_rules() -> None:
    load_preset(name="fredericia")
    municipality = Municipality.objects.get(slug="fredericia")
    assert municipality.rule("red_level_coordinator_authority") is True
    assert municipality.rule("family_meeting_deadline_days") == 7
    assert municipality.rule("network_council_deadline_days") == 7
    assert municipality.rule("concern_count_period_days") == 14
    assert municipality.rule("police_review_weekday") == 2
    fora = fora_of("fredericia")
    assert fora["ssp-team"].cadence == "weekly"
    assert fora["ssp-team"].may_discuss_individuals
    assert fora["ssp-team"].parent == fora["styregruppe"]
    lokalgrupper = [f for f in fora.values() if f.forum_type == "lokalgruppe"]
    assert lokalgrupper and all(f.parent == fora["ssp-team"] for f in lokalgrupper)


def test_it_builds_halsnaes_with_school_based_local_ssp() -> None:
    load_preset(name="halsnaes")
    municipality = Municipality.objects.get(slug="halsnaes")
    assert municipality.concern_contact
    fora = fora_of("halsnaes")
    assert sorted(f.forum_type for f in fora.values()) == ["lokalgruppe", "ssp_team"]
    assert fora["lokalt-ssp"].school_district is not None
    # The source names no forum for named persons: the one door to sparring takes them.
    assert not fora["lokalt-ssp"].may_discuss_individuals
    assert fora["ssp-koordinering"].may_discuss_individuals
    assert municipality.rule("individual_matters") == {
        "lokalt-ssp": {"forum": "ssp-koordinering", "adhoc_group": False}
    }


@pytest.mark.parametrize("preset", available_presets())
def test_every_local_forum_that_may_not_discuss_individuals_says_where_they_go(
    preset: str,
) -> None:
    """R1/R3: the rule names, for each local forum without the flag, a forum that has it."""
    load_preset(name=preset)
    municipality = Municipality.objects.get(slug=preset)
    fora = fora_of(preset)
    rule = municipality.rule("individual_matters")
    for forum in fora.values():
        if forum.forum_type in LOCAL_FORUM_TYPES and not forum.may_discuss_individuals:
            target = fora[rule[forum.key]["forum"]]
            assert target.may_discuss_individuals
            assert target.municipality == municipality
        else:
            assert forum.key not in rule


def test_hoeje_taastrup_sends_personsager_to_ad_hoc_groups_via_the_ssp_coordinators() -> None:
    load_preset(name="hoeje-taastrup")
    municipality = Municipality.objects.get(slug="hoeje-taastrup")
    fora = fora_of("hoeje-taastrup")
    assert fora["ssp-koordinatorer"].forum_type == "ssp_team"
    assert fora["ssp-koordinatorer"].may_discuss_individuals
    rule = municipality.rule("individual_matters")
    assert rule == {
        f"omraadegruppe-{n}": {"forum": "ssp-koordinatorer", "adhoc_group": True}
        for n in range(1, 8)
    }


def test_loading_again_keeps_the_rule_and_changes_nothing() -> None:
    load_preset(name="faxe")
    assert not load_preset(name="faxe").changed
    municipality = Municipality.objects.get(slug="faxe")
    assert set(municipality.rule("individual_matters")) == {
        "lokal-ssp-oest",
        "lokal-ssp-midt",
        "lokal-ssp-vest",
    }


def test_loading_twice_changes_nothing() -> None:
    first = load_preset(name="hoeje-taastrup")
    counts = (Forum.objects.count(), Seat.objects.count(), Unit.objects.count())
    events = AuditEvent.objects.count()
    second = load_preset(name="hoeje-taastrup")
    assert first.changed and not second.changed
    assert (Forum.objects.count(), Seat.objects.count(), Unit.objects.count()) == counts
    assert AuditEvent.objects.count() == events


def test_it_records_the_load_in_the_audit_trail() -> None:
    load_preset(name="faxe")
    event = AuditEvent.objects.get(action="organisation.preset_loaded")
    assert event.data["preset"] == "faxe"
    assert event.data["created"] > 10


def test_two_municipalities_in_one_police_district_share_the_kredsraad(tmp_path: Path) -> None:
    load_preset(name="hoeje-taastrup")
    data = yaml.safe_load((PRESET_DIR / "hoeje-taastrup.yaml").read_text(encoding="utf-8"))
    data["municipality"]["name"] = "Nabo Kommune"
    data["municipality"]["slug"] = "nabo"
    other = tmp_path / "nabo.yaml"
    other.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    load_preset(name="nabo", path=other)
    assert Forum.objects.filter(key="kredsraad").count() == 1
    kredsraad = Forum.objects.get(key="kredsraad")
    assert set(kredsraad.children.values_list("municipality__slug", flat=True)) == {
        "hoeje-taastrup",
        "nabo",
    }


def broken_copy(tmp_path: Path, change: Callable[[dict[str, Any]], object]) -> Path:
    data = yaml.safe_load((PRESET_DIR / "faxe.yaml").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_broken_field_names_file_and_field_and_writes_nothing(tmp_path: Path) -> None:
    before = (Municipality.objects.count(), Forum.objects.count())
    path = broken_copy(tmp_path, lambda d: d["fora"][2].update(cadence="sometimes"))
    with pytest.raises(PresetError, match=r"(?s)broken\.yaml.*fora\[2\]\.cadence"):
        load_preset(name="broken", path=path)
    assert (Municipality.objects.count(), Forum.objects.count()) == before


def test_an_unknown_reporting_line_is_refused(tmp_path: Path) -> None:
    before = (Municipality.objects.count(), Forum.objects.count())
    path = broken_copy(tmp_path, lambda d: d["fora"][1].update(reports_to="nowhere"))
    with pytest.raises(PresetError, match=r"fora\[1\]\.reports_to"):
        load_preset(name="broken", path=path)
    assert (Municipality.objects.count(), Forum.objects.count()) == before


def test_invalid_yaml_is_refused_with_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("municipality: [unclosed", encoding="utf-8")
    with pytest.raises(PresetError, match=r"bad\.yaml"):
        load_preset(name="bad", path=path)


def test_an_error_late_in_the_file_rolls_back_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    """The database fails while writing the last seat: nothing of the file may remain."""
    before = (Municipality.objects.count(), Forum.objects.count())
    from ssp.organisation import presets

    original = presets._sync

    def failing_sync(result, model, lookup, values):
        if model is Seat and lookup["forum"].key == "lokal-ssp-vest":
            raise RuntimeError("disk full")
        return original(result, model, lookup, values)

    monkeypatch.setattr(presets, "_sync", failing_sync)
    with pytest.raises(RuntimeError, match="disk full"):
        load_preset(name="faxe")
    assert (Municipality.objects.count(), Forum.objects.count()) == before


def test_a_too_long_name_is_refused_before_writing(tmp_path: Path) -> None:
    before = (Municipality.objects.count(), Forum.objects.count())
    path = broken_copy(tmp_path, lambda d: d["fora"][-1].update(name="x" * 300))
    with pytest.raises(PresetError, match=r"fora\[\d+\]\.name"):
        load_preset(name="broken", path=path)
    assert (Municipality.objects.count(), Forum.objects.count()) == before


def test_the_command_reports_a_broken_file(tmp_path: Path) -> None:
    from django.core.management import CommandError, call_command

    path = broken_copy(tmp_path, lambda d: d["municipality"].pop("slug"))
    with pytest.raises(CommandError, match=r"broken.yaml.*municipality.slug"):
        call_command("load_preset", "broken", file=str(path))


def faxe_local_index(data: dict[str, Any], key: str = "lokal-ssp-oest") -> int:
    return next(i for i, forum in enumerate(data["fora"]) if forum["key"] == key)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["fora"][faxe_local_index(d)].pop("individual_matters"),
            r"individual_matters: a local forum that may not discuss individuals must say",
        ),
        (
            lambda d: d["fora"][faxe_local_index(d)]["individual_matters"].update(to="styregruppe"),
            r"individual_matters\.to: 'styregruppe' may not discuss individuals",
        ),
        (
            lambda d: d["fora"][faxe_local_index(d)]["individual_matters"].update(to="nowhere"),
            r"individual_matters\.to: unknown forum 'nowhere'",
        ),
        (
            lambda d: d["fora"][faxe_local_index(d)].update(may_discuss_individuals=True),
            r"individual_matters: only for a forum that may not discuss individuals",
        ),
        (
            lambda d: d["fora"][faxe_local_index(d)]["individual_matters"].update(
                to="lokal-ssp-oest"
            ),
            r"individual_matters\.to: a forum cannot send its individual matters to itself",
        ),
    ],
)
def test_a_broken_individual_matters_rule_is_refused_before_writing(
    tmp_path: Path, change: Callable[[dict[str, Any]], object], message: str
) -> None:
    before = (Municipality.objects.count(), Forum.objects.count())
    path = broken_copy(tmp_path, change)
    with pytest.raises(PresetError, match=message):
        load_preset(name="broken", path=path)
    assert (Municipality.objects.count(), Forum.objects.count()) == before
