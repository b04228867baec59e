"""Issue 16 (9): Kredsråd members from every municipality of the police district: members of
the district (no municipality), loaded once from the Høje-Taastrup preset, sitting only in the
district's fora, and with a login seeing the Kredsråd and nothing of a municipality's people."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from ssp.cases.models import Case
from ssp.meetings.models import Meeting, MeetingStatus
from ssp.organisation.admin import MemberAdminForm, MembershipAdminForm
from ssp.organisation.district_members import may_sit_in, membership_problem
from ssp.organisation.models import (
    AccessRole,
    Forum,
    Member,
    Membership,
    MembershipRole,
    Municipality,
    PoliceDistrict,
    Sector,
)
from ssp.organisation.services import load_preset

pytestmark = pytest.mark.django_db

DIRECTOR = "Politidirektør, Københavns Vestegns Politi"
TOWNS = (
    "Ishøj",
    "Albertslund",
    "Vallensbæk",
    "Hvidovre",
    "Herlev",
    "Glostrup",
    "Gladsaxe",
    "Brøndby",
    "Rødovre",
    "Ballerup",
)


@pytest.fixture
def hoeje_taastrup() -> Municipality:
    return load_preset(name="hoeje-taastrup").municipality


def kredsraad() -> Forum:
    return Forum.objects.get(key="kredsraad", police_district__slug="koebenhavns-vestegn")


def district() -> PoliceDistrict:
    return PoliceDistrict.objects.get(slug="koebenhavns-vestegn")


# --- The preset --------------------------------------------------------------------------------


def test_the_preset_lists_the_police_director_and_the_ten_mayors_once(
    hoeje_taastrup: Municipality,
) -> None:
    members = Member.objects.filter(police_district=district())
    assert members.count() == 11
    assert not members.filter(municipality__isnull=False).exists()
    names = set(members.values_list("name", flat=True))
    assert DIRECTOR in names
    assert {f"Borgmester, {town} Kommune" for town in TOWNS} <= names
    # The mayor of the municipality that runs the platform is not a district member.
    assert "Borgmester, Høje-Taastrup Kommune" not in names
    chair = Membership.objects.get(forum=kredsraad(), member__name=DIRECTOR)
    assert chair.role == MembershipRole.CHAIR
    assert chair.seat is not None and chair.seat.function == "Politidirektør (formand)"
    mayors = Membership.objects.filter(forum=kredsraad(), member__title="Borgmester")
    assert mayors.count() == 10
    assert {m.member.sector for m in mayors} == {Sector.POLITICS}
    again = load_preset(name="hoeje-taastrup")
    assert not again.changed, again.changed_objects
    assert Member.objects.filter(police_district=district()).count() == 11
    assert Membership.objects.filter(forum=kredsraad()).count() == 11


def test_reloading_keeps_an_address_the_administrator_entered(
    hoeje_taastrup: Municipality,
) -> None:
    Member.objects.filter(name=DIRECTOR).update(email="direktoer@politi.example")
    load_preset(name="hoeje-taastrup")
    assert Member.objects.get(name=DIRECTOR).email == "direktoer@politi.example"


# --- The constraint and the memberships ------------------------------------------------------


def test_a_member_belongs_to_exactly_one_of_a_municipality_and_a_district(
    hoeje_taastrup: Municipality,
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(name="Ingen", sector=Sector.POLICE)
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(
            name="Begge",
            sector=Sector.POLICE,
            municipality=hoeje_taastrup,
            police_district=district(),
        )


@pytest.mark.parametrize("home", ["none", "both"])
def test_the_admin_says_so_in_danish(hoeje_taastrup: Municipality, home: str) -> None:
    data: dict[str, Any] = {
        "name": "Ny person",
        "sector": Sector.POLICE,
        "access_role": AccessRole.EMPLOYEE,
        "meeting_emails": "on",
    }
    if home == "both":
        data |= {"municipality": hoeje_taastrup.pk, "police_district": district().pk}
    form = MemberAdminForm(data=data)
    assert not form.is_valid()
    errors = " ".join(str(error) for error in form.non_field_errors())
    assert "enten til en kommune eller" in errors
    assert "Constraint" not in str(form.errors)


def test_the_admin_accepts_a_district_member(hoeje_taastrup: Municipality) -> None:
    form = MemberAdminForm(
        data={
            "name": "Borgmester, Ny Kommune",
            "sector": Sector.POLITICS,
            "access_role": AccessRole.POLITICIAN,
            "police_district": district().pk,
        }
    )
    assert form.is_valid(), form.errors
    assert form.save().municipality_id is None


def test_a_district_member_sits_only_in_the_district_fora(hoeje_taastrup: Municipality) -> None:
    director = Member.objects.get(name=DIRECTOR)
    lokalraad = Forum.objects.get(key="lokalraad", municipality=hoeje_taastrup)
    assert may_sit_in(director, kredsraad())
    assert not may_sit_in(director, lokalraad)
    problem = membership_problem(director, lokalraad)
    assert problem is not None and "kun være medlem af politikredsens fora" in problem
    form = MembershipAdminForm(
        data={"forum": lokalraad.pk, "member": director.pk, "role": MembershipRole.MEMBER}
    )
    assert not form.is_valid()
    assert "politikredsens fora" in str(form.errors["member"])
    # A member of the municipality sits in its district's Kredsråd as well.
    local = Member.objects.create(
        municipality=hoeje_taastrup, name="Borgmester HT", sector=Sector.POLITICS
    )
    assert may_sit_in(local, kredsraad())
    assert may_sit_in(local, lokalraad)


# --- A district member with a login ------------------------------------------------------------


@pytest.fixture
def director_client(hoeje_taastrup: Municipality) -> Client:
    user = User.objects.create_user("politidirektoer")
    Member.objects.filter(name=DIRECTOR).update(user=user)
    client = Client()
    client.force_login(user)
    return client


def kredsraad_meeting() -> Meeting:
    starts = timezone.now() + timedelta(days=10)
    return Meeting.objects.create(
        forum=kredsraad(),
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        status=MeetingStatus.PLANNED,
        location="Politigården",
    )


def test_a_district_member_sees_the_kredsraad_and_its_members(
    director_client: Client,
) -> None:
    assert director_client.get("/").status_code == 200
    page = director_client.get(f"/organisation/fora/{kredsraad().pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Borgmester, Ishøj Kommune" in text
    assert DIRECTOR in text
    assert director_client.get("/organisation/fora/mine/").status_code == 200


def test_a_district_member_sees_a_kredsraad_meeting(director_client: Client) -> None:
    meeting = kredsraad_meeting()
    response = director_client.get(f"/moeder/{meeting.pk}/")
    assert response.status_code == 200
    assert "Politigården" in response.content.decode()
    pdf = director_client.get(f"/moeder/{meeting.pk}/pdf/")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"


def test_a_municipal_member_sees_a_kredsraad_meeting_with_district_members(
    hoeje_taastrup: Municipality,
) -> None:
    meeting = kredsraad_meeting()
    user = User.objects.create_user("ht-borgmester")
    member = Member.objects.create(
        user=user,
        municipality=hoeje_taastrup,
        name="Borgmester HT",
        sector=Sector.POLITICS,
        access_role=AccessRole.POLITICIAN,
    )
    Membership.objects.create(forum=kredsraad(), member=member, role=MembershipRole.MEMBER)
    client = Client()
    client.force_login(user)
    assert client.get(f"/moeder/{meeting.pk}/").status_code == 200
    forum_page = client.get(f"/organisation/fora/{kredsraad().pk}/").content.decode()
    assert "Borgmester, Ballerup Kommune" in forum_page


def test_a_district_member_sees_no_personal_data_of_a_municipality(
    demo: Municipality, director_client: Client, hoeje_taastrup: Municipality
) -> None:
    case = Case.objects.filter(municipality=demo).first()
    assert case is not None
    assert director_client.get(f"/sager/{case.pk}/").status_code in (403, 404)
    concerns = director_client.get("/bekymringer/")
    assert concerns.status_code in (403, 200)
    if concerns.status_code == 200:
        assert case.young_person.last_name not in concerns.content.decode()
    assert director_client.get("/netvaerkssamraad/1/").status_code in (403, 404)
    chart = director_client.get(f"/organisation/{demo.slug}/")
    assert chart.status_code in (403, 404)
    home = director_client.get("/").content.decode()
    assert case.young_person.last_name not in home


def test_the_member_page_of_the_kredsraad_renders_for_staff_of_the_platform_municipality(
    hoeje_taastrup: Municipality, client_for: Any
) -> None:
    # A member of another municipality (Ådal) does not see Høje-Taastrup's district's Kredsråd.
    assert client_for("koordinator").get(f"/organisation/fora/{kredsraad().pk}/").status_code in (
        403,
        404,
    )
