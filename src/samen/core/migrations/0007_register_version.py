"""A register version whose token a trigger renews on every write to the register's tables,
so processes may cache the register and check it is current in one query (ADR 0028)."""

from django.db import migrations, models

# Every write to a table the register is read from gives the version a fresh random token.
TABLES = (
    "sharing_processingrule",
    "sharing_purpose",
    "sharing_datacategory",
    "sharing_rolepurpose",
)
PG_FUNCTION = """
CREATE OR REPLACE FUNCTION samen_register_changed() RETURNS trigger AS $$
BEGIN
    INSERT INTO sharing_registerversion (id, token) VALUES (1, gen_random_uuid()::text)
        ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""
PG_TRIGGER = """
DROP TRIGGER IF EXISTS samen_register_changed ON {table};
CREATE TRIGGER samen_register_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION samen_register_changed();
"""
SQLITE_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS samen_register_{op}_{table} AFTER {op} ON {table}
BEGIN
    INSERT OR REPLACE INTO sharing_registerversion (id, token)
        VALUES (1, lower(hex(randomblob(16))));
END;
"""


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        for table in TABLES:
            schema_editor.execute(PG_TRIGGER.format(table=table), params=None)
    elif vendor == "sqlite":
        for table in TABLES:
            for op in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(SQLITE_TRIGGER.format(op=op, table=table), params=None)
    apps.get_model("sharing", "RegisterVersion").objects.update_or_create(
        id=1, defaults={"token": "initial"}
    )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS samen_register_changed ON {table}")
        elif vendor == "sqlite":
            for op in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS samen_register_{op}_{table}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS samen_register_changed()")


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0006_ind_residence_purpose"),
    ]

    operations = [
        migrations.CreateModel(
            name="RegisterVersion",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False),
                ),
                ("token", models.CharField(max_length=40)),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
