"""Issue 16: a case's level changes with a reason (Fredericia's green/yellow/red, København's
1-4), race-safe and versioned; the level rules are checked again (a warning, not a refusal); a
closed case keeps the rules it was handled under; a disclosure is made only under a current
legal basis."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from ssp.audit.models import AuditAction, AuditEvent
from ssp.cases import services
from ssp.cases.models import (
    ActionAgreement,
    Case,
    CaseEvent,
    Disclosure,
    LegalBasis,
    Level,
    LevelChange,
    Outcome,
)
from ssp.errors import DomainError
from ssp.organisation import configuration
from ssp.organisation.models import Member, Municipality
from ssp.versioning import StaleEdit

pytestmark = pytest.mark.django_db

REASON = "Ny anmeldelse for indbrud; sagen skal løftes."


def member(username: str) -> Member:
    return Member.objects.get(user__username=username)


def ali_case() -> Case:
    return Case.objects.select_related("municipality", "young_person").get(
        young_person__first_name="Ali"
    )


def noah_case() -> Case:
    return Case.objects.select_related("municipality", "young_person").get(
        young_person__first_name="Noah"
    )


def set_rules(municipality: Municipality, **rules: Any) -> None:
    municipality.rules = {**(municipality.rules or {}), **rules}
    municipality.save(update_fields=["rules"])


def level_url(case: Case) -> str:
    return reverse("cases:case_level", args=[case.pk])


def post_level(client: Any, case: Case, **data: Any) -> Any:
    values = {"version": case.version, "level": Level.YELLOW, "reason": REASON, **data}
    return client.post(level_url(case), values)


def yellow_case_coordinated_by_teacher(demo: Municipality, users: dict[str, User]) -> Case:
    """Noah's case at yellow, its current agreement coordinated by the teacher (school)."""
    case = noah_case()
    Case.objects.filter(pk=case.pk).update(level=Level.YELLOW)
    ActionAgreement.objects.create(
        case=case,
        first_action="Samtale på skolen",
        coordinator=member("laerer"),
        contact_person=member("koordinator"),
        follow_up_date=timezone.localdate() + timedelta(days=7),
        created_by=users["koordinator"],
    )
    return noah_case()


# --- The change itself -----------------------------------------------------------------------


def test_the_coordinator_changes_the_level_with_a_reason(client_for: Any) -> None:
    case = ali_case()
    response = post_level(client_for("koordinator"), case)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.level == Level.YELLOW
    assert case.version == ali_case().version
    change = LevelChange.objects.get(case=case)
    assert (change.from_level, change.to_level) == (Level.RED, Level.YELLOW)
    assert change.reason == REASON
    event = CaseEvent.objects.filter(case=case).order_by("-pk").first()
    assert event is not None
    assert "Rød" in event.text and "Gul" in event.text
    assert REASON not in event.text  # the timeline's text is not encrypted: no reason there
    audit = AuditEvent.objects.get(action=AuditAction.CASE_LEVEL_CHANGED, object_id=str(case.pk))
    assert audit.data["from"] == Level.RED and audit.data["to"] == Level.YELLOW
    assert REASON not in str(audit.data)


def test_the_case_page_shows_the_change_and_its_reason(client_for: Any) -> None:
    case = ali_case()
    client = client_for("koordinator")
    post_level(client, case)
    html = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert 'data-testid="level-changes"' in html
    assert REASON in html
    assert 'data-testid="level-form"' in html


def test_the_agreement_coordinator_may_change_the_level(client_for: Any) -> None:
    case = ali_case()  # the social worker coordinates Ali's agreement
    assert post_level(client_for("socialraadgiver"), case).status_code == 302
    assert ali_case().level == Level.YELLOW


@pytest.mark.parametrize("username", ["politi"])
def test_a_participant_who_is_not_coordinator_is_refused(client_for: Any, username: str) -> None:
    case = ali_case()
    response = post_level(client_for(username), case)
    assert response.status_code in (403, 404)
    assert ali_case().level == Level.RED
    assert not LevelChange.objects.filter(case=case).exists()


@pytest.mark.parametrize("username", ["laerer", "boligsocial", "politiker"])
def test_others_do_not_find_the_case(client_for: Any, username: str) -> None:
    case = ali_case()
    response = post_level(client_for(username), case)
    assert response.status_code in (403, 404)
    assert ali_case().level == Level.RED


def test_a_closed_case_keeps_its_level(client_for: Any) -> None:
    case = Case.objects.get(young_person__first_name="Freja")
    response = post_level(client_for("koordinator"), case, level=Level.RED)
    assert response.status_code in (403, 404)
    assert Case.objects.get(pk=case.pk).level == Level.YELLOW


def test_the_get_shows_the_form(client_for: Any) -> None:
    response = client_for("koordinator").get(level_url(ali_case()))
    assert response.status_code == 200
    assert 'data-testid="level-form"' in response.content.decode()


# --- Validation ----------------------------------------------------------------------------


def test_a_reason_is_required_and_the_input_is_kept(client_for: Any) -> None:
    case = ali_case()
    response = post_level(client_for("koordinator"), case, reason="   ")
    assert response.status_code == 400
    assert ali_case().level == Level.RED


def test_a_too_long_reason_is_refused(client_for: Any) -> None:
    case = ali_case()
    long = "x" * (services.LEVEL_REASON_MAX_LENGTH + 1)
    response = post_level(client_for("koordinator"), case, reason=long)
    assert response.status_code == 400
    assert ali_case().level == Level.RED


def test_control_characters_are_refused(client_for: Any) -> None:
    case = ali_case()
    response = post_level(client_for("koordinator"), case, reason="Grund\x00")
    assert response.status_code == 400
    assert not LevelChange.objects.filter(case=case).exists()


def test_an_unknown_level_is_refused(client_for: Any) -> None:
    case = ali_case()
    response = post_level(client_for("koordinator"), case, level="purple")
    assert response.status_code == 400
    assert ali_case().level == Level.RED


def test_the_same_level_writes_nothing(client_for: Any) -> None:
    case = ali_case()
    response = post_level(client_for("koordinator"), case, level=Level.RED)
    assert response.status_code == 400
    assert "allerede på dette niveau" in response.content.decode()
    assert REASON in response.content.decode()  # the user's reason stays on the form
    assert not LevelChange.objects.filter(case=case).exists()
    assert ali_case().version == case.version


def test_the_service_refuses_a_case_level_out_of_range(users: dict[str, User]) -> None:
    case = ali_case()
    with pytest.raises(DomainError):
        services.change_case_level(
            actor_user=users["koordinator"],
            case=case,
            level=Level.YELLOW,
            case_level=7,
            reason=REASON,
            expected_version=case.version,
        )


# --- Versions and races ------------------------------------------------------------------------


def test_two_changes_from_the_same_version_one_wins(client_for: Any) -> None:
    case = ali_case()
    first = post_level(client_for("koordinator"), case, level=Level.YELLOW)
    second = post_level(client_for("socialraadgiver"), case, level=Level.GREEN, reason="Andet")
    assert first.status_code == 302
    assert second.status_code == 409
    html = second.content.decode()
    assert "Andet" in html  # the loser's reason is kept
    assert 'data-testid="stored-level"' in html
    assert ali_case().level == Level.YELLOW
    assert LevelChange.objects.filter(case=case).count() == 1


def test_a_double_click_is_one_change(client_for: Any) -> None:
    case = ali_case()
    client = client_for("koordinator")
    assert post_level(client, case).status_code == 302
    assert post_level(client, case).status_code == 302  # the same change, already saved
    assert LevelChange.objects.filter(case=case).count() == 1


def test_the_service_raises_stale_edit(users: dict[str, User]) -> None:
    case = ali_case()
    with pytest.raises(StaleEdit):
        services.change_case_level(
            actor_user=users["koordinator"],
            case=case,
            level=Level.GREEN,
            case_level=None,
            reason=REASON,
            expected_version=case.version + 5,
        )


# --- Case levels (København) ---------------------------------------------------------------------


def test_case_level_changes_only_where_the_municipality_uses_them(
    demo: Municipality, users: dict[str, User]
) -> None:
    case = ali_case()
    services.change_case_level(
        actor_user=users["koordinator"],
        case=case,
        level=Level.YELLOW,
        case_level=3,
        reason=REASON,
        expected_version=case.version,
    )
    assert ali_case().case_level is None  # Ådal uses no case levels: kept as it was
    set_rules(demo, case_levels=True)
    case = ali_case()
    services.change_case_level(
        actor_user=users["koordinator"],
        case=case,
        level=Level.YELLOW,
        case_level=3,
        reason=REASON,
        expected_version=case.version,
    )
    assert ali_case().case_level == 3
    assert LevelChange.objects.filter(case=case).latest("pk").to_case_level == 3


# --- The level rules checked again ---------------------------------------------------------------


def test_raising_to_red_warns_when_the_coordinator_breaks_fredericias_rule(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    set_rules(demo, red_level_coordinator_authority=True)
    case = yellow_case_coordinated_by_teacher(demo, users)
    client = client_for("koordinator")
    response = post_level(client, case, level=Level.RED)
    assert response.status_code == 302  # saved at once: warn, don't refuse
    assert noah_case().level == Level.RED
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "myndighedssagsbehandler" in page
    assert 'data-testid="level-rule-warning"' in page
    assert CaseEvent.objects.filter(case=case, text__contains="ikke opfyldt").exists()
    audit = AuditEvent.objects.get(action=AuditAction.CASE_LEVEL_CHANGED, object_id=str(case.pk))
    assert audit.data["rule_not_met"] is True


def test_no_warning_when_the_rule_is_met(demo: Municipality, users: dict[str, User]) -> None:
    set_rules(demo, red_level_coordinator_authority=True)
    case = ali_case()  # coordinated by the social worker
    services.change_case_level(
        actor_user=users["koordinator"],
        case=case,
        level=Level.YELLOW,
        case_level=None,
        reason=REASON,
        expected_version=case.version,
    )
    case = ali_case()
    result = services.change_case_level(
        actor_user=users["koordinator"],
        case=case,
        level=Level.RED,
        case_level=None,
        reason=REASON,
        expected_version=case.version,
    )
    assert result.warnings == []  # the demo's social worker is an authority in social services


def test_koebenhavn_social_services_lead_levels_warn(
    demo: Municipality, users: dict[str, User]
) -> None:
    set_rules(demo, case_levels=True, social_services_lead_levels=[3, 4])
    case = yellow_case_coordinated_by_teacher(demo, users)
    result = services.change_case_level(
        actor_user=users["koordinator"],
        case=case,
        level=Level.YELLOW,
        case_level=4,
        reason=REASON,
        expected_version=case.version,
    )
    assert result.change is not None
    assert any("Socialforvaltningen" in w for w in result.warnings)


def test_without_an_agreement_there_is_nothing_to_warn_about(
    demo: Municipality, users: dict[str, User]
) -> None:
    set_rules(demo, red_level_coordinator_authority=True)
    case = noah_case()
    Case.objects.filter(pk=case.pk).update(level=Level.YELLOW)
    case = noah_case()
    result = services.change_case_level(
        actor_user=users["koordinator"],
        case=case,
        level=Level.RED,
        case_level=None,
        reason=REASON,
        expected_version=case.version,
    )
    assert result.warnings == []


# --- A closed case keeps its rules ---------------------------------------------------------------


def test_a_closed_case_keeps_the_rule_version_it_was_closed_under(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    # The rules in force when the case is closed: no red-level rule (Ådal's demo has one).
    set_rules(demo, red_level_coordinator_authority=False)
    configuration.record_rule_version(demo, actor_user=users["koordinator"])
    case = ali_case()
    services.close_case(
        actor_user=users["koordinator"],
        case=case,
        outcome=Outcome.IMPROVED,
        partners="Skole",
        what_worked="Samtaler",
    )
    case = ali_case()
    assert case.rule_version is not None
    closed_under = case.rule_version.number
    assert case.rule_version == configuration.current_rule_version(demo)
    # The municipality changes its rules afterwards: the closed case keeps its version.
    set_rules(demo, red_level_coordinator_authority=True)
    newer = configuration.record_rule_version(demo, actor_user=users["koordinator"])
    assert newer.number > closed_under
    case = ali_case()
    assert case.rule_version is not None and case.rule_version.number == closed_under
    assert not configuration.rules_for_case(case).get("red_level_coordinator_authority")
    html = client_for("koordinator").get(reverse("cases:case_detail", args=[case.pk])).content
    assert f"regelsæt version {closed_under}" in html.decode()


def test_open_cases_follow_the_current_rules(demo: Municipality) -> None:
    set_rules(demo, red_level_coordinator_authority=False)
    assert configuration.rules_for_case(ali_case())["red_level_coordinator_authority"] is False
    assert ali_case().rule_version is None


# --- Disclosures under current legal bases only ------------------------------------------------


def _disclosure_post(case: Case, basis: LegalBasis) -> dict[str, Any]:
    return {
        "legal_basis": basis.pk,
        "purpose": "Afklare om der er en tværfaglig bekymring",
        "information": "Fravær",
        "given_by": member("laerer").pk,
        "receivers": [member("socialraadgiver").pk],
        "disclosed_on": timezone.localdate().isoformat(),
    }


def test_the_disclosure_form_offers_only_current_bases(client_for: Any) -> None:
    case = noah_case()
    retired = LegalBasis.objects.get(municipality=case.municipality, code="rpl-115-effort")
    LegalBasis.objects.filter(pk=retired.pk).update(retired_at=timezone.now())
    html = client_for("koordinator").get(reverse("cases:disclosure_new", args=[case.pk]))
    content = html.content.decode()
    assert f'value="{retired.pk}"' not in content
    current = LegalBasis.objects.get(municipality=case.municipality, code="rpl-115-clarify")
    assert f'value="{current.pk}"' in content


def test_a_basis_retired_after_the_form_was_opened_asks_to_choose_again(
    client_for: Any,
) -> None:
    case = noah_case()
    basis = LegalBasis.objects.get(municipality=case.municipality, code="rpl-115-clarify")
    before = Disclosure.objects.filter(case=case).count()
    LegalBasis.objects.filter(pk=basis.pk).update(retired_at=timezone.now())
    response = client_for("koordinator").post(
        reverse("cases:disclosure_new", args=[case.pk]), _disclosure_post(case, basis)
    )
    assert response.status_code == 400
    assert "Hjemlen er ændret; vælg igen." in response.content.decode()
    assert Disclosure.objects.filter(case=case).count() == before


def test_the_service_refuses_a_retired_basis(users: dict[str, User]) -> None:
    case = noah_case()
    basis = LegalBasis.objects.get(municipality=case.municipality, code="rpl-115-clarify")
    LegalBasis.objects.filter(pk=basis.pk).update(retired_at=timezone.now())
    basis.refresh_from_db()
    with pytest.raises(DomainError, match="Hjemlen er ændret"):
        services.record_disclosure(
            actor_user=users["koordinator"],
            case=case,
            legal_basis=basis,
            purpose="Afklaring",
            information="Fravær",
            given_by=member("laerer"),
            receivers=[member("socialraadgiver")],
            disclosed_on=timezone.localdate(),
        )


def test_a_recorded_disclosure_keeps_showing_its_retired_basis(client_for: Any) -> None:
    case = noah_case()
    disclosure = Disclosure.objects.filter(case=case).select_related("legal_basis").first()
    assert disclosure is not None
    LegalBasis.objects.filter(pk=disclosure.legal_basis_id).update(retired_at=timezone.now())
    html = client_for("koordinator").get(reverse("cases:case_detail", args=[case.pk]))
    assert disclosure.legal_basis.title in html.content.decode()
