"""Reads of the knowledge base: search, what fits a setting, a card, reach figures."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, Q

from samen.knowledge.models import Kind, Resource
from samen.programme.models import IndicatorValue
from samen.signalling.models import SignalList

MAX_QUERY = 200
MAX_WORDS = 8


def resource_search(*, query: str, limit: int = 20) -> list[Resource]:
    """Titles and texts. PostgreSQL: full-text search with the Dutch dictionary (and English
    for the English texts), ranked. Elsewhere: every word must occur in a title, text or
    audience, in either language."""
    text = " ".join(query.split())[:MAX_QUERY]
    if not text:
        return []
    if connection.vendor == "postgresql":
        q = SearchQuery(text, config="dutch", search_type="websearch") | SearchQuery(
            text, config="english", search_type="websearch"
        )
        return list(
            Resource.objects.filter(search_vector=q)
            .annotate(rank=SearchRank(F("search_vector"), q))
            .order_by("-rank", "code")[:limit]
        )
    qs = Resource.objects.all()
    for word in text.split()[:MAX_WORDS]:
        qs = qs.filter(
            Q(title_nl__icontains=word)
            | Q(text_nl__icontains=word)
            | Q(audience_nl__icontains=word)
            | Q(title_en__icontains=word)
            | Q(text_en__icontains=word)
            | Q(audience_en__icontains=word)
        )
    return list(qs.order_by("kind", "code")[:limit])


def resources_all() -> list[Resource]:
    return list(Resource.objects.order_by("kind", "code"))


@dataclass
class ForSetting:
    card: Resource | None
    guides: list[Resource]
    trainings: list[Resource]


def resources_for_setting(*, signal_list_code: str) -> ForSetting:
    """The card of the setting's signal list, and the guides and trainings (and campaigns) made
    for that setting or for every setting."""
    rows = [
        r
        for r in Resource.objects.order_by("kind", "code")
        if not r.settings or signal_list_code in r.settings
    ]
    card = next(
        (r for r in rows if r.kind == Kind.CARD and r.signal_list_code == signal_list_code), None
    )
    return ForSetting(
        card=card,
        guides=[r for r in rows if r.kind == Kind.GUIDE],
        trainings=[r for r in rows if r.kind in (Kind.TRAINING, Kind.CAMPAIGN)],
    )


def card_list(*, code: str) -> SignalList | None:
    return (
        SignalList.objects.filter(code=code, is_current=True).prefetch_related("indicators").first()
    )


def card_groups(signal_list: SignalList) -> list[tuple[str, list]]:
    groups: dict[str, list] = {}
    for ind in signal_list.indicators.all():
        groups.setdefault(ind.category, []).append(ind)
    return list(groups.items())


@dataclass
class Reach:
    resource: Resource
    value: IndicatorValue | None


def reach_figures() -> list[Reach]:
    """Each resource's reach, read from the programme indicator that counts it, with its
    source: the newest value reported."""
    out = []
    for r in Resource.objects.exclude(reach_indicator="").order_by("kind", "code"):
        values = list(
            IndicatorValue.objects.filter(indicator__code=r.reach_indicator).select_related(
                "indicator", "source_letter"
            )
        )
        values.sort(key=lambda v: (v.as_of is not None, v.as_of, v.pk))
        out.append(Reach(r, values[-1] if values else None))
    return out
