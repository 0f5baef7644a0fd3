"""Forms of exploitation as data: the revised EU directive added some; more may follow."""

import json
from pathlib import Path

from samen.cases.models import ExploitationForm

FORMS_FILE = Path(__file__).parent / "data" / "exploitation_forms.json"


def exploitation_forms_sync(using: str = "default") -> int:
    rows = json.loads(FORMS_FILE.read_text(encoding="utf-8"))
    for order, row in enumerate(rows, start=1):
        ExploitationForm.objects.using(using).update_or_create(
            code=row["code"],
            defaults={"name_nl": row["name"]["nl"], "name_en": row["name"]["en"], "order": order},
        )
    return len(rows)
