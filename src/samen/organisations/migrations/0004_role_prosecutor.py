"""The OM gets a role of its own: the public prosecutor (issue #14, ADR 0037).

Until now the OM's officers were members with the investigator role at an organisation of type
prosecution, because the register gave the prosecution the investigation purpose. Those
memberships become prosecutor memberships; going back makes them investigators again, so the
step is reversible (the role is the only thing that changes).
"""


from django.db import migrations, models


def _move(apps, schema_editor, old: str, new: str) -> None:
    Membership = apps.get_model("organisations", "Membership")
    Membership.objects.using(schema_editor.connection.alias).filter(
        organisation__type="prosecution", role=old
    ).update(role=new)


def forwards(apps, schema_editor):
    _move(apps, schema_editor, "investigator", "prosecutor")


def backwards(apps, schema_editor):
    _move(apps, schema_editor, "prosecutor", "investigator")


class Migration(migrations.Migration):

    dependencies = [
        ('organisations', '0003_role_review_member'),
    ]

    operations = [
        migrations.AlterField(
            model_name='membership',
            name='role',
            field=models.CharField(choices=[('field_professional', 'Field professional'), ('care_coordinator', 'Care coordinator'), ('shelter_staff', 'Shelter staff'), ('investigator', 'Investigator'), ('prosecutor', 'Public prosecutor'), ('national_registrar', 'National registrar'), ('ind_officer', 'IND officer'), ('guardian', 'Guardian'), ('programme_staff', 'Programme staff'), ('privacy_officer', 'Privacy officer'), ('functional_admin', 'Functional administrator'), ('review_member', 'Review group member')], max_length=32, verbose_name='role'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
