"""The police app's access lookups answer 404 for what an actor may not see, and the pages'
audit events are written by the services with counts, not lists of ids."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.http import Http404
from django.utils import timezone

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


def test_the_review_is_logged_with_the_reports_it_showed(
    demo: Municipality, client_for: Any
) -> None:
    waiting = list(PoliceReport.objects.filter(municipality=demo, status="waiting").order_by("pk"))
    assert client_for("koordinator").get("/politi/").status_code == 200
    event = AuditEvent.objects.filter(action=AuditAction.REVIEW_VIEWED).latest("id")
    assert event.data == {
        "reports": len(waiting),
        "page": 1,
        "shown": [f"police.policereport:{r.pk}" for r in waiting],
        "young_people": list(dict.fromkeys(f"youngperson:{r.young_person_id}" for r in waiting)),
    }
    assert event.municipality_id == demo.pk


def test_the_deadline_board_is_logged_with_the_deadlines_it_showed(
    demo: Municipality, client_for: Any
) -> None:
    assert client_for("socialraadgiver").get("/frister/").status_code == 200
    event = AuditEvent.objects.filter(action=AuditAction.DEADLINES_VIEWED).latest("id")
    shown = list(
        Deadline.objects.filter(
            responsible__user__username="socialraadgiver",
            met_on__isnull=True,
            due_on__lte=timezone.localdate() + timedelta(days=7),
        ).order_by("due_on", "pk")
    )
    assert event.data == {
        "deadlines": len(shown),
        "page": 1,
        "shown": [f"police.deadline:{d.pk}" for d in shown],
        "young_people": list(dict.fromkeys(f"youngperson:{d.young_person_id}" for d in shown)),
    }


def test_a_council_view_names_the_young_person_by_id_only(
    demo: Municipality, client_for: Any
) -> None:
    council = NetworkCouncil.objects.get()
    assert client_for("koordinator").get(f"/netvaerkssamraad/{council.pk}/").status_code == 200
    event = AuditEvent.objects.filter(action=AuditAction.COUNCIL_VIEWED).latest("id")
    assert event.object_repr == f"police.networkcouncil:{council.pk}"
    assert event.subject_ref == f"youngperson:{council.young_person_id}"


def test_the_view_logging_services_refuse_roles_without_access(
    demo: Municipality, users: dict[str, User]
) -> None:
    with pytest.raises(DomainError, match="Kun SSP-medarbejdere"):
        services.record_review_viewed(actor_user=users["laerer"], reports=[])
    with pytest.raises(DomainError, match="adgang til fristerne"):
        services.record_deadlines_viewed(actor_user=users["politiker"], deadlines=[], page=1)
    with pytest.raises(DomainError, match="Kun SSP-medarbejdere"):
        services.record_council_viewed(
            actor_user=users["laerer"], council=NetworkCouncil.objects.get()
        )
