"""Events are written without a chain position and chained afterwards by one chainer.

Writers insert an event with empty chain fields (`sequence`, `previous_hash`, `hash`) and a keyed
seal of its content (`nonce`, `seal`, hash scheme 3); `ssp.audit.services.chain_pending` later
gives it the next gapless position under the head's lock. So no request waits on the chain head.

On PostgreSQL the append-only trigger (0002) now lets exactly one UPDATE through: setting the
chain fields of an unchained event, once, to a position after the head, with every other column
unchanged. Everything else is refused as before. The head's trigger (0004) may now create the
head while only unchained events exist (the first chaining creates it).
"""

from django.conf import settings
from django.db import migrations, models

EVENT_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.sequence IS NULL AND OLD.previous_hash IS NULL AND OLD.hash IS NULL
       AND NEW.sequence IS NOT NULL AND NEW.previous_hash IS NOT NULL AND NEW.hash IS NOT NULL
       AND to_jsonb(NEW) - ARRAY['sequence', 'previous_hash', 'hash']
           = to_jsonb(OLD) - ARRAY['sequence', 'previous_hash', 'hash']
       AND NEW.sequence > COALESCE(
           (SELECT last_sequence FROM audit_auditchainhead WHERE id = 1), 0
       ) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only (only an unchained event''s chain fields may be set, once)';
END;
$$ LANGUAGE plpgsql;
"""

HEAD_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_head_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'the audit chain head cannot be deleted';
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NEW.last_sequence <> 0
           OR EXISTS (SELECT 1 FROM audit_auditevent WHERE sequence IS NOT NULL)
           OR EXISTS (SELECT 1 FROM audit_auditchainhead) THEN
            RAISE EXCEPTION 'the audit chain head is created once, before the first chained event';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.id <> OLD.id
       OR NEW.last_sequence <= OLD.last_sequence
       OR NOT EXISTS (
           SELECT 1 FROM audit_auditevent
           WHERE sequence = NEW.last_sequence AND hash = NEW.last_hash
       ) THEN
        RAISE EXCEPTION 'the audit chain head only moves forward, to an appended event';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

# The functions as migrations 0002 and 0004 created them, for going back.
OLD_EVENT_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
"""

OLD_HEAD_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_head_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'the audit chain head cannot be deleted';
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NEW.last_sequence <> 0
           OR EXISTS (SELECT 1 FROM audit_auditevent)
           OR EXISTS (SELECT 1 FROM audit_auditchainhead) THEN
            RAISE EXCEPTION 'the audit chain head is created once, before the first event';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.id <> OLD.id
       OR NEW.last_sequence <= OLD.last_sequence
       OR NOT EXISTS (
           SELECT 1 FROM audit_auditevent
           WHERE sequence = NEW.last_sequence AND hash = NEW.last_hash
       ) THEN
        RAISE EXCEPTION 'the audit chain head only moves forward, to an appended event';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


def allow_chaining(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(EVENT_FUNCTION, params=None)
        schema_editor.execute(HEAD_FUNCTION, params=None)


def refuse_chaining(apps, schema_editor):
    """Back to one write per event: only possible when every event is chained."""
    AuditEvent = apps.get_model("audit", "AuditEvent")
    if AuditEvent.objects.filter(sequence__isnull=True).exists():
        raise RuntimeError(
            "Unchained audit events exist: run `manage.py chain_audit` before migrating back."
        )
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(OLD_EVENT_FUNCTION, params=None)
        schema_editor.execute(OLD_HEAD_FUNCTION, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0007_retention"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="auditevent",
            options={
                "ordering": ["-id"],
                "verbose_name": "revisionshændelse",
                "verbose_name_plural": "revisionshændelser",
            },
        ),
        migrations.AddField(
            model_name="auditevent",
            name="nonce",
            field=models.UUIDField(
                blank=True, editable=False, null=True, verbose_name="engangsværdi"
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seal",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=64,
                null=True,
                unique=True,
                verbose_name="segl",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(
                blank=True, max_length=64, null=True, unique=True, verbose_name="hash"
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="hash_version",
            field=models.PositiveSmallIntegerField(
                choices=[
                    (1, "SHA-256 uden nøgle (hændelser fra før nøglen)"),
                    (2, "HMAC-SHA256 med SSP_AUDIT_KEY"),
                    (3, "HMAC-SHA256 med SSP_AUDIT_KEY, forseglet ved skrivning"),
                ],
                verbose_name="hash-metode",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="previous_hash",
            field=models.CharField(
                blank=True, max_length=64, null=True, verbose_name="forrige hash"
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="sequence",
            field=models.PositiveBigIntegerField(
                blank=True, null=True, unique=True, verbose_name="løbenummer"
            ),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("sequence__isnull", True)),
                fields=["id"],
                name="audit_event_unchained_idx",
            ),
        ),
        migrations.RunPython(allow_chaining, refuse_chaining),
    ]
