"""Loading the municipalities, safety regions and provinces from the bundled CBS-coded list."""

import csv
from pathlib import Path

from samen.organisations.models import Municipality as M
from samen.organisations.models import Province as P
from samen.organisations.models import SafetyRegion as R

DATA_FILE = Path(__file__).parent / "data" / "gemeenten.csv"


def read_municipalities(path: Path = DATA_FILE) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def load_reference(using: str = "default") -> tuple[int, int, int]:
    """Upsert the reference list; returns (provinces, regions, municipalities). Idempotent."""
    Province, SafetyRegion, Municipality = (
        P.objects.using(using),
        R.objects.using(using),
        M.objects.using(using),
    )
    rows = read_municipalities()
    existing = {
        (m.code, m.name, m.region.code, m.province.name)
        for m in Municipality.select_related("region", "province")
    }
    if len(existing) == len(rows) and existing == {
        (r["gm_code"], r["gemeentenaam"], r["vr_code"], r["provincie"]) for r in rows
    }:
        return len({r["provincie"] for r in rows}), len({r["vr_code"] for r in rows}), len(rows)
    provinces = {}
    regions = {}
    for row in rows:
        name = row["provincie"]
        if name not in provinces:
            provinces[name], _ = Province.get_or_create(name=name)
        code = row["vr_code"]
        if code not in regions:
            regions[code], _ = SafetyRegion.update_or_create(
                code=code, defaults={"name": row["veiligheidsregio"]}
            )
        Municipality.update_or_create(
            code=row["gm_code"],
            defaults={
                "name": row["gemeentenaam"],
                "region": regions[code],
                "province": provinces[name],
            },
        )
    return len(provinces), len(regions), len(rows)
