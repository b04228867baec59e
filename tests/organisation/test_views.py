"""Organisation pages: chart, forum, 'whom do I contact', scoped to the user's municipality."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ssp.organisation.models import Forum, Membership, Municipality
from ssp.organisation.services import load_preset

pytestmark = pytest.mark.django_db


def test_it_shows_every_forum_of_the_municipality_on_the_chart(
    demo: Municipality, client_for: Any
) -> None:
    response = client_for("laerer").get(reverse("organisation:chart", args=[demo.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    for forum in Forum.objects.filter(municipality=demo):
        assert forum.name in html
    assert html.count('data-testid="forum-card"') == Forum.objects.filter(municipality=demo).count()


def test_the_chart_nests_fora_along_their_reporting_lines(
    demo: Municipality, client_for: Any
) -> None:
    response = client_for("politiker").get(reverse("organisation:chart", args=[demo.slug]))
    roots = response.context["roots"]
    assert [node.forum.key for node in roots] == ["styregruppe"]
    children = [node.forum.key for node in roots[0].children]
    assert children == ["koordinationsgruppe"]
    grandchildren = {node.forum.key for node in roots[0].children[0].children}
    assert {"lokal-ssp-oest", "lokal-ssp-midt", "lokal-ssp-vest", "ssp-team"} == grandchildren


def test_a_user_cannot_open_another_municipalitys_chart(
    demo: Municipality, client_for: Any
) -> None:
    load_preset(name="faxe")
    response = client_for("koordinator").get(reverse("organisation:chart", args=["faxe"]))
    assert response.status_code == 404
    faxe_forum = Forum.objects.get(municipality__slug="faxe", key="styregruppe")
    response = client_for("koordinator").get(reverse("organisation:forum", args=[faxe_forum.pk]))
    assert response.status_code == 404


def test_the_kredsraad_of_the_police_district_is_on_each_municipalitys_chart() -> None:
    load_preset(name="hoeje-taastrup")
    from django.contrib.auth.models import User

    from ssp.organisation.models import Member

    municipality = Municipality.objects.get(slug="hoeje-taastrup")
    user = User.objects.create_user("ht")
    Member.objects.create(user=user, municipality=municipality, name="HT", sector="buf")
    client = Client()
    client.force_login(user)
    response = client.get(reverse("organisation:chart", args=["hoeje-taastrup"]))
    roots = response.context["roots"]
    assert [node.forum.forum_type for node in roots] == ["kredsraad"]
    assert [node.forum.key for node in roots[0].children] == ["lokalraad"]
    assert (
        len([n for n in roots[0].children[0].children if n.forum.forum_type == "omraadegruppe"])
        == 7
    )


def test_the_forum_page_shows_members_with_role_vote_and_authority(
    demo: Municipality, client_for: Any
) -> None:
    forum = Forum.objects.get(municipality=demo, key="styregruppe")
    response = client_for("boligsocial").get(reverse("organisation:forum", args=[forum.pk]))
    html = response.content.decode()
    assert "Poul Madsen" in html and "Formand" in html
    assert "4 gange om året" in html
    assert "Formand (politisk udpeget)" in html  # seat by function
    chair = Membership.objects.get(forum=forum, role="chair")
    assert chair.has_vote


def test_the_district_contact_page_names_the_local_groups_coordinator(
    demo: Municipality, client_for: Any
) -> None:
    url = reverse("organisation:contact_district", args=[demo.slug, "oest"])
    html = client_for("boligsocial").get(url).content.decode()
    assert "Det lokale SSP-samarbejde, Distrikt Øst" in html
    assert "Mette Holm" in html  # tovholder of the local group
    assert "Østskolen" in html


def test_the_unit_contact_page_names_the_units_ssp_contact(
    demo: Municipality, client_for: Any
) -> None:
    url = reverse("organisation:contact_unit", args=[demo.slug, "oestskolen"])
    html = client_for("politiker").get(url).content.decode()
    assert "Lars Berg" in html
    assert "70 10" in html  # phone


def test_the_unit_search_filters_the_list(demo: Municipality, client_for: Any) -> None:
    url = reverse("organisation:contacts", args=[demo.slug])
    response = client_for("laerer").get(url, {"q": "Vestsk"}, HTTP_HX_REQUEST="true")
    units = [unit.name for unit in response.context["units"]]
    assert units == ["Vestskolen"]
    empty = client_for("laerer").get(url, {"q": "findes ikke"})
    assert "Ingen enheder matcher søgningen." in empty.content.decode()


def test_an_unknown_district_is_404(demo: Municipality, client_for: Any) -> None:
    url = reverse("organisation:contact_district", args=[demo.slug, "nowhere"])
    assert client_for("laerer").get(url).status_code == 404


def test_a_user_without_membership_sees_no_organisation(db: None) -> None:
    from django.contrib.auth.models import User

    user = User.objects.create_user("stranger")
    client = Client()
    client.force_login(user)
    assert client.get(reverse("organisation:chart", args=["aadal"])).status_code == 403


def _add_forum(demo: Municipality, index: int) -> None:
    parent = Forum.objects.get(municipality=demo, key="koordinationsgruppe")
    forum = Forum.objects.create(
        municipality=demo,
        key=f"extra-{index}",
        name=f"Ekstra gruppe {index}",
        forum_type="lokalgruppe",
        level="operational",
        cadence="monthly",
        parent=parent,
    )
    member = Membership.objects.filter(forum=parent).first()
    assert member is not None
    Membership.objects.create(forum=forum, member=member.member, role="member")


@pytest.mark.parametrize(
    "url_name",
    ["organisation:chart", "organisation:contacts", "organisation:forum", "home"],
)
def test_queries_per_page_do_not_grow_with_data(
    demo: Municipality, client_for: Any, url_name: str, django_assert_max_num_queries: Any
) -> None:
    client = client_for("koordinator")
    forum = Forum.objects.get(municipality=demo, key="koordinationsgruppe")
    args_by_name: dict[str, list[object]] = {
        "organisation:chart": [demo.slug],
        "organisation:contacts": [demo.slug],
        "organisation:forum": [forum.pk],
        "home": [],
    }
    args = args_by_name[url_name]
    url = reverse(url_name, args=args)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for index in range(15):
        _add_forum(demo, index)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("preset", "expected"),
    [
        ("faxe", ["SSP Styregruppen", "SSP Koordinationsgruppen", "Distrikt Øst"]),
        ("fredericia", ["SSP-teamet", "SSP-styregruppen"]),
        ("koebenhavn", ["SSP-lokaludvalget", "SSP-koordinationsgruppen", "SSP-ledergruppen"]),
        ("halsnaes", ["Lokalt SSP-samarbejde"]),
        ("hoeje-taastrup", ["Kredsrådet", "Lokalrådet", "SSP-områdegruppen, Område 7", "SSP+"]),
    ],
)
def test_every_presets_chart_shows_the_fora_of_its_source(
    db: None, preset: str, expected: list[str]
) -> None:
    from django.contrib.auth.models import User

    load_preset(name=preset)
    superuser = User.objects.create_superuser("root", password="x")
    client = Client()
    client.force_login(superuser)
    html = client.get(reverse("organisation:chart", args=[preset])).content.decode()
    for name in expected:
        assert name in html, (preset, name)
