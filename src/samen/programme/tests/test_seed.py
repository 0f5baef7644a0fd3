"""Loading the register from the seed progress letter."""

import pytest

from samen.programme.letter import read_letter
from samen.programme.models import (
    Action,
    ActionLine,
    ActionStatus,
    Commitment,
    IndicatorValue,
    ItemStatus,
    Motion,
    Recommendation,
)
from samen.programme.seed import SeedMismatch, load_seed

pytestmark = pytest.mark.django_db


def test_loads_the_letter_content(seed_letter):
    result = load_seed(letter_file=seed_letter)
    assert ActionLine.objects.count() == 6
    assert Motion.objects.count() == 15  # 16 references, one of which is a bill (36 835, nr. 2)
    assert Motion.objects.filter(status=ItemStatus.DONE).count() == 6
    assert Commitment.objects.count() == 7
    assert set(Recommendation.objects.values_list("body", flat=True)) == {"greta", "osce"}
    assert Action.objects.get(code="al4-barrieremodellen").status == ActionStatus.DELAYED
    assert set(Action.objects.exclude(number=None).values_list("number", flat=True)) == {23, 24, 26}
    minors = IndicatorValue.objects.filter(indicator__code="registered-minor-victims")
    assert {(v.period, int(v.value)) for v in minors} == {("2023", 52), ("2024", 79)}
    assert result.letter.text.startswith(" Mensenhandel is een ernstige schending")


def test_every_letter_record_has_provenance(seed_letter):
    letter = load_seed(letter_file=seed_letter).letter
    for model in (ActionLine, Action, Motion, Commitment, Recommendation):
        for record in model.objects.all():
            assert record.source_letter == letter, record
            assert record.source_passage and record.source_location, record
    for value in IndicatorValue.objects.all():
        # The yearly totals come from the National Rapporteur, not the letter; they say so.
        assert value.source_letter == letter or value.source_note, value


def test_is_idempotent(seed_letter):
    load_seed(letter_file=seed_letter)
    counts = [m.objects.count() for m in (Action, Motion, Commitment, IndicatorValue)]
    again = load_seed()
    assert again.created == {}
    assert [m.objects.count() for m in (Action, Motion, Commitment, IndicatorValue)] == counts
    assert Motion.objects.get(dossier="36547", document_number="36").submitters.count() == 2


def test_seed_data_agrees_with_the_reader(seed_letter):
    """The hand-copied register and the automatic reading of the letter tell the same story."""
    load_seed()
    reading = read_letter(seed_letter)
    for item in reading.items:
        if item.kind != "motion":
            continue
        ref = item.reference
        motion = Motion.objects.get(
            dossier=ref.dossier, suffix=ref.suffix, document_number=ref.number
        )
        assert motion.letter_status == item.status.value, motion
        assert [s.name for s in motion.submitters.all()] == [m.name for m in item.members]
        assert [s.party for s in motion.submitters.all()] == [m.party for m in item.members]
        assert motion.parliamentary_year == ref.year
        assert motion.co_signers == item.co_signers


def test_a_later_status_is_not_overwritten(seed_letter):
    from samen.programme.models import Letter

    load_seed()
    later = Letter.objects.create(title="Voortgangsbrief voorjaar 2026", sha256="b" * 64)
    Motion.objects.filter(document_number="34").update(status=ItemStatus.DONE, status_letter=later)
    load_seed()
    assert Motion.objects.get(document_number="34").status == ItemStatus.DONE


def test_refuses_another_letter_file(tmp_path):
    other = tmp_path / "brief.txt"
    other.write_text("Een andere brief.", encoding="utf-8")
    with pytest.raises(SeedMismatch):
        load_seed(letter_file=other)
