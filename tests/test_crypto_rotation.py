"""`manage.py rotate_field_key`: every encrypted value under the new key, the blind index
rebuilt, resumable after an interruption."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from ssp import access
from ssp.accounts.models import FieldKeyRotation
from ssp.audit.models import AuditAction, AuditEvent
from ssp.cases.cpr import full_cpr_of
from ssp.cases.models import Concern, YoungPerson
from ssp.cases.selectors import search_young_people
from ssp.crypto import MANUALLY_ENCRYPTED, is_under_current_key, key_id
from ssp.management.commands.rotate_field_key import targets
from ssp.organisation.models import Municipality

pytestmark = pytest.mark.django_db

NEW_KEY = "a-new-field-key-for-the-rotation-test-0123456789"


def snapshot() -> tuple[dict[int, str], dict[int, str]]:
    cprs = {p.pk: full_cpr_of(p) for p in YoungPerson.objects.exclude(cpr_encrypted="")}
    descriptions = {c.pk: c.description for c in Concern.objects.all()}
    return cprs, descriptions


def switch_to_new_key(settings: Any) -> None:
    settings.SSP_FIELD_KEYS_OLD = [settings.SSP_FIELD_KEY]
    settings.SSP_FIELD_KEY = NEW_KEY


def test_rotate_field_key_round_trip(
    demo: Municipality, users: dict[str, User], settings: Any
) -> None:
    cprs, descriptions = snapshot()
    assert cprs and descriptions
    switch_to_new_key(settings)
    coordinator = access.get_actor(users["koordinator"])
    person = YoungPerson.objects.exclude(cpr_encrypted="").first()
    assert person is not None
    assert search_young_people(coordinator, cprs[person.pk]) == []  # the index is stale

    call_command("rotate_field_key", batch_size=3)

    settings.SSP_FIELD_KEYS_OLD = []  # the old key is gone: the new one alone must do
    assert snapshot() == (cprs, descriptions)
    for person in YoungPerson.objects.exclude(cpr_encrypted=""):
        assert is_under_current_key(person.cpr_encrypted)
        found = search_young_people(coordinator, cprs[person.pk].replace("-", ""))
        assert found == [person]
    rotation = FieldKeyRotation.objects.get(key_id=key_id())
    assert rotation.finished_at is not None
    assert AuditEvent.objects.filter(action=AuditAction.FIELD_KEY_ROTATED).count() == 1
    call_command("rotate_field_key", "--check")


def test_an_interrupted_rotation_resumes_where_it_stopped(
    demo: Municipality, settings: Any
) -> None:
    cprs, descriptions = snapshot()
    switch_to_new_key(settings)
    call_command("rotate_field_key", batch_size=2, max_batches=2)
    rotation = FieldKeyRotation.objects.get(key_id=key_id())
    assert rotation.finished_at is None
    assert rotation.rows_done == 4
    assert rotation.progress
    with pytest.raises(CommandError, match="not yet under the current key"):
        call_command("rotate_field_key", "--check")

    call_command("rotate_field_key", batch_size=2)
    rotation.refresh_from_db()
    assert rotation.finished_at is not None
    settings.SSP_FIELD_KEYS_OLD = []
    assert snapshot() == (cprs, descriptions)
    call_command("rotate_field_key", "--check")


def test_it_finds_every_model_with_encrypted_values() -> None:
    labels = {target.label for target in targets()}
    assert {
        "cases.youngperson",
        "cases.concern",
        "cases.disclosure",
        "police.policereport",
        "police.absencerecord",
    } <= labels
    # Every hand-encrypted column (a token beside a blind index) is listed.
    from django.apps import apps

    listed = {(m.model.lower(), m.column) for m in MANUALLY_ENCRYPTED}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if field.name.endswith("_encrypted"):
                assert (model._meta.label_lower, field.name) in listed
