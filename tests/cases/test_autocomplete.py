"""Issue 11, "person and forum pickers that scale": the case's forms pick people and fora by a
search on the server (ssp/autocomplete.py) over the same access-scoped queryset the form
validates against; the case page loads its forms on demand and does not grow with the
municipality."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ssp import access, autocomplete
from ssp import forms as forms_module
from ssp.cases import access as case_access
from ssp.cases import adhoc, forms
from ssp.cases.models import Case, Concern, ConcernSource, Task
from ssp.organisation.models import (
    AccessRole,
    Forum,
    ForumLevel,
    ForumType,
    Member,
    Municipality,
    Sector,
)

pytestmark = pytest.mark.django_db

REFUSED = "Den valgte kan ikke vælges her"


def member(username: str) -> Member:
    return Member.objects.get(user__username=username)


def ali_case() -> Case:
    return Case.objects.get(young_person__first_name="Ali")


def search(client: Any, url: str, text: str, *, name: str = "owner", multiple: bool = False) -> Any:
    params = {"name": name, "id": f"id_{name}", f"{name}{autocomplete.SEARCH_SUFFIX}": text}
    if multiple:
        params["multiple"] = "1"
    return client.get(url, params)


def offered_ids(html: str) -> set[int]:
    return {
        int(value) for value in re.findall(r'type="(?:radio|checkbox)"[^>]*value="(\d+)"', html)
    }


def add_members(municipality: Municipality, count: int, *, prefix: str, **fields: Any) -> None:
    Member.objects.bulk_create(
        [
            Member(
                municipality=municipality,
                name=f"{prefix} {n:04d}",
                title="Skolelærer",
                sector=fields.get("sector", Sector.BUF),
                access_role=fields.get("access_role", AccessRole.EMPLOYEE),
                is_authority=fields.get("is_authority", True),
            )
            for n in range(count)
        ]
    )


def add_fora(municipality: Municipality, count: int) -> None:
    Forum.objects.bulk_create(
        [
            Forum(
                municipality=municipality,
                key=f"ekstra-forum-{n}",
                name=f"Ekstra forum {n:04d}",
                forum_type=ForumType.LOKALGRUPPE,
                level=ForumLevel.OPERATIONAL,
                cadence="monthly",
                may_discuss_individuals=True,
            )
            for n in range(count)
        ]
    )


# --- The search endpoint --------------------------------------------------------------------


def test_it_returns_only_people_who_may_be_chosen_in_the_case(
    demo: Municipality, client_for: Any
) -> None:
    add_members(demo, 3, prefix="Zenia Autoriseret")
    add_members(demo, 3, prefix="Zenia Uautoriseret", is_authority=False)
    add_members(demo, 3, prefix="Zenia Politiker", access_role=AccessRole.POLITICIAN)
    url = reverse("cases:member_search", args=[ali_case().pk])
    response = search(client_for("koordinator"), url, "Zenia")
    assert response.status_code == 200
    found = offered_ids(response.content.decode())
    authorised = set(
        Member.objects.filter(name__startswith="Zenia Autoriseret").values_list("pk", flat=True)
    )
    assert found == authorised
    for outsider in ("admin", "politiker", "boligsocial"):
        response = search(client_for("koordinator"), url, member(outsider).name)
        assert member(outsider).pk not in offered_ids(response.content.decode()), outsider


def test_it_shows_name_title_and_unit_and_nothing_more(client_for: Any) -> None:
    sofie = member("socialraadgiver")
    url = reverse("cases:member_search", args=[ali_case().pk])
    html = search(client_for("koordinator"), url, sofie.name).content.decode()
    assert sofie.name in html
    if sofie.email:
        assert sofie.email not in html
    if sofie.phone:
        assert sofie.phone not in html


def test_it_answers_at_most_twenty_and_says_there_are_more(
    demo: Municipality, client_for: Any
) -> None:
    add_members(demo, 30, prefix="Mange Navne")
    url = reverse("cases:member_search", args=[ali_case().pk])
    html = search(client_for("koordinator"), url, "Mange").content.decode()
    assert len(offered_ids(html)) == autocomplete.MAX_RESULTS
    assert "Der er flere end 20 træf" in html


def test_it_needs_two_characters(client_for: Any) -> None:
    url = reverse("cases:member_search", args=[ali_case().pk])
    html = search(client_for("koordinator"), url, "S").content.decode()
    assert offered_ids(html) == set()
    assert "Skriv mindst 2 tegn." in html


def test_it_strips_control_characters_and_bounds_the_search(client_for: Any) -> None:
    url = reverse("cases:member_search", args=[ali_case().pk])
    sofie = member("socialraadgiver")
    response = search(client_for("koordinator"), url, "\x00" + sofie.name + "x" * 500)
    assert response.status_code == 200
    response = search(client_for("koordinator"), url, "So\x00fie")
    assert sofie.pk in offered_ids(response.content.decode())


def test_it_renders_the_field_name_it_is_given_or_a_safe_one(client_for: Any) -> None:
    url = reverse("cases:member_search", args=[ali_case().pk])
    client = client_for("koordinator")
    html = search(client, url, "Sofie", name="receivers", multiple=True).content.decode()
    assert 'type="checkbox"' in html and 'name="receivers"' in html
    html = client.get(url, {"name": '"><script>', "q": "Sofie"}).content.decode()
    assert "<script>" not in html and 'name="valg"' in html


@pytest.mark.parametrize("role", ["laerer", "boligsocial", "politiker", "admin", "tilsyn"])
def test_those_who_cannot_open_the_case_cannot_search_its_people(
    client_for: Any, role: str
) -> None:
    url = reverse("cases:member_search", args=[ali_case().pk])
    response = search(client_for(role), url, "Sofie")
    assert response.status_code in {403, 404}
    assert member("socialraadgiver").name not in response.content.decode()


def test_a_case_that_does_not_exist_cannot_be_searched(client_for: Any) -> None:
    url = reverse("cases:member_search", args=[10**9])
    assert search(client_for("koordinator"), url, "Sofie").status_code == 404


def test_the_forum_search_finds_only_fora_for_individuals(
    demo: Municipality, client_for: Any
) -> None:
    styregruppe = Forum.objects.get(municipality=demo, key="styregruppe")
    assert not styregruppe.may_discuss_individuals
    url = reverse("cases:case_fora_search")
    html = search(client_for("koordinator"), url, styregruppe.name, name="forum").content.decode()
    assert styregruppe.pk not in offered_ids(html)
    oest = Forum.objects.get(municipality=demo, key="lokal-ssp-oest")
    html = search(client_for("koordinator"), url, "Øst", name="forum").content.decode()
    assert oest.pk in offered_ids(html)
    assert search(client_for("socialraadgiver"), url, "Øst", name="forum").status_code == 403


# --- The form refuses what the picker would not offer ---------------------------------------


@pytest.mark.parametrize("outsider", ["admin", "politiker", "boligsocial"])
def test_posting_someone_who_cannot_be_chosen_is_refused_in_danish(
    client_for: Any, outsider: str
) -> None:
    data = {
        "description": "Ring til familien",
        "owner": member(outsider).pk,
        "due_date": timezone.localdate().isoformat(),
    }
    response = client_for("koordinator").post(reverse("cases:task_new", args=[ali_case().pk]), data)
    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    assert not Task.objects.filter(description="Ring til familien").exists()


def test_posting_ids_that_are_no_ids_is_refused_in_danish(client_for: Any) -> None:
    url = reverse("cases:disclosure_new", args=[ali_case().pk])
    for receivers in (["abc"], ["-1"], [str(2**70)], [str(member("admin").pk)]):
        response = client_for("koordinator").post(url, {"receivers": receivers})
        assert response.status_code == 400, receivers
        assert REFUSED in response.content.decode(), receivers


def test_a_failed_form_shows_the_chosen_person_again_and_no_one_else(client_for: Any) -> None:
    sofie, other = member("socialraadgiver"), member("politi")
    data = {"description": "Følg op", "owner": sofie.pk, "due_date": ""}
    response = client_for("koordinator").post(reverse("cases:task_new", args=[ali_case().pk]), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(rf'value="{sofie.pk}"[^>]*checked', html)
    assert offered_ids(html) == {sofie.pk}
    assert other.name not in html


# --- Without JavaScript: search, then choose ------------------------------------------------


def test_without_javascript_a_search_step_shows_the_matches_and_keeps_the_text(
    client_for: Any,
) -> None:
    client = client_for("koordinator")
    url = reverse("cases:task_new", args=[ali_case().pk])
    sofie = member("socialraadgiver")
    data = {
        "description": "Tal med skolen",
        "owner__q": "Sofie",
        autocomplete.SEARCH_BUTTON: "owner",
    }
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tal med skolen" in html
    assert sofie.pk in offered_ids(html)
    assert 'data-testid="form-errors"' not in html
    assert not Task.objects.filter(description="Tal med skolen").exists()
    # Then choose among the matches and submit.
    chosen = {
        "description": "Tal med skolen",
        "owner": sofie.pk,
        "due_date": timezone.localdate().isoformat(),
    }
    assert client.post(url, chosen).status_code == 302
    assert Task.objects.get(description="Tal med skolen").owner == sofie


def test_without_javascript_the_form_page_has_a_search_button(client_for: Any) -> None:
    html = (
        client_for("koordinator")
        .get(reverse("cases:disclosure_new", args=[ali_case().pk]))
        .content.decode()
    )
    assert f'name="{autocomplete.SEARCH_BUTTON}" value="receivers"' in html
    assert 'role="status"' in html and 'aria-live="polite"' in html


def test_without_javascript_the_concern_page_searches_fora(
    demo: Municipality, client_for: Any
) -> None:
    concern = Concern.objects.get(young_person__first_name="Emil", source=ConcernSource.WORKSHEET)
    oest = Forum.objects.get(municipality=demo, key="lokal-ssp-oest")
    response = client_for("koordinator").post(
        reverse("cases:case_open", args=[concern.pk]),
        {"level": "red", "forum__q": "Øst", autocomplete.SEARCH_BUTTON: "forum"},
    )
    assert response.status_code == 200
    assert oest.pk in offered_ids(response.content.decode())
    assert not Case.objects.filter(concerns=concern).exists()


# --- The case page does not grow with the municipality --------------------------------------


def _case_page(client: Any) -> tuple[int, int]:
    url = reverse("cases:case_detail", args=[ali_case().pk])
    client.get(url)  # warm caches (the actor, the session)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.content)


def test_the_case_page_stays_the_same_size_with_500_more_members_and_fora(
    demo: Municipality, client_for: Any
) -> None:
    client = client_for("koordinator")
    queries_before, size_before = _case_page(client)
    add_members(demo, 500, prefix="Ekstra Medarbejder")
    add_fora(demo, 500)
    queries_after, size_after = _case_page(client)
    assert queries_after == queries_before
    assert abs(size_after - size_before) < 200  # a token or a timestamp may differ
    assert (
        "Ekstra"
        not in client.get(reverse("cases:case_detail", args=[ali_case().pk])).content.decode()
    )


def test_the_case_forms_load_on_demand_with_a_link_for_those_without_javascript(
    client_for: Any,
) -> None:
    case = ali_case()
    html = (
        client_for("koordinator").get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    )
    for name in ("task_new", "disclosure_new", "adhoc_new", "case_escalate"):
        url = reverse(f"cases:{name}", args=[case.pk])
        assert f'hx-get="{url}"' in html, name
        assert f'href="{url}"' in html, name
    fragment = client_for("koordinator").get(
        reverse("cases:task_new", args=[case.pk]), headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200
    assert b"<html" not in fragment.content
    assert b'data-testid="task-form"' in fragment.content


def test_a_form_page_grows_not_with_the_municipality_either(
    demo: Municipality, client_for: Any
) -> None:
    client = client_for("koordinator")
    url = reverse("cases:disclosure_new", args=[ali_case().pk])
    before = len(client.get(url).content)
    add_members(demo, 500, prefix="Ekstra Medarbejder")
    assert abs(len(client.get(url).content) - before) < 200


# --- The ad hoc set-up's case picker ----------------------------------------------------------


def test_the_case_picker_finds_by_number_and_by_name_only_where_names_may_be_searched(
    users: dict[str, User],
) -> None:
    actor = access.get_actor(users["koordinator"])
    case = ali_case()

    def picker(names: bool) -> Any:
        form = forms.AdhocSetUpForm(
            parents=case_access.adhoc_parent_fora(actor),
            cases=adhoc.person_cases(actor),
            members=adhoc.selectable_members(actor),
            case_names_searchable=names,
        )
        return form.fields["case"]

    assert case.pk in {o.value for o in picker(True).search("Ali")[0]}
    assert picker(False).search("Ali")[0] == []
    assert case.pk in {o.value for o in picker(False).search(str(case.pk))[0]}


def test_a_single_picker_with_its_default_id_is_found_by_its_search_box_alone(
    client_for: Any,
) -> None:
    """The minutes' pickers send only `<name>__q` (no `hx-vals`, issue 11: the form of an
    88-item agenda stays under 150 KB); the answer names the field from that parameter."""
    url = reverse("cases:member_search", args=[ali_case().pk])
    sofie = member("socialraadgiver")
    html = (
        client_for("koordinator")
        .get(url, {f"responsible_7{autocomplete.SEARCH_SUFFIX}": sofie.name})
        .content.decode()
    )
    assert 'type="radio"' in html and 'name="responsible_7"' in html
    assert 'id="id_responsible_7-status"' in html
    assert member("socialraadgiver").pk in offered_ids(html)


def test_pickers_send_hx_vals_only_when_the_search_box_alone_does_not_say_enough() -> None:
    single = forms_module.MemberPicker(queryset=Member.objects.all(), search_url="/s/")
    several = forms_module.MembersPicker(queryset=Member.objects.all(), search_url="/s/")
    single_html = single.widget.render("owner", None, {"id": "id_owner"})
    custom_html = single.widget.render("owner", None, {"id": "id_other"})
    several_html = several.widget.render("receivers", None, {"id": "id_receivers"})
    assert "hx-vals" not in single_html and 'hx-target="next ul"' in single_html
    assert "hx-vals" in custom_html and "id_other" in custom_html
    assert '"multiple": "1"' in several_html
