"""Issue 15: a concern about a child without a CPR number, completing the identity later and
merging the duplicate registrations (ssp/cases/identity.py)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ssp.accounts.services import create_api_token
from ssp.audit import subject_access
from ssp.audit.models import AuditAction, AuditEvent, Correction
from ssp.audit.services import chain_pending
from ssp.cases import identity, services
from ssp.cases.cpr import full_cpr_of
from ssp.cases.models import (
    Case,
    CaseStatus,
    Concern,
    ConcernSource,
    ConcernSubject,
    CustodyHolder,
    YoungPerson,
)
from ssp.errors import DomainError
from ssp.organisation.models import Member, Municipality, Unit, UnitKind
from ssp.police import services as police_services
from ssp.police.models import (
    AbsenceRecord,
    Deadline,
    DeadlineKind,
    NetworkCouncil,
    PoliceReport,
    ReportStatus,
    Routing,
)
from ssp.reports.figures.cases import concerns_by_age
from tests.helpers_db import at_once

pytestmark = pytest.mark.django_db

CONCERN_NEW = "/bekymringer/ny/"
CONCERNS_API = "/api/v1/cases/concerns"
MISSING = "Skriv barnets CPR-nummer. Kender du det ikke, så skriv fødselsdatoen eller både"


def emil() -> YoungPerson:
    return YoungPerson.objects.get(first_name="Emil", last_name="Sandberg")


def school(slug: str = "oestskolen") -> Unit:
    return Unit.objects.get(slug=slug)


def concern_post(**person: Any) -> dict[str, Any]:
    return {
        "subject": ConcernSubject.PERSON,
        "first_name": "Emil",
        "last_name": "Sandberg",
        "source": ConcernSource.STAFF,
        "level": "yellow",
        "description": "Emil virker bange for nogle ældre drenge.",
        **person,
    }


def without_cpr(users: dict[str, User], first: str = "Emil", **extra: Any) -> YoungPerson:
    """A concern by the teacher about a pupil by name, school and class; its young person."""
    data = services.ConcernData(
        subject=ConcernSubject.PERSON,
        source=ConcernSource.STAFF,
        description="Bekymring uden CPR-nummer",
        young_person=services.YoungPersonData(
            first_name=first,
            last_name="Sandberg",
            school=school(),
            class_name="7.b",
            **extra,
        ),
    )
    concern = services.raise_concern(actor_user=users["laerer"], data=data)
    assert concern.young_person is not None
    return concern.young_person


# --- The concern form and the API ---------------------------------------------------------------


def test_a_pupil_by_name_school_and_class_is_a_new_person_without_cpr(
    demo: Municipality, client_for: Any
) -> None:
    before = emil()
    response = client_for("laerer").post(
        CONCERN_NEW,
        concern_post(
            school=school().pk,
            class_name="7.b",
            parent_name="Lone Sandberg",
            parent_phone="20304050",
            parent_name_2="Kim Sandberg",
            parent_phone_2="30405060",
        ),
    )
    assert response.status_code == 302, response.content.decode()
    concern = Concern.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-2]))
    person = concern.young_person
    assert person is not None
    # Never matched to the registered Emil of the same name, school and class.
    assert person.pk != before.pk
    assert (person.has_cpr, person.cpr_index, person.birth_date) == (False, "", None)
    assert str(person.cpr_masked) == "CPR ukendt"
    assert sorted(h.name for h in person.custody_holders.all()) == [
        "Kim Sandberg",
        "Lone Sandberg",
    ]
    # Routed as a named child's concern: the local group of the school's district.
    assert concern.forum is not None and concern.forum.name.endswith("Distrikt Øst")


def test_a_birth_date_identifies_the_child_and_is_checked(
    demo: Municipality, client_for: Any
) -> None:
    client = client_for("laerer")
    born = timezone.localdate().replace(year=timezone.localdate().year - 13) - timedelta(days=3)
    response = client.post(CONCERN_NEW, concern_post(first_name="Ukendt", birth_date=born))
    assert response.status_code == 302
    person = YoungPerson.objects.get(first_name="Ukendt")
    assert person.birth_date == born and not person.has_cpr
    count = Concern.objects.count()
    for bad, message in (
        (timezone.localdate() + timedelta(days=1), "Fødselsdatoen kan ikke ligge i fremtiden."),
        (date(1950, 1, 1), "Fødselsdatoen skal være efter"),
        (timezone.localdate() - timedelta(days=365 * 3), "Den unge er 2 år."),
    ):
        page = client.post(CONCERN_NEW, concern_post(first_name="Forkert", birth_date=bad))
        html = page.content.decode()
        assert message in html, bad
        assert 'value="Forkert"' in html  # the typed input is kept
    assert Concern.objects.count() == count


def test_without_cpr_birth_date_or_school_and_class_the_form_says_what_is_missing(
    demo: Municipality, client_for: Any
) -> None:
    client = client_for("laerer")
    count = Concern.objects.count()
    for partial in ({}, {"school": school().pk}, {"class_name": "7.b"}):
        response = client.post(CONCERN_NEW, concern_post(**partial))
        assert MISSING in response.content.decode(), partial
    wrong = client.post(CONCERN_NEW, concern_post(cpr="120312-4137", birth_date="2012-03-13"))
    assert "Fødselsdatoen passer ikke med CPR-nummeret." in wrong.content.decode()
    phone_only = client.post(
        CONCERN_NEW,
        concern_post(school=school().pk, class_name="7.b", parent_phone_2="12345678"),
    )
    assert "Skriv navnet på forældremyndighedsindehaveren" in phone_only.content.decode()
    assert Concern.objects.count() == count


def test_a_named_child_with_cpr_still_finds_the_registered_person(
    demo: Municipality, client_for: Any
) -> None:
    response = client_for("laerer").post(CONCERN_NEW, concern_post(cpr="120312-4137"))
    assert response.status_code == 302
    assert Concern.objects.order_by("-pk")[0].young_person_id == emil().pk


def test_the_school_list_holds_schools_only(demo: Municipality, client_for: Any) -> None:
    html = client_for("laerer").get(CONCERN_NEW).content.decode()
    start = html.index('name="school"')
    options = html[start : html.index("</select>", start)]
    others = Unit.objects.filter(municipality=demo).exclude(kind__in=services.SCHOOL_KINDS)
    assert others.exists()
    for unit in others:
        assert f'value="{unit.pk}"' not in options, unit.name
    for unit in Unit.objects.filter(municipality=demo, kind=UnitKind.SCHOOL):
        assert f'value="{unit.pk}"' in options


def test_the_worksheet_and_the_group_are_outside_the_main_path(
    demo: Municipality, client_for: Any
) -> None:
    """The structure the CSS hides by: the statements in the worksheet's body (shown when
    "Udfyld arbejdsarket" is ticked), the group's fields under `data-subject="group"`."""
    html = client_for("laerer").get(CONCERN_NEW).content.decode()
    body = html.index('class="ssp-worksheet-body"')
    assert html.index('name="use_worksheet"') < body < html.index('name="caught_in_crime"')
    assert body < html.index('name="worksheet_first_action"')
    group = html.index('data-subject="group"')
    assert group < html.index('name="group_size"') < html.index('name="group_age_max"')
    css = (settings.BASE_DIR / "ssp" / "static" / "ssp" / "ssp.css").read_text(encoding="utf-8")
    assert ':has(input[name="use_worksheet"]:not(:checked)) .ssp-worksheet-body' in css


def api(user: User) -> Client:
    _token, raw = create_api_token(user=user, name="identitet")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_the_api_takes_the_same_identity_rules(demo: Municipality, users: dict[str, User]) -> None:
    client = api(users["laerer"])

    def post(person: dict[str, Any]) -> Any:
        return client.post(
            CONCERNS_API,
            {
                "subject": "person",
                "source": "staff",
                "description": "Bekymring",
                "young_person": {"first_name": "Api", "last_name": "Barn", **person},
            },
            content_type="application/json",
        )

    ok = post(
        {
            "school": "oestskolen",
            "class_name": "6.a",
            "custody_holders": [{"name": "Far Barn", "phone": "1"}, {"name": "Mor Barn"}],
        }
    )
    assert ok.status_code == 201, ok.content
    person = Concern.objects.get(pk=ok.json()["id"]).young_person
    assert person is not None and not person.has_cpr
    assert person.custody_holders.count() == 2  # noqa: PLR2004
    born = (timezone.localdate() - timedelta(days=365 * 12)).isoformat()
    assert post({"birth_date": born}).status_code == 201
    missing = post({"school": "oestskolen"})
    assert missing.status_code == 400  # noqa: PLR2004
    assert missing.json()["detail"].startswith(MISSING)
    future = post({"birth_date": (timezone.localdate() + timedelta(days=2)).isoformat()})
    assert future.status_code == 400  # noqa: PLR2004
    # A unit that is not a school does not identify a pupil.
    police = Unit.objects.filter(municipality=demo, kind=UnitKind.POLICE_STATION).first()
    assert police is not None
    assert post({"school": police.slug, "class_name": "6.a"}).status_code == 400  # noqa: PLR2004


# --- Completing the identity --------------------------------------------------------------------


def identity_url(person: YoungPerson) -> str:
    return reverse("cases:young_person_identity", args=[person.pk])


def merge_url(person: YoungPerson) -> str:
    return reverse("cases:young_person_merge", args=[person.pk])


def test_the_coordinator_completes_the_cpr_once(demo: Municipality, users: dict[str, User]) -> None:
    person = without_cpr(users, first="Oskar")
    client = Client()
    client.force_login(users["koordinator"])
    page = client.get(reverse("cases:young_person", args=[person.pk])).content.decode()
    assert "Mangler CPR" in page and "Tilføj CPR-nummer" in page
    assert client.post(identity_url(person), {"cpr": "010213-4011"}).status_code == 302
    person.refresh_from_db()
    assert person.has_cpr and person.birth_date == date(2013, 2, 1)
    assert full_cpr_of(person) == "010213-4011"
    events = AuditEvent.objects.filter(
        action=identity.IDENTITY_COMPLETED, subject_ref=f"youngperson:{person.pk}"
    )
    assert events.count() == 1
    assert "4011" not in str(events.get().data) and "Oskar" not in str(events.get().data)
    # Twice is the same result, with no second event.
    assert client.post(identity_url(person), {"cpr": "010213-4011"}).status_code == 302
    assert events.count() == 1
    page = client.get(reverse("cases:young_person", args=[person.pk])).content.decode()
    assert "Mangler CPR" not in page


def test_a_wrong_cpr_stays_on_the_form(demo: Municipality, users: dict[str, User]) -> None:
    person = without_cpr(users, first="Oskar")
    client = Client()
    client.force_login(users["koordinator"])
    for cpr, message in (
        ("12345", "CPR-nummeret skal have 10 cifre"),
        ("310213-4011", "ikke en gyldig fødselsdato"),
        ("010160-1234", "SSP i"),
    ):
        response = client.post(identity_url(person), {"cpr": cpr})
        assert response.status_code == 400, cpr  # noqa: PLR2004
        assert message in response.content.decode(), cpr
    person.refresh_from_db()
    assert not person.has_cpr


def test_only_ssp_staff_complete_or_merge(demo: Municipality, users: dict[str, User]) -> None:
    person = without_cpr(users, first="Oskar")
    for role in ("laerer", "socialraadgiver", "politi", "boligsocial", "politiker", "admin"):
        client = Client()
        client.force_login(users[role])
        for url in (identity_url(person), merge_url(person)):
            response = client.post(url, {"cpr": "010213-4011", "other": emil().pk})
            assert response.status_code in (403, 404), (role, url)
    person.refresh_from_db()
    assert not person.has_cpr
    assert YoungPerson.objects.filter(pk=person.pk).exists()


def test_another_municipality_is_a_404(demo: Municipality, users: dict[str, User]) -> None:
    other = Municipality.objects.create(
        name="Andet", slug="andet", police_district=demo.police_district
    )
    stranger = YoungPerson.objects.create(municipality=other, first_name="Fremmed", last_name="X")
    client = Client()
    client.force_login(users["koordinator"])
    assert client.get(identity_url(stranger)).status_code == 404  # noqa: PLR2004
    assert client.get(merge_url(stranger)).status_code == 404  # noqa: PLR2004
    person = without_cpr(users, first="Oskar")
    response = client.post(merge_url(person), {"other": stranger.pk, "confirm": "1"})
    assert response.status_code == 400  # noqa: PLR2004 - not a choice
    assert YoungPerson.objects.filter(pk=stranger.pk).exists()


# --- A clash, then the merge --------------------------------------------------------------------


def test_a_clash_offers_the_merge_and_the_merge_moves_everything(
    demo: Municipality, users: dict[str, User]
) -> None:
    registered = emil()
    cases_before = set(Case.objects.filter(young_person=registered).values_list("pk", flat=True))
    reports = set(registered.police_reports.values_list("pk", flat=True))
    assert reports
    duplicate = without_cpr(
        users,
        custody_holders=[services.CustodyHolderData(name="Kim Sandberg", phone="30405060")],
    )
    concern = duplicate.concerns.get()
    client = Client()
    client.force_login(users["koordinator"])

    clash = client.post(identity_url(duplicate), {"cpr": "120312-4137"})
    html = clash.content.decode()
    assert "Der findes allerede en ung med dette CPR-nummer" in html
    assert f'name="other" value="{registered.pk}"' in html
    duplicate.refresh_from_db()
    assert not duplicate.has_cpr  # nothing changed

    confirm = client.post(merge_url(duplicate), {"other": registered.pk})
    page = confirm.content.decode()
    assert confirm.status_code == 200  # noqa: PLR2004
    assert "Emil Sandberg bliver stående" in page
    assert YoungPerson.objects.filter(pk=duplicate.pk).exists()  # not before the confirmation

    done = client.post(merge_url(duplicate), {"other": registered.pk, "confirm": "1"})
    assert done.status_code == 302 and done["Location"] == reverse(  # noqa: PLR2004
        "cases:young_person", args=[registered.pk]
    )
    assert not YoungPerson.objects.filter(pk=duplicate.pk).exists()
    concern.refresh_from_db()
    assert concern.young_person_id == registered.pk
    assert set(registered.police_reports.values_list("pk", flat=True)) == reports
    assert set(Case.objects.filter(young_person=registered).values_list("pk", flat=True)) == (
        cases_before
    )
    assert "Kim Sandberg" in set(registered.custody_holders.values_list("name", flat=True))
    survivor_page = client.get(done["Location"]).content.decode()
    assert f"Bekymring nr. {concern.pk}" in survivor_page
    for case_pk in cases_before:
        assert f"Sag nr. {case_pk}" in survivor_page

    chain_pending()
    for subject, key in ((registered.pk, "merged_from"), (duplicate.pk, "merged_into")):
        event = AuditEvent.objects.get(
            action=identity.MERGED, subject_ref=f"youngperson:{subject}", data__has_key=key
        )
        assert "Emil" not in str(event.data) + event.object_repr
    # A second post for the merged-away person: a clear message, not an error.
    again = client.post(merge_url(duplicate), {"other": registered.pk, "confirm": "1"}, follow=True)
    assert again.status_code == 200  # noqa: PLR2004
    assert "allerede lagt sammen" in again.content.decode()
    assert identity.merged_into(demo.pk, duplicate.pk) == registered.pk


def test_the_merge_moves_police_rows_and_fills_the_blanks(
    demo: Municipality, users: dict[str, User]
) -> None:
    """Neither has a CPR number: the person whose page the merge started from survives and
    takes the other's police reports, deadlines, council and class."""
    page_person = YoungPerson.objects.create(municipality=demo, first_name="Aske", last_name="Y")
    other = without_cpr(users, first="Aske")
    registered = emil()
    PoliceReport.objects.filter(young_person=registered).update(young_person=other)
    Deadline.objects.filter(young_person=registered).update(young_person=other)
    NetworkCouncil.objects.filter(young_person=registered).update(young_person=other)
    reports = set(PoliceReport.objects.filter(young_person=other).values_list("pk", flat=True))
    deadlines = Deadline.objects.filter(young_person=other).count()
    councils = NetworkCouncil.objects.filter(young_person=other).count()
    assert reports and deadlines and councils

    result = identity.merge_young_people(
        actor_user=users["koordinator"], person_id=page_person.pk, other_id=other.pk
    )

    assert result.survivor.pk == page_person.pk and not result.already
    assert set(page_person.police_reports.values_list("pk", flat=True)) == reports
    assert Deadline.objects.filter(young_person=page_person).count() == deadlines
    assert NetworkCouncil.objects.filter(young_person=page_person).count() == councils
    page_person.refresh_from_db()
    assert (page_person.school_id, page_person.class_name) == (school().pk, "7.b")
    assert page_person.concerns.count() == 1


def test_two_different_cprs_are_refused(demo: Municipality, users: dict[str, User]) -> None:
    ali = YoungPerson.objects.get(first_name="Ali")
    client = Client()
    client.force_login(users["koordinator"])
    response = client.post(merge_url(emil()), {"other": ali.pk, "confirm": "1"})
    assert response.status_code == 400  # noqa: PLR2004
    assert "To forskellige CPR-numre kan ikke lægges sammen." in response.content.decode()
    assert YoungPerson.objects.filter(pk=ali.pk).exists()
    with pytest.raises(DomainError, match="To forskellige CPR-numre"):
        identity.merge_young_people(
            actor_user=users["koordinator"], person_id=emil().pk, other_id=ali.pk
        )


def test_the_merge_picker_searches_by_name_and_lists_no_one_unasked(
    demo: Municipality, client_for: Any
) -> None:
    client = client_for("koordinator")
    person = emil()
    page = client.get(merge_url(person)).content.decode()
    assert "Sara" not in page and "Ali Berg" not in page
    url = reverse("cases:young_person_merge_search", args=[person.pk])
    found = client.get(url, {"other__q": "Sara"}).content.decode()
    assert "Sara Holm Nielsen" in found and "Emil Sandberg" not in found
    assert client_for("laerer").get(url, {"other__q": "Sara"}).status_code in (403, 404)


def test_the_missing_cpr_filter_lists_only_those_without(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    person = without_cpr(users, first="Oskar")
    html = client_for("koordinator").get("/unge/", {"mangler_cpr": "1"}).content.decode()
    assert reverse("cases:young_person", args=[person.pk]) in html
    assert "Emil Sandberg" not in html


def test_every_foreign_key_to_a_young_person_is_moved_by_the_merge() -> None:
    """The merge finds the relations itself, those without a reverse accessor included (a
    deadline and a council have `related_name="+"`): a new model pointing at YoungPerson is
    moved too."""
    moved = {rel.related_model for rel in identity.person_relations()}
    assert {
        Concern,
        Case,
        CustodyHolder,
        PoliceReport,
        Deadline,
        NetworkCouncil,
        Correction,
    } <= moved


@pytest.mark.django_db(transaction=True)
def test_two_merges_of_the_same_pair_merge_once(demo: Municipality, users: dict[str, User]) -> None:
    # Committed rows (transaction=True): on PostgreSQL each merge runs on its own connection.
    registered = emil()
    duplicate = without_cpr(users)
    results: list[identity.MergeResult] = []
    errors: list[BaseException] = []

    def merge() -> None:
        try:
            results.append(
                identity.merge_young_people(
                    actor_user=users["koordinator"], person_id=duplicate.pk, other_id=registered.pk
                )
            )
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    at_once(merge, merge)

    assert errors == []

    assert sorted(r.already for r in results) == [False, True]
    assert {r.survivor.pk for r in results} == {registered.pk}
    assert not YoungPerson.objects.filter(pk=duplicate.pk).exists()
    assert (
        AuditEvent.objects.filter(
            action=identity.MERGED, subject_ref=f"youngperson:{duplicate.pk}"
        ).count()
        == 1
    )
    assert CustodyHolder.objects.filter(young_person_id=duplicate.pk).count() == 0


# --- Review fixes: anonymised people, audited look-ups, subject access, races and clashes ----


def anonymise(person: YoungPerson) -> None:
    """As retention leaves a person that anonymised records still point at."""
    YoungPerson.objects.filter(pk=person.pk).update(
        anonymised_at=timezone.now(), first_name="Anonymiseret", last_name="", class_name=""
    )
    Concern.objects.filter(young_person=person).update(anonymised_at=timezone.now())


def coordinator_client(users: dict[str, User]) -> Client:
    client = Client()
    client.force_login(users["koordinator"])
    return client


def test_an_anonymised_person_gets_no_cpr_number(
    demo: Municipality, users: dict[str, User]
) -> None:
    person = without_cpr(users, first="Oskar")
    anonymise(person)
    client = coordinator_client(users)
    page = client.get(reverse("cases:young_person", args=[person.pk])).content.decode()
    assert 'data-testid="identity-form"' not in page and 'data-testid="merge-person"' not in page
    assert "Mangler CPR" not in page
    assert client.post(identity_url(person), {"cpr": "010213-4011"}).status_code == 404  # noqa: PLR2004
    # The service checks again on the locked row (a person anonymised after the page was read).
    person.refresh_from_db()
    with pytest.raises(DomainError, match="anonymiseret"):
        identity.complete_identity(
            actor_user=users["koordinator"], person=person, cpr="010213-4011"
        )
    person.refresh_from_db()
    assert not person.has_cpr and person.cpr_index == "" and person.birth_date is None


def test_an_anonymised_person_is_merged_on_neither_side(
    demo: Municipality, users: dict[str, User]
) -> None:
    anonymous = without_cpr(users, first="Oskar")
    concern = anonymous.concerns.get()
    anonymise(anonymous)
    living = without_cpr(users, first="Aske")
    client = coordinator_client(users)
    response = client.post(merge_url(anonymous), {"other": emil().pk, "confirm": "1"})
    assert response.status_code == 404  # noqa: PLR2004
    # Not a choice from a living person's page either.
    response = client.post(merge_url(living), {"other": anonymous.pk, "confirm": "1"})
    assert response.status_code == 400  # noqa: PLR2004
    for person_id, other_id in ((anonymous.pk, emil().pk), (living.pk, anonymous.pk)):
        with pytest.raises(DomainError, match="anonymiseret"):
            identity.merge_young_people(
                actor_user=users["koordinator"], person_id=person_id, other_id=other_id
            )
    concern.refresh_from_db()
    assert concern.young_person_id == anonymous.pk
    assert YoungPerson.objects.filter(pk__in=[anonymous.pk, living.pk]).count() == 2  # noqa: PLR2004
    assert not AuditEvent.objects.filter(action=identity.MERGED).exists()


def searches() -> Any:
    return AuditEvent.objects.filter(action=AuditAction.YOUNG_PEOPLE_SEARCHED).order_by("pk")


def test_a_cpr_clash_and_the_name_searches_are_audited(
    demo: Municipality, users: dict[str, User]
) -> None:
    person = without_cpr(users, first="Oskar")
    registered = emil()
    client = coordinator_client(users)
    before = searches().count()
    client.post(identity_url(person), {"cpr": "120312-4137"})
    [clash] = searches()[before:]
    assert clash.subject_ref == f"youngperson:{registered.pk}"
    assert clash.data == {"by": "cpr", "hits": 1, "completing": person.pk}
    assert "4137" not in str(clash.data) + clash.object_repr

    search_url = reverse("cases:young_person_merge_search", args=[person.pk])
    client.get(search_url, {"other__q": "Sa"})
    [picker] = searches()[before + 1 :]
    assert picker.data["by"] == "name" and picker.data["hits"] >= 1
    assert "Sa" not in str(picker.data).replace("Sandberg", "")

    client.post(merge_url(person), {"other__q": "Sara", "_ac_search": "1"})
    [no_js] = searches()[before + 2 :]
    assert no_js.data == {"by": "name", "hits": 1}

    client.get("/unge/", {"mangler_cpr": "1"})
    [listing] = searches()[before + 3 :]
    assert listing.data["by"] == "missing_cpr" and listing.data["hits"] >= 1


def test_the_survivors_subject_access_includes_the_merged_registrations_trail(
    demo: Municipality, users: dict[str, User]
) -> None:
    registered = emil()
    duplicate = without_cpr(users)
    registered_label = subject_access._action_label(AuditAction.YOUNG_PERSON_REGISTERED)

    def registrations() -> int:
        log = subject_access.collect_export(registered)["access_log"]
        return sum(row["count"] for row in log if row["what"] == registered_label)

    before = registrations()
    identity.merge_young_people(
        actor_user=users["koordinator"], person_id=duplicate.pk, other_id=registered.pk
    )
    assert subject_access.registrations_of(registered) == [registered.pk, duplicate.pk]
    # The duplicate's registration (by the teacher) is now in the child's report.
    assert registrations() == before + 1


def test_completing_a_person_merged_away_meanwhile_leads_to_the_survivor(
    demo: Municipality, users: dict[str, User]
) -> None:
    registered = emil()
    duplicate = without_cpr(users)
    stale = YoungPerson.objects.get(pk=duplicate.pk)  # the page read before the merge
    identity.merge_young_people(
        actor_user=users["koordinator"], person_id=duplicate.pk, other_id=registered.pk
    )
    result = identity.complete_identity(
        actor_user=users["koordinator"], person=stale, cpr="010213-4011"
    )
    assert result.merged_away and result.person.pk == registered.pk and not result.changed
    response = coordinator_client(users).post(
        identity_url(duplicate), {"cpr": "010213-4011"}, follow=True
    )
    assert response.redirect_chain == [(reverse("cases:young_person", args=[registered.pk]), 302)]
    assert "Den unge er lagt sammen med en anden registrering" in response.content.decode()
    registered.refresh_from_db()
    assert full_cpr_of(registered) == "120312-4137"


def test_the_same_police_report_on_both_is_refused_before_anything_moves(
    demo: Municipality, users: dict[str, User]
) -> None:
    registered = emil()
    duplicate = without_cpr(users)
    report = registered.police_reports.order_by("pk").first()
    assert report is not None
    copy = PoliceReport.objects.get(pk=report.pk)
    copy.pk = None
    copy.young_person = duplicate
    copy.concern = None
    copy.save()
    concern = duplicate.concerns.get()
    client = coordinator_client(users)
    page = client.post(merge_url(duplicate), {"other": registered.pk}).content.decode()
    refusal = (
        f"begge har en anmeldelsesrapport med politiets journalnummer {report.police_reference}"
    )
    assert refusal in page and 'data-testid="merge-confirm-form"' not in page
    with pytest.raises(DomainError, match=refusal):
        identity.merge_young_people(
            actor_user=users["koordinator"], person_id=duplicate.pk, other_id=registered.pk
        )
    concern.refresh_from_db()
    assert concern.young_person_id == duplicate.pk
    assert PoliceReport.objects.get(pk=copy.pk).young_person_id == duplicate.pk


def test_the_school_district_comes_only_with_the_school(
    demo: Municipality, users: dict[str, User]
) -> None:
    other = without_cpr(users, first="Aske")
    assert other.school_district is not None
    west = Unit.objects.filter(municipality=demo, kind=UnitKind.SCHOOL).exclude(pk=school().pk)[0]
    # Has a school of its own without a district: keeps both, the other's district is not used.
    with_school = YoungPerson.objects.create(
        municipality=demo, first_name="Aske", last_name="Y", school=west
    )
    identity.merge_young_people(
        actor_user=users["koordinator"], person_id=with_school.pk, other_id=other.pk
    )
    with_school.refresh_from_db()
    assert (with_school.school_id, with_school.school_district_id) == (west.pk, None)
    # Without a school: the other's school comes with its district.
    other = without_cpr(users, first="Asta")
    bare = YoungPerson.objects.create(municipality=demo, first_name="Asta", last_name="Y")
    identity.merge_young_people(
        actor_user=users["koordinator"], person_id=bare.pk, other_id=other.pk
    )
    bare.refresh_from_db()
    assert (bare.school_id, bare.school_district_id) == (school().pk, other.school_district_id)


def test_a_typed_birth_date_is_replaced_by_the_cprs_only_when_confirmed(
    demo: Municipality, users: dict[str, User]
) -> None:
    person = without_cpr(users, first="Oskar", birth_date=date(2013, 2, 2))
    client = coordinator_client(users)
    response = client.post(identity_url(person), {"cpr": "010213-4011"})
    html = response.content.decode()
    assert response.status_code == 400  # noqa: PLR2004
    assert "01.02.2013" in html and "02.02.2013" in html
    assert 'name="correct_birth_date"' in html and "Ret fødselsdatoen til CPR-nummerets" in html
    assert 'value="010213-4011"' in html  # the typed number is kept
    person.refresh_from_db()
    assert not person.has_cpr and person.birth_date == date(2013, 2, 2)

    confirmed = client.post(
        identity_url(person), {"cpr": "010213-4011", "correct_birth_date": "on"}
    )
    assert confirmed.status_code == 302  # noqa: PLR2004
    person.refresh_from_db()
    assert person.has_cpr and person.birth_date == date(2013, 2, 1)
    event = AuditEvent.objects.get(
        action=identity.IDENTITY_COMPLETED, subject_ref=f"youngperson:{person.pk}"
    )
    assert event.data["birth_date_corrected"] is True
    # The same birth date needs no confirmation.
    same = without_cpr(users, first="Asta", birth_date=date(2013, 2, 1))
    assert client.post(identity_url(same), {"cpr": "010213-4029"}).status_code == 302  # noqa: PLR2004
    same.refresh_from_db()
    assert same.has_cpr and same.birth_date == date(2013, 2, 1)


def test_the_confirmation_warns_about_what_the_merge_leaves_doubled(
    demo: Municipality, users: dict[str, User]
) -> None:
    registered = emil()
    duplicate = without_cpr(
        users, custody_holders=[services.CustodyHolderData(name="Lone Sandberg", phone="1")]
    )
    assert registered.custody_holders.filter(name="Lone Sandberg").exists()
    # Both get an open case and an open network-council deadline (copies of the demo's).
    open_case = Case.objects.filter(status=CaseStatus.OPEN).first()
    council = Deadline.objects.filter(kind=DeadlineKind.NETWORK_COUNCIL, met_on=None).first()
    assert open_case is not None and council is not None
    for person in (registered, duplicate):
        for row in (Case.objects.get(pk=open_case.pk), Deadline.objects.get(pk=council.pk)):
            row.pk = None
            row.young_person = person
            row.save()
    page = coordinator_client(users).post(merge_url(duplicate), {"other": registered.pk})
    html = page.content.decode()
    assert 'data-testid="merge-warnings"' in html
    assert "Begge har en åben sag" in html
    assert "Begge har en åben frist for netværkssamråd" in html
    assert "Begge har Lone Sandberg som forældremyndighedsindehaver" in html
    assert 'data-testid="merge-confirm-form"' in html  # a warning, not a refusal
    plain = without_cpr(users, first="Aske")
    plain_page = coordinator_client(users).post(merge_url(plain), {"other": registered.pk})
    assert 'data-testid="merge-warnings"' not in plain_page.content.decode()


def test_routing_a_report_raises_the_concern_about_its_own_person(
    demo: Municipality, users: dict[str, User]
) -> None:
    """A merged person without a CPR number can own a police report: the routed report's
    concern is about that person, not a new registration looked up by CPR number."""
    person = without_cpr(users, first="Aske")
    report = PoliceReport.objects.filter(status=ReportStatus.WAITING).order_by("pk").first()
    assert report is not None
    PoliceReport.objects.filter(pk=report.pk).update(young_person=person)
    report.refresh_from_db()
    social = Member.objects.get(user__username="socialraadgiver")
    people = YoungPerson.objects.count()
    routed = police_services.route_report(
        actor_user=users["koordinator"],
        report=report,
        data=police_services.RoutingData(
            routing=Routing.SOCIAL_WORKER, member=social, home_contact=social
        ),
    )
    assert routed.concern is not None and routed.concern.young_person_id == person.pk
    assert routed.concern.reported_name == "Aske Sandberg"
    assert YoungPerson.objects.count() == people


def test_a_person_without_birth_date_has_an_age_row_of_its_own(
    demo: Municipality, users: dict[str, User]
) -> None:
    person = without_cpr(users, first="Oskar")
    table = concerns_by_age(Concern.objects.filter(young_person=person))
    counts = dict(zip(table.row_labels, (row[0] for row in table.cells), strict=True))
    assert counts["Ukendt alder (fødselsdato ukendt)"] == 1
    assert counts["Ukendt alder (gruppe, sted)"] == 0


def test_the_form_and_the_api_refuse_the_same_custody_holders(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    client = api(users["laerer"])
    count = Concern.objects.count()

    def post(person: dict[str, Any]) -> Any:
        return client.post(
            CONCERNS_API,
            {
                "subject": "person",
                "source": "staff",
                "description": "Bekymring",
                "young_person": {
                    "first_name": "Api",
                    "last_name": "Barn",
                    "school": "oestskolen",
                    "class_name": "6.a",
                    **person,
                },
            },
            content_type="application/json",
        )

    four = post(
        {
            "parent_name": "Mor Barn",
            "custody_holders": [{"name": "Far Barn"}, {"name": "Bonus"}, {"name": "Moster"}],
        }
    )
    assert four.status_code == 400  # noqa: PLR2004
    assert four.json()["detail"] == "Skriv højst 3 forældremyndighedsindehavere i alt."
    nameless = post({"custody_holders": [{"name": "", "phone": "12345678"}]})
    assert nameless.status_code == 400  # noqa: PLR2004
    phone_only = "Skriv navnet på forældremyndighedsindehaveren til telefonnummeret."
    assert nameless.json()["detail"] == phone_only
    page = client_for("laerer").post(
        CONCERN_NEW, concern_post(school=school().pk, class_name="7.b", parent_phone="12345678")
    )
    html = page.content.decode()
    assert html.count(phone_only) == 1
    assert Concern.objects.count() == count


def test_the_absence_concern_form_asks_for_no_birth_date(
    demo: Municipality, client_for: Any
) -> None:
    record = AbsenceRecord.objects.filter(total_percent__gte=10).order_by("-month").first()
    assert record is not None
    html = client_for("koordinator").get(f"/fravaer/{record.pk}/bekymring/").content.decode()
    assert 'name="birth_date"' not in html
    assert "Kender du det ikke" not in html
    assert "CPR-nummeret er fra fraværslisten og kan ikke ændres." in html
