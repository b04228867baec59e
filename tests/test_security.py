"""Findings of the access review, kept fixed: no route reveals a child to someone outside the
need-to-know circle."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from ssp.cases import adhoc
from ssp.cases import services as case_services
from ssp.cases.cpr import full_cpr_of
from ssp.cases.models import Case, Concern, ConcernSource, ConcernSubject, YoungPerson
from ssp.errors import DomainError
from ssp.meetings import services as meeting_services
from ssp.meetings.models import Meeting, Visibility
from ssp.organisation.models import Member, Membership, Municipality

pytestmark = pytest.mark.django_db


def forum_id_of(key: str) -> int:
    from ssp.organisation.models import Forum

    return Forum.objects.get(municipality__slug="aadal", key=key).pk


def freja() -> YoungPerson:
    return YoungPerson.objects.get(first_name="Freja")


def test_raising_a_concern_with_a_known_cpr_reveals_nothing_of_the_register(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    for role in ("boligsocial", "politi"):
        concern = case_services.raise_concern(
            actor_user=users[role],
            data=case_services.ConcernData(
                subject=ConcernSubject.PERSON,
                source=ConcernSource.STAFF,
                description="Bekymring",
                young_person=case_services.YoungPersonData(
                    first_name="X", last_name="Y", cpr=full_cpr_of(freja())
                ),
            ),
        )
        client = client_for(role)
        html = client.get(f"/bekymringer/{concern.pk}/").content.decode()
        assert "X Y" in html and "Freja" not in html and "Lund" not in html, role
        assert "Freja" not in client.get("/bekymringer/").content.decode()
        assert client.get(f"/unge/{freja().pk}/").status_code in (403, 404), role


def test_only_those_who_may_see_personal_data_publish(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting = Meeting.objects.get(published_at__isnull=False)
    # A held meeting gets no new item (issue 14): a public item's title is corrected instead.
    item = meeting.items.filter(visibility=Visibility.PUBLIC).order_by("position").first()
    assert item is not None
    meeting_services.update_item(
        actor_user=users["politiker"],
        item=item,
        title="Freja Lund",
        description="",
        visibility=Visibility.PUBLIC,
    )
    with pytest.raises(DomainError, match="SSP-sekretariatet"):
        meeting_services.publish(actor_user=users["politiker"], meeting=meeting)


def make_manager(username: str, meeting: Meeting) -> None:
    membership = Membership.objects.get(forum=meeting.forum, member__user__username=username)
    membership.role = "secretary"
    membership.save(update_fields=["role"])


def test_a_non_authority_secretary_writes_no_minutes_of_closed_items(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    meeting = Meeting.objects.get(forum__key="lokal-ssp-oest", status="planned")
    make_manager("boligsocial", meeting)
    html = client_for("boligsocial").get(f"/moeder/{meeting.pk}/referat/").content.decode()
    assert "Bekymring nr." not in html and "Sara" not in html
    closed = meeting.items.get(visibility="closed")
    with pytest.raises(DomainError, match="myndighedspersoner"):
        meeting_services.record_minutes(
            actor_user=users["boligsocial"],
            meeting=meeting,
            attendance={},
            decisions={closed.pk: meeting_services.DecisionData("Noget")},
        )
    with pytest.raises(DomainError, match="myndighedsperson"):
        meeting_services.record_minutes(
            actor_user=users["koordinator"],
            meeting=meeting,
            attendance={},
            decisions={
                closed.pk: meeting_services.DecisionData(
                    "Handlingsaftale", responsible=Member.objects.get(user__username="boligsocial")
                )
            },
        )


def test_contributions_go_to_closed_items_only_and_never_to_the_public_page(
    demo: Municipality, users: dict[str, User]
) -> None:
    meeting = Meeting.objects.get(published_at__isnull=False)
    public_item = meeting.items.filter(visibility="public").first()
    assert public_item is not None
    with pytest.raises(DomainError, match="lukkede punkter"):
        meeting_services.add_contribution(
            actor_user=users["politiker"], item=public_item, text="Freja Lund"
        )
    assert "Freja" not in Client().get(f"/offentlig/moeder/{meeting.pk}/").content.decode()


def test_an_adhoc_group_takes_the_concerns_of_the_case_with_it(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    case = Case.objects.get(young_person__first_name="Noah")
    concern = Concern.objects.get(case=case)
    assert client_for("politi").get(f"/bekymringer/{concern.pk}/").status_code == 200
    adhoc.set_up_for_case(
        actor_user=users["koordinator"],
        case=case,
        members=[Member.objects.get(user__username="socialraadgiver")],
    )
    politi = client_for("politi")
    assert politi.get(f"/bekymringer/{concern.pk}/").status_code == 404
    assert politi.get(f"/unge/{case.young_person_id}/").status_code == 404
    assert "Noah" not in politi.get("/bekymringer/").content.decode()
    case.refresh_from_db()
    assert case.forum.forum_type == "adhoc"
    group_url = f"/organisation/fora/{case.forum_id}/"
    assert client_for("politiker").get(group_url).status_code == 404
    assert client_for("socialraadgiver").get(group_url).status_code == 200
    parent_page = client_for("boligsocial").get(
        f"/organisation/fora/{forum_id_of('lokal-ssp-oest')}/"
    )
    assert "Ad hoc handlegruppe" not in parent_page.content.decode()


def test_the_absence_shortcut_does_not_name_someone_outside_the_teachers_circle(
    demo: Municipality, client_for: Any
) -> None:
    from ssp.crypto import blind_index, encrypt
    from ssp.organisation.models import Unit
    from ssp.police.models import AbsenceRecord

    person = freja()
    assert person.birth_date is not None
    digits = full_cpr_of(person).replace("-", "")
    record = AbsenceRecord.objects.create(
        municipality=demo,
        school=Unit.objects.get(slug="oestskolen"),
        class_name="8.b",
        cpr_encrypted=encrypt(digits),
        cpr_index=blind_index(digits),
        birth_date=person.birth_date,
        month=person.birth_date.replace(year=2026, day=1),
        total_percent=30,
        unauthorised_percent=10,
    )
    html = client_for("laerer").get(f"/fravaer/{record.pk}/bekymring/").content.decode()
    assert "Freja" not in html and "Lund" not in html


def test_an_administrator_cannot_make_himself_superuser_or_ssp_staff(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    client = client_for("admin")
    admin_user = users["admin"]
    page = client.get(f"/admin/auth/user/{admin_user.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page
    member = Member.objects.get(user=admin_user)
    page = client.get(f"/admin/organisation/member/{member.pk}/change/").content.decode()
    assert 'name="access_role"' not in page


def test_police_see_the_115_notice_on_every_page_with_personal_data(
    demo: Municipality, client_for: Any
) -> None:
    html = client_for("politi").get("/bekymringer/").content.decode()
    assert 'data-testid="police-notice-banner"' in html
    assert (
        'data-testid="police-notice-banner"' not in client_for("laerer").get("/").content.decode()
    )


def test_the_api_also_demands_the_second_factor_when_required(
    demo: Municipality, client_for: Any, settings: Any
) -> None:
    settings.SSP_REQUIRE_2FA = True
    assert client_for("koordinator").get("/api/v1/cases/cases").status_code == 403
    assert client_for("admin").get("/organisation/").status_code == 302  # administrators too


def test_searches_leave_no_names_in_the_audit_trail(demo: Municipality, client_for: Any) -> None:
    from ssp.audit.models import AuditEvent

    client_for("koordinator").get("/unge/", {"q": "Sara Holm"})
    event = AuditEvent.objects.filter(action="cases.young_people_searched").latest("id")
    assert "Sara" not in str(event.data) and event.data["by"] == "name"
