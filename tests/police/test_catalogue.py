"""Issue 16: the offence catalogue: statutory kinds read only, a municipality's local kinds and
aliases, matched in single registrations and in the bulk import."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.http import Http404

from ssp import access
from ssp.audit.models import AuditAction, AuditEvent
from ssp.errors import DomainError
from ssp.organisation.models import (
    AccessRole,
    Member,
    Municipality,
    PoliceDistrict,
    Sector,
)
from ssp.police import access as police_access
from ssp.police import catalogue, services
from ssp.police.models import Deadline, DeadlineKind, Offence, OffenceAlias, PoliceReport

pytestmark = pytest.mark.django_db

ROW = {
    "cpr": "101012-4222",
    "name": "Hans Hånd",
    "time": "18:00",
    "reference": "K-1",
}


def national(code: str) -> Offence:
    return Offence.objects.get(municipality__isnull=True, code=code)


def other_coordinator() -> User:
    """The SSP coordinator of a second municipality."""
    district = PoliceDistrict.objects.order_by("pk").first()
    assert district is not None
    other = Municipality.objects.create(name="Andenby", slug="andenby", police_district=district)
    user = User.objects.create_user(username="anden-koordinator")
    Member.objects.create(
        user=user,
        municipality=other,
        name="Anne Anden",
        sector=Sector.BUF,
        access_role=AccessRole.SSP_STAFF,
    )
    return user


def register(user: User, offence_text: str, reference: str = "K-1") -> PoliceReport:
    from ssp.police.forms import ReportForm

    form = ReportForm(
        {
            **ROW,
            "reference": reference,
            "offence": offence_text,
            "date": "2026-11-20",
        }
    )
    assert form.is_valid(), form.errors
    return services.register_report(actor_user=user, row=form.to_data())


# --- Access ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("koordinator", 200),
        ("admin", 200),
        ("politi", 403),
        ("laerer", 403),
        ("politiker", 403),
    ],
)
def test_the_catalogue_pages_are_for_ssp_staff_and_the_administrator(
    client_for: Any, username: str, status: int
) -> None:
    client = client_for(username)
    assert client.get("/politi/lovovertraedelser/").status_code == status
    assert client.get("/politi/lovovertraedelser/ny/").status_code == status
    vold = national("vold")
    assert client.get(f"/politi/lovovertraedelser/{vold.pk}/").status_code == status


def test_another_municipality_s_local_kind_and_alias_are_404(
    demo: Municipality, users: dict[str, User]
) -> None:
    other_user = other_coordinator()
    local = catalogue.add_local_offence(actor_user=other_user, name="Knallertkørsel", serious=False)
    alias = catalogue.add_alias(actor_user=other_user, offence=national("vold"), alias="Overfald")
    actor = access.get_actor(users["koordinator"])
    with pytest.raises(Http404):
        police_access.get_offence_for(actor, local.pk)
    with pytest.raises(Http404):
        police_access.get_offence_alias_for(actor, alias.pk)
    # The other municipality's alias does not match in Ådal.
    matched, _attempt = services.match_offence("Overfald", services.load_offences(demo))
    assert matched is None
    assert services.match_offence("Overfald", services.load_offences(local.municipality_id))[0] == (
        national("vold")
    )


# --- Statutory kinds ------------------------------------------------------------------------


def test_a_statutory_kind_cannot_be_renamed_made_less_serious_or_retired(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    robbery = national("roeveri")
    coordinator = users["koordinator"]
    with pytest.raises(DomainError):
        catalogue.update_local_offence(
            actor_user=coordinator,
            offence=robbery,
            name="Røveri",
            serious=False,
            opened=catalogue.fingerprint(robbery),
        )
    with pytest.raises(DomainError):
        catalogue.set_offence_retired(actor_user=coordinator, offence=robbery, retired=True)
    client = client_for("koordinator")
    response = client.post(
        f"/politi/lovovertraedelser/{robbery.pk}/",
        {"handling": "gem", "name": "Lille røveri", "serious": ""},
    )
    assert response.status_code == 400
    robbery.refresh_from_db()
    assert robbery.serious and robbery.name == "Røveri" and robbery.retired_at is None
    page = client.get(f"/politi/lovovertraedelser/{robbery.pk}/").content.decode()
    assert 'data-testid="statutory"' in page
    assert 'value="gem"' not in page  # no edit form for a statutory kind


# --- Local kinds and aliases ----------------------------------------------------------------


def test_a_local_kind_is_added_edited_and_retired_and_reports_keep_it(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    client = client_for("koordinator")
    response = client.post(
        "/politi/lovovertraedelser/ny/", {"name": "Ulovlig knallertkørsel", "code": ""}
    )
    assert response.status_code == 302
    local = Offence.objects.get(municipality=demo, name="Ulovlig knallertkørsel")
    assert local.code == "ulovlig-knallertkoersel" and not local.serious
    report = register(users["koordinator"], "Ulovlig knallertkørsel")
    assert report.offence == local
    # Made serious: a new report of the kind starts the network-council deadline.
    response = client.post(
        f"/politi/lovovertraedelser/{local.pk}/",
        {
            "handling": "gem",
            "name": "Ulovlig knallertkørsel",
            "serious": "on",
            "opened": catalogue.fingerprint(local),
        },
    )
    assert response.status_code == 302
    serious = register(users["koordinator"], "Ulovlig knallertkørsel", reference="K-2")
    assert Deadline.objects.filter(report=serious, kind=DeadlineKind.NETWORK_COUNCIL).exists()
    # Retired: no longer matched; the reports keep their kind.
    client.post(f"/politi/lovovertraedelser/{local.pk}/", {"handling": "udgaaet"})
    client.post(f"/politi/lovovertraedelser/{local.pk}/", {"handling": "udgaaet"})  # twice
    local.refresh_from_db()
    assert local.retired_at is not None
    assert services.match_offence("Ulovlig knallertkørsel", services.load_offences(demo))[0] is None
    report.refresh_from_db()
    assert report.offence == local
    ops = [
        e.data["op"]
        for e in AuditEvent.objects.filter(action=AuditAction.OFFENCE_CATALOGUE_CHANGED).order_by(
            "pk"
        )
    ]
    assert ops == ["kind_added", "kind_changed", "kind_retired"]


def test_a_stale_edit_of_a_local_kind_is_refused(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    local = catalogue.add_local_offence(
        actor_user=users["koordinator"], name="Knallert", serious=False
    )
    opened = catalogue.fingerprint(local)
    catalogue.update_local_offence(
        actor_user=users["admin"],
        offence=local,
        name="Knallertkørsel",
        serious=False,
        opened=opened,
    )
    response = client_for("koordinator").post(
        f"/politi/lovovertraedelser/{local.pk}/",
        {"handling": "gem", "name": "Knallert (min)", "serious": "on", "opened": opened},
    )
    assert response.status_code == 409
    assert "Knallert (min)" in response.content.decode()  # the user's input is kept
    local.refresh_from_db()
    assert local.name == "Knallertkørsel" and not local.serious


def test_a_municipality_s_alias_matches_in_registration_and_in_the_bulk_import(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    vold = national("vold")
    response = client_for("koordinator").post(
        f"/politi/lovovertraedelser/{vold.pk}/", {"handling": "betegnelse", "alias": "Overfald"}
    )
    assert response.status_code == 302
    alias = OffenceAlias.objects.get(municipality=demo, alias="Overfald")
    report = register(users["koordinator"], "overfald")
    assert report.offence == vold
    assert Deadline.objects.filter(report=report, kind=DeadlineKind.NETWORK_COUNCIL).exists()
    header = "CPR-nummer;Navn;Gerningsdato;Tidspunkt;Forhold;Journalnummer\n"
    row = "050512-4111;Ung Import;01-11-2026;;Forsøg på overfald;B-1;\n"
    result = services.import_police_list(
        actor_user=users["koordinator"], filename="l.csv", content=(header + row).encode()
    )
    assert result.created == 1
    imported = PoliceReport.objects.get(police_reference="B-1")
    assert imported.offence == vold and imported.attempt
    event = AuditEvent.objects.get(action=AuditAction.OFFENCE_CATALOGUE_CHANGED)
    assert event.data == {"op": "alias_added", "alias_id": alias.pk, "offence_id": vold.pk}


def test_an_alias_that_matches_another_kind_is_refused_naming_it(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    client = client_for("koordinator")
    vold = national("vold")
    response = client.post(
        f"/politi/lovovertraedelser/{vold.pk}/",
        {"handling": "betegnelse", "alias": "Butikstyveri"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Tyveri" in html and 'value="Butikstyveri"' in html
    catalogue.add_alias(actor_user=users["koordinator"], offence=vold, alias="Overfald")
    with pytest.raises(DomainError, match="Vold"):
        catalogue.add_alias(
            actor_user=users["koordinator"], offence=national("trusler"), alias="OVERFALD"
        )
    with pytest.raises(DomainError, match="Tyveri"):
        catalogue.add_local_offence(actor_user=users["koordinator"], name="tyveri", serious=True)
    assert OffenceAlias.objects.filter(municipality=demo).count() == 1


def test_deleting_an_alias_twice_does_no_harm(
    demo: Municipality, users: dict[str, User], client_for: Any
) -> None:
    vold = national("vold")
    alias = catalogue.add_alias(actor_user=users["koordinator"], offence=vold, alias="Overfald")
    client = client_for("admin")
    assert client.get(f"/politi/lovovertraedelser/betegnelser/{alias.pk}/slet/").status_code == 405
    first = client.post(f"/politi/lovovertraedelser/betegnelser/{alias.pk}/slet/")
    second = client.post(f"/politi/lovovertraedelser/betegnelser/{alias.pk}/slet/")
    assert first.status_code == second.status_code == 302
    assert not OffenceAlias.objects.filter(pk=alias.pk).exists()
    deleted = AuditEvent.objects.filter(
        action=AuditAction.OFFENCE_CATALOGUE_CHANGED, data__op="alias_deleted"
    )
    assert deleted.count() == 1


# --- The statute beside the deadline -------------------------------------------------------


def test_the_statute_beside_the_deadline_comes_from_configuration(
    demo: Municipality, client_for: Any, settings: Any
) -> None:
    client = client_for("koordinator")
    board = client.get("/frister/").content.decode()
    assert "Barnets lov § 33" in board  # the default, beside the network-council deadline
    settings.SSP_DEADLINE_STATUTES = {"network_council": "Lokal tekst om § 33", "plan_revision": ""}
    board = client.get("/frister/").content.decode()
    assert "Lokal tekst om § 33" in board and "Barnets lov § 33" not in board
