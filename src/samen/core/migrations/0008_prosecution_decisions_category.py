"""The prosecution's decisions get a data category of their own (issue #14, ADR 0030).

The OM's decisions on the criminal case (investigation started, dismissal, complaint under
art. 12 Sv, prosecution, verdict) decide the B8/3 permit, so the IND reads them; the report
itself stays criminal data the IND does not read (ADR 0017). register.json is loaded only into an
empty register, so a register loaded earlier gets the category and its rules here: for the
investigating services and the OM (investigation) beside their criminal-data rule, and for the
IND (residence). Rules the privacy officer already holds are never overwritten.
"""

from django.db import migrations

CATEGORY = {"code": "prosecution_decisions", "nl": "Beslissingen in de strafzaak",
            "en": "Prosecution decisions"}  # fmt: skip
IND_BASIS = (
    "AVG art. 6 lid 1 sub c en e; art. 10; UAVG art. 33 (alleen de beslissingen in de strafzaak, "
    "die de B8/3-vergunning bepalen; niet de aangifte)"
)


def forwards(apps, schema_editor):
    Purpose = apps.get_model("sharing", "Purpose")
    DataCategory = apps.get_model("sharing", "DataCategory")
    ProcessingRule = apps.get_model("sharing", "ProcessingRule")
    db = schema_editor.connection.alias
    if not Purpose.objects.using(db).exists():
        return  # an empty register: post_migrate loads the whole file, this included
    category, _ = DataCategory.objects.using(db).get_or_create(
        code=CATEGORY["code"],
        defaults={"name_nl": CATEGORY["nl"], "name_en": CATEGORY["en"], "special": True},
    )
    rules = ProcessingRule.objects.using(db)
    # Whoever may process criminal data for investigation may process the decisions too.
    for rule in rules.filter(purpose__code="investigation", category__code="criminal"):
        rules.get_or_create(
            organisation_type=rule.organisation_type, purpose=rule.purpose, category=category,
            defaults={"legal_basis": rule.legal_basis, "sector_law": rule.sector_law,
                      "retention_days": rule.retention_days, "share_with": rule.share_with},
        )  # fmt: skip
    residence = Purpose.objects.using(db).filter(code="residence").first()
    template = rules.filter(organisation_type="ind", purpose=residence).first()
    if residence is not None and template is not None:
        rules.get_or_create(
            organisation_type="ind", purpose=residence, category=category,
            defaults={"legal_basis": IND_BASIS, "sector_law": template.sector_law,
                      "retention_days": template.retention_days, "share_with": []},
        )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0007_register_version"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
