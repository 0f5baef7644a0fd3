"""Cluster quality of the online-signals engine on two corpora, with and without contacts.

    .venv/bin/python benchmarks/online_quality.py                  # 20,000 ads per corpus
    .venv/bin/python benchmarks/online_quality.py --ads 5000 --seed 3

Corpora: ``synth`` (the engine's own generator, ``samen online synth``) and ``heldout`` (the
independent generator in ``engine/heldout.py``, issue 18). The text-only variant of ``synth`` drops
the phone, e-mail and image fields and every line of text that carries a contact (found with
patterns written here, not with the engine's extractor); the script counts the contacts the engine
still finds in it, which should be zero. Prints pairwise precision, recall and F1 per corpus and
variant, the share of ads whose persona name the engine read (held-out truth only), and the share
of exploitative ads in lead clusters. The last line starts with RESULT.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from samen.online.engine import ScanConfig, compare, make_engine, scan  # noqa: E402
from samen.online.engine.evaluate import read_labels  # noqa: E402
from samen.online.engine.heldout import write_heldout  # noqa: E402
from samen.online.engine.runner import labels_of  # noqa: E402
from samen.online.engine.synth import write_synthetic  # noqa: E402

_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n")
# A sentence carries a contact when it has a run of 7+ digits (separators allowed), an @, a link
# to a messenger, or a run of spelled-out digits.
_DIGITS = re.compile(r"(?:\d(?:[^\w]|[ol_]){0,4}){7,}")
_CONTACT_HINT = re.compile(
    r"@|\[at\]|\(at\)|t\.me|wa\.me|telegram|whatsapp|snap|insta|onlyfans|\btg\b|\bsc\b|\big\b|"
    r"\bof\b\s*:",
    re.IGNORECASE,
)
_DIGIT_WORD = re.compile(
    r"(?:\b(?:nul|zero|oh|een|één|one|twee|two|drie|three|vier|four|vijf|five|zes|six|zeven|seven|"
    r"acht|eight|negen|nine|jeden|dwa|trzy|cztery|pięć|sześć|siedem|osiem|dziewięć|unu|doi|trei|"
    r"patru|cinci|șase|sase|șapte|sapte|opt|nouă|noua|cero|uno|dos|tres|cuatro|cinco|seis|siete|"
    r"ocho|nueve|нула|едно|две|три|четири|пет|шест|седем|осем|девет)\b[\s,.\-]*){4,}",
    re.IGNORECASE,
)


def strip_contacts(record: dict) -> dict:
    record = dict(record)
    for key in ("phone", "email"):
        record[key] = ""
    record["image_hashes"] = []
    for key in ("title", "text"):
        # Sentence by sentence: the engine's generator writes a contact inside running text.
        parts = _SENTENCE.split(record.get(key) or "")
        kept = [
            part
            for part in parts
            if not (_DIGITS.search(part) or _CONTACT_HINT.search(part) or _DIGIT_WORD.search(part))
        ]
        record[key] = " ".join(kept) or ("-" if key == "title" else "")
    return record


def corpora(ads: int, seed: int, cache: Path) -> dict[str, tuple[Path, Path]]:
    cache.mkdir(parents=True, exist_ok=True)
    synth = cache / f"synth-{ads}-{seed}.jsonl"
    synth_truth = cache / f"synth-{ads}-{seed}.truth.csv"
    synth_plain = cache / f"synth-{ads}-{seed}.textonly.jsonl"
    if not synth_plain.exists():
        write_synthetic(ads, seed, synth, synth_truth)
        with open(synth, encoding="utf-8") as src, open(synth_plain, "w", encoding="utf-8") as dst:
            for line in src:
                dst.write(json.dumps(strip_contacts(json.loads(line)), ensure_ascii=False) + "\n")
    held = cache / f"heldout-{ads}-{seed}.jsonl"
    held_plain = cache / f"heldout-{ads}-{seed}.textonly.jsonl"
    held_truth = cache / f"heldout-{ads}-{seed}.truth.csv"
    if not held_truth.exists():
        write_heldout(ads, seed, held)
    return {
        "synth/contacts": (synth, synth_truth),
        "synth/text-only": (synth_plain, synth_truth),
        "heldout/contacts": (held, held_truth),
        "heldout/text-only": (held_plain, held_truth),
    }


def measure(path: Path, truth: Path, workers: int, config: ScanConfig) -> dict:
    engine = make_engine("local", workers)
    started = time.perf_counter()
    try:
        result = scan([path], config=config, engine=engine)
    finally:
        engine.close()
    seconds = time.perf_counter() - started
    quality = compare(read_labels(truth, "ad_id", "operator_id"), labels_of(result))
    index = result.index
    exploitative = read_labels(truth, "ad_id", "is_exploitative")
    in_leads = sum(
        exploitative.get(index.ids[a]) == "1" for s in result.analysis.clusters for a in s.ads
    )
    total = sum(v == "1" for v in exploitative.values())
    leads = result.analysis.clusters
    mostly = sum(
        sum(exploitative.get(index.ids[a]) == "1" for a in s.ads) * 2 > len(s.ads) for s in leads
    )
    figures = {
        **quality.as_dict(),
        "seconds": round(seconds, 1),
        "contacts_found": len(index.contact_id),
        "exploitative_ads_in_leads": round(in_leads / total, 3) if total else 0,
        "lead_clusters": len(leads),
        "lead_clusters_mostly_exploitative": round(mostly / len(leads), 3) if leads else 0,
        "possible_victims": len(result.leads["possible_victims"]),
        "possible_perpetrators": len(result.leads["possible_perpetrators"]),
    }
    names = read_labels(truth, "ad_id", "persona_name") if "heldout" in path.name else {}
    if names:
        found = sum(
            index.names.values[index.name[a]] == names.get(index.ids[a]) for a in range(len(index))
        )
        figures["persona_names_read"] = round(found / len(index), 3)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ads", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", help="run only corpora whose name contains this")
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "samen-online-quality"
    )
    args = parser.parse_args()
    config = ScanConfig()
    rows = {}
    for name, (path, truth) in corpora(args.ads, args.seed, args.cache).items():
        if args.only and args.only not in name:
            continue
        rows[name] = figures = measure(path, truth, args.workers, config)
        print(f"{name:18} {json.dumps(figures)}", flush=True)
    print(
        "RESULT "
        + " ".join(
            f"[{name}] p={f['pairwise_precision']} r={f['pairwise_recall']} f1={f['pairwise_f1']}"
            for name, f in rows.items()
        )
    )


if __name__ == "__main__":
    main()
