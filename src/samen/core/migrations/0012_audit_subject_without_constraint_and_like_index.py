import django.db.models.deletion
from django.db import migrations, models

# The LIKE index PostgreSQL's schema editor adds beside a CharField's index; its name follows
# from the table and column (Django's _create_index_name with the suffix "_like").
LIKE_INDEX = "sharing_auditsubject_case_number_5ffc77d6_like"


def drop_like_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {LIKE_INDEX}")


def restore_like_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {LIKE_INDEX} "
            "ON sharing_auditsubject (case_number varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    """The audit subject rows without what only costs (ADR 0073): the foreign-key constraint on
    the entry (the append inserts each row joined to the entry it has just inserted, entries are
    append-only, verify hashes every row with its entry) and the `varchar_pattern_ops` index on
    the case number (nothing looks case numbers up with LIKE; the plain index stays)."""

    dependencies = [
        ("sharing", "0011_audit_entry_form_and_subject_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditsubject",
            name="entry",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="subjects",
                to="sharing.auditentry",
            ),
        ),
        migrations.RunPython(drop_like_index, restore_like_index, elidable=False),
    ]
