"""Rules of concerns and cases: ages, municipal rules, consent and disclosures, closing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.db import connection
from django.utils import timezone

from ssp.audit.models import AuditEvent
from ssp.cases import adhoc, services
from ssp.cases.cpr import full_cpr_of
from ssp.cases.models import (
    Case,
    CaseStatus,
    Concern,
    ConcernSource,
    ConcernStatus,
    ConcernSubject,
    ConsentForm,
    LegalBasis,
    Level,
    Outcome,
    TaskStatus,
)
from ssp.errors import DomainError
from ssp.organisation.models import Forum, Member, Municipality, Unit

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def member(username: str) -> Member:
    return Member.objects.get(user__username=username)


def new_case(users: dict[str, User], *, level: str = Level.RED, cpr: str = "020312-4123") -> Case:
    concern = services.raise_concern(
        actor_user=users["laerer"],
        data=services.ConcernData(
            subject=ConcernSubject.PERSON,
            source=ConcernSource.STAFF,
            description="Bekymring",
            young_person=services.YoungPersonData(
                first_name="Test",
                last_name="Barn",
                cpr=cpr,
                school=Unit.objects.get(slug="oestskolen"),
                custody_holders=[services.CustodyHolderData(name="Mor Barn")],
            ),
        ),
    )
    return services.open_case(actor_user=users["koordinator"], concerns=[concern], level=level)


def test_a_child_outside_the_target_ages_gets_a_clear_message(
    demo: Municipality, users: dict[str, User]
) -> None:
    with pytest.raises(DomainError, match="6-25-årige"):
        services.raise_concern(
            actor_user=users["laerer"],
            data=services.ConcernData(
                subject=ConcernSubject.PERSON,
                source=ConcernSource.STAFF,
                description="x",
                young_person=services.YoungPersonData(
                    first_name="A", last_name="B", cpr="010199-4123"
                ),
            ),
        )
    assert not Concern.objects.filter(description="x").exists()


def test_the_same_cpr_finds_the_same_young_person(
    demo: Municipality, users: dict[str, User]
) -> None:
    first = new_case(users)
    concern = services.raise_concern(
        actor_user=users["boligsocial"],
        data=services.ConcernData(
            subject=ConcernSubject.PERSON,
            source=ConcernSource.TIP,
            description="igen",
            young_person=services.YoungPersonData(
                first_name="Anders", last_name="And", cpr="0203124123"
            ),
        ),
    )
    assert concern.young_person == first.young_person


def test_cpr_and_description_are_encrypted_at_rest(
    demo: Municipality, users: dict[str, User]
) -> None:
    case = new_case(users)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT cpr_encrypted FROM cases_youngperson WHERE id = %s", [case.young_person_id]
        )
        (stored_cpr,) = cursor.fetchone()
        cursor.execute("SELECT description FROM cases_concern WHERE case_id = %s", [case.pk])
        (stored_description,) = cursor.fetchone()
    assert "0203124123" not in stored_cpr and "020312" not in stored_cpr
    assert "Bekymring" not in stored_description
    assert full_cpr_of(case.young_person) == "020312-4123"
    assert case.young_person.cpr_masked == "020312-xxxx"
    assert not hasattr(case.young_person, "cpr_formatted")  # no template can decrypt it


def test_red_level_needs_an_authority_social_worker_as_coordinator(
    demo: Municipality, users: dict[str, User]
) -> None:
    case = new_case(users, level=Level.RED)
    with pytest.raises(DomainError, match="myndighedssagsbehandler"):
        services.make_action_agreement(
            actor_user=users["koordinator"],
            case=case,
            first_action="Møde",
            coordinator=member("laerer"),
            contact_person=member("koordinator"),
            follow_up_date=TODAY,
        )
    result = services.make_action_agreement(
        actor_user=users["koordinator"],
        case=case,
        first_action="Møde",
        coordinator=member("socialraadgiver"),
        contact_person=member("laerer"),
        follow_up_date=TODAY,
    )
    assert result.warnings == []


def test_social_services_lead_the_configured_case_levels(
    demo: Municipality, users: dict[str, User]
) -> None:
    demo.rules = {**demo.rules, "social_services_lead_levels": [3, 4], "case_levels": True}
    demo.save(update_fields=["rules"])
    case = new_case(users, level=Level.YELLOW)
    case.case_level = 3
    case.save(update_fields=["case_level"])
    with pytest.raises(DomainError, match="niveau 3"):
        services.make_action_agreement(
            actor_user=users["koordinator"],
            case=case,
            first_action="Møde",
            coordinator=member("politi"),
            contact_person=member("laerer"),
            follow_up_date=TODAY,
        )


def test_same_coordinator_and_contact_person_is_advised_against(
    demo: Municipality, users: dict[str, User]
) -> None:
    case = new_case(users, level=Level.YELLOW)
    result = services.make_action_agreement(
        actor_user=users["koordinator"],
        case=case,
        first_action="Møde",
        coordinator=member("laerer"),
        contact_person=member("laerer"),
        follow_up_date=TODAY + timedelta(days=3),
    )
    assert any("samme person" in w for w in result.warnings)
    assert any("mindst to sektorer" in w for w in result.warnings)


def test_the_ssp_team_chair_gets_a_copy_notice(
    demo: Municipality, users: dict[str, User], django_capture_on_commit_callbacks: object
) -> None:
    case = new_case(users, level=Level.YELLOW)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        services.make_action_agreement(
            actor_user=users["koordinator"],
            case=case,
            first_action="Møde",
            coordinator=member("socialraadgiver"),
            contact_person=member("laerer"),
            follow_up_date=TODAY,
        )
    assert [m.to for m in mail.outbox] == [["koordinator@aadal.invalid"]]
    assert "handlingsaftale" in mail.outbox[0].subject.lower()
    assert "Test Barn" not in mail.outbox[0].body  # no names in e-mail


def test_a_disclosure_without_consent_requires_involving_the_parents(
    demo: Municipality, users: dict[str, User]
) -> None:
    case = new_case(users)
    basis = LegalBasis.objects.get(municipality=demo, code="rpl-115-clarify")
    services.record_disclosure(
        actor_user=users["koordinator"],
        case=case,
        legal_basis=basis,
        purpose="Afklaring",
        information="Fravær",
        given_by=member("laerer"),
        receivers=[member("socialraadgiver")],
        disclosed_on=TODAY,
    )
    task = case.tasks.get(involve_parents=True)
    assert task.status == TaskStatus.OPEN
    services.record_consent(
        actor_user=users["koordinator"],
        case=case,
        form=ConsentForm.ORAL,
        given_on=TODAY,
        scope="SSP",
        custody_holder=case.young_person.custody_holders.get(),
        refused=True,
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert AuditEvent.objects.filter(action="cases.disclosure_recorded").exists()


def test_consent_as_legal_basis_needs_a_recorded_consent(
    demo: Municipality, users: dict[str, User]
) -> None:
    case = new_case(users)
    basis = LegalBasis.objects.get(municipality=demo, is_consent=True)
    with pytest.raises(DomainError, match="samtykke"):
        services.record_disclosure(
            actor_user=users["koordinator"],
            case=case,
            legal_basis=basis,
            purpose="x",
            information="x",
            given_by=member("laerer"),
            receivers=[member("socialraadgiver")],
            disclosed_on=TODAY,
        )


def test_information_goes_only_to_authority_persons(
    demo: Municipality, users: dict[str, User]
) -> None:
    case = new_case(users)
    basis = LegalBasis.objects.get(municipality=demo, code="rpl-115-clarify")
    with pytest.raises(DomainError, match="myndighedspersoner"):
        services.record_disclosure(
            actor_user=users["koordinator"],
            case=case,
            legal_basis=basis,
            purpose="x",
            information="x",
            given_by=member("laerer"),
            receivers=[member("boligsocial")],
            disclosed_on=TODAY,
        )


def test_an_adhoc_group_is_the_need_to_know_circle_and_is_dissolved_at_close(
    demo: Municipality, users: dict[str, User]
) -> None:
    from ssp import access
    from ssp.cases import access as case_access

    case = new_case(users)
    assert case.forum.key == "lokal-ssp-oest"
    assert case in case_access.visible_cases(access.get_actor(User.objects.get(username="laerer")))
    group = adhoc.set_up_for_case(
        actor_user=users["koordinator"],
        case=case,
        members=[member("socialraadgiver"), member("politi")],
    )
    fresh = {name: User.objects.get(username=name) for name in ("laerer", "socialraadgiver")}
    assert case not in case_access.visible_cases(access.get_actor(fresh["laerer"]))
    assert case in case_access.visible_cases(access.get_actor(fresh["socialraadgiver"]))
    services.close_case(
        actor_user=users["koordinator"],
        case=case,
        outcome=Outcome.IMPROVED,
        partners="Skole",
        what_worked="Samtaler",
    )
    group.refresh_from_db()
    assert group.dissolved_at is not None
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.evaluation_what_worked == "Samtaler"


def test_a_concern_with_a_mandatory_agreement_cannot_be_dropped(
    demo: Municipality, users: dict[str, User]
) -> None:
    concern = Concern.objects.get(young_person__first_name="Emil", source="worksheet")
    assert concern.status == ConcernStatus.ACTION_REQUIRED
    with pytest.raises(DomainError, match="handlingsaftale"):
        services.drop_concern(actor_user=users["koordinator"], concern=concern, note="nej")


def test_only_ssp_staff_open_cases(demo: Municipality, users: dict[str, User]) -> None:
    concern = Concern.objects.get(young_person__first_name="Emil", source="worksheet")
    with pytest.raises(DomainError, match="Kun SSP-medarbejdere kan oprette sager"):
        services.open_case(actor_user=users["laerer"], concerns=[concern], level=Level.RED)


def test_a_group_concern_names_nobody_and_goes_to_the_district(
    demo: Municipality, users: dict[str, User]
) -> None:
    concern = services.raise_concern(
        actor_user=users["boligsocial"],
        data=services.ConcernData(
            subject=ConcernSubject.GROUP,
            source=ConcernSource.STAFF,
            description="Piger foran klubben",
            group_size=5,
            group_age_min=12,
            group_age_max=16,
            place="Klubben",
            school_district=Forum.objects.get(key="lokal-ssp-vest").school_district,
        ),
    )
    assert concern.young_person is None
    assert concern.forum is not None and concern.forum.key == "lokal-ssp-vest"
    receivers = [m.name for m in services.concern_receivers(concern)]
    assert receivers == ["Thomas Friis"]
