"""An auth version whose token triggers renew on every write that can change whether an API
token works, so processes may keep checked tokens in memory and know in the statement each call
runs anyway that they are current (ADR 0074)."""

from django.db import migrations, models

# Tables where any write counts (PostgreSQL: a statement trigger, as the register's).
WHOLE = (
    "organisations_membership",
    "organisations_organisation",
    "organisations_municipality",
    "organisations_safetyregion",
)
# Tables where an update counts unless it touched only columns that change on their own and
# that no token check reads: a token's last use, a user's last sign-in, a device's counters.
# On PostgreSQL the row is compared whole but those columns, so a column added later counts
# by itself; SQLite compares the columns listed (a test updates every field of each model and
# fails for one a trigger misses).
BUT = {
    "accounts_apitoken": ("last_used_at",),
    "accounts_user": ("last_login",),
}
BUT_COLUMNS = {
    "accounts_apitoken": (
        "id", "prefix", "secret_hash", "user_id", "membership_id", "role", "otp_device",
        "created_at", "expires_at", "revoked_at", "revoked_by_id",
    ),
    "accounts_user": (
        "id", "password", "is_superuser", "username", "first_name", "last_name", "email",
        "is_staff", "is_active", "date_joined", "is_synthetic",
    ),
}  # fmt: skip
# Devices: only which user a device belongs to and whether it is confirmed (its counters and
# last use change at every code checked).
DEVICES = ("otp_totp_totpdevice", "accounts_identityproviderdevice")
DEVICE_COLUMNS = ("id", "user_id", "confirmed")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION samen_auth_changed() RETURNS trigger AS $$
BEGIN
    INSERT INTO accounts_authversion (id, token) VALUES (1, gen_random_uuid()::text)
        ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""
PG_STATEMENT = """
DROP TRIGGER IF EXISTS samen_auth_changed ON {table};
CREATE TRIGGER samen_auth_changed
    AFTER {ops} ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION samen_auth_changed();
"""
PG_ROW = """
DROP TRIGGER IF EXISTS samen_auth_row_changed ON {table};
CREATE TRIGGER samen_auth_row_changed
    AFTER UPDATE ON {table}
    FOR EACH ROW WHEN ({when})
    EXECUTE FUNCTION samen_auth_changed();
"""
SQLITE_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS samen_auth_{op}_{table} AFTER {op} ON {table}{when}
BEGIN
    INSERT OR REPLACE INTO accounts_authversion (id, token)
        VALUES (1, lower(hex(randomblob(16))));
END;
"""


def _sqlite_changed(columns) -> str:
    return " OR ".join(f'OLD."{c}" IS NOT NEW."{c}"' for c in columns)


def _pg_changed(columns) -> str:
    old = ", ".join(f'OLD."{c}"' for c in columns)
    new = ", ".join(f'NEW."{c}"' for c in columns)
    return f"({old}) IS DISTINCT FROM ({new})"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        for table in WHOLE:
            ops = "INSERT OR UPDATE OR DELETE OR TRUNCATE"
            schema_editor.execute(PG_STATEMENT.format(table=table, ops=ops), params=None)
        for table, but in BUT.items():
            ops = "INSERT OR DELETE OR TRUNCATE"
            schema_editor.execute(PG_STATEMENT.format(table=table, ops=ops), params=None)
            left = " - ".join(f"'{c}'" for c in but)
            when = f"(to_jsonb(OLD) - {left}) IS DISTINCT FROM (to_jsonb(NEW) - {left})"
            schema_editor.execute(PG_ROW.format(table=table, when=when), params=None)
        for table in DEVICES:
            ops = "INSERT OR DELETE OR TRUNCATE"
            schema_editor.execute(PG_STATEMENT.format(table=table, ops=ops), params=None)
            when = _pg_changed(DEVICE_COLUMNS)
            schema_editor.execute(PG_ROW.format(table=table, when=when), params=None)
    elif vendor == "sqlite":
        watched = {
            **{t: None for t in WHOLE},
            **BUT_COLUMNS,
            **{t: DEVICE_COLUMNS for t in DEVICES},
        }
        for table, columns in watched.items():
            for op in ("INSERT", "UPDATE", "DELETE"):
                when = f" WHEN {_sqlite_changed(columns)}" if op == "UPDATE" and columns else ""
                schema_editor.execute(
                    SQLITE_TRIGGER.format(op=op, table=table, when=when), params=None
                )
    apps.get_model("accounts", "AuthVersion").objects.update_or_create(
        id=1, defaults={"token": "initial"}
    )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    tables = (*WHOLE, *BUT, *DEVICES)
    for table in tables:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS samen_auth_changed ON {table}")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS samen_auth_row_changed ON {table}")
        elif vendor == "sqlite":
            for op in ("INSERT", "UPDATE", "DELETE"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS samen_auth_{op}_{table}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS samen_auth_changed()")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_external_identity_and_idp_device"),
        ("organisations", "0006_role_online_analyst"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuthVersion",
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
