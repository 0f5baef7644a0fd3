"""The OM gets a purpose and grant of its own: prosecution, for the prosecutor role (issue #14,
ADR 0037).

Until now the OM held the investigation grant it shared with the police, which carries contact,
location, exploitation, minors' data and free text. The prosecutor reads the criminal case (the
report, the prosecution's decisions) and the residence facts its decisions act on, and nothing
of the care. register.json is loaded only into an empty register, so a register loaded earlier
gets the purpose, the grant and the role's purpose here, and loses the OM's investigation rules
only where they are still as the file gave them: rules the privacy officer changed or added are
never touched. Going back removes what this added and restores the investigation rules from the
police's (the reverse of what the file did).
"""

from django.db import migrations

PURPOSE = {"code": "prosecution", "nl": "Strafvervolging", "en": "Prosecution"}
CATEGORIES = ["identity", "demographics", "criminal", "prosecution_decisions", "immigration"]
LEGAL_BASIS = (
    "Richtlijn (EU) 2016/680; AVG art. 10 (alleen de strafzaak: aangifte, beslissingen, en het "
    "verblijfsrecht dat ervan afhangt; geen zorg- of gezondheidsgegevens)"
)
SECTOR_LAW = (
    "Wet justitiële en strafvorderlijke gegevens art. 39a e.v.; Aanwijzing mensenhandel; "
    "Vreemdelingencirculaire 2000 hoofdstuk B8/3 (het OM meldt zijn beslissingen aan de IND)"
)
# What the file gave the OM before: the investigation grant it shared with the police.
OLD_INVESTIGATION_BASIS = "Richtlijn (EU) 2016/680; AVG art. 10 voor niet-politiegegevens"


def forwards(apps, schema_editor):
    Purpose = apps.get_model("sharing", "Purpose")
    DataCategory = apps.get_model("sharing", "DataCategory")
    ProcessingRule = apps.get_model("sharing", "ProcessingRule")
    RolePurpose = apps.get_model("sharing", "RolePurpose")
    db = schema_editor.connection.alias
    if not Purpose.objects.using(db).exists():
        return  # an empty register: post_migrate loads the whole file, this included
    prosecution, _ = Purpose.objects.using(db).get_or_create(
        code=PURPOSE["code"], defaults={"name_nl": PURPOSE["nl"], "name_en": PURPOSE["en"]}
    )
    rules = ProcessingRule.objects.using(db)
    if not rules.filter(organisation_type="prosecution", purpose=prosecution).exists():
        for code in CATEGORIES:
            category = DataCategory.objects.using(db).filter(code=code).first()
            if category is not None:
                rules.create(
                    organisation_type="prosecution", purpose=prosecution, category=category,
                    legal_basis=LEGAL_BASIS, sector_law=SECTOR_LAW, retention_days=1825,
                    share_with=[],
                )  # fmt: skip
    roles = RolePurpose.objects.using(db)
    if not roles.filter(role="prosecutor").exists():
        roles.create(role="prosecutor", purpose=prosecution, order=0)
    rules.filter(
        organisation_type="prosecution",
        purpose__code="investigation",
        legal_basis=OLD_INVESTIGATION_BASIS,
    ).delete()


def backwards(apps, schema_editor):
    Purpose = apps.get_model("sharing", "Purpose")
    ProcessingRule = apps.get_model("sharing", "ProcessingRule")
    RolePurpose = apps.get_model("sharing", "RolePurpose")
    db = schema_editor.connection.alias
    rules = ProcessingRule.objects.using(db)
    for rule in rules.filter(
        organisation_type="police",
        purpose__code="investigation",
        legal_basis=OLD_INVESTIGATION_BASIS,
    ):
        rules.get_or_create(
            organisation_type="prosecution", purpose=rule.purpose, category=rule.category,
            defaults={"legal_basis": rule.legal_basis, "sector_law": rule.sector_law,
                      "retention_days": rule.retention_days, "share_with": rule.share_with},
        )  # fmt: skip
    rules.filter(organisation_type="prosecution", purpose__code="prosecution").delete()
    RolePurpose.objects.using(db).filter(role="prosecutor").delete()
    Purpose.objects.using(db).filter(code="prosecution").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0008_prosecution_decisions_category"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
