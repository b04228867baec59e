"""Seal the events written before the chain was keyed.

Events written before SSP_AUDIT_KEY keep their unkeyed SHA-256 hashes (the trail is never
rewritten); this appends one keyed event, `audit.chain_keyed`, linked to the newest of them. From
then on nobody without the key can rewrite the older events either, because the keyed event holds
the newest unkeyed hash; `verify_chain` refuses a chain whose newest event is unkeyed. Nothing
happens on a database without events, or where the newest event is already keyed (or where
the head is missing, which `verify_audit` reports).
"""

from django.db import migrations
from django.utils import timezone

SHA256 = 1
HMAC_SHA256 = 2


def seal(apps, schema_editor):
    from ssp.audit.services import compute_hash

    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    newest = AuditEvent.objects.order_by("-sequence").first()
    if newest is None or newest.hash_version == HMAC_SHA256:
        return
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        return  # events without a head: `verify_audit` reports it; nothing to link to
    event = AuditEvent(
        sequence=head.last_sequence + 1,
        occurred_at=timezone.now().replace(microsecond=0),
        actor_id=None,
        actor_label="",
        action="audit.chain_keyed",
        object_type="",
        object_id="",
        object_repr="",
        municipality_id=None,
        subject_ref="",
        purpose="",
        data={"unkeyed_events": head.last_sequence},
        ip_address=None,
        previous_hash=head.last_hash,
        hash_version=HMAC_SHA256,
    )
    event.hash = compute_hash(event)
    event.save()
    head.last_sequence = event.sequence
    head.last_hash = event.hash
    head.save(update_fields=["last_sequence", "last_hash"])


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_truncate_and_head_triggers")]

    operations = [migrations.RunPython(seal, migrations.RunPython.noop)]
