"""The coordinator's fast paths give what their per-ad definitions give (issue 18 item 4,
ADR 0066): per-cluster facts counted in numpy for all clusters at once, URLs read in groups,
score bounds without building descriptions. Checked on both generators' ads."""

import copy
import enum
import io
import json

import numpy as np
import pytest

from samen.online.engine import ScanConfig, jsonout, scan
from samen.online.engine import analysis as analysis_module
from samen.online.engine import cluster as cluster_module
from samen.online.engine import shingles as shingles_module
from samen.online.engine.analysis import (
    ContactIndex,
    _cluster_facts,
    _indicator_kinds,
    _score_bounds,
    _structural_bound,
    _structural_extra,
    cluster_name,
)
from samen.online.engine.cluster import _similarity
from samen.online.engine.heldout import write_heldout
from samen.online.engine.index import Index, StringColumn
from samen.online.engine.indicators import load_indicators
from samen.online.engine.jsonout import dump_indented
from samen.online.engine.runner import (
    _CLUSTER_NAME,
    InProcessEngine,
    _plain_rows,
    leads_document,
    write_clusters_csv,
)
from samen.online.engine.spill import SpillFile
from samen.online.engine.spooled import SpooledLeads
from samen.online.tests.test_compiled_kernels import _runs
from samen.spreadsheets import FORMULA_STARTS, SafeWriter


@pytest.fixture(scope="module")
def scans(synthetic_ads, tmp_path_factory):
    """A scan of each generator's ads: ``online synth`` and the held-out generator, with
    contacts and text only."""
    folder = tmp_path_factory.mktemp("heldout")
    full, plain, _ = write_heldout(3000, 8, folder / "heldout.jsonl")
    config = ScanConfig(chunk_size=500)
    return [
        scan([path], config=config, engine=InProcessEngine(False))
        for path in (synthetic_ads[0], full, plain)
    ]


def _facts_one_by_one(index, contacts, ads, min_personas):
    """The definitions: each fact counted for one cluster in Python."""
    cities = len({index.city[a] for a in ads} - {0})
    many = any(
        contacts.persona_count[c] >= min_personas
        for a in ads
        for c in contacts.shared_contacts_of(a)
    )
    kinds = _indicator_kinds(index, ads)
    personas = len({(index.name[a], index.age[a]) for a in ads if index.name[a]})
    return cities, many, kinds, personas


def test_cluster_facts_equal_counting_cluster_by_cluster(scans):
    flags = []
    for result in scans:
        index, labels = result.index, result.clustering.labels
        contacts = ContactIndex(index)
        order = np.argsort(labels, kind="stable")
        sizes = np.bincount(labels)
        starts = np.cumsum(sizes) - sizes
        multi = np.flatnonzero(sizes >= 2)
        # Clusters of one ad lie between the others: a run must end at its own cluster's end.
        assert (sizes == 1).any() and len(multi) > 10
        facts = _cluster_facts(index, contacts, labels, order, starts, multi, 3)
        facts = [column.tolist() for column in facts]
        expected = [
            _facts_one_by_one(index, contacts, order[starts[g] : starts[g] + sizes[g]].tolist(), 3)
            for g in multi.tolist()
        ]
        assert list(zip(*facts, strict=True)) == expected
        # The facts are not all alike (else the comparison proves little).
        assert len(set(expected)) > 5
        flags += [many for _, many, _, _ in expected]
    assert any(flags) and not all(flags)


def test_the_score_bound_is_the_sum_of_the_structural_contributions():
    indicators = load_indicators(None)
    by_id = indicators.by_id
    chosen = (
        by_id.get("cluster_many_personas"),
        by_id.get("indicator_diversity"),
        by_id.get("cluster_size"),
    )
    assert all(chosen)
    for size in (2, 3, 7, 64, 1000, 100_000):
        for kinds in range(8):
            for personas in range(6):
                parts = _structural_extra(size, kinds, personas, *chosen)
                assert _structural_bound(size, kinds, personas, *chosen) == sum(
                    c["contribution"] for c in parts
                )


def _bound_one_by_one(indicators, size, cities, contact_personas, kinds, personas) -> float:
    """The score bound as the analysis added it cluster by cluster before ADR 0107."""
    by_id = indicators.by_id
    text_bound = min(indicators.text_contribution_cap, sum(i.weight for i in indicators.text))
    price = by_id.get("price_below_median")
    text_bound += price.weight if price is not None else 0.0
    bound = text_bound
    for indicator in (by_id.get("template_many_cities"), by_id.get("persona_many_cities")):
        if indicator and cities >= indicator.param("min_cities"):
            bound += indicator.weight
    many_personas = by_id.get("contact_many_personas")
    if many_personas and contact_personas:
        bound += many_personas.weight
    bound += _structural_bound(
        size,
        kinds,
        personas,
        by_id.get("cluster_many_personas"),
        by_id.get("indicator_diversity"),
        by_id.get("cluster_size"),
    )
    return bound


@pytest.mark.parametrize(
    "drop", [None, "cluster_size", "indicator_diversity", "price_below_median"]
)
def test_score_bounds_for_all_clusters_equal_adding_them_one_by_one(drop):
    indicators = load_indicators(None)
    if drop is not None:
        # An indicator set without it (the bounds read only ``by_id`` and the text weights).
        indicators = copy.copy(indicators)
        indicators.by_id = {k: v for k, v in indicators.by_id.items() if k != drop}
    rng = np.random.default_rng(7)
    count = 20_000
    # Sizes from 2 to far beyond the size indicator's cap; facts around every threshold.
    sizes = np.r_[
        np.arange(2, 200), rng.integers(2, 300_000, 1000), rng.integers(2, 6, count - 1198)
    ].astype(np.int64)
    cities = rng.integers(0, 8, count).astype(np.int64)
    contact_personas = rng.random(count) < 0.3
    kinds = rng.integers(0, 12, count).astype(np.int64)
    personas = rng.integers(0, 9, count).astype(np.int64)
    text_bound = min(indicators.text_contribution_cap, sum(i.weight for i in indicators.text))
    price = indicators.by_id.get("price_below_median")
    text_bound += price.weight if price is not None else 0.0
    found = _score_bounds(
        sizes, (cities, contact_personas, kinds, personas), text_bound, indicators
    )
    expected = [
        _bound_one_by_one(indicators, *facts)
        for facts in zip(
            sizes.tolist(),
            cities.tolist(),
            contact_personas.tolist(),
            kinds.tolist(),
            personas.tolist(),
            strict=True,
        )
    ]
    # The same floats, to the bit, so the same clusters pass the threshold.
    assert found.tolist() == expected
    passed = found >= indicators.lead_threshold
    assert passed.any() and not passed.all()


@pytest.mark.parametrize("max_read", [1, 60, 4 << 20])
@pytest.mark.parametrize("gap", [0, 40, 1 << 20])
def test_take_reads_the_strings_one_by_one_reading_gives(monkeypatch, gap, max_read):
    monkeypatch.setattr(StringColumn, "_GAP", gap)
    monkeypatch.setattr(StringColumn, "_MAX_READ", max_read)
    column = StringColumn()
    reads: list[int] = []
    read = column._data.read
    monkeypatch.setattr(column._data, "read", lambda start, n: reads.append(n) or read(start, n))
    rng = np.random.default_rng(4)
    letters = list("abz/:.?=é€ß中😀")
    values = ["".join(rng.choice(letters, rng.integers(0, 9))) for _ in range(500)]
    values[3] = ""
    column.extend(values[:200])
    column.extend(values[200:])
    wanted = [*rng.integers(0, 500, 300).tolist(), 0, 499, 3, 3]
    assert column.take(wanted) == {p: values[p] for p in wanted}
    assert column.take([]) == {}
    # No read much longer than the bound (ADR 0090): a string (at most 32 bytes) past it.
    assert max(reads) <= max_read + 2 * 32


def test_leads_read_urls_in_batches_as_one_read_a_url_gives(scans, monkeypatch):
    for result in scans:
        indicators = load_indicators(None)
        monkeypatch.setattr(analysis_module, "_URL_BATCH", 5)  # many batches
        batched = analysis_module.build_leads(result.index, result.analysis, indicators)
        monkeypatch.setattr(
            analysis_module,
            "_with_urls",
            lambda index, summaries: ((s, {a: index.urls[a] for a in s.ads}) for s in summaries),
        )
        one_by_one = analysis_module.build_leads(result.index, result.analysis, indicators)
        assert batched == one_by_one
        assert batched["urls"] and batched["possible_victims"]
        monkeypatch.undo()


def _json_dump(value) -> str:
    out = io.StringIO()
    json.dump(value, out, ensure_ascii=False, indent=1)
    return out.getvalue()


def _dump_indented(value) -> str:
    out = io.StringIO()
    dump_indented(value, out)
    return out.getvalue()


class _Level(enum.IntEnum):
    HIGH = 3


class _Text(str):
    pass


def _random_value(rng, depth: int):
    kind = int(rng.integers(0, 12 if depth < 4 else 8))
    scalars = [
        "",
        'quote " back \\ slash / tab \t newline \n',
        "é€ß中😀\u2028\x00\x1f",
        _Text("sub"),
        0,
        -7,
        2**70,
        _Level.HIGH,
        True,
        False,
        None,
        0.1,
        -0.0,
        1e300,
        float("nan"),
        float("inf"),
        float("-inf"),
        3.0,
    ]
    if kind < 8:
        return scalars[int(rng.integers(0, len(scalars)))]
    if kind < 10:
        items = [_random_value(rng, depth + 1) for _ in range(int(rng.integers(0, 5)))]
        return tuple(items) if kind == 9 else items
    keys = ["a", "é", 'k"', 1, 2.5, True, False, None, _Level.HIGH]
    return {
        keys[int(rng.integers(0, len(keys)))]: _random_value(rng, depth + 1)
        for _ in range(int(rng.integers(0, 6)))
    }


@pytest.mark.parametrize("compiled", [True, False])
def test_dump_indented_writes_the_bytes_json_dump_writes(scans, monkeypatch, compiled):
    """Both ways: json's C encoder laid out by ``indent_json`` (ADR 0076), and the encoder in
    Python that an install without the extension uses."""
    if compiled:
        assert jsonout._indent_json is not None  # built: else this would test the fallback
    else:
        monkeypatch.setattr(jsonout, "_indent_json", None)
    rng = np.random.default_rng(9)
    for _ in range(400):
        value = _random_value(rng, 0)
        assert _dump_indented(value) == _json_dump(value)
        # The same value as a document's list, cut into slices.
        monkeypatch.setattr(jsonout, "_SLICE_ITEMS", 2)
        document = {"stats": value, "items": [value, [value], {}, 3, value]}
        assert _dump_indented(document) == _json_dump(document)
        monkeypatch.setattr(jsonout, "_SLICE_ITEMS", 4096)
    # Large enough to be written in several pieces and slices.
    monkeypatch.setattr(jsonout, "_FLUSH_PIECES", 7)
    monkeypatch.setattr(jsonout, "_SLICE_ITEMS", 3)
    indicators = load_indicators(None)
    for result in scans:
        document = leads_document(result, indicators)
        assert len(document["clusters"]) > 3 and len(document["possible_victims"]) > 3
        # The leads kept in files (ADR 0090) write the bytes json.dump writes for their dicts.
        spooled = [k for k, v in document.items() if isinstance(v, SpooledLeads)]
        assert spooled == ["possible_victims", "possible_perpetrators"]
        plain = {k: list(v) if k in spooled else v for k, v in document.items()}
        assert _dump_indented(document) == _json_dump(plain)


@pytest.mark.parametrize("compiled", [True, False])
def test_dump_indented_refuses_what_json_dump_refuses(monkeypatch, compiled):
    if not compiled:
        monkeypatch.setattr(jsonout, "_indent_json", None)
    monkeypatch.setattr(jsonout, "_SLICE_ITEMS", 2)
    loop: list = []
    loop.append(loop)
    inner: dict = {}
    inner["a"] = [1, 2, 3, inner]
    for bad, error in (
        ({"a": object()}, TypeError),
        ({(1, 2): 1}, TypeError),
        (loop, ValueError),
        ({"x": loop}, ValueError),
        (inner, ValueError),
        ({"a": [1, 2, 3, object()]}, TypeError),
    ):
        with pytest.raises(error):
            _json_dump(bad)
        with pytest.raises(error):
            _dump_indented(bad)


def test_weights_in_memory_equal_the_spilled_ones(monkeypatch):
    """Weighing in memory gives the weights, totals and similarities, to the bit, that the
    external sort through files gives (several buckets; compiled merge and its definition)."""
    _, spilled, left, right = _runs(monkeypatch)
    records = np.frombuffer(spilled.records.read(0, spilled.records.size), dtype=np.uint32)
    shingles = SpillFile("test-")
    shingles.append(records[0::2].copy())
    in_memory = shingles_module.weights_in_memory(shingles, spilled.starts)
    assert in_memory.shingles.tobytes() == records[0::2].tobytes()
    assert in_memory.weights.tobytes() == records[1::2].tobytes()
    assert in_memory.totals.tobytes() == spilled.totals.tobytes()
    for compiled in (True, False):
        with monkeypatch.context() as patched:
            if not compiled:
                patched.setattr(cluster_module, "_compiled_common", None)
            from_file = _similarity(left, right, spilled)
            assert _similarity(left, right, in_memory).tobytes() == from_file.tobytes()
    assert (from_file >= 0.5).sum() > 10
    assert len(np.unique(in_memory.weights)) > 5  # rare and common shingles
    empty = shingles_module.weights_in_memory(SpillFile("test-"), np.zeros(3, dtype=np.int64))
    assert not len(empty.weights) and empty.totals.tolist() == [0.0, 0.0]


def test_a_scan_verified_from_memory_equals_one_verified_from_the_file(synthetic_ads, monkeypatch):
    path = synthetic_ads[0]
    config = ScanConfig(chunk_size=500)
    loaded = scan([path], config=config, engine=InProcessEngine(False))
    monkeypatch.setattr(cluster_module, "IN_MEMORY_RECORDS", 0)
    from_file = scan([path], config=config, engine=InProcessEngine(False))
    assert np.array_equal(loaded.clustering.labels, from_file.clustering.labels)
    assert loaded.clustering.template_edge_count == from_file.clustering.template_edge_count
    assert loaded.leads == from_file.leads


def test_clusters_csv_escapes_ids_as_the_safe_writer_does(tmp_path):
    lines = []
    for n, ad_id in enumerate(["=cmd", "-3", "+x", "@a", "plain", "\tt", "-1.5e3", "ok"]):
        ad = {"id": ad_id, "title": f"title {n}", "text": "same words in every ad " * 3}
        lines.append(json.dumps(ad))
    path = tmp_path / "ads.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = scan([path], engine=InProcessEngine(False))
    write_clusters_csv(result, tmp_path / "fast.csv")
    with open(tmp_path / "safe.csv", "w", encoding="utf-8", newline="") as handle:
        writer = SafeWriter(handle)
        writer.writerow(["ad_id", "cluster_id"])
        writer.writerows(
            zip(result.index.ids, map(cluster_name, result.clustering.labels.tolist()), strict=True)
        )
    fast = (tmp_path / "fast.csv").read_bytes()
    assert fast == (tmp_path / "safe.csv").read_bytes()
    assert b"'=cmd" in fast and b"\n-3," in fast


@pytest.mark.parametrize(
    "cells",
    [
        ["a", "b-1", "", " x ", "é中", "t\t", "'=q", "x=1", "1"],
        ["a", "comma,id"],
        ['quote"id', "b"],
        ["line\nbreak"],
        ["carriage\rreturn", "x"],
        ["ok", "=formula"],
        ["ok", "-3"],
        ["@a"],
        ["\ttab", "b"],
        ["+x"],
        [],
    ],
)
def test_plain_csv_rows_are_what_the_safe_writer_writes(cells):
    """Rows joined at once where no cell needs quoting or starts a formula; where one does,
    csv.writer writes the block after ``safe_column`` (None): the file is the same either way."""
    names = [cluster_name(n) for n in range(len(cells))]
    out = io.StringIO(newline="")
    SafeWriter(out).writerows(zip(cells, names, strict=True))
    text = _plain_rows(cells, names)
    quoted = any(mark in cell for cell in cells for mark in ',"\r\n')
    formula = any(cell.startswith(FORMULA_STARTS) for cell in cells)
    assert (text is None) == (quoted or formula)
    if text is not None:
        assert text == out.getvalue()
    assert [_CLUSTER_NAME(n) for n in (0, 7, 1234567, 12345678)] == [
        cluster_name(n) for n in (0, 7, 1234567, 12345678)
    ]


def test_band_keys_in_one_pass_equal_one_band_at_a_time(scans, synthetic_ads, monkeypatch):
    from samen.online.engine.cluster import _all_band_keys, _band_keys, lsh_params

    monkeypatch.setattr(Index, "_BLOCK_ROWS", 700)  # several blocks
    for result in scans:
        index = result.index
        bands, rows = lsh_params(0.3, index.num_perm)
        every = _all_band_keys(index, bands, rows)
        usable = np.flatnonzero(np.frombuffer(index.shingle_count, dtype=np.int32) > 0)
        for band in range(bands):
            one = _band_keys(index, usable, band * rows, (band + 1) * rows)
            assert every[band][usable].tobytes() == one.tobytes()
        assert len(np.unique(every[0][usable])) > len(usable) // 4
    # And a scan with a band at a time clusters as the one with every band at once.
    monkeypatch.setattr(cluster_module, "ALL_BAND_KEYS_BYTES", 0)
    again = scan(
        [synthetic_ads[0]], config=ScanConfig(chunk_size=500), engine=InProcessEngine(False)
    )
    assert np.array_equal(again.clustering.labels, scans[0].clustering.labels)
    assert again.leads == scans[0].leads


def test_personas_remembered_are_the_personas_built(scans):
    for result in scans[:2]:
        index = result.index
        for _ in range(2):  # built, then remembered
            for ad in range(0, len(index), 7):
                name = index.names.values[index.name[ad]]
                age = index.age[ad]
                expected = (f"{name} ({age})" if age >= 0 else name) if name else ""
                assert index.persona(ad) == expected
        assert any(index.age[a] < 0 and index.name[a] for a in range(len(index)))


def test_unique_columns_equal_numpy_unique_along_columns():
    from samen.online.engine.cluster import unique_columns

    rng = np.random.default_rng(2)
    for rows, high in ((2, 4), (3, 3), (2, 1 << 40), (3, 2)):
        for size in (0, 1, 2, 50, 2000):
            data = [rng.integers(-high, high, size) for _ in range(rows)]
            got, counts = unique_columns(data)
            expected, expected_counts = np.unique(np.stack(data), axis=1, return_counts=True)
            assert got.tolist() == expected.tolist()
            assert counts.tolist() == expected_counts.tolist()


def test_in_sorted_equals_isin():
    from samen.online.engine.cluster import _in_sorted

    rng = np.random.default_rng(3)
    for size, high in ((0, 5), (1, 5), (5000, 1 << 40), (300, 500)):
        known = np.sort(rng.integers(0, high, size))
        values = np.append(rng.integers(0, high, 700), known[:50])
        assert _in_sorted(values, known).tolist() == np.isin(values, known).tolist()
    assert np.isin(values, known).any() and not np.isin(values, known).all()
