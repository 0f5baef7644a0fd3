"""Audit entries keep the exact bytes their hash covers (ADR 0050). Entries appended before keep
NULL and are verified from their columns, as before: the table is append-only, so nothing is
backfilled (an UPDATE of a million audit rows would need the append-only trigger disabled)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sharing', '0010_throttle_count'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditentry',
            name='canonical',
            field=models.TextField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(condition=models.Q(('canonical__isnull', True)), fields=['seq'], name='audit_entry_unsealed_seq'),
        ),
    ]
