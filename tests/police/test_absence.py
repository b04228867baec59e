"""Worrying absence: only records at or above the municipality's threshold can be reached, the
CPR number stays masked in the page, and the concern is about the record's pupil."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.http import Http404

from ssp.access import get_actor
from ssp.audit.models import AuditAction, AuditEvent
from ssp.cases.models import Concern, ConcernSource, ConcernSubject, Level
from ssp.crypto import blind_index
from ssp.errors import DomainError
from ssp.organisation.models import Municipality
from ssp.police import absence
from ssp.police import access as police_access
from ssp.police.models import AbsenceRecord

pytestmark = pytest.mark.django_db

EMIL_CPR = "120312-4137"


def record_of(cpr: str, *, above: bool = True) -> AbsenceRecord:
    """The newest record of a demo pupil (above the threshold or not)."""
    records = AbsenceRecord.objects.filter(cpr_index=blind_index(cpr.replace("-", "")))
    if above:
        records = records.filter(total_percent__gte=10)
    else:
        records = records.filter(total_percent__lt=10)
    record = records.order_by("-month").first()
    assert record is not None
    return record


def url(record: AbsenceRecord) -> str:
    return f"/fravaer/{record.pk}/bekymring/"


def test_it_answers_404_for_a_record_below_the_threshold(
    demo: Municipality, client_for: Any
) -> None:
    below = record_of("040312-4777", above=False)  # 3 % at Østskolen, the teacher's school
    assert below.school.slug == "oestskolen"
    for role in ("laerer", "koordinator"):
        assert client_for(role).get(url(below)).status_code == 404
        assert client_for(role).get(url(record_of(EMIL_CPR))).status_code == 200
    assert "040312" not in client_for("laerer").get("/fravaer/").content.decode()


def test_it_follows_the_municipalitys_threshold(demo: Municipality, users: dict[str, User]) -> None:
    emil = record_of(EMIL_CPR)  # 18.5 % this month
    actor = get_actor(users["laerer"])
    assert police_access.get_absence_record_for(actor, emil.pk) == emil
    demo.rules = {**(demo.rules or {}), "absence_threshold_percent": 20}
    demo.save(update_fields=["rules"])
    assert police_access.absence_threshold(demo) == Decimal(20)
    with pytest.raises(Http404):
        police_access.get_absence_record_for(actor, emil.pk)


def test_it_shows_the_cpr_number_masked_to_every_role(demo: Municipality, client_for: Any) -> None:
    record = record_of(EMIL_CPR)
    for role in ("laerer", "koordinator"):
        html = client_for(role).get(url(record)).content.decode()
        assert "120312-xxxx" in html
        assert "4137" not in html


def test_it_logs_the_view_by_the_records_id(demo: Municipality, client_for: Any) -> None:
    record = record_of(EMIL_CPR)
    client_for("laerer").get(url(record))
    event = AuditEvent.objects.filter(action=AuditAction.ABSENCE_RECORD_VIEWED).latest("id")
    assert event.object_repr == f"police.absencerecord:{record.pk}"
    assert event.actor_label == "laerer"


def concern_form(**changes: Any) -> dict[str, Any]:
    return {
        "subject": ConcernSubject.PERSON,
        "first_name": "Emil",
        "last_name": "Sandberg",
        "source": ConcernSource.ABSENCE,
        "level": Level.YELLOW,
        "description": "Meget fravær den sidste måned.",
        **changes,
    }


def test_it_raises_the_concern_about_the_records_pupil_whatever_cpr_is_posted(
    demo: Municipality, client_for: Any
) -> None:
    record = record_of(EMIL_CPR)
    before = Concern.objects.count()
    response = client_for("laerer").post(url(record), concern_form(cpr="030611-4208"))
    assert response.status_code == 302
    assert Concern.objects.count() == before + 1
    concern = Concern.objects.latest("pk")
    assert concern.young_person is not None
    assert concern.young_person.cpr_index == record.cpr_index
    assert concern.source == ConcernSource.ABSENCE
    assert response["Location"] == f"/bekymringer/{concern.pk}/kvittering/"


def test_it_keeps_what_was_typed_and_the_mask_when_the_form_is_invalid(
    demo: Municipality, client_for: Any
) -> None:
    response = client_for("laerer").post(url(record_of(EMIL_CPR)), concern_form(description=""))
    html = response.content.decode()
    assert response.status_code == 200
    assert "120312-xxxx" in html and "4137" not in html
    assert 'value="Sandberg"' in html


def test_it_refuses_a_post_about_a_record_below_the_threshold(
    demo: Municipality, client_for: Any
) -> None:
    before = Concern.objects.count()
    below = record_of("040312-4777", above=False)
    assert client_for("laerer").post(url(below), concern_form()).status_code == 404
    assert Concern.objects.count() == before


def test_only_ssp_staff_import_absence(demo: Municipality, users: dict[str, User]) -> None:
    with pytest.raises(DomainError, match="Kun SSP-medarbejdere"):
        absence.import_absence(actor_user=users["laerer"], filename="f.csv", content=b"")


def test_the_list_view_is_logged_with_a_count(demo: Municipality, client_for: Any) -> None:
    client_for("laerer").get("/fravaer/")
    event = AuditEvent.objects.filter(action=AuditAction.ABSENCE_VIEWED).latest("id")
    assert event.data == {"rows": 2}
