"""On PostgreSQL the audit table rejects UPDATE and DELETE at the database itself, so not even a
bug or a console session through the application's role can rewrite history. (TRUNCATE, which
test-database flushes use, needs table ownership and is not an application path.)"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION samen_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'sharing_auditentry is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS samen_audit_append_only ON sharing_auditentry;
CREATE TRIGGER samen_audit_append_only
    BEFORE UPDATE OR DELETE ON sharing_auditentry
    FOR EACH ROW EXECUTE FUNCTION samen_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS samen_audit_append_only ON sharing_auditentry;
DROP FUNCTION IF EXISTS samen_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("sharing", "0002_auditchainhead_datacategory_purpose_and_more")]
    operations = [migrations.RunPython(forwards, backwards)]
