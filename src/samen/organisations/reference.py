"""Loading the municipalities, safety regions and provinces from the bundled CBS-coded list."""

import csv
from pathlib import Path

DATA_FILE = Path(__file__).parent / "data" / "gemeenten.csv"


def read_municipalities(path: Path = DATA_FILE) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load_reference(apps=None) -> tuple[int, int, int]:
    """Upsert the reference list; returns (provinces, regions, municipalities). Idempotent."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Province = apps.get_model("organisations", "Province")
    SafetyRegion = apps.get_model("organisations", "SafetyRegion")
    Municipality = apps.get_model("organisations", "Municipality")
    rows = read_municipalities()
    provinces = {}
    regions = {}
    for row in rows:
        name = row["provincie"]
        if name not in provinces:
            provinces[name], _ = Province.objects.get_or_create(name=name)
        code = row["vr_code"]
        if code not in regions:
            regions[code], _ = SafetyRegion.objects.update_or_create(
                code=code, defaults={"name": row["veiligheidsregio"]}
            )
        Municipality.objects.update_or_create(
            code=row["gm_code"],
            defaults={
                "name": row["gemeentenaam"],
                "region": regions[code],
                "province": provinces[name],
            },
        )
    return len(provinces), len(regions), len(rows)
