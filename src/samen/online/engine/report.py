"""A self-contained HTML report: no external files, scripts or fonts, so it opens offline and can be
archived with the case. Ad texts are untrusted input and are always escaped."""

from __future__ import annotations

import math
from html import escape
from typing import TYPE_CHECKING

import numpy as np

from .analysis import ClusterSummary, contact_kind, contact_value, iso_day
from .indicators import IndicatorSet

if TYPE_CHECKING:
    from .runner import ScanResult

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1b1b;
background:#f6f7f9;line-height:1.45}
header{background:#154273;color:#fff;padding:1rem 2rem}
header p{margin:.3rem 0 0;opacity:.9}
main{padding:1rem 2rem;max-width:80rem}
section{background:#fff;border:1px solid #d8dde3;border-radius:6px;padding:1rem 1.25rem;
margin:1rem 0}
h2{margin-top:0;font-size:1.25rem}
.notice{border-left:4px solid #e17000;background:#fff4e5;padding:.6rem 1rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border-bottom:1px solid #e3e6ea;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{cursor:pointer;background:#eef1f5;position:sticky;top:0}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.lead{border-top:1px solid #e3e6ea;padding-top:.8rem;margin-top:.8rem}
.score{display:inline-block;background:#154273;color:#fff;border-radius:3px;padding:0 .4rem}
.template{font-family:ui-monospace,monospace;background:#f3f4f6;padding:.5rem;white-space:pre-wrap}
.slot{color:#a0005a;font-weight:600}
mark{background:#ffe08a}
details{margin:.4rem 0}
.ad{font-size:.85rem;background:#fafafa;border:1px solid #eee;padding:.4rem;margin:.3rem 0;
white-space:pre-wrap}
.stats{display:flex;flex-wrap:wrap;gap:1.5rem}.stats div b{display:block;font-size:1.4rem}
svg{max-width:min(100%,640px);height:auto;background:#fbfcfd;border:1px solid #eee}
"""

_SCRIPT = """
document.querySelectorAll('table.sortable').forEach(function(table){
  table.querySelectorAll('th').forEach(function(th, column){
    th.tabIndex = 0;
    function sort(){
      var ascending = th.getAttribute('aria-sort') !== 'ascending';
      table.querySelectorAll('th').forEach(function(h){h.removeAttribute('aria-sort');});
      th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function(a, b){
        var x = a.cells[column].dataset.v || a.cells[column].textContent;
        var y = b.cells[column].dataset.v || b.cells[column].textContent;
        var nx = parseFloat(x), ny = parseFloat(y);
        var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
        return ascending ? c : -c;
      });
      rows.forEach(function(r){body.appendChild(r);});
    }
    th.addEventListener('click', sort);
    th.addEventListener('keydown', function(e){ if (e.key === 'Enter') sort(); });
  });
});
"""

_COLOURS = ("#154273", "#e17000", "#39870c", "#a90061", "#007bc7", "#673327", "#8fcae7", "#ca005d")


def _table(headers: list[str], rows: list[list[object]], caption: str) -> str:
    head = "".join(f"<th scope=col>{escape(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, int | float):
                cells.append(f'<td class=num data-v="{value}">{value:g}</td>')
            else:
                cells.append(f"<td>{value}</td>")  # callers escape text cells
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<table class=sortable><caption class=visually-hidden>{escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def _highlight(text: str, hits: list[dict]) -> str:
    """Escape an ad's text and mark the indicator evidence spans in it."""
    out, position = [], 0
    for hit in sorted(hits, key=lambda h: h["start"]):
        if hit["start"] < position:
            continue
        out.append(escape(text[position : hit["start"]]))
        out.append(
            f'<mark title="{escape(hit["indicator"])}">'
            f"{escape(text[hit['start'] : hit['end']])}</mark>"
        )
        position = hit["end"]
    out.append(escape(text[position:]))
    return "".join(out)


def _template_html(template: str) -> str:
    return " ".join(
        f"<span class=slot>{escape(word)}</span>" if word.startswith("{") else escape(word)
        for word in template.split()
    )


def _graph_svg(result: ScanResult, summary: ClusterSummary, max_ads: int = 60) -> str:
    """Ads (circles, coloured by city) around the contacts (squares) they share: the operator's
    network at a glance."""
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
    parts = [
        f'<svg viewBox="0 0 {width} {height}" role=img aria-labelledby="g{summary.id}">'
        f'<title id="g{summary.id}">Cluster {summary.id}: {len(ads)} ads and the '
        f"{len(contacts)} contacts they share</title>"
    ]
    for ad, contact in edges:
        if contact in contact_pos and ad in ad_pos:
            (x1, y1), (x2, y2) = ad_pos[ad], contact_pos[contact]
            parts.append(
                f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" '
                'stroke="#9aa5b1" stroke-width="0.7"/>'
            )
    for ad, (x, y) in ad_pos.items():
        city = index.cities.values[index.city[ad]]
        colour = _COLOURS[cities.index(city) % len(_COLOURS)] if city in cities else "#777"
        parts.append(
            f'<circle cx="{x:.0f}" cy="{y:.0f}" r="5" fill="{colour}"><title>'
            f"{escape(index.ids[ad])} · {escape(index.persona(ad) or '?')} · "
            f"{escape(city)}</title></circle>"
        )
    for contact, (x, y) in contact_pos.items():
        parts.append(
            f'<rect x="{x - 7:.0f}" y="{y - 7:.0f}" width="14" height="14" fill="#fff" '
            f'stroke="#1b1b1b"><title>{escape(contact)}</title></rect>'
        )
        label = escape(contact_value(contact)[:22])
        parts.append(f'<text x="{x + 10:.0f}" y="{y + 4:.0f}" font-size="10">{label}</text>')
    legend_y = 16
    for n, city in enumerate(cities[:8]):
        parts.append(
            f'<circle cx="12" cy="{legend_y + 14 * n}" r="4" '
            f'fill="{_COLOURS[n % len(_COLOURS)]}"/>'
            f'<text x="20" y="{legend_y + 4 + 14 * n}" font-size="10">{escape(city)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def render_report(
    result: ScanResult, document: dict, indicators: IndicatorSet, top: int = 10
) -> str:
    stats = document["stats"]
    evidence = result.stats.get("evidence", {})
    leads = [s for s in result.analysis.clusters if s.score >= indicators.lead_threshold]
    sections = []

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
    sections.append(
        "<section><h2>Summary</h2><div class=stats>"
        + "".join(f"<div><b>{value:,}</b>{escape(label)}</div>" for label, value in figures)
        + "</div><p class=notice>These are leads: hypotheses drawn from public ads, to be checked "
        "by a person before anything is done. Single keywords are weak evidence; shared contacts "
        "and one template across cities weigh most. Indicator set "
        f"{escape(stats['indicator_set_version'])}.</p></section>"
    )

    explained = []
    for rank, summary in enumerate(leads[:top], start=1):
        bullets = "".join(
            f"<li>{escape(line)} <small>(+{c['contribution']:g})</small></li>"
            for line, c in zip(summary.explanation(), summary.contributions, strict=True)
        )
        personas = ", ".join(sorted(summary.personas))
        contacts = ", ".join(
            f"{escape(contact_kind(c))} {escape(contact_value(c))} ({n} ads)"
            for c, n, _ in summary.contacts[:6]
        )
        quotes = "".join(
            f'<div class=ad><a href="{escape(q["url"])}" rel="noreferrer noopener">'
            f"{escape(q['ad_id'])}</a>\n{_highlight(q['text'], q['hits'])}</div>"
            for q in evidence.get(summary.id, [])[:3]
        )
        graph = _graph_svg(result, summary) if rank <= 3 else ""
        explained.append(
            f'<div class=lead id="{summary.id}"><h3>{rank}. Cluster {summary.id} '
            f"<span class=score>score {summary.score:.1f}</span></h3>"
            f"<p>{len(summary.ads)} ads, {len(summary.personas)} personas "
            f"({escape(personas[:300])}), in {len(summary.cities)} cities "
            f"({escape(', '.join(c for c, _ in summary.cities[:8]))}), from "
            f"{escape(iso_day(summary.first_day))} to {escape(iso_day(summary.last_day))}."
            f"</p><p>Shared contacts: {contacts or 'none'}.</p><p>Why this is a lead:</p>"
            f"<ul>{bullets}</ul>"
            + (
                f"<p>Template (slots marked):</p><div class=template>"
                f"{_template_html(summary.template)}</div>"
                if summary.template
                else ""
            )
            + (
                f"<details><summary>Example ads with the evidence marked</summary>{quotes}"
                "</details>"
                if quotes
                else ""
            )
            + graph
            + "</div>"
        )
    sections.append(
        "<section><h2>Top leads, explained</h2>"
        + ("".join(explained) or "<p>No cluster reached the lead threshold.</p>")
        + "</section>"
    )

    perpetrators = document["possible_perpetrators"][:300]
    sections.append(
        "<section><h2>Possible perpetrators</h2>"
        + _table(
            ["score", "contact", "type", "ads", "personas", "cities", "cluster", "explanation"],
            [
                [
                    p["score"],
                    escape(p["value"]),
                    escape(p["type"]),
                    p["ads"],
                    len(p["personas"]),
                    escape(", ".join(p["cities"])),
                    f'<a href="#{p["cluster_id"]}">{p["cluster_id"]}</a>',
                    escape(p["explanation"]),
                ]
                for p in perpetrators
            ],
            "possible perpetrators",
        )
        + "</section>"
    )
    victims = document["possible_victims"][:300]
    sections.append(
        "<section><h2>Possible victims (personas)</h2>"
        + _table(
            ["score", "persona", "ads", "cities", "first seen", "last seen", "cluster"],
            [
                [
                    v["score"],
                    escape(v["persona"]),
                    v["ads"],
                    escape(", ".join(v["cities"])),
                    escape(v["first_seen"]),
                    escape(v["last_seen"]),
                    f'<a href="#{v["cluster_id"]}">{v["cluster_id"]}</a>',
                ]
                for v in victims
            ],
            "possible victims",
        )
        + "</section>"
    )
    urls = document["urls"][:300]
    sections.append(
        "<section><h2>URLs</h2>"
        + _table(
            ["score", "url", "ad", "cluster"],
            [
                [
                    u["score"],
                    f'<a href="{escape(u["url"])}" rel="noreferrer noopener">'
                    f"{escape(u['url'])}</a>",
                    escape(u["ad_id"]),
                    escape(u["cluster_id"]),
                ]
                for u in urls
            ],
            "URLs",
        )
        + f"<p>{len(document['urls']):,} URLs in leads.json.</p></section>"
    )
    sections.append(
        "<section><h2>Clusters</h2>"
        + _table(
            [
                "score",
                "cluster",
                "ads",
                "personas",
                "cities",
                "first seen",
                "last seen",
                "languages",
            ],
            [
                [
                    round(s.score, 2),
                    escape(s.id),
                    len(s.ads),
                    len(s.personas),
                    len(s.cities),
                    escape(iso_day(s.first_day)),
                    escape(iso_day(s.last_day)),
                    escape(", ".join(lang for lang, _ in s.languages)),
                ]
                for s in result.analysis.clusters[:300]
            ],
            "clusters",
        )
        + "</section>"
    )
    sections.append(
        "<section><h2>Indicators</h2>"
        + _table(
            ["weight", "indicator", "kind", "what it means"],
            [
                [i.weight, escape(i.label), escape(i.kind), escape(i.explanation)]
                for i in indicators.indicators
            ],
            "indicators",
        )
        + "</section>"
    )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width,initial-scale=1">'
        "<title>Samen online signals report</title>"
        f"<style>{_STYLE}.visually-hidden{{position:absolute;left:-9999px}}</style></head><body>"
        "<header><h1>Samen · online signals</h1>"
        f"<p>Generated {escape(document['generated_at'])} from {stats['ads']:,} ads.</p></header>"
        f"<main>{''.join(sections)}</main><script>{_SCRIPT}</script></body></html>"
    )
