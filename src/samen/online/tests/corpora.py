"""Ads from both generators for the tests that compare a fast path with its definition: the
engine's own `online synth` and the independently written held-out generator, whose ads also
come without their contacts (the text-only corpus)."""

import json
from itertools import islice
from pathlib import Path

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


def generator_files(ads: list[dict], count: int, folder: Path) -> list[Path]:
    """``both_generators``' ads as two JSON-lines files in ``folder``: the first ``count``
    (``online synth``'s) as synth.jsonl, the rest (held-out) as heldout.jsonl."""
    paths = []
    for name, part in (("synth", ads[:count]), ("heldout", ads[count:])):
        path = folder / f"{name}.jsonl"
        path.write_text("".join(json.dumps(ad) + "\n" for ad in part), encoding="utf-8")
        paths.append(path)
    return paths
