"""The register gets the online analyst's purpose, role and grant (issue #18).

register.json is loaded only into an empty register; a register loaded earlier gets the same
additions here, only where they are missing, so nothing the privacy officer edited is overwritten.
"""

import json
from pathlib import Path

from django.db import migrations

REGISTER = Path(__file__).resolve().parents[2] / "core" / "data" / "register.json"
PURPOSES = ("online_signals",)
ROLES = ("online_analyst",)


def forwards(apps, schema_editor):
    Purpose = apps.get_model("sharing", "Purpose")
    DataCategory = apps.get_model("sharing", "DataCategory")
    ProcessingRule = apps.get_model("sharing", "ProcessingRule")
    RolePurpose = apps.get_model("sharing", "RolePurpose")
    db = schema_editor.connection.alias
    if not Purpose.objects.using(db).exists():
        return  # an empty register: post_migrate loads the whole file, this included
    data = json.loads(REGISTER.read_text(encoding="utf-8"))
    for p in data["purposes"]:
        if p["code"] in PURPOSES:
            Purpose.objects.using(db).get_or_create(
                code=p["code"], defaults={"name_nl": p["nl"], "name_en": p["en"]}
            )
    for role in ROLES:
        if RolePurpose.objects.using(db).filter(role=role).exists():
            continue
        for order, code in enumerate(data["role_purposes"][role]):
            purpose = Purpose.objects.using(db).get(code=code)
            RolePurpose.objects.using(db).create(role=role, purpose=purpose, order=order)
    for grant in data["grants"]:
        if grant["purpose"] not in PURPOSES:
            continue
        purpose = Purpose.objects.using(db).get(code=grant["purpose"])
        for org_type in grant["organisation_types"]:
            for code in grant["categories"]:
                category = DataCategory.objects.using(db).filter(code=code).first()
                if category is None:
                    continue
                ProcessingRule.objects.using(db).get_or_create(
                    organisation_type=org_type,
                    purpose=purpose,
                    category=category,
                    defaults={
                        "legal_basis": grant["legal_basis"],
                        "sector_law": grant.get("sector_law", ""),
                        "retention_days": grant["retention_days"],
                        "share_with": grant.get("share_with", []),
                    },
                )


class Migration(migrations.Migration):
    dependencies = [
        ("online", "0002_scan_lead_mark_notice"),
        ("organisations", "0006_role_online_analyst"),
        ("sharing", "0009_prosecution_purpose_prosecutor"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
