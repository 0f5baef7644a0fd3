"""The coordinator's own CPU, less of it (issue 18 item 4, ADR 0089): the lead clusters'
facts gathered for all of them at once (``analysis._LeadFacts``), strings interned and packed a
chunk at a time in C (``Index.add``). Each gives what its definition gives, on both generators'
ads (``corpora.both_generators``): the definition is the previous code, kept here verbatim."""

import copy
import dataclasses
from array import array
from collections import Counter, defaultdict

import numpy as np
import pytest

from samen.online.engine import ScanConfig, scan
from samen.online.engine import index as index_module
from samen.online.engine.analysis import (
    Analysis,
    ClusterSummary,
    ContactIndex,
    PersonaAds,
    _cluster_facts,
    _list,
    _price_flags,
    _structural_bound,
    _structural_extra,
    analyse,
    build_leads,
    contact_kind,
    contact_value,
)
from samen.online.engine.cluster import Clustering
from samen.online.engine.index import CompactInterner, Index, Interner, StringColumn
from samen.online.engine.indicators import IndicatorSet, load_indicators
from samen.online.engine.partition import ChunkResult
from samen.online.engine.runner import InProcessEngine
from samen.online.tests.corpora import both_generators, generator_files


@pytest.fixture(scope="module")
def scans(tmp_path_factory):
    """A scan of each generator's ads: ``online synth``'s, then the held-out generator's (each
    ad with its text-only twin)."""
    ads = both_generators(1500, seed=31)
    for ad in ads[::6]:
        ad.pop("posted_at", None)  # clusters with dated and undated ads
    folder = tmp_path_factory.mktemp("leadfacts")
    results = []
    for path in generator_files(ads, 1500, folder):
        results.append(scan([path], config=ScanConfig(chunk_size=500), engine=InProcessEngine()))
    return results


def _described(analysis):
    return [
        (s.as_dict(), s.ads, s.score, {p: sorted(c) for p, c in s.personas.items()})
        for s in analysis.clusters
    ]


@pytest.mark.parametrize("corpus", [0, 1])
def test_lead_clusters_described_at_once_equal_those_described_ad_by_ad(scans, corpus, monkeypatch):
    result = scans[corpus]
    indicators = load_indicators()
    # Every third cluster without a dated ad at all.
    day = np.frombuffer(result.index.day, dtype=np.int32).copy()
    day[result.clustering.labels % 3 == 0] = 0
    monkeypatch.setattr(result.index, "day", array("i", day.tobytes()))
    new = analyse(result.index, result.clustering, indicators)
    old = _analyse_ad_by_ad(result.index, result.clustering, indicators)
    assert _described(new) == _described(old)
    assert (new.cluster_count, new.multi_ad_clusters, new.price_medians) == (
        old.cluster_count,
        old.multi_ad_clusters,
        old.price_medians,
    )
    # Not a vacuous comparison: clusters with text indicators, low prices, several cities,
    # languages, personas and shared contacts are among them.
    summaries = new.clusters
    assert len(summaries) >= 10
    ids = {c["id"] for s in summaries for c in s.contributions}
    assert len(ids) >= 4
    assert any(len(s.cities) >= 2 for s in summaries)
    assert any(s.first_day and s.first_day < s.last_day for s in summaries)
    undated = np.frombuffer(result.index.day, dtype=np.int32) <= 0
    assert any(s.first_day and undated[s.ads].any() for s in summaries)
    assert any(not s.first_day for s in summaries)
    assert any(len(s.personas) >= 2 for s in summaries)
    if corpus == 0:
        assert "price_below_median" in ids
        assert any(s.contacts for s in summaries)


def _with_min_cities(indicators: IndicatorSet, min_cities: int) -> IndicatorSet:
    """The indicator set with both city indicators firing from ``min_cities`` cities."""
    changed = copy.copy(indicators)
    changed.by_id = dict(indicators.by_id)
    for name in ("template_many_cities", "persona_many_cities"):
        indicator = indicators.by_id[name]
        params = dict(indicator.params) | {"min_cities": float(min_cities)}
        changed.by_id[name] = dataclasses.replace(indicator, params=tuple(sorted(params.items())))
    return changed


def test_city_indicators_at_their_bound_equal_those_described_ad_by_ad(scans):
    """The analysis skips the city indicators of a cluster with fewer cities than they need
    (ADR 0107): clusters with exactly that many cities still get them, as ad by ad."""
    at_bound = set()
    for result in scans:
        for min_cities in (1, 2, 3):
            indicators = _with_min_cities(load_indicators(), min_cities)
            new = analyse(result.index, result.clustering, indicators)
            old = _analyse_ad_by_ad(result.index, result.clustering, indicators)
            assert _described(new) == _described(old)
            at_bound |= {
                c["id"]
                for s in new.clusters
                if len(s.cities) == min_cities
                for c in s.contributions
            }
    # Not vacuous: each indicator fires on a cluster with exactly the cities it needs.
    assert {"template_many_cities", "persona_many_cities"} <= at_bound


@pytest.mark.parametrize("corpus", [0, 1])
def test_leads_from_the_personas_found_by_the_analysis_equal_those_grouped_again(scans, corpus):
    result = scans[corpus]
    indicators = load_indicators()
    analysis = analyse(result.index, result.clustering, indicators)
    assert all(s.persona_ads is not None for s in analysis.clusters)
    leads = build_leads(result.index, analysis, indicators)
    grouped = [dict(s.persona_ads) for s in analysis.clusters]
    for summary in analysis.clusters:
        summary.persona_ads = None
    assert build_leads(result.index, analysis, indicators) == leads
    assert leads["possible_victims"]
    # Lean, each cluster's personas' ads in one flat array (ADR 0098): the same mapping and leads.
    for summary, by_persona in zip(analysis.clusters, grouped, strict=True):
        summary.persona_ads = by_persona
        summary.make_lean()
        flat = summary.persona_ads
        assert isinstance(flat, PersonaAds) and len(flat) == len(by_persona)
        assert [(p, list(a)) for p, a in flat.items()] == list(by_persona.items())
        assert all(list(flat[p]) == a for p, a in by_persona.items())
        with pytest.raises(KeyError):
            flat["no such persona"]
    assert any(len(s.persona_ads) >= 2 for s in analysis.clusters)
    assert (
        build_leads(result.index, analysis, indicators)["possible_victims"]
        == (leads["possible_victims"])
    )


def test_interned_a_chunk_at_a_time_as_one_at_a_time(monkeypatch):
    items = ["b", "", "a", "b", "é", "a", "ß" * 40, "", "c"]
    for compiled in (True, False):
        if not compiled:
            monkeypatch.setattr(index_module, "_intern_many", None)
        one, many = Interner(), Interner()
        one("a")
        many("a")
        expected = [one(item) for item in items]
        got = np.frombuffer(many.many(items), dtype=np.int32).tolist()
        assert got == expected == [2, 0, 1, 2, 3, 1, 4, 0, 5]
        assert many.values == one.values
        assert {v: many.id_of(v) for v in many.values} == {v: one.id_of(v) for v in one.values}
        assert many.many([]) == b""


def test_the_compact_interner_numbers_as_the_dictionary():
    """The compiled table over a bytearray (ADR 0095) gives the dictionary's numbers, values,
    look-ups and prefixes: through several growths of its table, for strings with equal bytes
    but other lengths, empty and non-ASCII ones, and one item at a time."""
    rng = np.random.default_rng(7)
    pool = [f"tel:+31{k}" for k in rng.integers(0, 10**6, 5_000).tolist()]
    pool += ["", "é", "img:ab", "img:", "img", "ëë", "x" * 300, "x" * 299, "日本"]
    pool += ["\x00", "\x00\x00"]
    compact, plain = CompactInterner(), Interner()
    for _ in range(60):
        items = [pool[k] for k in rng.integers(0, len(pool), int(rng.integers(0, 600))).tolist()]
        assert compact.many(items) == plain.many(items)
    assert compact("one more") == plain("one more")
    assert len(compact) == len(plain) > 4_000
    assert list(compact.values) == plain.values
    assert [compact.values[k] for k in (0, 1, -1, len(plain) - 2)] == [
        plain.values[k] for k in (0, 1, -1, len(plain) - 2)
    ]
    assert compact.values[2:9] == plain.values[2:9]
    assert all(compact.id_of(v) == plain.id_of(v) for v in plain.values)
    with pytest.raises(KeyError):
        compact.id_of("never seen")
    for prefix in ("img:", "tel:+31", "", "x" * 300):
        assert compact.starts_with(prefix).tolist() == plain.starts_with(prefix).tolist()
    assert compact.starts_with("img:").any()


def test_a_settled_compact_interner_answers_as_the_dictionary(monkeypatch):
    """With its values and ends moved to files (``settle``, ADR 0103) the interner gives the
    dictionary's values (one by one, sliced, iterated across blocks), numbers by ``id_of`` (the
    table's probe redone in Python), ``KeyError`` and prefixes; adding to it afterwards brings
    the values back and numbers as before."""
    monkeypatch.setattr(CompactInterner, "_BLOCK", 7)  # many blocks, some of empty values
    rng = np.random.default_rng(11)
    pool = [f"tel:+31{k}" for k in rng.integers(0, 10**6, 3_000).tolist()]
    pool += ["", "é", "img:ab", "img:", "img", "ëë", "x" * 300, "x" * 299, "日本", "\x00"]
    compact, plain = CompactInterner(), Interner()
    items = [pool[k] for k in rng.integers(0, len(pool), 4_000).tolist()]
    assert compact.many(items) == plain.many(items)
    compact.settle()
    assert compact._values_file is not None and not compact._blob and not compact._ends
    assert len(compact) == len(plain) > 2_000
    assert list(compact.values) == plain.values
    assert [compact.values[k] for k in (0, 1, -1, len(plain) - 2)] == [
        plain.values[k] for k in (0, 1, -1, len(plain) - 2)
    ]
    assert compact.values[2:9] == plain.values[2:9]
    assert [compact.id_of(v) for v in plain.values] == list(range(len(plain)))
    for missing in ("never seen", "tel:+31", "x" * 301, "img:a"):
        with pytest.raises(KeyError):
            compact.id_of(missing)
    for prefix in ("img:", "tel:+31", "", "x" * 300, "日"):
        assert compact.starts_with(prefix).tolist() == plain.starts_with(prefix).tolist()
    more = ["new one", *pool[:50], "another"]
    assert compact.many(more) == plain.many(more)
    assert compact._values_file is None and list(compact.values) == plain.values


def _compact_hashes(strings: list[str]) -> np.ndarray:
    """``hash_bytes`` of ``_clusterc.c`` (FNV-1a, then mixed) in numpy, for strings of one
    length: the test below checks it against the table the extension fills."""
    raw = np.frombuffer("".join(strings).encode(), dtype=np.uint8).reshape(len(strings), -1)
    h = np.full(len(strings), 0xCBF29CE484222325, dtype=np.uint64)
    for column in raw.T:
        h ^= column.astype(np.uint64)
        h *= np.uint64(0x100000001B3)
    h ^= np.uint64(raw.shape[1])
    for factor in (0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, None):
        h ^= h >> np.uint64(33)
        if factor is not None:
            h *= np.uint64(factor)
    return h


def test_the_compact_interner_compares_bytes_when_hash_bits_collide():
    """Two contacts whose stored 32 hash bits are equal, the second's probe passing the first's
    slot: the byte comparison tells them apart (ADR 0098; random contacts hardly ever do it).
    Found among 300,000 numbers of one length, the gap between their slots filled."""
    pool = [f"tel:+31{k:07d}" for k in range(300_000)]
    hashes = _compact_hashes(pool)
    high, slot = hashes >> np.uint64(32), (hashes & np.uint64(2047)).astype(np.int64)
    by = np.argsort(high, kind="stable")
    twins = [
        (int(by[k]), int(by[k + 1])) for k in np.flatnonzero(high[by][1:] == high[by][:-1]).tolist()
    ]
    # The pair whose second's slot comes shortly before the first's (the table has 2048 slots).
    first, second = min(
        (p for t in twins for p in (t, t[::-1])), key=lambda p: (slot[p[0]] - slot[p[1]]) % 2048
    )
    gap = (int(slot[first]) - int(slot[second])) % 2048
    assert 0 < gap < 600
    fillers = []
    for s in ((int(slot[second]) + k) % 2048 for k in range(gap)):
        fillers.append(
            next(
                pool[k] for k in np.flatnonzero(slot == s)[:3].tolist() if k not in (first, second)
            )
        )
    items = [pool[first], *fillers, pool[second], pool[first], pool[second]]
    compact, plain = CompactInterner(), Interner()
    assert compact.many(items[:1]) == plain.many(items[:1])
    assert compact.many(items[1:]) == plain.many(items[1:])
    # The precondition, read from the table: equal hash bits, the second's chain passes the first.
    table = compact._table
    at = {int(v & 0xFFFFFFFF) - 1: k for k, v in enumerate(table.tolist()) if v}
    a, b = compact.id_of(pool[first]), compact.id_of(pool[second])
    assert a != b and int(table[at[a]]) >> 32 == int(table[at[b]]) >> 32 == int(high[first])
    assert all(table[(int(slot[second]) + k) % 2048] for k in range(gap + 1))
    assert (at[b] - int(slot[second])) % 2048 > gap
    assert [compact.id_of(v) for v in plain.values] == list(range(len(plain)))
    assert list(compact.values) == plain.values
    # Settled (ADR 0103): the probe in Python passes the first's slot by comparing the bytes
    # read back from the file.
    compact.settle()
    assert (compact.id_of(pool[first]), compact.id_of(pool[second])) == (a, b)
    assert [compact.id_of(v) for v in plain.values] == list(range(len(plain)))
    # And after the table grows (rehashed from the bytes).
    more = pool[:3_000]
    assert compact.many(more) == plain.many(more)
    assert compact.many([pool[second], pool[first]]) == plain.many([pool[second], pool[first]])
    assert list(compact.values) == plain.values


@pytest.mark.parametrize("compiled", [True, False])
def test_strings_with_their_ends_in_a_file_read_as_those_in_memory(monkeypatch, compiled):
    """A column whose ends are in a file too (the ids, ADR 0103) gives the strings of one whose
    ends are in memory: in order across blocks, one by one (also from the end), and by take."""
    if not compiled:
        monkeypatch.setattr(index_module, "_pack_strings", None)
    monkeypatch.setattr(StringColumn, "_BLOCK", 3)
    chunks = [["ad-1", "", "é-ü", "x" * 70_000], [], ["日本", "last", ""], ["a", "b"]]
    spilled, memory = StringColumn(spill_ends=True), StringColumn()
    for chunk in chunks:
        spilled.extend(chunk)
        memory.extend(chunk)
    flat = [s for chunk in chunks for s in chunk]
    assert not isinstance(spilled._ends, array) and len(spilled) == len(memory) == len(flat)
    assert list(spilled) == list(memory) == flat
    assert [spilled[k] for k in range(-len(flat), len(flat))] == flat + flat
    assert spilled.take([8, 0, 3, 3, 5]) == memory.take([8, 0, 3, 3, 5])


def test_strings_packed_in_c_as_encoded_one_by_one(monkeypatch):
    chunks = [["ad-1", "", "é-ü", "x" * 70_000], [], ["日本", "last"]]
    columns = []
    for compiled in (True, False):
        if not compiled:
            monkeypatch.setattr(index_module, "_pack_strings", None)
        column = StringColumn()
        for chunk in chunks:
            column.extend(chunk)
        columns.append(column)
    new, old = columns
    assert new._ends.tobytes() == old._ends.tobytes()
    assert list(new) == list(old) == [s for chunk in chunks for s in chunk]
    assert new._data.read(0, new._data.size) == old._data.read(0, old._data.size)


def test_an_index_filled_in_c_equals_one_filled_item_by_item(scans, monkeypatch):
    parts = []
    for result in scans:
        index = result.index
        for first in range(0, len(index), 700):
            last = min(first + 700, len(index))
            part = ChunkResult(first, 0, 0)
            part.ids = [index.ids[a] for a in range(first, last)]
            part.line_numbers = list(range(first, last))
            part.offsets = [0] * (last - first)
            part.urls = [index.urls[a] for a in range(first, last)]
            part.days = list(index.day[first:last])
            part.cities = [index.cities.values[c] for c in index.city[first:last]]
            part.names = [index.names.values[c] for c in index.name[first:last]]
            part.ages = list(index.age[first:last])
            part.prices = list(index.price[first:last])
            part.languages = [index.languages.values[c] for c in index.language[first:last]]
            part.masks = list(index.mask[first:last])
            edges = [
                (a, index.contacts.values[c])
                for a, c in zip(index.contact_ad, index.contact_id, strict=True)
                if first <= a < last
            ]
            part.contact_counts = np.bincount(
                [a - first for a, _ in edges], minlength=last - first
            ).astype(np.int32)
            part.contacts = [c for _, c in edges]
            parts.append(part)
    filled = []
    for compiled in (True, False):
        if not compiled:
            monkeypatch.setattr(index_module, "_intern_many", None)
            monkeypatch.setattr(index_module, "_pack_strings", None)
            monkeypatch.setattr(index_module, "_intern_table", None)
        index = Index()
        for part in parts:
            index.add(part)
        filled.append(index)
    new, old = filled
    for column in ("city", "name", "language", "contact_ad", "contact_id", "_id_hashes"):
        assert getattr(new, column).tobytes() == getattr(old, column).tobytes(), column
    for interner in ("cities", "names", "languages", "contacts"):
        assert list(getattr(new, interner).values) == getattr(old, interner).values
    # The contacts in the compiled table and its bytearray, then in the dictionary.
    assert type(new.contacts) is CompactInterner and type(old.contacts) is Interner
    assert list(new.ids) == list(old.ids) and list(new.urls) == list(old.urls)
    assert len(new.contacts) > 100 and len(new.cities) > 5


# The previous code, verbatim but for its name: the definition the fast path must equal.


def _text_contributions_ad_by_ad(
    index: Index, ads: list[int], indicators: IndicatorSet, price_flags: np.ndarray
) -> list[dict]:
    size = len(ads)
    masks = [index.mask[ad] for ad in ads]
    parts: list[dict] = []
    for indicator in indicators.text:
        bit = indicators.bit(indicator.id)
        count = sum(1 for m in masks if m & bit)
        if count:
            parts.append(
                {
                    "id": indicator.id,
                    "label": indicator.label,
                    "contribution": indicator.weight * count / size,
                    "detail": f"{indicator.label}: {count} of {size} ads "
                    f"({indicator.explanation}).",
                }
            )
    total = sum(p["contribution"] for p in parts)
    cap = indicators.text_contribution_cap
    if total > cap:
        # Scale down rather than drop, so every keyword that fired stays visible as evidence.
        for part in parts:
            part["contribution"] *= cap / total
        parts.append(
            {
                "id": "text_cap",
                "label": "Cap on keyword evidence",
                "contribution": 0.0,
                "detail": f"Keyword indicators together count at most {cap:g}: "
                "single keywords are weak evidence.",
            }
        )
    price = indicators.by_id.get("price_below_median")
    if price is not None:
        count = int(price_flags[ads].sum())
        if count:
            parts.append(
                {
                    "id": price.id,
                    "label": price.label,
                    "contribution": price.weight * count / size,
                    "detail": f"{price.label}: {count} of {size} ads ask less than "
                    f"{price.param('ratio'):.0%} of their city's median price.",
                }
            )
    return parts


def _analyse_ad_by_ad(index: Index, clustering: Clustering, indicators: IndicatorSet) -> Analysis:
    n = len(index)
    labels = clustering.labels
    price = indicators.by_id.get("price_below_median")
    price_flags, medians = (
        _price_flags(index, price.param("ratio"), int(price.param("min_priced_ads_in_city")))
        if price is not None and n
        else (np.zeros(n, dtype=bool), {})
    )
    contacts = ContactIndex(index)

    many_personas = indicators.by_id.get("contact_many_personas")
    many_cities = indicators.by_id.get("template_many_cities")
    persona_moves = indicators.by_id.get("persona_many_cities")
    many_in_cluster = indicators.by_id.get("cluster_many_personas")
    diversity = indicators.by_id.get("indicator_diversity")
    size_indicator = indicators.by_id.get("cluster_size")
    city_values = index.cities.values

    order = np.argsort(labels, kind="stable")
    sizes = np.bincount(labels) if n else np.zeros(0, dtype=np.int64)
    starts = np.cumsum(sizes) - sizes
    summaries: list[ClusterSummary] = []
    # A lone ad is never a lead (keywords are capped below the lead threshold), so only clusters
    # of two or more ads are described; and only lead clusters are kept, so that memory does not
    # grow with the number of clusters.
    # The most any cluster can score without structure: capped keywords plus the price.
    text_bound = min(indicators.text_contribution_cap, sum(i.weight for i in indicators.text))
    text_bound += price.weight if price is not None else 0.0
    multi_labels = np.flatnonzero(sizes >= 2)
    facts = _cluster_facts(
        index,
        contacts,
        labels,
        order,
        starts,
        multi_labels,
        many_personas.param("min_personas") if many_personas else None,
    )
    facts = [column.tolist() for column in facts]
    multi = len(multi_labels)
    for label, cities_in_cluster, contact_personas, kinds, persona_count in zip(
        multi_labels.tolist(), *facts, strict=True
    ):
        size = int(sizes[label])
        # Most clusters of two or more ads are one person reposting in one city. An upper bound
        # of the score from cheap facts (counted for all clusters at once) skips them before
        # the full description is built.
        bound = text_bound
        for indicator in (many_cities, persona_moves):
            if indicator and cities_in_cluster >= indicator.param("min_cities"):
                bound += indicator.weight
        if many_personas and contact_personas:
            bound += many_personas.weight
        bound += _structural_bound(
            size, kinds, persona_count, many_in_cluster, diversity, size_indicator
        )
        if bound < indicators.lead_threshold:
            continue
        ads = order[starts[label] : starts[label] + size].tolist()
        extra = _structural_extra(
            size, kinds, persona_count, many_in_cluster, diversity, size_indicator
        )
        summary = ClusterSummary(label=int(labels[ads[0]]), ads=ads)
        contributions = _text_contributions_ad_by_ad(index, ads, indicators, price_flags)
        city_counts = Counter(city_values[index.city[a]] for a in ads if index.city[a])
        summary.cities = city_counts.most_common()
        days = [index.day[a] for a in ads if index.day[a] > 0]
        summary.first_day, summary.last_day = (min(days), max(days)) if days else (0, 0)
        for a in ads:
            persona = index.persona(a)
            if persona:
                summary.personas.setdefault(persona, set()).add(city_values[index.city[a]])
        summary.languages = Counter(
            index.languages.values[index.language[a]] for a in ads
        ).most_common()
        in_cluster = Counter(cid for a in ads for cid in contacts.shared_contacts_of(a))
        summary.contacts = sorted(
            (
                (index.contacts.values[cid], count, int(contacts.persona_count[cid]))
                for cid, count in in_cluster.items()
            ),
            key=lambda c: (-c[2], -c[1], c[0]),
        )
        if many_personas and summary.contacts:
            contact, _, personas = summary.contacts[0]
            if personas >= many_personas.param("min_personas"):
                entry = contacts.stats(index.contacts.id_of(contact))
                contributions.append(
                    {
                        "id": many_personas.id,
                        "label": many_personas.label,
                        "contribution": many_personas.weight,
                        "detail": f"{many_personas.label}: {contact_kind(contact)} "
                        f"{contact_value(contact)} is used in {entry.ads} ads under "
                        f"{personas} personas ({_list(sorted(entry.personas))}).",
                    }
                )
        if many_cities:
            groups: dict[int, set[str]] = defaultdict(set)
            group_sizes: Counter[int] = Counter()
            for a in ads:
                group = int(clustering.template_labels[a])
                group_sizes[group] += 1
                if index.city[a]:
                    groups[group].add(city_values[index.city[a]])
            best = max(groups.items(), key=lambda g: (len(g[1]), -g[0]), default=(0, set()))
            if group_sizes[best[0]] > 1 and len(best[1]) >= many_cities.param("min_cities"):
                contributions.append(
                    {
                        "id": many_cities.id,
                        "label": many_cities.label,
                        "contribution": many_cities.weight,
                        "detail": f"{many_cities.label}: one text template in "
                        f"{group_sizes[best[0]]} ads across {len(best[1])} cities "
                        f"({_list(sorted(best[1]))}).",
                    }
                )
        if persona_moves and summary.personas:
            persona, cities = max(summary.personas.items(), key=lambda p: (len(p[1]), p[0]))
            cities = {c for c in cities if c}
            if len(cities) >= persona_moves.param("min_cities"):
                contributions.append(
                    {
                        "id": persona_moves.id,
                        "label": persona_moves.label,
                        "contribution": persona_moves.weight,
                        "detail": f"{persona_moves.label}: persona {persona} is advertised in "
                        f"{len(cities)} cities ({_list(sorted(cities))}).",
                    }
                )
        if many_in_cluster and persona_count >= many_in_cluster.param("min_personas"):
            for part in extra:
                if part["id"] == many_in_cluster.id:
                    part["detail"] += f" ({_list(sorted(summary.personas))})."
        contributions.extend(extra)
        summary.contributions = sorted(contributions, key=lambda c: -c["contribution"])
        for c in summary.contributions:
            c["contribution"] = round(c["contribution"], 3)
        summary.score = sum(c["contribution"] for c in summary.contributions)
        if summary.score >= indicators.lead_threshold:
            summaries.append(summary)
    summaries.sort(key=lambda s: (-s.score, -len(s.ads), s.label))
    cluster_count = int(labels.max()) + 1 if n else 0
    return Analysis(summaries, cluster_count, multi, contacts, medians)
