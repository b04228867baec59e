"""The copy of the seeded demo that tests restore after a flush (tests/demo_snapshot.py)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from ssp.audit.models import AuditEvent
from ssp.audit.services import chain_all, verify_chain
from ssp.organisation.demo import demo_exists
from ssp.organisation.models import Municipality
from tests.demo_snapshot import ensure_demo, restore, take


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
    }


@pytest.mark.django_db(transaction=True)
def test_the_demo_comes_back_as_it_was_after_a_flush() -> None:
    ensure_demo()
    chain_all()
    snapshot = take()
    if connection.vendor != "postgresql":
        # No copy (it is PostgreSQL's COPY): the demo is seeded again when it is missing.
        assert snapshot is None
        call_command("flush", interactive=False, verbosity=0)
        ensure_demo()
        assert demo_exists()
        return
    assert snapshot is not None
    before = row_counts()
    demo = Municipality.objects.get(slug="aadal")
    last_municipality = Municipality.objects.order_by("-pk").values_list("pk", flat=True)[0]

    Municipality.objects.create(
        name="Anden kommune", slug="anden", police_district_id=demo.police_district_id
    )
    # As pytest-django ends a transactional test: everything emptied, post_migrate run again
    # (new content types, with new ids, now in ContentType's cache).
    call_command("flush", interactive=False, verbosity=0)
    assert not demo_exists()
    ContentType.objects.get_for_model(Municipality)

    restore(snapshot)

    assert demo_exists()
    assert row_counts() == before
    assert Municipality.objects.get(slug="aadal").pk == demo.pk
    assert not Municipality.objects.filter(slug="anden").exists()
    # The sequences are where the seeding left them: the next municipality follows the last.
    later = Municipality.objects.create(
        name="Ny", slug="ny", police_district_id=demo.police_district_id
    )
    assert later.pk == last_municipality + 1
    # The audit chain is whole, and its append-only triggers are on again.
    assert verify_chain() == []
    event = AuditEvent.objects.exclude(sequence=None).first()
    assert event is not None
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="changed")
    # The content type cache was emptied with the ids the flush's post_migrate made.
    assert ContentType.objects.get_for_model(Municipality) == ContentType.objects.get(
        app_label="organisation", model="municipality"
    )
