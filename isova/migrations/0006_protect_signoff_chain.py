"""On PostgreSQL, also refuse TRUNCATE of sign-offs and protect each organisation's chain head.

- `isova_signoff`: a statement-level trigger refuses TRUNCATE (the row trigger of
  0002_records already refuses UPDATE and DELETE; TRUNCATE fires no row triggers).
- `isova_signoffchain`: DELETE and TRUNCATE are refused; an UPDATE must extend the chain by
  exactly one sign-off (length + 1, same organisation), which is what signing does.

A database owner or superuser can still disable the triggers; `manage.py verify_records` and
the chain heads it prints are what catch that (README, "Approvals and records").

Wiping the whole database (the test suite's flush) sets `isova.allow_wipe = 'on'` for its
session first; that escape hatch is no weaker than what a table owner can do anyway.
"""

from django.db import migrations


class PostgreSQLOnly(migrations.RunSQL):
    """RunSQL that runs on PostgreSQL only, so the same migrations still apply on SQLite."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


PROTECT = """
CREATE OR REPLACE FUNCTION isova_refuse_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('isova.allow_wipe', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '% is append-only: TRUNCATE refused', TG_TABLE_NAME
        USING HINT = 'Sign-offs and their chain heads are never removed.';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER isova_signoff_no_truncate
    BEFORE TRUNCATE ON isova_signoff
    FOR EACH STATEMENT EXECUTE FUNCTION isova_refuse_truncate();

CREATE TRIGGER isova_signoffchain_no_truncate
    BEFORE TRUNCATE ON isova_signoffchain
    FOR EACH STATEMENT EXECUTE FUNCTION isova_refuse_truncate();

CREATE OR REPLACE FUNCTION isova_signoffchain_extend_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'isova_signoffchain: DELETE refused'
            USING HINT = 'A chain head is never removed.';
    END IF;
    IF NEW.organisation_id <> OLD.organisation_id OR NEW.length <> OLD.length + 1 THEN
        RAISE EXCEPTION 'isova_signoffchain: an UPDATE must extend the chain by one (% to %)',
            OLD.length, NEW.length
            USING HINT = 'Only signing moves a chain head, one sign-off at a time.';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER isova_signoffchain_extend_only
    BEFORE UPDATE OR DELETE ON isova_signoffchain
    FOR EACH ROW EXECUTE FUNCTION isova_signoffchain_extend_only();
"""

UNPROTECT = """
DROP TRIGGER IF EXISTS isova_signoffchain_extend_only ON isova_signoffchain;
DROP FUNCTION IF EXISTS isova_signoffchain_extend_only();
DROP TRIGGER IF EXISTS isova_signoffchain_no_truncate ON isova_signoffchain;
DROP TRIGGER IF EXISTS isova_signoff_no_truncate ON isova_signoff;
DROP FUNCTION IF EXISTS isova_refuse_truncate();
"""


class Migration(migrations.Migration):
    dependencies = [("isova", "0005_recordversion_submission")]

    operations = [PostgreSQLOnly(PROTECT, UNPROTECT)]
