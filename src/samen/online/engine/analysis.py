"""From clusters to explained leads: cluster summaries, indicator scores, and the three lead kinds.

Scores add indicator weights from the versioned indicator set. Text indicators count as the share of
a cluster's ads that show them and together never exceed ``text_contribution_cap``: a keyword alone
cannot make a lead. Structural indicators count in full, and say in words why they fired.
"""

from __future__ import annotations

import functools
import heapq
import math
import pickle
import sys
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate, chain, islice

import numpy as np

from .arrays import sorted_unique
from .cluster import Clustering
from .extract import phone_in_plan
from .forked import ForkedChild, can_fork
from .index import CompactInterner, Index, Interner
from .indicators import Indicator, IndicatorSet
from .spooled import SpooledLeads
from .threads import available_cores


def cluster_name(label: int) -> str:
    return f"c{label:07d}"


# A scan's leads name the same few hundred days again and again (two or three a lead, ~0.4
# million at a million ads): each text is made once. At most every day of a few decades.
@functools.lru_cache(maxsize=1 << 14)
def iso_day(ordinal: int) -> str:
    return date.fromordinal(ordinal).isoformat() if ordinal > 0 else ""


def contact_kind(contact: str) -> str:
    prefix = contact.split(":", 1)[0]
    return {"tel": "phone", "email": "e-mail", "img": "image"}.get(prefix, f"{prefix} handle")


def contact_value(contact: str) -> str:
    return contact.split(":", 1)[1]


def _list(values: list[str], limit: int = 6) -> str:
    shown = ", ".join(values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


# Slots, and the personas and cities as sorted tuples (every reader sorts them): one is kept
# from the analysis until the leads for most lead clusters, ~1 KB each with two sets and an
# attribute dictionary, ~0.4 KB so (ADR 0110).
@dataclass(slots=True)
class ContactStats:
    ads: int = 0
    personas: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    first_day: int = 0
    last_day: int = 0


# Lead clusters described in full: the highest-scoring ones, as many as leads.json lists (its
# ``max_clusters``) and more than the report shows. The others keep what their leads need (ADR
# 0090): at ten million ads there are ~200,000 lead clusters, ~6 KB each when described in full.
FULL_SUMMARIES = 500


class PersonaAds(Mapping[str, Sequence[int]]):
    """A lean cluster's ads of each persona: all of them in one int32 array, persona after
    persona, with the end of each persona's run in another. One ``array`` object a persona was
    ~80 bytes each at hundreds of thousands of personas (ADR 0098)."""

    __slots__ = ("_ads", "_ends", "_personas")

    def __init__(self, by_persona: Mapping[str, Sequence[int]]) -> None:
        self._personas = tuple(by_persona)
        runs = by_persona.values()
        # Filled from iterators in C: the same items as extending run by run.
        self._ads = array("i", chain.from_iterable(runs))
        self._ends = array("i", accumulate(map(len, runs)))

    def __len__(self) -> int:
        return len(self._personas)

    def __iter__(self) -> Iterator[str]:
        return iter(self._personas)

    def __getitem__(self, persona: str) -> Sequence[int]:
        k = self._personas.index(persona) if persona in self._personas else -1
        if k < 0:
            raise KeyError(persona)
        return self._ads[self._ends[k - 1] if k else 0 : self._ends[k]]

    def items(self) -> Iterator[tuple[str, Sequence[int]]]:  # type: ignore[override]
        start = 0
        for persona, end in zip(self._personas, self._ends, strict=True):
            yield persona, self._ads[start:end]
            start = end


# Slots: one a lead cluster, ~200,000 at ten million ads, each without an attribute dictionary
# (ADR 0103).
@dataclass(slots=True)
class ClusterSummary:
    label: int
    ads: Sequence[int]  # ad indices, in input order
    score: float = 0.0
    cities: list[tuple[str, int]] = field(default_factory=list)
    first_day: int = 0
    last_day: int = 0
    personas: dict[str, set[str]] = field(default_factory=dict)  # persona -> cities
    contacts: list[tuple[str, int, int]] = field(default_factory=list)  # contact, ads, personas
    # The number of each of ``contacts`` (``index.contacts``), as ``analyse`` found them: the
    # perpetrator leads describe a contact by its number, not looked up again by its value (one
    # probe of the settled table, ~10 µs a contact, ADR 0115). Empty for a summary made
    # elsewhere, whose leads look the numbers up.
    contact_ids: list[int] = field(default_factory=list, repr=False, compare=False)
    languages: list[tuple[str, int]] = field(default_factory=list)
    contributions: list[dict] = field(default_factory=list)
    template: str = ""
    # Template groups of this cluster joined through shared personas: the evidence of each join.
    persona_links: list[dict] = field(default_factory=list)
    # The ads of each persona, in the order of ``ads``, as ``analyse`` found them (the victim
    # leads are built from them); None for a summary made elsewhere, whose leads group the ads
    # again.
    persona_ads: Mapping[str, Sequence[int]] | None = field(default=None, repr=False, compare=False)
    # Only what its leads need (``make_lean``): not to be described.
    lean: bool = False
    # A lean summary's evidence as its leads quote it (``lead_evidence``), in place of its
    # contributions.
    evidence: tuple[str, str] | None = field(default=None, repr=False, compare=False)

    def lead_evidence(self) -> tuple[str, str]:
        """What the leads quote of the contributions: the details of the strongest two (after
        "Strongest evidence: ") and the labels of the strongest three, each joined by "; "."""
        if self.evidence is not None:
            return self.evidence
        return (
            "Strongest evidence: " + "; ".join(c["detail"] for c in self.contributions[:2]),
            "; ".join(c["label"] for c in self.contributions[:3]),
        )

    def make_lean(self) -> None:
        """Keep what ``build_leads`` reads (ads, score, the texts it quotes of the
        contributions, the contacts under two or more personas) and drop the rest: the cluster
        ranks below the ones that are described (``FULL_SUMMARIES``)."""
        self.ads = array("i", self.ads)
        # The two texts the leads quote instead of the contributions (three dictionaries with
        # their texts, ~1.2 KB a lead cluster, ADR 0110); the labels are the same few
        # combinations again and again, so their text is kept once.
        why, labels = self.lead_evidence()
        self.evidence = (why, sys.intern(labels))
        self.contributions = []
        if len(self.contact_ids) == len(self.contacts):
            self.contact_ids = [
                n for n, c in zip(self.contact_ids, self.contacts, strict=True) if c[2] >= 2
            ]
        else:
            self.contact_ids = []
        self.contacts = [c for c in self.contacts if c[2] >= 2]
        self.cities, self.languages, self.personas, self.persona_links = [], [], {}, []
        self.template = ""
        if self.persona_ads is not None:
            # The victim leads read them; as lists they held a Python int per ad (ADR 0090),
            # as an array a persona one array object each (ADR 0098).
            self.persona_ads = PersonaAds(self.persona_ads)
        self.lean = True

    @property
    def id(self) -> str:
        return cluster_name(self.label)

    def explanation(self) -> list[str]:
        return [c["detail"] for c in self.contributions]

    def as_dict(self) -> dict:
        if self.lean:
            raise ValueError(f"cluster {self.id} ranks below the described ones")
        return {
            "cluster_id": self.id,
            "size": len(self.ads),
            "score": round(self.score, 2),
            "cities": [city for city, _ in self.cities],
            "first_seen": iso_day(self.first_day),
            "last_seen": iso_day(self.last_day),
            "personas": sorted(self.personas),
            "shared_contacts": [
                {"contact": c, "type": contact_kind(c), "ads": n, "personas": p}
                | ({"in_numbering_plan": phone_in_plan(c[4:])} if c.startswith("tel:") else {})
                for c, n, p in self.contacts
            ],
            "languages": [lang for lang, _ in self.languages],
            "indicators": self.contributions,
            "template": self.template,
            "persona_links": self.persona_links,
            "explanation": self.explanation(),
        }


@dataclass
class Analysis:
    clusters: list[ClusterSummary]  # lead clusters, highest score first
    cluster_count: int
    multi_ad_clusters: int
    contacts: ContactIndex
    price_medians: dict[str, float]


def _price_flags(index: Index, ratio: float, min_ads: int) -> tuple[np.ndarray, dict[str, float]]:
    prices = np.frombuffer(index.price, dtype=np.float32)
    cities = np.frombuffer(index.city, dtype=np.int32)
    flags = np.zeros(len(prices), dtype=bool)
    medians: dict[str, float] = {}
    priced = prices > 0
    for city_id in sorted_unique(cities[priced]):
        if city_id == 0:
            continue
        in_city = priced & (cities == city_id)
        if in_city.sum() < min_ads:
            continue
        median = float(np.median(prices[in_city]))
        medians[index.cities.values[city_id]] = median
        flags |= in_city & (prices < ratio * median)
    return flags, medians


class ContactIndex:
    """The entity graph seen from the contacts: which ads use a contact, and with how many
    personas. Counts are computed for all contacts at once with numpy; the full description
    (personas, cities, dates) only for the contacts a lead explains."""

    def __init__(self, index: Index) -> None:
        self.index = index
        contact_id = np.frombuffer(index.contact_id, dtype=np.int32)
        contact_ad = np.frombuffer(index.contact_ad, dtype=np.int32)
        size = len(index.contacts)
        # Counts and offsets kept in int32 (edges and ads are fewer than 2**31): in int64 they
        # were ~30 bytes an ad for the whole analysis (ADR 0098); the values are the same.
        wide = max(len(contact_id), len(index)) >= 2**31 - 1
        small: type[np.signedinteger] = np.int64 if wide else np.int32
        self.ad_count: np.ndarray = np.bincount(contact_id, minlength=size).astype(small)
        shared = self.ad_count[contact_id] >= 2
        # The shared edges are not kept as such: they are ``_sorted_ads`` by contact and
        # ``_ad_contacts`` by ad (8 bytes a shared edge less through the analysis, ADR 0108).
        contact_id, contact_ad = contact_id[shared], contact_ad[shared]
        del shared
        order = np.argsort(contact_id, kind="stable")
        self._sorted_ads = contact_ad[order]
        self._starts = np.searchsorted(contact_id[order], np.arange(size + 1, dtype=small))
        self._starts = self._starts.astype(small, copy=False)
        del order
        # The persona of each shared edge's ad, read for those ads only (not for every ad).
        names = np.frombuffer(index.name, dtype=np.int32)[contact_ad].astype(np.int64)
        ages = np.frombuffer(index.age, dtype=np.int16)[contact_ad].astype(np.int64)
        persona = np.where(names > 0, names * 1024 + ages + 1, -1)
        del names, ages
        named = persona >= 0
        # One 64-bit key per (contact, persona) pair: unique pairs, then pairs per contact.
        pairs = sorted_unique(contact_id[named].astype(np.int64) << 32 | persona[named])
        del persona, named
        self.persona_count = np.bincount(pairs >> 32, minlength=size).astype(small)
        del pairs
        # The same edges by ad, to list an ad's shared contacts.
        by_ad = np.argsort(contact_ad, kind="stable")
        self._ad_contacts = contact_id[by_ad]
        del contact_id
        self._ad_starts = np.searchsorted(
            contact_ad[by_ad], np.arange(len(index) + 1, dtype=small)
        ).astype(small, copy=False)
        self._stats: dict[int, ContactStats] = {}

    def shared_contacts_of(self, ad: int) -> list[int]:
        return self._ad_contacts[self._ad_starts[ad] : self._ad_starts[ad + 1]].tolist()

    def is_shared(self, contact: int) -> bool:
        return bool(self.ad_count[contact] >= 2)

    def ads_of(self, contact: int) -> list[int]:
        return self._sorted_ads[self._starts[contact] : self._starts[contact + 1]].tolist()

    def stats(self, contact: int, keep: bool = True) -> ContactStats:
        """The contact's description; kept for the next call unless ``keep`` is false (then
        also dropped if it was kept: one a perpetrator lead is ~1 KB)."""
        found = self._stats.get(contact) if keep else self._stats.pop(contact, None)
        if found is None:
            index = self.index
            ads = self.ads_of(contact)
            # Each column read once an ad (the same sets and days as reading it twice).
            days = [d for d in map(index.day.__getitem__, ads) if d > 0]
            personas = set(map(index.persona, ads))
            personas.discard("")  # unnamed ads
            city_values = index.cities.values
            found = ContactStats(
                ads=len(ads),
                personas=tuple(sorted(personas)),
                cities=tuple(
                    sorted({city_values[c] for c in map(index.city.__getitem__, ads) if c})
                ),
                first_day=min(days, default=0),
                last_day=max(days, default=0),
            )
            if keep:
                self._stats[contact] = found
        return found

    def stats_many(self, contacts: Sequence[int]) -> list[ContactStats]:
        """``stats(contact, keep=False)`` of each of ``contacts``, counted for all at once in
        numpy (their ads, days, personas and cities), named and sorted per contact: the same
        values as ``stats`` (a test compares them), ~25 µs a contact less (ADR 0115). Kept
        descriptions are dropped, as ``keep=False`` does."""
        for contact in contacts:
            self._stats.pop(contact, None)
        if not len(contacts):
            return []
        index = self.index
        wanted = np.asarray(contacts, dtype=np.int64)
        starts = self._starts[wanted].astype(np.int64)
        counts = self._starts[wanted + 1].astype(np.int64) - starts
        total = int(counts.sum())
        runs = np.cumsum(counts) - counts
        ads = self._sorted_ads[np.repeat(starts - runs, counts) + np.arange(total)].astype(np.int64)
        owner = np.repeat(np.arange(len(wanted), dtype=np.int64), counts)
        day = np.frombuffer(index.day, dtype=np.int32)[ads].astype(np.int64)
        dated = day > 0
        first_day = np.full(len(wanted), np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(first_day, owner[dated], day[dated])
        first_day[first_day == np.iinfo(np.int64).max] = 0
        last_day = np.zeros(len(wanted), dtype=np.int64)
        np.maximum.at(last_day, owner[dated], day[dated])
        # Each (contact, persona) once, named by one of its ads (``Index.persona`` of the
        # same name and age gives the same text); each (contact, city) once.
        name = np.frombuffer(index.name, dtype=np.int32)[ads].astype(np.int64)
        age = np.frombuffer(index.age, dtype=np.int16)[ads].astype(np.int64)
        key = name << 16 | (age & 0xFFFF)  # Index.persona's key: 47 bits at most
        by_pair = np.lexsort((key, owner))
        fresh = np.ones(total, dtype=bool)
        fresh[1:] = (np.diff(owner[by_pair]) != 0) | (np.diff(key[by_pair]) != 0)
        first_of = by_pair[fresh]
        personas: list[set[str]] = [set() for _ in range(len(wanted))]
        persona = index.persona
        for who, ad in zip(owner[first_of].tolist(), ads[first_of].tolist(), strict=True):
            personas[who].add(persona(ad))
        city = np.frombuffer(index.city, dtype=np.int32)[ads].astype(np.int64)
        pairs = np.unique(owner[city > 0] << 32 | city[city > 0])
        cities: list[set[str]] = [set() for _ in range(len(wanted))]
        city_values = index.cities.values
        for who, c in zip((pairs >> 32).tolist(), (pairs & 0xFFFFFFFF).tolist(), strict=True):
            cities[who].add(city_values[c])
        out = []
        for k, n in enumerate(counts.tolist()):
            named = personas[k]
            named.discard("")  # unnamed ads
            out.append(
                ContactStats(
                    ads=n,
                    personas=tuple(sorted(named)),
                    cities=tuple(sorted(cities[k])),
                    first_day=int(first_day[k]),
                    last_day=int(last_day[k]),
                )
            )
        return out


def _text_contributions(
    index: Index, ads: list[int], indicators: IndicatorSet, price_flags: np.ndarray
) -> list[dict]:
    """The text indicators' and the price's contributions of one cluster, counted ad by ad: the
    definition of what ``_LeadFacts`` counts for all candidate clusters at once."""
    masks = [index.mask[ad] for ad in ads]
    counts = [
        sum(1 for m in masks if m & indicators.bit(indicator.id)) for indicator in indicators.text
    ]
    return _counted_text_contributions(indicators, len(ads), counts, int(price_flags[ads].sum()))


def _counted_text_contributions(
    indicators: IndicatorSet, size: int, counts: list[int], price_count: int
) -> list[dict]:
    """The contributions from the number of a cluster's ads that show each text indicator (in
    the order of ``indicators.text``) and that ask a low price."""
    parts: list[dict] = []
    for indicator, count in zip(indicators.text, counts, strict=True):
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
    if price is not None and price_count:
        parts.append(
            {
                "id": price.id,
                "label": price.label,
                "contribution": price.weight * price_count / size,
                "detail": f"{price.label}: {price_count} of {size} ads ask less than "
                f"{price.param('ratio'):.0%} of their city's median price.",
            }
        )
    return parts


class _LeadFacts:
    """What the description of a candidate lead cluster reads of each of its ads, gathered for
    all candidates at once: their ads one cluster after the other (each cluster's ads in input
    order) with their cities, languages, template groups and personas as Python lists, and the
    counts (text indicators, low prices, days, shared contacts) summed over each cluster's run in
    numpy. Reading them ad by ad in Python was ~4 µs an ad of a million-ad scan's coordinator;
    the numbers are the same (a test compares the summaries with those counted ad by ad)."""

    def __init__(
        self,
        index: Index,
        contacts: ContactIndex,
        clustering: Clustering,
        indicators: IndicatorSet,
        price_flags: np.ndarray,
        order: np.ndarray,
        starts: np.ndarray,
        sizes: np.ndarray,
        candidates: list[tuple[int, int, int]],
    ) -> None:
        self.indicators = indicators
        labels = np.array([c[0] for c in candidates], dtype=np.int64)
        run_sizes = sizes[labels].astype(np.int64)
        ends = np.cumsum(run_sizes)
        runs = ends - run_sizes
        # Per candidate, numpy arrays read one run at a time (as Python lists they were ~40
        # bytes an ad at ten million ads for the whole loop, ADR 0103).
        self._bounds = np.r_[np.zeros(1, dtype=np.int64), ends]
        total = int(self._bounds[-1])
        # Each candidate's run of ``order``, one after the other.
        ads = order[np.repeat(starts[labels] - runs, run_sizes) + np.arange(total)]
        # The columns stay numpy arrays, read one run at a time: as Python lists of every
        # candidate's ads they were ~100 bytes a candidate ad, the analysis phase's peak (ADR
        # 0098).
        self._ads = ads.astype(np.int32)
        self._city = np.frombuffer(index.city, dtype=np.int32)[ads]
        self._language = np.frombuffer(index.language, dtype=np.int8)[ads]
        self._template = clustering.template_labels[ads]
        # A persona's text is built once (by ``Index.persona``) for each (name, age) it has.
        name = np.frombuffer(index.name, dtype=np.int32)[ads].astype(np.int64)
        age = np.frombuffer(index.age, dtype=np.int16)[ads].astype(np.int64)
        _, first_of, persona_of = np.unique(
            name << 16 | (age & 0xFFFF), return_index=True, return_inverse=True
        )
        del name, age
        self._texts = [index.persona(a) for a in ads[first_of].tolist()]
        self._persona_of = persona_of.ravel().astype(np.int32)
        if not total:
            none = np.zeros(0, dtype=np.int64)
            self._counts = np.zeros((0, len(indicators.text)), dtype=np.int64)
            self._price = self._first_day = self._last_day = none
            self._contact_ids = self._contact_counts = self._contact_personas = none
            self._contact_bounds = np.zeros(1, dtype=np.int64)
            return
        # The ads of each cluster that show each text indicator: one indicator at a time, so
        # that memory holds one column of the candidates' ads, not one an indicator.
        masks = np.frombuffer(index.mask, dtype=np.int64)[ads]
        columns = [
            np.add.reduceat((masks >> (indicators.bit(i.id).bit_length() - 1)) & 1, runs)
            for i in indicators.text
        ]
        self._counts = (
            np.stack(columns, axis=1) if columns else np.zeros((len(candidates), 0), dtype=np.int64)
        )
        del columns
        self._price = np.add.reduceat(price_flags[ads].astype(np.int64), runs)
        day = np.frombuffer(index.day, dtype=np.int32)[ads].astype(np.int64)
        dated = day > 0
        last = np.maximum.reduceat(np.where(dated, day, 0), runs)
        first = np.minimum.reduceat(np.where(dated, day, np.iinfo(np.int64).max), runs)
        self._first_day = np.where(last > 0, first, 0)
        self._last_day = last
        # Each cluster's shared contacts with the number of its ads that use each: one code
        # (cluster's run, contact) per use, counted by one sort.
        ad_starts = contacts._ad_starts
        used = (ad_starts[ads + 1] - ad_starts[ads]).astype(np.int64)
        uses = int(used.sum())
        at = np.repeat(ad_starts[ads] - (np.cumsum(used) - used), used) + np.arange(uses)
        run_of_ad = np.repeat(np.arange(len(candidates), dtype=np.int64), run_sizes)
        codes = np.repeat(run_of_ad, used) << 32 | contacts._ad_contacts[at].astype(np.int64)
        distinct, counts = np.unique(codes, return_counts=True)
        self._contact_ids = distinct & 0xFFFFFFFF
        self._contact_counts = counts
        self._contact_personas = contacts.persona_count[self._contact_ids]
        self._contact_bounds = np.searchsorted(distinct >> 32, np.arange(len(candidates) + 1))

    def bounds(self, run: int) -> tuple[int, int]:
        """Where the ``run``-th candidate's ads are in the lists."""
        return int(self._bounds[run]), int(self._bounds[run + 1])

    def ads(self, first: int, last: int) -> list[int]:
        return self._ads[first:last].tolist()

    def city(self, first: int, last: int) -> list[int]:
        return self._city[first:last].tolist()

    def language(self, first: int, last: int) -> list[int]:
        return self._language[first:last].tolist()

    def template(self, first: int, last: int) -> list[int]:
        return self._template[first:last].tolist()

    def personas(self, first: int, last: int) -> list[str]:
        return list(map(self._texts.__getitem__, self._persona_of[first:last].tolist()))

    def days(self, run: int) -> tuple[int, int]:
        """The first and last day (ordinals) of the candidate's dated ads, (0, 0) if none."""
        return int(self._first_day[run]), int(self._last_day[run])

    def text_contributions(self, run: int, size: int) -> list[dict]:
        return _counted_text_contributions(
            self.indicators, size, self._counts[run].tolist(), int(self._price[run])
        )

    def contacts(self, run: int) -> Iterator[tuple[int, int]]:
        """(contact, number of the candidate's ads that use it) for each shared contact."""
        first, last = int(self._contact_bounds[run]), int(self._contact_bounds[run + 1])
        return zip(
            self._contact_ids[first:last].tolist(),
            self._contact_counts[first:last].tolist(),
            strict=True,
        )

    def contact_personas(self, run: int) -> Iterator[tuple[int, int, int]]:
        """``contacts`` with each contact's number of personas (``ContactIndex.persona_count``)."""
        first, last = int(self._contact_bounds[run]), int(self._contact_bounds[run + 1])
        return zip(
            self._contact_ids[first:last].tolist(),
            self._contact_counts[first:last].tolist(),
            self._contact_personas[first:last].tolist(),
            strict=True,
        )

    # Shared contacts named at once (``named_contacts``): a few MB of their texts at a time.
    _NAMED_BATCH = 1 << 16
    _named: list[str] = []  # replaced a batch at a time, never changed in place
    _named_from = _named_to = 0

    def named_contacts(
        self, run: int, interner: Interner | CompactInterner
    ) -> Iterator[tuple[str, int, int, int]]:
        """``contact_personas`` as (value, ads, personas, contact): the values of the next
        ``_NAMED_BATCH`` contacts read at once by ``values_of`` (ADR 0115)."""
        first, last = int(self._contact_bounds[run]), int(self._contact_bounds[run + 1])
        if first < self._named_from or last > self._named_to:
            stop = max(last, min(first + self._NAMED_BATCH, len(self._contact_ids)))
            self._named = values_of(interner, self._contact_ids[first:stop])
            self._named_from, self._named_to = first, stop
        at = first - self._named_from
        return zip(
            self._named[at : at + last - first],
            self._contact_counts[first:last].tolist(),
            self._contact_personas[first:last].tolist(),
            self._contact_ids[first:last].tolist(),
            strict=True,
        )


def values_of(interner: Interner | CompactInterner, numbers: np.ndarray) -> list[str]:
    """``[interner.values[k] for k in numbers]``. A ``CompactInterner``'s values are read in one
    pass over its blocks (from their file once the index is settled), only the wanted ones
    decoded: reading them one by one was two ``pread`` calls and ~4 µs a value, ~0.5 CPU-s of
    the analysis at a million ads (ADR 0115)."""
    blocks = getattr(interner, "_blocks", None)
    if blocks is None or not len(numbers):
        values = interner.values
        return [values[k] for k in numbers.tolist()]
    order = np.argsort(numbers, kind="stable")
    wanted = numbers[order].astype(np.int64)
    if wanted[0] < 0 or wanted[-1] >= len(interner):
        raise IndexError("a number beyond the interner's values")
    texts: list[str] = []
    lo, base = 0, 0  # the next wanted number's place; the number of the block's first value
    for data, ends, start in blocks():
        hi = int(np.searchsorted(wanted, base + len(ends)))
        if hi > lo:
            k = wanted[lo:hi] - base
            stops = ends[k]
            begins = np.where(k > 0, ends[np.maximum(k - 1, 0)], start)
            texts.extend(
                [data[b:e].decode() for b, e in zip(begins.tolist(), stops.tolist(), strict=True)]
            )
            lo = hi
            if lo == len(wanted):
                break
        base += len(ends)
    out = [""] * len(numbers)
    for position, text in zip(order.tolist(), texts, strict=True):
        out[position] = text
    return out


def _indicator_kinds(index: Index, ads: list[int]) -> int:
    """How many different text indicators the cluster's ads show."""
    mask = 0
    for a in ads:
        mask |= index.mask[a]
    return mask.bit_count()


def _structural_contributions(
    size: int,
    kinds: int,
    personas: int,
    many_in_cluster: Indicator | None,
    diversity: Indicator | None,
    size_indicator: Indicator | None,
) -> list[tuple[Indicator, float]]:
    """The structural indicators that apply, each with its contribution: personas in the
    cluster (for text-only ads, where no contact ties them), the number of different indicator
    kinds, and the cluster's size, so that the largest networks come first. The rule once, for
    the bound every cluster of two or more ads gets and for the lead's described parts."""
    parts: list[tuple[Indicator, float]] = []
    if many_in_cluster and personas >= many_in_cluster.param("min_personas"):
        parts.append((many_in_cluster, many_in_cluster.weight))
    if diversity and kinds >= diversity.param("min_kinds"):
        parts.append(
            (diversity, min(diversity.weight * (kinds - 1), diversity.param("max_contribution")))
        )
    if size_indicator and size >= 2:
        parts.append(
            (
                size_indicator,
                min(
                    size_indicator.weight * math.log2(size),
                    size_indicator.param("max_contribution"),
                ),
            )
        )
    return parts


def _structural_extra(
    size: int,
    kinds: int,
    personas: int,
    many_in_cluster: Indicator | None,
    diversity: Indicator | None,
    size_indicator: Indicator | None,
) -> list[dict]:
    """The contributions of ``_structural_contributions``, described for the lead."""
    parts: list[dict] = []
    for indicator, contribution in _structural_contributions(
        size, kinds, personas, many_in_cluster, diversity, size_indicator
    ):
        if indicator is many_in_cluster:
            detail = f"{indicator.label}: {personas} personas in {size} ads"
        elif indicator is diversity:
            detail = f"{indicator.label}: {kinds} different kinds of text indicators."
        else:
            detail = f"{indicator.label}: {size} ads."
        parts.append(
            {
                "id": indicator.id,
                "label": indicator.label,
                "contribution": contribution,
                "detail": detail,
            }
        )
    return parts


def _structural_bound(
    size: int,
    kinds: int,
    personas: int,
    many_in_cluster: Indicator | None,
    diversity: Indicator | None,
    size_indicator: Indicator | None,
) -> float:
    """``sum`` of the contributions of ``_structural_extra``, the same float, without building
    their descriptions: it runs for every cluster of two or more ads."""
    return sum(
        contribution
        for _indicator, contribution in _structural_contributions(
            size, kinds, personas, many_in_cluster, diversity, size_indicator
        )
    )


def _cluster_facts(
    index: Index,
    contacts: ContactIndex,
    labels: np.ndarray,
    order: np.ndarray,
    starts: np.ndarray,
    multi_labels: np.ndarray,
    min_personas: float | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For each cluster of ``multi_labels``, in numpy over all ads at once: how many cities
    (other than none) its ads name; whether one of its ads has a shared contact used under at
    least ``min_personas`` personas; how many different text indicators its ads show; and how
    many personas (name with age, named ads only) it has. The same numbers as counting per
    cluster in Python (a test checks it). Arrays of int64, bool, int64, int64."""
    n = len(labels)
    # Each fact is made and read at ``multi_labels`` before the next one's temporaries, from
    # 32-bit labels: the analysis phase's peak at ten million ads was here, with the labels,
    # cities and masks in int64 and every count over all clusters alive at once (ADR 0108).
    # The same numbers.
    city = np.frombuffer(index.city, dtype=np.int32)
    in_city = city > 0
    keys = labels[in_city].astype(np.int64)
    keys <<= 32
    keys |= city[in_city]
    del in_city
    cities = _distinct_per_label(keys, n)[multi_labels]
    flagged = np.zeros(n, dtype=bool)
    if min_personas is not None and len(contacts._sorted_ads):
        # The ads of the shared contacts used under at least ``min_personas`` personas.
        hit = np.repeat(contacts.persona_count >= min_personas, np.diff(contacts._starts))
        flagged[contacts._sorted_ads[hit]] = True
        del hit
    contact_personas = (np.bincount(labels[flagged], minlength=n) > 0)[multi_labels]
    del flagged
    # Every label has an ad (components are numbered 0, 1, ...): each cluster's run of the ads
    # in label order starts at ``starts`` and ends where the next one starts.
    if n:
        masks = np.frombuffer(index.mask, dtype=np.int64)[order]
        kinds = np.bitwise_count(np.bitwise_or.reduceat(masks, starts)[multi_labels])
        del masks
    else:
        kinds = np.zeros(0, dtype=np.int64)
    name = np.frombuffer(index.name, dtype=np.int32)
    age = np.frombuffer(index.age, dtype=np.int16)
    named = name > 0
    if not named.any() or int(name.max()) < _PACKED_NAMES_BELOW:
        # (label, name, age) in one key when the names fit in 15 bits: sorted in place.
        keys = labels[named].astype(np.int64)
        keys <<= 32
        low = name[named].astype(np.int64)
        low <<= 16
        low |= age[named].astype(np.int64) & 0xFFFF
        keys |= low
        del low, named
        personas = _distinct_per_label(keys, n)[multi_labels]
    else:
        at = np.flatnonzero(named)
        del named
        label = labels[at].astype(np.int64)
        by = np.lexsort((age[at], name[at], label))
        lab, nm, ag = label[by], name[at][by], age[at][by]
        new = np.ones(len(by), dtype=bool)
        new[1:] = (lab[1:] != lab[:-1]) | (nm[1:] != nm[:-1]) | (ag[1:] != ag[:-1])
        personas = np.bincount(lab[new], minlength=n)[multi_labels]
    return (
        cities.astype(np.int64, copy=False),
        contact_personas,
        kinds.astype(np.int64),
        personas.astype(np.int64, copy=False),
    )


# Name numbers below this go with the age into 31 bits of one sort key with the label.
_PACKED_NAMES_BELOW = 1 << 15


def _distinct_per_label(keys: np.ndarray, n: int) -> np.ndarray:
    """How many distinct keys (label << 32 | value, int64, sorted here in place) each of the
    ``n`` labels has."""
    keys.sort()
    if not len(keys):
        return np.zeros(n, dtype=np.int64)
    new = np.empty(len(keys), dtype=bool)
    new[0] = True
    np.not_equal(keys[1:], keys[:-1], out=new[1:])
    heads = keys[new]
    heads >>= 32
    return np.bincount(heads, minlength=n)


def _score_bounds(
    sizes: np.ndarray,
    facts: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    text_bound: float,
    indicators: IndicatorSet,
) -> np.ndarray:
    """The upper bound of the score of each cluster of two or more ads (``sizes``, with its
    ``_cluster_facts``), for all at once: the same float64 a cluster as the loop that
    adds, in the same order, ``text_bound``, the weights of the city and contact indicators
    that may fire, and ``_structural_bound`` (a test compares them). An indicator that does not
    fire adds 0.0, which leaves a sum as it is; the logarithm of a size is ``math.log2``'s, one
    call a distinct size (numpy's may differ in the last bit)."""
    cities, contact_personas, kinds, personas = facts
    by_id = indicators.by_id
    bound = np.full(len(sizes), text_bound, dtype=np.float64)
    for name in ("template_many_cities", "persona_many_cities"):
        indicator = by_id.get(name)
        if indicator:
            bound += np.where(cities >= indicator.param("min_cities"), indicator.weight, 0.0)
    many_personas = by_id.get("contact_many_personas")
    if many_personas:
        bound += np.where(contact_personas, many_personas.weight, 0.0)
    # _structural_contributions' parts summed from 0 in its order, absent ones as 0.0.
    structural = np.zeros(len(sizes), dtype=np.float64)
    many_in_cluster = by_id.get("cluster_many_personas")
    if many_in_cluster:
        structural += np.where(
            personas >= many_in_cluster.param("min_personas"), many_in_cluster.weight, 0.0
        )
    diversity = by_id.get("indicator_diversity")
    if diversity:
        structural += np.where(
            kinds >= diversity.param("min_kinds"),
            np.minimum(diversity.weight * (kinds - 1), diversity.param("max_contribution")),
            0.0,
        )
    size_indicator = by_id.get("cluster_size")
    if size_indicator and len(sizes):
        distinct, inverse = np.unique(sizes, return_inverse=True)
        top = size_indicator.param("max_contribution")
        parts = np.array(
            [
                min(size_indicator.weight * math.log2(size), top) if size >= 2 else 0.0
                for size in distinct.tolist()
            ],
            dtype=np.float64,
        )
        structural += parts[inverse.ravel()]
    bound += structural
    return bound


@dataclass
class LabelFreeFacts:
    """What ``analyse`` reads of the index alone, whatever the clusters: the contacts' index
    and the price flags. Made before the clusters are known, beside the cluster phase, when a
    second core is there (ADR 0102)."""

    contacts: ContactIndex
    price_flags: np.ndarray
    price_medians: dict[str, float]


def label_free_facts(index: Index, indicators: IndicatorSet) -> LabelFreeFacts:
    n = len(index)
    price = indicators.by_id.get("price_below_median")
    price_flags, medians = (
        _price_flags(index, price.param("ratio"), int(price.param("min_priced_ads_in_city")))
        if price is not None and n
        else (np.zeros(n, dtype=bool), {})
    )
    return LabelFreeFacts(ContactIndex(index), price_flags, medians)


def analyse(
    index: Index,
    clustering: Clustering,
    indicators: IndicatorSet,
    facts_before: LabelFreeFacts | None = None,
    processes: int = 1,
) -> Analysis:
    """The lead clusters, scored and explained. ``facts_before``: ``label_free_facts`` of the
    same index and indicators, made earlier; made here when None.

    With ``processes`` 2 (where ``fork`` exists) the candidates after about half of their ads
    are described by a forked process, which sends back its lead clusters (ADR 0124); the
    analysis is the same as with 1."""
    n = len(index)
    labels = clustering.labels
    price = indicators.by_id.get("price_below_median")
    early = facts_before if facts_before is not None else label_free_facts(index, indicators)
    contacts, price_flags, medians = early.contacts, early.price_flags, early.price_medians
    # Not kept beyond its parts: the `del price_flags` before the loop below frees the flags
    # (a byte an ad) when this function made them, as in a spilled scan (ADR 0103).
    del early

    many_personas = indicators.by_id.get("contact_many_personas")
    many_cities = indicators.by_id.get("template_many_cities")
    persona_moves = indicators.by_id.get("persona_many_cities")
    many_in_cluster = indicators.by_id.get("cluster_many_personas")
    diversity = indicators.by_id.get("indicator_diversity")
    size_indicator = indicators.by_id.get("cluster_size")
    city_values = index.cities.values

    order = np.argsort(labels, kind="stable")
    if n < 2**31:  # 4 bytes an ad less through the facts below (ADR 0108): the same ads
        order = order.astype(np.int32)
    sizes = np.bincount(labels) if n else np.zeros(0, dtype=np.int64)
    starts = np.cumsum(sizes) - sizes
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
    multi = len(multi_labels)
    # Most clusters of two or more ads are one person reposting in one city. An upper bound of
    # the score from cheap facts (counted for all clusters at once) skips them before the full
    # description is built: for every cluster at once in numpy, the same floats as a loop over
    # them (~0.1 million at a million ads) in Python.
    chosen = np.flatnonzero(
        _score_bounds(sizes[multi_labels], facts, text_bound, indicators)
        >= indicators.lead_threshold
    )
    # label, number of indicator kinds, personas
    candidates: list[tuple[int, int, int]] = list(
        zip(
            multi_labels[chosen].tolist(),
            facts[2][chosen].tolist(),
            facts[3][chosen].tolist(),
            strict=True,
        )
    )
    facts_of = _LeadFacts(
        index, contacts, clustering, indicators, price_flags, order, starts, sizes, candidates
    )
    # Not read by the loop: let go before the summaries grow (order alone is 8 bytes an ad,
    # ADR 0103).
    del order, starts, facts, multi_labels, price_flags, chosen
    # The indicators' parameters read once, not once a candidate (each read builds a dict).
    min_contact_personas = many_personas.param("min_personas") if many_personas else 0.0
    min_template_cities = many_cities.param("min_cities") if many_cities else 0.0
    min_persona_cities = persona_moves.param("min_cities") if persona_moves else 0.0
    min_cluster_personas = many_in_cluster.param("min_personas") if many_in_cluster else 0.0
    language_values = index.languages.values
    run_bounds = facts_of._bounds.tolist()
    run_sizes = sizes[[c[0] for c in candidates]].tolist()

    def describe(begin: int, stop: int) -> _Described:
        """The lead clusters among candidates ``begin`` to ``stop``, and the best
        ``FULL_SUMMARIES`` of them (the others made lean)."""
        summaries: list[ClusterSummary] = []
        # The best FULL_SUMMARIES so far, worst on top: (score, size, -label), the sort key
        # below reversed. A summary pushed out is made lean.
        described: list[tuple[float, int, int, ClusterSummary]] = []
        # The many-personas contributions whose detail waits for its contact's description
        # (contribution, contact, personas, number), and the summaries pushed out of the heap,
        # whose lean form quotes the details: settled a batch at a time.
        waiting: list[tuple[dict, str, int, int]] = []
        to_lean: list[ClusterSummary] = []

        def settle() -> None:
            """The waiting details written, their contacts described at once by
            ``stats_many`` (the same descriptions as ``stats``, ADR 0124); then the summaries
            pushed out made lean."""
            entries = contacts.stats_many([number for *_, number in waiting])
            for (part, contact, personas, _), entry in zip(waiting, entries, strict=True):
                part["detail"] = (
                    f"{part['label']}: {contact_kind(contact)} "
                    f"{contact_value(contact)} is used in {entry.ads} ads under "
                    f"{personas} personas ({_list(sorted(entry.personas))})."
                )
            waiting.clear()
            for summary in to_lean:
                summary.make_lean()
            to_lean.clear()

        for run in range(begin, stop):
            label, kinds, persona_count = candidates[run]
            size = run_sizes[run]
            first, last = run_bounds[run], run_bounds[run + 1]
            ads = facts_of.ads(first, last)
            city_ids = facts_of.city(first, last)
            extra = _structural_extra(
                size, kinds, persona_count, many_in_cluster, diversity, size_indicator
            )
            summary = ClusterSummary(label=label, ads=ads)
            contributions = facts_of.text_contributions(run, size)
            # Counted by number, then named: the numbers and the names are one to one, so the
            # counts and the order of first appearance (most_common's order of ties) are the same.
            # Counted in C (Counter of a list), the unnamed city (0) then taken out: the others keep
            # their order of first appearance, so most_common's order of ties is the same.
            city_counts = Counter(city_ids)
            city_counts.pop(0, None)
            summary.cities = [(city_values[c], count) for c, count in city_counts.most_common()]
            summary.first_day, summary.last_day = facts_of.days(run)
            by_persona: dict[str, list[int]] = {}
            persona_cities = summary.personas
            for a, persona, city in zip(ads, facts_of.personas(first, last), city_ids, strict=True):
                if persona:
                    persona_cities.setdefault(persona, set()).add(city_values[city])
                    by_persona.setdefault(persona, []).append(a)
            summary.persona_ads = by_persona
            summary.languages = [
                (language_values[lang], count)
                for lang, count in Counter(facts_of.language(first, last)).most_common()
            ]
            # Each contact with its number: distinct contacts have distinct values, so the number
            # never decides the order, and the first one's number needs no look-up by its value.
            ranked_contacts = sorted(
                facts_of.named_contacts(run, index.contacts), key=_contact_rank
            )
            summary.contacts = [
                (value, count, personas) for value, count, personas, _ in ranked_contacts
            ]
            summary.contact_ids = [number for *_, number in ranked_contacts]
            if many_personas and ranked_contacts:
                contact, _, personas, top_id = ranked_contacts[0]
                if personas >= min_contact_personas:
                    # Its detail is written by ``settle``, with the contact described.
                    part: dict = {
                        "id": many_personas.id,
                        "label": many_personas.label,
                        "contribution": many_personas.weight,
                        "detail": "",
                    }
                    contributions.append(part)
                    waiting.append((part, contact, personas, top_id))
            # A template group's cities and a persona's are among the cluster's: with fewer cities
            # in all (most clusters are in one city), neither indicator can fire.
            if many_cities and len(city_counts) >= min_template_cities:
                # Cities by number (one to one with their names, so the same sizes and the same
                # best group), named for the detail only.
                groups: dict[int, set[int]] = {}
                templates = facts_of.template(first, last)
                for group, city in zip(templates, city_ids, strict=True):
                    if city:
                        groups.setdefault(group, set()).add(city)
                best = max(groups.items(), key=lambda g: (len(g[1]), -g[0]), default=(0, set()))
                best_size = templates.count(best[0])
                if best_size > 1 and len(best[1]) >= min_template_cities:
                    contributions.append(
                        {
                            "id": many_cities.id,
                            "label": many_cities.label,
                            "contribution": many_cities.weight,
                            "detail": f"{many_cities.label}: one text template in "
                            f"{best_size} ads across {len(best[1])} cities "
                            f"({_list(sorted(city_values[c] for c in best[1]))}).",
                        }
                    )
            if persona_moves and summary.personas and len(city_counts) >= min_persona_cities:
                persona, cities = max(summary.personas.items(), key=lambda p: (len(p[1]), p[0]))
                cities = {c for c in cities if c}
                if len(cities) >= min_persona_cities:
                    contributions.append(
                        {
                            "id": persona_moves.id,
                            "label": persona_moves.label,
                            "contribution": persona_moves.weight,
                            "detail": f"{persona_moves.label}: persona {persona} is advertised in "
                            f"{len(cities)} cities ({_list(sorted(cities))}).",
                        }
                    )
            if many_in_cluster and persona_count >= min_cluster_personas:
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
                ranked = (summary.score, size, -summary.label, summary)
                if len(described) < FULL_SUMMARIES:
                    heapq.heappush(described, ranked)
                else:
                    to_lean.append(heapq.heappushpop(described, ranked)[3])
            if len(waiting) >= _DETAIL_BATCH or len(to_lean) >= _DETAIL_BATCH:
                settle()
        settle()
        return summaries, described

    split = _analysis_split(run_sizes, processes)
    child = _AnalysisChild.start(describe, split, len(candidates))
    try:
        summaries, described = describe(0, split)
    except BaseException:
        if child is not None:
            child.cancel()
        raise
    theirs = child.result() if child is not None else None
    if theirs is None and split < len(candidates):  # one process, or the child failed
        theirs = describe(split, len(candidates))
    if theirs is not None:
        _join_described(summaries, described, *theirs)
    summaries.sort(key=lambda s: (-s.score, -len(s.ads), s.label))
    cluster_count = int(labels.max()) + 1 if n else 0
    return Analysis(summaries, cluster_count, multi, contacts, medians)


# What ``analyse`` makes of a range of candidates: its lead clusters, and the best
# ``FULL_SUMMARIES`` of them as a heap of (score, size, -label, summary).
_Described = tuple[list[ClusterSummary], list[tuple[float, int, int, ClusterSummary]]]

# Many-personas details (and summaries to make lean) settled at once in ``analyse``: a batch
# of contacts described by ``stats_many``, at most this many full summaries waiting (~6 KB each).
_DETAIL_BATCH = 1024

# Processes that describe the analysis' candidates: two where this process may use two cores
# and the caller found the second one free (ADR 0124); the analysis does not depend on it.
ANALYSIS_PROCESSES = 2 if available_cores() >= 2 else 1
# Below this many ads in candidates a forked process costs more than it saves (the fork of a
# large process, the pickling of its lead clusters).
ANALYSIS_FORK_MIN_ADS = 20_000


def _analysis_split(run_sizes: list[int], processes: int) -> int:
    """Where the forked process's candidates start: after about half of the candidates' ads (a
    candidate's description costs about in proportion to them); ``len(run_sizes)`` for one
    process, without ``fork``, or too few to share."""
    count = len(run_sizes)
    if processes < 2 or count < 2 or not can_fork():
        return count
    ends = np.cumsum(np.asarray(run_sizes, dtype=np.int64))
    total = int(ends[-1])
    if total < ANALYSIS_FORK_MIN_ADS:
        return count
    return max(1, min(count - 1, int(np.searchsorted(ends, total // 2))))


class _AnalysisChild:
    """Candidates ``split`` to ``stop`` described by a forked process, which sends back its
    lead clusters pickled (lean but for its best ``FULL_SUMMARIES``). A child that fails, or
    whose result cannot be read, gives None: ``analyse`` then describes them itself."""

    def __init__(self, child: ForkedChild) -> None:
        self.child = child

    @property
    def pid(self) -> int | None:
        return self.child.pid

    @classmethod
    def start(
        cls, describe: Callable[[int, int], _Described], split: int, stop: int
    ) -> _AnalysisChild | None:
        if split >= stop:
            return None
        child = ForkedChild.start(
            lambda: pickle.dumps(describe(split, stop), pickle.HIGHEST_PROTOCOL)
        )
        return cls(child) if child is not None else None

    def cancel(self) -> None:
        self.child.cancel()

    def result(self) -> _Described | None:
        payload = self.child.result()
        if payload is None:
            return None
        try:
            # From this process's own forked child, through its own pipe.
            summaries, described = pickle.loads(payload)  # noqa: S301
        except Exception:  # a broken result: the parent describes them itself
            return None
        return summaries, described


def _join_described(
    summaries: list[ClusterSummary],
    described: list[tuple[float, int, int, ClusterSummary]],
    their_summaries: list[ClusterSummary],
    their_described: list[tuple[float, int, int, ClusterSummary]],
) -> None:
    """Add a later range's lead clusters to ``summaries`` and its best ones to the heap
    ``described``, making lean those pushed out: the best ``FULL_SUMMARIES`` of both ranges
    are among the best of each, so the same ones stay described as in one pass (the ranking
    (score, size, -label) has no ties), and ``analyse`` sorts the summaries by a total key."""
    summaries.extend(their_summaries)
    for ranked in their_described:
        if len(described) < FULL_SUMMARIES:
            heapq.heappush(described, ranked)
        else:
            heapq.heappushpop(described, ranked)[3].make_lean()


def _contact_rank(contact: tuple[str, int, int, int]) -> tuple[int, int, str]:
    """A cluster's shared contacts in order: most personas first, then most ads, then by value."""
    return -contact[2], -contact[1], contact[0]


def lead_clusters(analysis: Analysis, indicators: IndicatorSet) -> list[ClusterSummary]:
    return [s for s in analysis.clusters if s.score >= indicators.lead_threshold]


# Ads whose URLs are read in one go while the leads are built.
_URL_BATCH = 65_536


def _with_urls(
    index: Index, summaries: list[ClusterSummary]
) -> Iterator[tuple[ClusterSummary, dict[int, str]]]:
    """Each summary with the URLs of its ads, read for a batch of clusters at a time: one read
    for ads that lie close together in the file instead of one (or three) a URL."""
    batch: list[ClusterSummary] = []
    size = 0
    for summary in [*summaries, None]:
        if batch and (summary is None or size + len(summary.ads) > _URL_BATCH):
            urls = index.urls.take(a for s in batch for a in s.ads)
            for done in batch:
                yield done, urls
            batch, size = [], 0
        if summary is not None:
            batch.append(summary)
            size += len(summary.ads)


def build_leads(
    index: Index,
    analysis: Analysis,
    indicators: IndicatorSet,
    max_urls: int = 5000,
    processes: int | None = None,
) -> dict[str, Sequence[dict]]:
    """Possible victims, possible perpetrators and URLs, each with a score and an explanation.

    URLs are the ads of lead clusters, highest score first, at most ``max_urls`` of them: more
    than an analyst can open, and a cap keeps a million-ad scan's output bounded.

    With ``processes`` 2 (the default where ``fork`` exists and this process may use two cores)
    the lead clusters after the first half of their ads are described by a forked process,
    which writes their leads' JSON text into spill files made here (ADR 0094); the leads, their
    order and the text are the same as with 1."""
    # Victim and perpetrator leads go to files as they are made (ADR 0090); URLs are capped.
    summaries = lead_clusters(analysis, indicators)
    # Their leads are only of the shape the encoder may take on trust (ADR 0124).
    victims = SpooledLeads(shaped=True)
    perpetrators = SpooledLeads(shaped=True)
    url_leads: list[dict] = []
    parts = LEAD_PROCESSES if processes is None else processes
    split = _second_part(summaries) if parts > 1 and can_fork() else len(summaries)
    first, second = summaries[:split], summaries[split:]
    child = _LeadsChild.start(index, analysis, indicators, first, second, max_urls)
    try:
        _describe_leads(
            index, analysis, indicators, first, victims, perpetrators, url_leads, set(), max_urls
        )
    except BaseException:
        if child is not None:
            child.cancel()
        raise
    done = child.result() if child is not None else None
    if done is not None:
        victims.extend(done[0])
        perpetrators.extend(done[1])
        url_leads.extend(done[2])
        del url_leads[max_urls:]
        done[0].close()
        done[1].close()
    elif second:  # one process, or the child failed: the same leads made here
        _describe_leads(
            index,
            analysis,
            indicators,
            second,
            victims,
            perpetrators,
            url_leads,
            _contacts_named(first),
            max_urls,
        )
    url_leads.sort(key=lambda lead: -lead["score"])
    return {
        "possible_victims": victims.finish(),
        "possible_perpetrators": perpetrators.finish(),
        "urls": url_leads,
    }


def _describe_leads(
    index: Index,
    analysis: Analysis,
    indicators: IndicatorSet,
    summaries: list[ClusterSummary],
    victims: SpooledLeads,
    perpetrators: SpooledLeads,
    url_leads: list[dict],
    seen_contacts: set[str],
    max_urls: int,
) -> None:
    """The leads of ``summaries`` (lead clusters in the list's order) appended in the order the
    serial loop makes them; ``seen_contacts`` are the contacts earlier clusters already made a
    perpetrator lead of."""
    many_personas = indicators.by_id.get("contact_many_personas")
    min_personas = many_personas.param("min_personas") if many_personas else 3
    city_values = index.cities.values
    # Each column read once an ad, by bound methods (the same values as reading it twice).
    city_of, day_of = index.city.__getitem__, index.day.__getitem__
    # The contacts this loop describes, in its order, counted a chunk at a time.
    described = _described_contacts(index, analysis.contacts, summaries, seen_contacts)
    for summary, urls in _with_urls(index, summaries):
        # The cluster's own entry carries the full evidence; a lead names the strongest reasons.
        why, reasons = summary.lead_evidence()
        cluster_id = summary.id  # the same name for each of the cluster's leads
        per_persona = summary.persona_ads
        if per_persona is None:
            grouped: defaultdict[str, list[int]] = defaultdict(list)
            for a in summary.ads:
                persona = index.persona(a)
                if persona:
                    grouped[persona].append(a)
            per_persona = grouped
        for persona, ads in sorted(per_persona.items()):
            cities = sorted({city_values[c] for c in map(city_of, ads) if c})
            days = [d for d in map(day_of, ads) if d > 0]
            moved = len(cities) >= 2
            victims.append(
                {
                    "kind": "possible_victim",
                    "persona": persona,
                    "cluster_id": cluster_id,
                    "score": round(summary.score + (0.5 if moved else 0.0), 2),
                    "ads": len(ads),
                    "cities": cities,
                    "first_seen": iso_day(min(days)) if days else "",
                    "last_seen": iso_day(max(days)) if days else "",
                    # The first 20 non-empty URLs, without listing the rest.
                    "urls": list(islice(filter(None, map(urls.__getitem__, ads)), 20)),
                    "explanation": (
                        f"Persona {persona} appears in {len(ads)} ads"
                        + (f" in {len(cities)} cities ({_list(cities)})" if cities else "")
                        + f" and belongs to cluster {cluster_id} of {len(summary.ads)} ads "
                        f"(score {summary.score:.1f}). {why}"
                    ),
                }
            )
        for contact, _, personas in summary.contacts:
            if personas < 2 or contact in seen_contacts:
                continue
            seen_contacts.add(contact)
            # Each contact is described here once: its description is not kept afterwards.
            entry = next(described)
            perpetrators.append(
                {
                    "kind": "possible_perpetrator",
                    "contact": contact,
                    "type": contact_kind(contact),
                    "value": contact_value(contact),
                    "cluster_id": cluster_id,
                    "score": round(summary.score + 0.5 * math.log2(personas), 2),
                    "ads": entry.ads,
                    "personas": sorted(entry.personas),
                    "cities": sorted(entry.cities),
                    "first_seen": iso_day(entry.first_day),
                    "last_seen": iso_day(entry.last_day),
                    "explanation": (
                        f"The {contact_kind(contact)} {contact_value(contact)} stands behind "
                        f"{entry.ads} "
                        f"ads with {personas} different personas ({_list(sorted(entry.personas))})"
                        + (
                            f" in {len(entry.cities)} cities ({_list(sorted(entry.cities))})"
                            if entry.cities
                            else ""
                        )
                        + (
                            f", from {iso_day(entry.first_day)} to {iso_day(entry.last_day)}"
                            if entry.first_day
                            else ""
                        )
                        + (
                            ". Several personas behind one contact is the strongest sign "
                            "of a third party"
                            if personas >= min_personas
                            else ""
                        )
                        + f". Cluster {cluster_id} (score {summary.score:.1f}): {why}"
                    ),
                }
            )
        if len(url_leads) >= max_urls:  # the rest of the loop would add none
            continue
        for a in summary.ads:
            url = urls[a]
            if url and len(url_leads) < max_urls:
                url_leads.append(
                    {
                        "kind": "url",
                        "url": url,
                        "ad_id": index.ids[a],
                        "cluster_id": cluster_id,
                        "score": round(summary.score, 2),
                        "explanation": f"Ad {index.ids[a]} belongs to cluster {cluster_id} "
                        f"of {len(summary.ads)} ads (score {summary.score:.1f}): " + reasons + ".",
                    }
                )


# Contacts described at once by ``_described_contacts``.
_DESCRIBED_CHUNK = 8192


def _described_contacts(
    index: Index, contacts: ContactIndex, summaries: list[ClusterSummary], seen: set[str]
) -> Iterator[ContactStats]:
    """The description (``ContactIndex.stats``) of each contact ``_describe_leads`` makes a
    perpetrator lead of, in its order (the same walk over the summaries' contacts, from the
    same ``seen``): counted ``_DESCRIBED_CHUNK`` contacts at a time by ``stats_many``. Each by
    its number as ``analyse`` found it (``contact_ids``), else looked up by its value. The
    walk is made here, before the caller's loop changes ``seen``."""
    seen = set(seen)
    numbers: list[int] = []
    for summary in summaries:
        known = len(summary.contact_ids) == len(summary.contacts)
        for k, (contact, _, personas) in enumerate(summary.contacts):
            if personas < 2 or contact in seen:
                continue
            seen.add(contact)
            numbers.append(summary.contact_ids[k] if known else index.contacts.id_of(contact))
    return chain.from_iterable(
        map(
            contacts.stats_many,
            (
                numbers[first : first + _DESCRIBED_CHUNK]
                for first in range(0, len(numbers), _DESCRIBED_CHUNK)
            ),
        )
    )


# Processes that make the leads: two where this process may use two cores (the workers are done
# by then, ADR 0094). The result does not depend on it.
LEAD_PROCESSES = 2 if available_cores() >= 2 else 1
# Below this many ads in lead clusters a second process costs more than it saves (a fork of a
# large process is some tens of milliseconds).
FORK_MIN_ADS = 20_000


def _second_part(summaries: list[ClusterSummary]) -> int:
    """Where the forked process's share starts: after about half of the lead clusters' ads (the
    leads' cost grows with them); ``len(summaries)`` when too few to share."""
    if len(summaries) < 2:
        return len(summaries)
    sizes = np.fromiter((len(s.ads) for s in summaries), dtype=np.int64, count=len(summaries))
    total = int(sizes.sum())
    if total < FORK_MIN_ADS:
        return len(summaries)
    return max(1, min(len(summaries) - 1, int(np.searchsorted(np.cumsum(sizes), total // 2))))


def _contacts_named(summaries: list[ClusterSummary]) -> set[str]:
    """The contacts the leads of ``summaries`` make perpetrator leads of: those under two or more
    personas (the serial loop's ``seen_contacts`` after them)."""
    return {contact for s in summaries for contact, _, personas in s.contacts if personas >= 2}


class _LeadsChild:
    """The leads of the second part of the lead clusters made by a forked process: it appends
    them to spill files opened here before the fork (the files are shared, so the text stays
    when the child ends) and sends back only their scores and offsets and the URL leads.

    Any failure in the child (or a result that cannot be read) gives ``None``: the parent then
    makes those leads itself."""

    def __init__(self, child: ForkedChild, victims: SpooledLeads, perps: SpooledLeads) -> None:
        self.child = child
        self.victims, self.perpetrators = victims, perps

    @property
    def pid(self) -> int | None:
        return self.child.pid

    @classmethod
    def start(
        cls,
        index: Index,
        analysis: Analysis,
        indicators: IndicatorSet,
        first: list[ClusterSummary],
        second: list[ClusterSummary],
        max_urls: int,
    ) -> _LeadsChild | None:
        if not second or not first:
            return None
        victims, perpetrators = SpooledLeads(shaped=True), SpooledLeads(shaped=True)
        # Opened before the fork: the child writes into them.
        victims.open()
        perpetrators.open()

        def describe() -> bytes:
            url_leads: list[dict] = []
            _describe_leads(
                index,
                analysis,
                indicators,
                second,
                victims,
                perpetrators,
                url_leads,
                _contacts_named(first),
                max_urls,
            )
            return pickle.dumps(
                (victims.raw(), perpetrators.raw(), url_leads), pickle.HIGHEST_PROTOCOL
            )

        child = ForkedChild.start(describe)
        if child is None:
            victims.close()
            perpetrators.close()
            return None
        return cls(child, victims, perpetrators)

    def cancel(self) -> None:
        self.child.cancel()

    def result(self) -> tuple[SpooledLeads, SpooledLeads, list[dict]] | None:
        payload = self.child.result()
        try:
            if payload is None:
                raise ValueError("the leads' child process failed")
            # From this process's own forked child, through its own pipe.
            victims, perpetrators, url_leads = pickle.loads(payload)  # noqa: S301
            self.victims.adopt(*victims)
            self.perpetrators.adopt(*perpetrators)
        except Exception:  # a broken result: the parent makes these leads itself
            self.victims.close()
            self.perpetrators.close()
            return None
        return self.victims, self.perpetrators, url_leads
