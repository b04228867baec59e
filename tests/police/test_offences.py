"""The offence catalogue is reference data from a data migration: imports only read it."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ssp.organisation.models import Municipality
from ssp.police import services
from ssp.police.models import Offence
from ssp.police.offences import CATALOGUE, install_catalogue

pytestmark = pytest.mark.django_db


def test_the_migration_installed_the_catalogue() -> None:
    codes = set(Offence.objects.values_list("code", flat=True))
    assert {code for code, _name, _serious, _aliases in CATALOGUE} <= codes
    assert Offence.objects.get(code="roeveri").serious
    assert not Offence.objects.get(code="tyveri").serious


def test_installing_again_adds_only_what_is_missing_and_keeps_edits() -> None:
    # Issue 16: a municipality's local kind with a national code does not count as installed.
    Offence.objects.filter(code="knivloven").delete()
    local = Municipality.objects.get(slug="aadal")
    Offence.objects.create(municipality=local, code="knivloven", name="Kniv (lokal)")
    assert install_catalogue(Offence) == 1
    Offence.objects.filter(code="vold").update(name="Vold (redigeret)")
    Offence.objects.filter(code="knivloven").delete()
    assert install_catalogue(Offence) == 1
    assert install_catalogue(Offence) == 0
    assert Offence.objects.get(code="vold").name == "Vold (redigeret)"
    assert Offence.objects.filter(code="knivloven").exists()


def test_matching_reads_nothing(demo: Municipality, django_assert_num_queries: Any) -> None:
    offences = services.load_offences(demo)
    with django_assert_num_queries(0):
        robbery, attempt = services.match_offence("Forsøg på røveri", offences)
        by_paragraph, _attempt = services.match_offence("§ 245", offences)
        unknown, _attempt = services.match_offence("Spritkørsel", offences)
    assert robbery is not None and robbery.code == "roeveri" and attempt
    assert by_paragraph is not None and by_paragraph.code == "grov-vold"
    assert unknown is None


def test_an_import_reads_the_catalogue_once_and_writes_none_of_it(
    demo: Municipality, users: dict[str, User]
) -> None:
    rows = "".join(
        f"{(i % 27) + 1:02d}0512-4{i:03d};Ung Nr{i};01-11-2026;;Røveri;O-{i};\n" for i in range(5)
    )
    header = "CPR-nummer;Navn;Gerningsdato;Tidspunkt;Forhold;Journalnummer\n"
    with CaptureQueriesContext(connection) as captured:
        result = services.import_police_list(
            actor_user=users["koordinator"], filename="l.csv", content=(header + rows).encode()
        )
    assert result.created == 5
    offence_queries = [q["sql"] for q in captured.captured_queries if "police_offence" in q["sql"]]
    # Issue 16: the kinds and the municipality's own aliases, once each.
    assert len(offence_queries) == 2
    assert offence_queries[0].lstrip().upper().startswith("SELECT")
