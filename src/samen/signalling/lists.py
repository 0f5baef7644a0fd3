"""Signal lists (signalenkaarten) kept as versioned JSON files, synced into the database by the
rules every versioned data file follows (samen.versioned)."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from samen import versioned
from samen.signalling.models import Indicator, SignalList

LISTS_DIR = Path(__file__).parent / "data" / "signal_lists"
SEVERITIES = {"low", "medium", "high"}


def read_list_files(directory: Path | None = None) -> list[dict]:
    return versioned.read_files(
        directory or LISTS_DIR, lambda data, name: validate_list(data, source=name)
    )


def validate_list(data: dict, *, source: str) -> None:
    codes = set()
    for cat in data["categories"]:
        for ind in cat["indicators"]:
            if ind["severity"] not in SEVERITIES:
                raise ValueError(
                    f"{source}: {ind['code']} has unknown severity {ind['severity']!r}"
                )
            if ind["code"] in codes:
                raise ValueError(f"{source}: duplicate indicator code {ind['code']}")
            codes.add(ind["code"])


def signal_lists_sync(using: str = "default") -> int:
    """Create each list version that is not in the database yet; mark the newest as current.

    A changed file with the same version number is refused: published versions are immutable,
    because recorded signals refer to them.
    """
    with transaction.atomic(using=using):
        return versioned.sync_versions(
            SignalList.objects.using(using),
            read_list_files(),
            key="code",
            what="signal list",
            create=lambda data: _list_create(data, using),
        )


def _list_create(data: dict, using: str) -> None:
    sl = SignalList.objects.using(using).create(
        code=data["code"],
        version=data["version"],
        title_nl=data["title"]["nl"],
        title_en=data["title"]["en"],
        setting_nl=data.get("setting", {}).get("nl", ""),
        setting_en=data.get("setting", {}).get("en", ""),
        description_nl=data.get("description", {}).get("nl", ""),
        description_en=data.get("description", {}).get("en", ""),
        checksum=data["_checksum"],
    )
    order = 0
    rows = []
    for cat in data["categories"]:
        for ind in cat["indicators"]:
            order += 1
            rows.append(
                Indicator(
                    signal_list=sl,
                    code=ind["code"],
                    category_code=cat["code"],
                    category_nl=cat["title"]["nl"],
                    category_en=cat["title"]["en"],
                    text_nl=ind["text"]["nl"],
                    text_en=ind["text"]["en"],
                    severity=ind["severity"],
                    acute=bool(ind.get("acute")),
                    concerns_minor=bool(ind.get("minor")),
                    order=order,
                )
            )
    Indicator.objects.using(using).bulk_create(rows)
    SignalList.objects.using(using).filter(code=sl.code).exclude(pk=sl.pk).update(is_current=False)
