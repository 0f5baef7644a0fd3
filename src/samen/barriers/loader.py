"""Barrier models kept as versioned JSON files, synced into the database (like signal lists)."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from samen import versioned
from samen.barriers.models import Barrier, BarrierModel, Form, Step
from samen.organisations.models import OrganisationType
from samen.signalling.lists import read_list_files

MODELS_DIR = Path(__file__).parent / "data" / "models"
STEP_CODES = ("recruitment", "transport", "housing", "identity", "work", "money")


def read_model_files(directory: Path | None = None) -> list[dict]:
    indicator_codes = {
        ind["code"]
        for sl in read_list_files()
        for cat in sl["categories"]
        for ind in cat["indicators"]
    }
    return versioned.read_files(
        directory or MODELS_DIR,
        lambda data, source: validate_model(data, source=source, indicator_codes=indicator_codes),
    )


def validate_model(data: dict, *, source: str, indicator_codes: set[str]) -> None:
    """A model names known forms, steps, partner types and signal-list indicators only."""
    if data["form"] not in Form.values:
        raise ValueError(f"{source}: unknown form {data['form']!r}")
    seen_steps: set[str] = set()
    for step in data["steps"]:
        if step["code"] not in STEP_CODES or step["code"] in seen_steps:
            raise ValueError(f"{source}: unknown or repeated step {step['code']!r}")
        seen_steps.add(step["code"])
        unknown = set(step.get("indicators", [])) - indicator_codes
        if unknown:
            raise ValueError(f"{source}: step {step['code']} names unknown indicators {unknown}")
        for barrier in step["barriers"]:
            bad = set(barrier["partners"]) - set(OrganisationType.values)
            if bad or not barrier["partners"]:
                raise ValueError(f"{source}: barrier {barrier['code']} has bad partners {bad}")


def barrier_models_sync(using: str = "default") -> int:
    """Create each model version not in the database yet; the newest per form is current.
    A changed file with the same version number is refused: raised barriers refer to it."""
    with transaction.atomic(using=using):
        created = versioned.sync_versions(
            BarrierModel.objects.using(using),
            read_model_files(),
            key="form",
            what="barrier model",
            create=lambda data: _create(data, using),
        )
        for form in Form.values:
            newest = (
                BarrierModel.objects.using(using).filter(form=form).order_by("-version").first()
            )
            if newest:
                BarrierModel.objects.using(using).filter(form=form).update(is_current=False)
                BarrierModel.objects.using(using).filter(pk=newest.pk).update(is_current=True)
    return created


def _create(data: dict, using: str) -> BarrierModel:
    model = BarrierModel.objects.using(using).create(
        form=data["form"],
        version=data["version"],
        title_nl=data["title"]["nl"],
        title_en=data["title"]["en"],
        description_nl=data.get("description", {}).get("nl", ""),
        description_en=data.get("description", {}).get("en", ""),
        checksum=data["_checksum"],
    )
    for s_order, s in enumerate(data["steps"], start=1):
        step = Step.objects.using(using).create(
            model=model,
            code=s["code"],
            order=s_order,
            title_nl=s["title"]["nl"],
            title_en=s["title"]["en"],
            indicator_codes=list(s.get("indicators", [])),
        )
        Barrier.objects.using(using).bulk_create(
            Barrier(
                step=step,
                code=b["code"],
                order=b_order,
                title_nl=b["title"]["nl"],
                title_en=b["title"]["en"],
                description_nl=b["description"]["nl"],
                description_en=b["description"]["en"],
                partner_types=list(b["partners"]),
                instrument_nl=b["instrument"]["nl"],
                instrument_en=b["instrument"]["en"],
            )
            for b_order, b in enumerate(s["barriers"], start=1)
        )
    return model
