"""Issue 16, point 1: the municipality's configuration pages (rules, worksheet help texts,
standing agenda items, legal bases): access, validation, versions, audit."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ssp.audit.models import AuditAction, AuditEvent
from ssp.cases import legal_bases
from ssp.cases.legal_bases import LegalBasisData
from ssp.cases.models import Case, Disclosure, LegalBasis
from ssp.cases.services import record_disclosure
from ssp.errors import DomainError
from ssp.meetings.models import Meeting, MeetingStatus
from ssp.meetings.services import prepare_agenda
from ssp.organisation import configuration as conf
from ssp.organisation.models import (
    Forum,
    ForumType,
    Member,
    Municipality,
    RuleVersion,
    StandingItem,
)
from ssp.organisation.services import load_preset
from ssp.versioning import StaleEdit

pytestmark = pytest.mark.django_db

CONFIG_PAGES = (
    "organisation:config",
    "organisation:config_rules",
    "organisation:config_worksheet",
    "organisation:standing_items",
    "organisation:legal_bases",
    "organisation:legal_basis_new",
)


def rules_data(demo: Municipality, **changes: Any) -> conf.RulesData:
    data = conf.RulesData(
        target_age_min=demo.target_age_min,
        target_age_max=demo.target_age_max,
        ssp_plus_age_min=demo.ssp_plus_age_min,
        ssp_plus_age_max=demo.ssp_plus_age_max,
        family_meeting_deadline_days=int(demo.rule("family_meeting_deadline_days", 7)),
        network_council_deadline_days=int(demo.rule("network_council_deadline_days", 7)),
        police_review_weekday=demo.rule("police_review_weekday"),
        agenda_days_before=int(demo.rule("agenda_days_before", 7)),
        absence_threshold_percent=int(demo.rule("absence_threshold_percent", 10)),
        case_levels=bool(demo.rule("case_levels")),
        general_prevention_forum=str(demo.rule("general_prevention_forum") or ""),
    )
    return replace(data, **changes)


def rules_post(demo: Municipality, **changes: Any) -> dict[str, Any]:
    """The rules form as the page sends it, with `changes`."""
    demo.refresh_from_db()
    body: dict[str, Any] = {
        "version": demo.version,
        "target_age_min": demo.target_age_min,
        "target_age_max": demo.target_age_max,
        "ssp_plus_age_min": demo.ssp_plus_age_min if demo.ssp_plus_age_min is not None else "",
        "ssp_plus_age_max": demo.ssp_plus_age_max if demo.ssp_plus_age_max is not None else "",
        "family_meeting_deadline_days": demo.rule("family_meeting_deadline_days", 7),
        "network_council_deadline_days": demo.rule("network_council_deadline_days", 7),
        "police_review_weekday": demo.rule("police_review_weekday") or "",
        "agenda_days_before": demo.rule("agenda_days_before", 7),
        "absence_threshold_percent": demo.rule("absence_threshold_percent", 10),
    }
    if demo.rule("case_levels"):
        body["case_levels"] = "on"
    body.update(changes)
    return body


def url(name: str, demo: Municipality, *args: Any) -> str:
    return reverse(name, args=[demo.slug, *args])


# --- Access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["koordinator", "admin"])
@pytest.mark.parametrize("name", CONFIG_PAGES)
def test_staff_and_administrators_open_the_configuration(
    demo: Municipality, client_for: Any, username: str, name: str
) -> None:
    assert client_for(username).get(url(name, demo)).status_code == 200


@pytest.mark.parametrize("username", ["laerer", "politiker", "socialraadgiver"])
@pytest.mark.parametrize("name", CONFIG_PAGES)
def test_other_roles_are_refused(
    demo: Municipality, client_for: Any, username: str, name: str
) -> None:
    assert client_for(username).get(url(name, demo)).status_code == 403


@pytest.mark.parametrize("name", CONFIG_PAGES)
def test_the_supervisor_does_not_configure(demo: Municipality, client_for: Any, name: str) -> None:
    assert client_for("tilsyn").get(url(name, demo)).status_code in {403, 404}


def test_another_municipalitys_staff_get_404(demo: Municipality) -> None:
    load_preset(name="faxe")
    faxe = Municipality.objects.get(slug="faxe")
    user = User.objects.create_user("faxe-koordinator")
    Member.objects.create(
        user=user, municipality=faxe, name="F", sector="buf", access_role="ssp_staff"
    )
    client = Client()
    client.force_login(user)
    for name in CONFIG_PAGES:
        assert client.get(url(name, demo)).status_code == 404, name
    basis = LegalBasis.objects.filter(municipality=demo).first()
    assert basis is not None
    assert client.post(url("organisation:legal_basis_retire", demo, basis.pk)).status_code == 404
    basis.refresh_from_db()
    assert basis.retired_at is None
    assert client.get(url("organisation:config", faxe)).status_code == 200


def test_the_chart_links_to_the_configuration_only_for_configurers(
    demo: Municipality, client_for: Any
) -> None:
    chart = reverse("organisation:chart", args=[demo.slug])
    assert 'data-testid="config-link"' in client_for("koordinator").get(chart).content.decode()
    assert 'data-testid="config-link"' not in client_for("laerer").get(chart).content.decode()


def test_the_overview_summarises_each_section(demo: Municipality, client_for: Any) -> None:
    html = client_for("koordinator").get(url("organisation:config", demo)).content.decode()
    count = legal_bases.current_legal_bases(demo).count()
    assert f"{count} hjemler" in html
    assert reverse("police:offences") in html


# --- Rules ------------------------------------------------------------------------------------


def test_saving_the_rules_makes_numbered_versions_and_keeps_unknown_keys(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    demo.rules = {**demo.rules, "some_other_app_key": [1, 2]}
    demo.save(update_fields=["rules"])
    client = client_for("koordinator")
    response = client.post(
        url("organisation:config_rules", demo), rules_post(demo, network_council_deadline_days=5)
    )
    assert response.status_code == 302
    response = client.post(
        url("organisation:config_rules", demo), rules_post(demo, agenda_days_before=10)
    )
    assert response.status_code == 302
    demo.refresh_from_db()
    assert demo.rule("network_council_deadline_days") == 5
    assert demo.rule("agenda_days_before") == 10
    assert demo.rule("some_other_app_key") == [1, 2]
    numbers = list(
        RuleVersion.objects.filter(municipality=demo)
        .order_by("number")
        .values_list("number", flat=True)
    )
    assert numbers == [1, 2, 3]  # 1 = the rules as the preset (the demo) left them
    assert (
        RuleVersion.objects.get(municipality=demo, number=1).rules["network_council_deadline_days"]
        == 7
    )
    assert RuleVersion.objects.get(municipality=demo, number=3).created_by == users["koordinator"]
    events = AuditEvent.objects.filter(action=AuditAction.RULES_CHANGED).order_by("id")
    assert [e.data for e in events] == [
        {"version": 2, "changed": ["network_council_deadline_days"]},
        {"version": 3, "changed": ["agenda_days_before"]},
    ]
    page = client.get(url("organisation:config_rules", demo))
    history = page.context["history"]
    assert [row.version.number for row in history] == [3, 2, 1]
    assert history[0].changed == ["agenda_days_before"]
    # (the key of another app was stored after version 1 and before this page's first save)
    assert "network_council_deadline_days" in history[1].changed


def test_saving_the_same_rules_twice_changes_nothing(
    demo: Municipality, users: dict[str, User]
) -> None:
    data = rules_data(demo, absence_threshold_percent=20)
    version = demo.version
    first = conf.update_rules(
        actor_user=users["koordinator"], municipality=demo, data=data, expected_version=version
    )
    second = conf.update_rules(
        actor_user=users["koordinator"], municipality=demo, data=data, expected_version=version
    )
    assert first is not None and second is None
    assert AuditEvent.objects.filter(action=AuditAction.RULES_CHANGED).count() == 1


def test_a_stale_save_is_refused_and_keeps_the_input(
    demo: Municipality, client_for: Any, users: dict[str, User]
) -> None:
    body = rules_post(demo, agenda_days_before=12)
    conf.update_rules(
        actor_user=users["admin"],
        municipality=demo,
        data=rules_data(demo, agenda_days_before=9),
        expected_version=demo.version,
    )
    response = client_for("koordinator").post(url("organisation:config_rules", demo), body)
    assert response.status_code == 409
    assert response.context["form"]["agenda_days_before"].value() == "12"
    demo.refresh_from_db()
    assert demo.rule("agenda_days_before") == 9
    with pytest.raises(StaleEdit):
        conf.update_rules(
            actor_user=users["koordinator"],
            municipality=demo,
            data=rules_data(demo, agenda_days_before=12),
            expected_version=demo.version - 1,
        )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("target_age_min", 31),
        ("target_age_max", -1),
        ("target_age_max", 2),  # below the minimum age (6)
        ("ssp_plus_age_min", 15),  # without a maximum
        ("network_council_deadline_days", 8),
        ("network_council_deadline_days", 0),
        ("family_meeting_deadline_days", 31),
        ("police_review_weekday", 7),
        ("agenda_days_before", 61),
        ("absence_threshold_percent", 0),
        ("general_prevention_forum", 999_999_999),
        ("general_prevention_forum", "x"),
    ],
)
def test_the_rules_form_refuses_what_is_out_of_bounds(
    demo: Municipality, client_for: Any, field: str, value: Any
) -> None:
    before = (dict(demo.rules), demo.version)
    response = client_for("koordinator").post(
        url("organisation:config_rules", demo), rules_post(demo, **{field: value})
    )
    assert response.status_code == 400
    assert response.context["form"].errors
    demo.refresh_from_db()
    assert (demo.rules, demo.version) == before


def test_the_form_names_the_law_for_eight_days(demo: Municipality, client_for: Any) -> None:
    response = client_for("koordinator").post(
        url("organisation:config_rules", demo), rules_post(demo, network_council_deadline_days=8)
    )
    assert "Loven kræver netværkssamråd senest 7 dage" in response.content.decode()


@pytest.mark.parametrize(
    "changes",
    [
        {"network_council_deadline_days": 8},
        {"target_age_min": 19, "target_age_max": 18},
        {"target_age_max": 31},
        {"ssp_plus_age_min": 15, "ssp_plus_age_max": None},
        {"family_meeting_deadline_days": 0},
        {"police_review_weekday": 7},
        {"agenda_days_before": 0},
        {"absence_threshold_percent": 101},
        {"general_prevention_forum": "no-such-forum"},
    ],
)
def test_the_service_checks_the_rules_too(
    demo: Municipality, users: dict[str, User], changes: dict[str, Any]
) -> None:
    versions = RuleVersion.objects.filter(municipality=demo).count()
    with pytest.raises(DomainError):
        conf.update_rules(
            actor_user=users["koordinator"],
            municipality=demo,
            data=rules_data(demo, **changes),
            expected_version=demo.version,
        )
    assert RuleVersion.objects.filter(municipality=demo).count() == versions
    assert not AuditEvent.objects.filter(action=AuditAction.RULES_CHANGED).exists()


def test_a_dissolved_or_ad_hoc_forum_cannot_be_the_general_prevention_forum(
    demo: Municipality, users: dict[str, User]
) -> None:
    forum = Forum.objects.get(municipality=demo, key="lokal-ssp-oest")
    forum.forum_type = ForumType.ADHOC
    forum.save(update_fields=["forum_type"])
    with pytest.raises(DomainError):
        conf.update_rules(
            actor_user=users["koordinator"],
            municipality=demo,
            data=rules_data(demo, general_prevention_forum=forum.key),
            expected_version=demo.version,
        )


def test_the_general_prevention_forum_is_chosen_by_the_picker(
    demo: Municipality, client_for: Any
) -> None:
    forum = Forum.objects.get(municipality=demo, key="lokal-ssp-midt")
    client = client_for("koordinator")
    found = client.get(
        url("organisation:config_rules", demo), {"general_prevention_forum__q": forum.name[:8]}
    )
    assert found.status_code == 200 and forum.name in found.content.decode()
    response = client.post(
        url("organisation:config_rules", demo), rules_post(demo, general_prevention_forum=forum.pk)
    )
    assert response.status_code == 302
    demo.refresh_from_db()
    assert demo.rule(conf.GENERAL_PREVENTION_FORUM_RULE) == "lokal-ssp-midt"
    page = client.get(url("organisation:config_rules", demo))
    assert page.context["form"].initial["general_prevention_forum"] == forum.pk


def test_a_closed_case_keeps_the_rules_it_was_handled_under(
    demo: Municipality, users: dict[str, User]
) -> None:
    case = Case.objects.get(young_person__first_name="Ali")
    assert conf.rules_for_case(case)["network_council_deadline_days"] == 7
    first = conf.update_rules(
        actor_user=users["koordinator"],
        municipality=demo,
        data=rules_data(demo, network_council_deadline_days=6),
        expected_version=demo.version,
    )
    assert first is not None
    case.rule_version = first
    case.save(update_fields=["rule_version"])
    conf.update_rules(
        actor_user=users["koordinator"],
        municipality=demo,
        data=rules_data(demo, network_council_deadline_days=4),
        expected_version=demo.version,
    )
    case = Case.objects.get(pk=case.pk)
    assert conf.rules_for_case(case)["network_council_deadline_days"] == 6
    other = (
        Case.objects.exclude(pk=case.pk)
        .filter(municipality=demo, rule_version__isnull=True)
        .first()
    )
    assert other is not None
    assert conf.rules_for_case(other)["network_council_deadline_days"] == 4


# --- Worksheet help texts -----------------------------------------------------------------------


def test_help_texts_are_stored_versioned_and_audited(demo: Municipality, client_for: Any) -> None:
    demo.refresh_from_db()
    body = {"version": demo.version, "truancy": "Mere end 10 % fravær i en måned.", "isolated": ""}
    response = client_for("koordinator").post(url("organisation:config_worksheet", demo), body)
    assert response.status_code == 302
    demo.refresh_from_db()
    assert conf.risk_factor_help(demo) == {"truancy": "Mere end 10 % fravær i en måned."}
    assert demo.rules[conf.RISK_FACTOR_HELP_RULE] == {"truancy": "Mere end 10 % fravær i en måned."}
    assert RuleVersion.objects.filter(municipality=demo).count() == 2
    event = AuditEvent.objects.get(action=AuditAction.WORKSHEET_HELP_CHANGED)
    assert event.data == {"version": 2, "changed": ["truancy"]}
    assert "fravær" not in str(event.data)


@pytest.mark.parametrize("text", ["x" * 501, "skjult\x00tegn"])
def test_help_texts_are_bounded(demo: Municipality, client_for: Any, text: str) -> None:
    demo.refresh_from_db()
    response = client_for("koordinator").post(
        url("organisation:config_worksheet", demo), {"version": demo.version, "boredom": text}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["boredom"]
    demo.refresh_from_db()
    assert conf.risk_factor_help(demo) == {}


def test_the_help_service_refuses_unknown_factors(
    demo: Municipality, users: dict[str, User]
) -> None:
    with pytest.raises(DomainError):
        conf.update_worksheet_help(
            actor_user=users["koordinator"],
            municipality=demo,
            texts={"favourite_colour": "blå"},
            expected_version=demo.version,
        )


# --- Standing items ---------------------------------------------------------------------------


def planned_meeting(forum_key: str = "lokal-ssp-oest") -> Meeting:
    return Meeting.objects.get(forum__key=forum_key, status=MeetingStatus.PLANNED)


def test_a_standing_item_goes_on_the_agenda_when_it_is_prepared(
    demo: Municipality, client_for: Any, users: dict[str, User]
) -> None:
    meeting = planned_meeting()
    response = client_for("koordinator").post(
        url("organisation:standing_items", demo),
        {"forum_type": meeting.forum.forum_type, "title": "Nyt fra klubberne", "position": 1},
    )
    assert response.status_code == 302
    item = StandingItem.objects.get(municipality=demo, title="Nyt fra klubberne")
    event = AuditEvent.objects.get(action=AuditAction.STANDING_ITEM_CHANGED)
    assert event.data == {"forum_type": meeting.forum.forum_type, "op": "created"}
    prepare_agenda(actor_user=users["koordinator"], meeting=meeting)
    assert meeting.items.filter(title="Nyt fra klubberne").count() == 1
    prepare_agenda(actor_user=users["koordinator"], meeting=meeting)  # twice: still once
    assert meeting.items.filter(title="Nyt fra klubberne").count() == 1
    # A later edit does not rewrite the agenda that was made.
    conf.update_standing_item(
        actor_user=users["koordinator"], item=item, title="Nyt fra fritiden", position=1
    )
    assert meeting.items.filter(title="Nyt fra klubberne").count() == 1


def test_a_duplicate_standing_item_is_refused(demo: Municipality, client_for: Any) -> None:
    kind = planned_meeting().forum.forum_type
    client = client_for("koordinator")
    body = {"forum_type": kind, "title": "Status på hot spots", "position": 0}
    assert client.post(url("organisation:standing_items", demo), body).status_code == 302
    response = client.post(url("organisation:standing_items", demo), body)
    assert response.status_code == 400
    assert "allerede et fast punkt" in response.content.decode()
    assert response.context["form"]["title"].value() == "Status på hot spots"
    assert StandingItem.objects.filter(municipality=demo, title="Status på hot spots").count() == 1


def test_a_forum_type_the_municipality_lacks_is_refused(
    demo: Municipality, users: dict[str, User]
) -> None:
    assert ForumType.KREDSRAAD not in conf.forum_types_in(demo)
    with pytest.raises(DomainError):
        conf.add_standing_item(
            actor_user=users["koordinator"],
            municipality=demo,
            forum_type=ForumType.KREDSRAAD,
            title="Punkt",
            position=0,
        )


def test_standing_items_are_edited_and_deleted_after_confirmation(
    demo: Municipality, client_for: Any, users: dict[str, User]
) -> None:
    item = conf.add_standing_item(
        actor_user=users["koordinator"],
        municipality=demo,
        forum_type=planned_meeting().forum.forum_type,
        title="Eventuelt",
        position=9,
    )
    client = client_for("admin")
    response = client.post(
        url("organisation:standing_item_edit", demo, item.pk), {"title": "Evt.", "position": 8}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.title, item.position) == ("Evt.", 8)
    confirm = client.get(url("organisation:standing_item_delete", demo, item.pk))
    assert confirm.status_code == 200 and "Evt." in confirm.content.decode()
    assert StandingItem.objects.filter(pk=item.pk).exists()
    assert client.post(url("organisation:standing_item_delete", demo, item.pk)).status_code == 302
    assert not StandingItem.objects.filter(pk=item.pk).exists()
    # A second click finds nothing to delete.
    assert client.post(url("organisation:standing_item_delete", demo, item.pk)).status_code == 404
    ops = list(
        AuditEvent.objects.filter(action=AuditAction.STANDING_ITEM_CHANGED)
        .order_by("id")
        .values_list("data__op", flat=True)
    )
    assert ops == ["created", "changed", "deleted"]


# --- Legal bases ------------------------------------------------------------------------------


def a_disclosure(demo: Municipality, basis: LegalBasis, users: dict[str, User]) -> Disclosure:
    case = Case.objects.get(young_person__first_name="Ali")
    koordinator = Member.objects.get(user__username="koordinator")
    receiver = Member.objects.get(user__username="socialraadgiver")
    return record_disclosure(
        actor_user=users["koordinator"],
        case=case,
        legal_basis=basis,
        purpose="Koordinering af indsatsen",
        information="Aftalen om fritidsjob",
        given_by=koordinator,
        receivers=[receiver],
        disclosed_on=timezone.localdate(),
    )


def test_editing_a_basis_keeps_the_old_disclosures_basis(
    demo: Municipality, client_for: Any, users: dict[str, User]
) -> None:
    basis = legal_bases.current_legal_bases(demo).filter(is_consent=False).first()
    assert basis is not None
    disclosure = a_disclosure(demo, basis, users)
    response = client_for("koordinator").post(
        url("organisation:legal_basis_edit", demo, basis.pk),
        {
            "title": "Ny titel for § 115",
            "reference": basis.reference,
            "requires_parent_involvement": "on",
        },
    )
    assert response.status_code == 302
    basis.refresh_from_db()
    new = LegalBasis.objects.get(municipality=demo, title="Ny titel for § 115")
    assert basis.retired_at is not None and basis.replaced_by == new
    assert new.code == basis.code and new.retired_at is None
    disclosure.refresh_from_db()
    assert disclosure.legal_basis_id == basis.pk
    assert basis not in legal_bases.current_legal_bases(demo)
    event = AuditEvent.objects.get(action=AuditAction.LEGAL_BASIS_CHANGED)
    assert event.data == {"op": "changed", "id": basis.pk, "new_id": new.pk}
    page = client_for("koordinator").get(url("organisation:legal_bases", demo))
    assert "Ny titel for § 115" in page.content.decode()
    assert basis in page.context["retired"].object_list


def test_editing_a_retired_basis_is_refused(
    demo: Municipality, client_for: Any, users: dict[str, User]
) -> None:
    basis = legal_bases.current_legal_bases(demo).filter(is_consent=False).first()
    assert basis is not None
    data = LegalBasisData(
        title="Først", reference="", is_consent=False, requires_parent_involvement=True
    )
    legal_bases.change_legal_basis(actor_user=users["koordinator"], basis=basis, data=data)
    response = client_for("admin").post(
        url("organisation:legal_basis_edit", demo, basis.pk),
        {"title": "Bagefter", "reference": ""},
    )
    assert response.status_code == 400
    assert "Hjemlen er ændret af en anden i mellemtiden" in response.content.decode()
    assert not LegalBasis.objects.filter(title="Bagefter").exists()


def test_a_second_click_of_the_same_change_returns_the_successor(
    demo: Municipality, users: dict[str, User]
) -> None:
    basis = legal_bases.current_legal_bases(demo).filter(is_consent=False).first()
    assert basis is not None
    data = LegalBasisData(
        title="Samme rettelse", reference="", is_consent=False, requires_parent_involvement=True
    )
    first = legal_bases.change_legal_basis(actor_user=users["koordinator"], basis=basis, data=data)
    again = legal_bases.change_legal_basis(actor_user=users["koordinator"], basis=basis, data=data)
    assert again == first
    assert LegalBasis.objects.filter(title="Samme rettelse").count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.LEGAL_BASIS_CHANGED).count() == 1


def test_a_new_basis_gets_a_code_from_its_title(demo: Municipality, client_for: Any) -> None:
    client = client_for("koordinator")
    body = {"title": "Forældrenes særlige samtykke", "reference": "Servicelov § 11"}
    assert client.post(url("organisation:legal_basis_new", demo), body).status_code == 302
    basis = LegalBasis.objects.get(municipality=demo, title="Forældrenes særlige samtykke")
    assert basis.code == "foraeldrenes-saerlige-samtykke"
    response = client.post(url("organisation:legal_basis_new", demo), body)  # same code again
    assert response.status_code == 400
    assert LegalBasis.objects.filter(municipality=demo, code=basis.code).count() == 1
    event = AuditEvent.objects.get(action=AuditAction.LEGAL_BASIS_CHANGED)
    assert event.data == {"op": "created", "id": basis.pk, "new_id": None}


@pytest.mark.parametrize(
    "body",
    [
        {"title": ""},
        {"title": "x" * 201},
        {"title": "Hjemmel\x01"},
        {"title": "Hjemmel", "code": "med mellemrum"},
    ],
)
def test_a_new_basis_is_validated(
    demo: Municipality, client_for: Any, body: dict[str, str]
) -> None:
    count = LegalBasis.objects.count()
    response = client_for("koordinator").post(url("organisation:legal_basis_new", demo), body)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert LegalBasis.objects.count() == count


def test_retiring_asks_first_and_keeps_the_last_consent_basis(
    demo: Municipality, client_for: Any
) -> None:
    client = client_for("koordinator")
    other = legal_bases.current_legal_bases(demo).filter(is_consent=False).first()
    assert other is not None
    confirm = client.get(url("organisation:legal_basis_retire", demo, other.pk))
    assert confirm.status_code == 200
    other.refresh_from_db()
    assert other.retired_at is None
    assert client.post(url("organisation:legal_basis_retire", demo, other.pk)).status_code == 302
    other.refresh_from_db()
    assert other.retired_at is not None
    consent = legal_bases.current_legal_bases(demo).filter(is_consent=True)
    assert consent.count() == 1
    only = consent.get()
    response = client.post(url("organisation:legal_basis_retire", demo, only.pk))
    assert response.status_code == 400
    assert "mindst én hjemmel for samtykke" in response.content.decode()
    only.refresh_from_db()
    assert only.retired_at is None
    ops = list(
        AuditEvent.objects.filter(action=AuditAction.LEGAL_BASIS_CHANGED).values_list(
            "data__op", flat=True
        )
    )
    assert ops == ["retired"]


def test_audit_events_of_the_configuration_name_nobody(
    demo: Municipality, client_for: Any, users: dict[str, User]
) -> None:
    client = client_for("koordinator")
    client.post(url("organisation:config_rules", demo), rules_post(demo, agenda_days_before=3))
    demo.refresh_from_db()
    client.post(
        url("organisation:config_worksheet", demo),
        {"version": demo.version, "aggressive": "Fx trusler mod Ali i frikvarteret."},
    )
    client.post(
        url("organisation:standing_items", demo),
        {"forum_type": planned_meeting().forum.forum_type, "title": "Ali Hansen", "position": 0},
    )
    client.post(url("organisation:legal_basis_new", demo), {"title": "Hjemmel om Ali"})
    events = AuditEvent.objects.filter(
        action__in=[
            AuditAction.RULES_CHANGED,
            AuditAction.WORKSHEET_HELP_CHANGED,
            AuditAction.STANDING_ITEM_CHANGED,
            AuditAction.LEGAL_BASIS_CHANGED,
        ]
    )
    assert events.count() == 4
    for event in events:
        text = f"{event.data} {event.object_repr} {event.subject_ref}"
        assert "Ali" not in text and "trusler" not in text
