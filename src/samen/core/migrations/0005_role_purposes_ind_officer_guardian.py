"""The IND officer and guardian roles get their purposes in a register loaded before they existed.

register.json is loaded only into an empty register (the privacy officer keeps it afterwards), so
a database loaded earlier would leave the new roles without any purpose: they could not act at
all. This adds the purposes the file names for them, and only where the role has none yet, so an
edit by the privacy officer is never overwritten. A fresh database gets them from the file.
"""

from django.db import migrations

NEW_ROLE_PURPOSES = {
    "ind_officer": ["identification"],
    "guardian": ["care_coordination"],
}


def add_role_purposes(apps, schema_editor):
    Purpose = apps.get_model("sharing", "Purpose")
    RolePurpose = apps.get_model("sharing", "RolePurpose")
    db = schema_editor.connection.alias
    if not Purpose.objects.using(db).exists():
        return  # an empty register: post_migrate loads the whole file, these included
    for role, codes in NEW_ROLE_PURPOSES.items():
        if RolePurpose.objects.using(db).filter(role=role).exists():
            continue
        for order, code in enumerate(codes):
            purpose = Purpose.objects.using(db).filter(code=code).first()
            if purpose is not None:
                RolePurpose.objects.using(db).create(role=role, purpose=purpose, order=order)


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0004_audit_subject"),
    ]

    operations = [
        migrations.RunPython(add_role_purposes, migrations.RunPython.noop),
    ]
