"""A self-contained HTML report: no external files, scripts or fonts, so it opens offline and can be
archived with the case. Ad texts are untrusted input: the report is rendered by an autoescaping
Jinja2 template (templates/report.html), and a link taken from an ad is rendered only when it is
an http(s) URL."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import jinja2
import numpy as np

from .analysis import ClusterSummary, contact_kind, contact_value, iso_day
from .indicators import IndicatorSet

if TYPE_CHECKING:
    from .runner import ScanResult

_COLOURS = ("#154273", "#e17000", "#39870c", "#a90061", "#007bc7", "#673327", "#8fcae7", "#ca005d")
_LINK_SCHEMES = frozenset({"http", "https"})
# Browsers drop tabs and newlines inside a URL ("java\tscript:"), so any control character or
# space disqualifies it rather than being stripped.
_UNSAFE_CHARS = re.compile(r"[\x00-\x20\x7f]")


@dataclass(frozen=True)
class Link:
    """Text that is a link when `href` is set; `href` is set only by `external_link` (checked)
    or for an anchor inside the report."""

    text: str
    href: str = ""
    external: bool = False


def safe_url(url: object) -> str:
    """The URL when it is an absolute http or https URL with a host, else ""."""
    if not isinstance(url, str) or not url or _UNSAFE_CHARS.search(url):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return url if parts.scheme.lower() in _LINK_SCHEMES and parts.netloc else ""


def external_link(url: str, text: str | None = None) -> Link:
    """A link to a scraped URL, or plain text when the URL is not http(s) (javascript:, data:)."""
    return Link(text=url if text is None else text, href=safe_url(url), external=True)


def _anchor(cluster_id: str) -> Link:
    return Link(text=cluster_id, href=f"#{cluster_id}")


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return environment.get_template("report.html")


def _segments(text: str, hits: list[dict]) -> list[tuple[str, str | None]]:
    """An ad's text cut into (text, indicator or None) pieces, to mark the evidence spans."""
    out: list[tuple[str, str | None]] = []
    position = 0
    for hit in sorted(hits, key=lambda h: h["start"]):
        if hit["start"] < position:
            continue
        out.append((text[position : hit["start"]], None))
        out.append((text[hit["start"] : hit["end"]], str(hit["indicator"])))
        position = hit["end"]
    out.append((text[position:], None))
    return out


def _template_words(template: str) -> list[tuple[str, bool]]:
    return [(word, word.startswith("{")) for word in template.split()]


def _graph(result: ScanResult, summary: ClusterSummary, max_ads: int = 60) -> dict:
    """Ads (circles, coloured by city) around the contacts (squares) they share: the operator's
    network at a glance. Positions here, markup in the template."""
    index = result.index
    ads = summary.ads[:max_ads]
    contact_ad = np.frombuffer(index.contact_ad, dtype=np.int32)
    contact_id = np.frombuffer(index.contact_id, dtype=np.int32)
    selected = np.isin(contact_ad, ads)
    shared = {c for c, _, _ in summary.contacts}
    edges = [
        (int(a), index.contacts.values[int(c)])
        for a, c in zip(contact_ad[selected], contact_id[selected], strict=True)
        if index.contacts.values[int(c)] in shared
    ]
    contacts = sorted({c for _, c in edges}, key=lambda c: (contact_kind(c), c))[:24]
    width, height, cx, cy = 640, 440, 320, 220
    contact_pos = {}
    for n, contact in enumerate(contacts):
        angle = 2 * math.pi * n / max(len(contacts), 1)
        radius = 0 if len(contacts) == 1 else 90
        contact_pos[contact] = (cx + radius * math.cos(angle), cy + radius * math.sin(angle))
    first_contact = {}
    for ad, contact in edges:
        first_contact.setdefault(ad, contact)
    ordered = sorted(ads, key=lambda a: (first_contact.get(a, "~"), a))
    ad_pos = {}
    for n, ad in enumerate(ordered):
        angle = 2 * math.pi * n / len(ordered)
        ad_pos[ad] = (cx + 190 * math.cos(angle), cy + 190 * math.sin(angle))
    cities = [city for city, _ in summary.cities]
    ad_points = []
    for ad, (x, y) in ad_pos.items():
        city = index.cities.values[index.city[ad]]
        colour = _COLOURS[cities.index(city) % len(_COLOURS)] if city in cities else "#777"
        title = f"{index.ids[ad]} · {index.persona(ad) or '?'} · {city}"
        ad_points.append({"x": round(x), "y": round(y), "colour": colour, "title": title})
    return {
        "id": summary.id,
        "width": width,
        "height": height,
        "ads": len(ads),
        "edges": [
            {
                "x1": round(ad_pos[ad][0]),
                "y1": round(ad_pos[ad][1]),
                "x2": round(contact_pos[contact][0]),
                "y2": round(contact_pos[contact][1]),
            }
            for ad, contact in edges
            if contact in contact_pos and ad in ad_pos
        ],
        "ad_points": ad_points,
        "contacts": [
            {"x": round(x), "y": round(y), "title": contact, "label": contact_value(contact)[:22]}
            for contact, (x, y) in contact_pos.items()
        ],
        "legend": [
            {"y": 16 + 14 * n, "colour": _COLOURS[n % len(_COLOURS)], "city": city}
            for n, city in enumerate(cities[:8])
        ],
    }


def _lead(rank: int, summary: ClusterSummary, result: ScanResult, evidence: dict) -> dict:
    return {
        "rank": rank,
        "id": summary.id,
        "score": summary.score,
        "ads": len(summary.ads),
        "personas": len(summary.personas),
        "persona_names": ", ".join(sorted(summary.personas))[:300],
        "cities": len(summary.cities),
        "city_names": ", ".join(c for c, _ in summary.cities[:8]),
        "first_day": iso_day(summary.first_day),
        "last_day": iso_day(summary.last_day),
        "contacts": [
            {"kind": contact_kind(c), "value": contact_value(c), "ads": n}
            for c, n, _ in summary.contacts[:6]
        ],
        "bullets": [
            (line, c["contribution"])
            for line, c in zip(summary.explanation(), summary.contributions, strict=True)
        ],
        "template": _template_words(summary.template) if summary.template else [],
        "quotes": [
            {
                "link": external_link(q["url"], q["ad_id"]),
                "segments": _segments(q["text"], q["hits"]),
            }
            for q in evidence.get(summary.id, [])[:3]
        ],
        "graph": _graph(result, summary) if rank <= 3 else None,
    }


def render_report(
    result: ScanResult, document: dict, indicators: IndicatorSet, top: int = 10
) -> str:
    stats = document["stats"]
    evidence = result.stats.get("evidence", {})
    leads = [s for s in result.analysis.clusters if s.score >= indicators.lead_threshold]
    figures = [
        ("ads read", stats["ads"]),
        ("bad lines skipped", stats["bad_lines"]),
        ("clusters of 2+ ads", stats["clusters_with_two_or_more_ads"]),
        ("lead clusters", stats["lead_clusters"]),
        ("possible perpetrators", len(document["possible_perpetrators"])),
        ("possible victims", len(document["possible_victims"])),
        ("URLs", len(document["urls"])),
        ("ads per second", stats["ads_per_second"]),
    ]
    context = {
        "generated_at": document["generated_at"],
        "ads": f"{stats['ads']:,}",
        "indicator_set_version": stats["indicator_set_version"],
        "figures": [(label, f"{value:,}") for label, value in figures],
        "leads": [
            _lead(rank, summary, result, evidence)
            for rank, summary in enumerate(leads[:top], start=1)
        ],
        "perpetrators": [
            [
                p["score"],
                p["value"],
                p["type"],
                p["ads"],
                len(p["personas"]),
                ", ".join(p["cities"]),
                _anchor(p["cluster_id"]),
                p["explanation"],
            ]
            for p in document["possible_perpetrators"][:300]
        ],
        "victims": [
            [
                v["score"],
                v["persona"],
                v["ads"],
                ", ".join(v["cities"]),
                v["first_seen"],
                v["last_seen"],
                _anchor(v["cluster_id"]),
            ]
            for v in document["possible_victims"][:300]
        ],
        "urls": [
            [u["score"], external_link(u["url"]), u["ad_id"], u["cluster_id"]]
            for u in document["urls"][:300]
        ],
        "url_count": f"{len(document['urls']):,}",
        "clusters": [
            [
                round(s.score, 2),
                s.id,
                len(s.ads),
                len(s.personas),
                len(s.cities),
                iso_day(s.first_day),
                iso_day(s.last_day),
                ", ".join(lang for lang, _ in s.languages),
            ]
            for s in result.analysis.clusters[:300]
        ],
        "indicators": [[i.weight, i.label, i.kind, i.explanation] for i in indicators.indicators],
    }
    return _template().render(context)
