"""Ads from both generators for the tests that compare a fast path with its definition: the
engine's own `online synth` and the independently written held-out generator, whose ads also
come without their contacts (the text-only corpus)."""

from itertools import islice

from samen.online.engine.heldout import generate as heldout_ads
from samen.online.engine.synth import generate as synth_ads


def three_corpora(count: int, seed: int) -> list[dict]:
    """``count`` synth ads, then ``count`` held-out ads, then the same held-out ads text-only."""
    ads = [ad for ad, _, _ in islice(synth_ads(count, seed), count)]
    plain = []
    for full, text_only, _ in islice(heldout_ads(count, seed), count):
        ads.append(full)
        plain.append(text_only)
    return ads + plain


def both_generators(count: int, seed: int) -> list[dict]:
    """``count`` synth ads, then each held-out ad followed by its text-only twin."""
    ads = [ad for ad, _, _ in islice(synth_ads(count, seed), count)]
    for full, text_only, _ in islice(heldout_ads(count, seed), count):
        ads += [full, text_only]
    return ads
