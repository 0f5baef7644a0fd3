"""The IND gets a purpose and grant of its own: residence (B8/3), without exploitation data.

register.json is loaded only into an empty register (the privacy officer keeps it afterwards), so
a database loaded earlier still has the IND officer acting under the identification purpose it
shares with the police and CoMensha, which holds exploitation data (issue #12, ADR 0017). This
adds the residence purpose and the IND's grant for it, and moves the IND officer onto it, but
only where the register still holds what the file gave: an edit by the privacy officer (another
purpose for the role, other IND rules) is never overwritten. A fresh database gets it all from
the file.
"""

from django.db import migrations

PURPOSE = {"code": "residence", "nl": "Verblijfsrecht van slachtoffers (B8/3)",
           "en": "Residence of victims (B8/3)"}  # fmt: skip
CATEGORIES = ["identity", "demographics", "immigration", "minors"]
LEGAL_BASIS = "AVG art. 6 lid 1 sub c en e"
SECTOR_LAW = (
    "Vreemdelingenwet 2000 art. 107; Vreemdelingenbesluit 2000 art. 3.48; "
    "Vreemdelingencirculaire 2000 hoofdstuk B8/3"
)
# What the file gave the IND before: the identification grant it shared with others.
OLD_IND_BASIS = "AVG art. 6 lid 1 sub c en e; art. 9 lid 2 sub g"


def forwards(apps, schema_editor):
    Purpose = apps.get_model("sharing", "Purpose")
    DataCategory = apps.get_model("sharing", "DataCategory")
    ProcessingRule = apps.get_model("sharing", "ProcessingRule")
    RolePurpose = apps.get_model("sharing", "RolePurpose")
    db = schema_editor.connection.alias
    if not Purpose.objects.using(db).exists():
        return  # an empty register: post_migrate loads the whole file, this included
    residence, _ = Purpose.objects.using(db).get_or_create(
        code=PURPOSE["code"], defaults={"name_nl": PURPOSE["nl"], "name_en": PURPOSE["en"]}
    )
    rules = ProcessingRule.objects.using(db).filter(organisation_type="ind", purpose=residence)
    if not rules.exists():
        for code in CATEGORIES:
            category = DataCategory.objects.using(db).filter(code=code).first()
            if category is not None:
                ProcessingRule.objects.using(db).create(
                    organisation_type="ind",
                    purpose=residence,
                    category=category,
                    legal_basis=LEGAL_BASIS,
                    sector_law=SECTOR_LAW,
                    retention_days=1825,
                    share_with=[],
                )
    held = list(
        RolePurpose.objects.using(db)
        .filter(role="ind_officer")
        .values_list("purpose__code", flat=True)
    )
    if held == ["identification"]:  # as the file gave it, untouched by the privacy officer
        RolePurpose.objects.using(db).filter(role="ind_officer").delete()
        RolePurpose.objects.using(db).create(role="ind_officer", purpose=residence, order=0)
        ProcessingRule.objects.using(db).filter(
            organisation_type="ind", purpose__code="identification", legal_basis=OLD_IND_BASIS
        ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0005_role_purposes_ind_officer_guardian"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
