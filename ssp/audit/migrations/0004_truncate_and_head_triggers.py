"""On PostgreSQL, also refuse TRUNCATE of the trail and any change of the chain head other than
appending: the head only moves forward, to an event that exists with that hash, and is never
deleted. Together with 0002 (no UPDATE or DELETE of events) a role without the right to switch
triggers off can only append.

Django's test runner empties tables with TRUNCATE between transactional tests; that stays
possible only in a test database (named test_*) whose connection sets
`ssp.test_database_flush = on` (ssp/settings.py does so under pytest).
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_refuse_truncate() RETURNS trigger AS $$
BEGIN
    IF current_database() LIKE 'test\\_%'
       AND current_setting('ssp.test_database_flush', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the audit trail cannot be truncated (%)', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_no_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();
CREATE TRIGGER audit_head_no_truncate
    BEFORE TRUNCATE ON audit_auditchainhead
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_truncate();

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
CREATE TRIGGER audit_head_append_only
    BEFORE INSERT OR UPDATE OR DELETE ON audit_auditchainhead
    FOR EACH ROW EXECUTE FUNCTION audit_head_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_head_append_only ON audit_auditchainhead;
DROP FUNCTION IF EXISTS audit_head_append_only();
DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_auditchainhead;
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_refuse_truncate();
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_hash_version_and_protected_actor")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
