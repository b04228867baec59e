"""The police app's access lookups answer 404 for what an actor may not see, and the pages'
audit events are written by the services with counts, not lists of ids."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.http import Http404

from ssp.access import get_actor
from ssp.audit.models import AuditAction, AuditEvent
from ssp.cases.models import Concern, ConcernSubject
from ssp.errors import DomainError
from ssp.organisation.models import Municipality
from ssp.police import access as police_access
from ssp.police import selectors, services
from ssp.police.models import Deadline, NetworkCouncil, PoliceReport

pytestmark = pytest.mark.django_db


def test_it_shows_network_councils_to_ssp_staff_only(
    demo: Municipality, users: dict[str, User]
) -> None:
    council = NetworkCouncil.objects.get()
    staff = get_actor(users["koordinator"])
    assert list(police_access.visible_councils(staff)) == [council]
    assert police_access.get_council_for(staff, council.pk) == council
    for role in ("laerer", "socialraadgiver", "politi", "politiker", "admin"):
        actor = get_actor(users[role])
        assert not police_access.visible_councils(actor).exists()
        assert not selectors.councils(actor).exists()
        with pytest.raises(Http404):
            police_access.get_council_for(actor, council.pk)


def test_it_answers_404_for_reports_and_deadlines_outside_the_actors_circle(
    demo: Municipality, users: dict[str, User]
) -> None:
    social = get_actor(users["socialraadgiver"])
    teacher = get_actor(users["laerer"])
    routed_to_social = PoliceReport.objects.get(routed_to_member__user__username="socialraadgiver")
    assert police_access.get_report_for(social, routed_to_social.pk) == routed_to_social
    with pytest.raises(Http404):
        police_access.get_report_for(teacher, routed_to_social.pk)
    deadline = Deadline.objects.filter(responsible__user__username="socialraadgiver").first()
    assert deadline is not None
    assert police_access.get_deadline_for(social, deadline.pk) == deadline
    with pytest.raises(Http404):
        police_access.get_deadline_for(teacher, deadline.pk)


def test_the_hot_spot_form_offers_only_group_and_place_concerns_the_actor_sees(
    demo: Municipality, users: dict[str, User]
) -> None:
    staff = get_actor(users["koordinator"])
    offered = set(selectors.place_concerns(staff))
    expected = set(
        Concern.objects.filter(
            municipality=demo, subject__in=[ConcernSubject.GROUP, ConcernSubject.PLACE]
        )
    )
    assert offered == expected and offered
    assert not selectors.place_concerns(get_actor(users["politiker"])).exists()


def test_the_review_is_logged_with_how_many_reports_it_showed(
    demo: Municipality, client_for: Any
) -> None:
    waiting = PoliceReport.objects.filter(municipality=demo, status="waiting").count()
    assert client_for("koordinator").get("/politi/").status_code == 200
    event = AuditEvent.objects.filter(action=AuditAction.REVIEW_VIEWED).latest("sequence")
    assert event.data == {"reports": waiting}
    assert event.municipality_id == demo.pk


def test_the_deadline_board_is_logged_with_how_many_deadlines_it_showed(
    demo: Municipality, client_for: Any
) -> None:
    assert client_for("socialraadgiver").get("/frister/").status_code == 200
    event = AuditEvent.objects.filter(action=AuditAction.DEADLINES_VIEWED).latest("sequence")
    shown = Deadline.objects.filter(
        responsible__user__username="socialraadgiver", met_on__isnull=True
    ).count()
    assert event.data == {"deadlines": shown}


def test_a_council_view_names_the_young_person_by_id_only(
    demo: Municipality, client_for: Any
) -> None:
    council = NetworkCouncil.objects.get()
    assert client_for("koordinator").get(f"/netvaerkssamraad/{council.pk}/").status_code == 200
    event = AuditEvent.objects.filter(action=AuditAction.COUNCIL_VIEWED).latest("sequence")
    assert event.object_repr == f"police.networkcouncil:{council.pk}"
    assert event.subject_ref == f"youngperson:{council.young_person_id}"


def test_the_view_logging_services_refuse_roles_without_access(
    demo: Municipality, users: dict[str, User]
) -> None:
    with pytest.raises(DomainError, match="Kun SSP-medarbejdere"):
        services.record_review_viewed(actor_user=users["laerer"], reports_shown=0)
    with pytest.raises(DomainError, match="adgang til fristerne"):
        services.record_deadlines_viewed(actor_user=users["politiker"], deadlines_shown=0)
    with pytest.raises(DomainError, match="Kun SSP-medarbejdere"):
        services.record_council_viewed(
            actor_user=users["laerer"], council=NetworkCouncil.objects.get()
        )
