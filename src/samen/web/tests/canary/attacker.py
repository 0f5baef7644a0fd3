"""The attacker: signs in as a user through the login form (and the second factor), then fetches
everything it can reach by GET - every same-site link from the home page onwards, every GET
operation of the OpenAPI schema with its path parameters filled in, every download - and turns
each response into searchable text (HTML, JSON, CSV, XLSX, PDF, ZIP)."""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from binascii import unhexlify
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urljoin, urlsplit

from django.test import Client
from django_otp.oath import TOTP

from samen.demo.builder import DEMO_PASSWORD, demo_totp_key

MAX_PAGES = 400  # per user; the demo world's reachable pages stay well below it
PER_PATTERN = 5  # the same page shape (ids replaced) at most this often, except targets
SKIP = (
    "/account/",  # logout, purpose and membership switches: state, not data
    "/i18n/",
    "/admin/",
    "/static/",
    "/api/docs",  # the API browser's assets; the schema itself is read
    "/api/v1/auth/",
    "intrekken",  # revoke links
    "/revoke",
    "gelezen",  # mark-as-read
    "logout",
)
# Documents without personal data that take seconds to render (the register of processing and
# the programme's progress report as PDF): read by the first user that reaches them only.
ONCE = ("/register/?format=pdf", "/programma/?format=pdf")
_read_once: set[str] = set()
HREF = re.compile(r"""href\s*=\s*["']([^"'#]+)""", re.IGNORECASE)
MONTHS_NL = [
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
]  # fmt: skip
MONTHS_EN = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip


def squash(text: str) -> str:
    """Lower case, no whitespace: a marker broken over lines (PDF) or cells is still found."""
    return re.sub(r"\s+", "", text).lower()


def date_forms(d: date) -> list[str]:
    """The renderings of a date a page, a CSV or a PDF may use (squashed)."""
    nl, en = MONTHS_NL[d.month - 1], MONTHS_EN[d.month - 1]
    forms = [
        d.isoformat(),
        f"{d.day:02d}-{d.month:02d}-{d.year}",
        f"{d.day}-{d.month}-{d.year}",
        f"{d.day:02d}/{d.month:02d}/{d.year}",
        f"{d.day}/{d.month}/{d.year}",
        f"{d.day} {nl} {d.year}",
        f"{d.day} {nl[:3]}. {d.year}",
        f"{d.day} {nl[:3]} {d.year}",
        f"{d.day} {en} {d.year}",
        f"{en} {d.day}, {d.year}",
        f"{en[:3]}. {d.day}, {d.year}",
    ]
    return sorted({squash(f) for f in forms})


@dataclass
class Page:
    url: str
    status: int
    content_type: str
    text: str  # squashed
    raw: str = ""  # unsquashed text, for reading failures
    seconds: float = 0.0


@dataclass
class Crawl:
    username: str
    pages: list[Page] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def sign_in(username: str) -> Client:
    """Sign in as a person would: the login form, then the second factor when it is asked."""
    client = Client(raise_request_exception=False)
    response = client.post("/account/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, f"login of {username} answered {response.status_code}"
    location = response.headers.get("Location", "")
    if "/account/2fa/" not in location:  # the home page may be what asks for the second factor
        location = client.get(location).headers.get("Location", "")
    if "/account/2fa/" in location:
        code = f"{TOTP(unhexlify(demo_totp_key(username))).token():06d}"
        response = client.post("/account/2fa/", {"code": code})
        assert response.status_code == 302, f"second factor of {username} refused"
        assert "/account/2fa/" not in response.headers.get("Location", "")
    return client


def response_text(response) -> tuple[str, str]:
    """(content type, text) of a response, downloads unpacked."""
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return content_type, body_text(content_type, body)


def body_text(content_type: str, body: bytes) -> str:
    is_zip = body[:2] == b"PK"
    if content_type.endswith("spreadsheetml.sheet") or (is_zip and b"xl/" in body[:2000]):
        return _xlsx_text(body)
    if content_type == "application/pdf" or body[:5] == b"%PDF-":
        return _pdf_text(body)
    if content_type in ("application/zip", "application/x-zip-compressed") or body[:2] == b"PK":
        return _zip_text(body)
    return body.decode("utf-8", errors="replace")


def _xlsx_text(body: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    cells = []
    for sheet in book.worksheets:
        cells.append(sheet.title)
        for row in sheet.iter_rows(values_only=True):
            cells += [str(v) for v in row if v is not None]
    return "\n".join(cells)


def _pdf_text(body: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(body))
    parts = [page.extract_text() or "" for page in reader.pages]
    meta = reader.metadata or {}
    parts += [str(v) for v in meta.values()]
    return "\n".join(parts)


def _zip_text(body: bytes) -> str:
    parts = []
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            kind = "application/pdf" if name.endswith(".pdf") else ""
            if name.endswith(".xlsx"):
                kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            parts.append(name + "\n" + body_text(kind, data))
    return "\n".join(parts)


def _links(base: str, html: str) -> Iterable[str]:
    for href in HREF.findall(html):
        href = href.replace("&amp;", "&").strip()
        if href.startswith(("mailto:", "tel:", "javascript:", "data:")):
            continue
        url = urljoin(base, href)
        parts = urlsplit(url)
        if parts.netloc not in ("", "testserver"):
            continue
        yield parts.path + (f"?{parts.query}" if parts.query else "")


def _skipped(url: str) -> bool:
    return any(s in url for s in SKIP)


def _shape(url: str) -> str:
    """One page kind: the first two path segments, the rest (ids, numbers, slugs) as X."""
    parts = urlsplit(url)
    query = "&".join(sorted(k.split("=")[0] for k in parts.query.split("&") if k))
    segments = parts.path.strip("/").split("/")
    path = "/".join(segments[:2] + ["X"] * len(segments[2:]))
    return re.sub(r"\d+", "N", path) + "?" + query


# A form's list of every municipality is reference data, not where a person is: an option whose
# whole text is a planted municipality name is taken out before searching.
CHOICE = re.compile(r"<option[^>]*>\s*CANARY-location-\w+\s*</option>", re.IGNORECASE)


def api_get_paths(client: Client, fill: dict[str, list[str]]) -> list[str]:
    """Every GET operation of the OpenAPI schema, path parameters filled from `fill` (by
    parameter name; an unknown name gets the values of every name, so nothing is left out)."""
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200, "the OpenAPI schema must be readable"
    schema = json.loads(response.content)
    every = sorted({v for values in fill.values() for v in values})
    urls: list[str] = []
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        names = re.findall(r"{(\w+)}", path)
        combos = [path]
        for name in names:
            values = fill.get(name, every)
            combos = [c.replace("{" + name + "}", str(v), 1) for c in combos for v in values]
        urls += combos
    return urls


def crawl(
    username: str,
    *,
    seeds: list[str],
    api_fill: dict[str, list[str]],
    api: bool = True,
    read_once: set[str] | None = None,
) -> Crawl:
    """Everything `username` can GET: the home page and what it links to, the seed URLs (target
    cases' pages), and the API's GET operations (unless `api` is off: pages and downloads
    only); bounded per page shape and in total. `read_once` holds the slow documents (ONCE)
    this crawl leaves out; without it, the first crawl of the process reads them."""
    skipped_once = _read_once if read_once is None else read_once
    client = sign_in(username)
    result = Crawl(username)
    queue: deque[str] = deque(["/", *seeds])
    must = set(seeds)
    if api:
        queue += api_get_paths(client, api_fill)
    must |= set(queue)
    seen: set[str] = set()
    shapes: dict[str, int] = {}
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen or _skipped(url) or url in skipped_once:
            continue
        if url in ONCE:
            skipped_once.add(url)
        shape = _shape(url)
        if url not in must and shapes.get(shape, 0) >= PER_PATTERN:
            continue
        shapes[shape] = shapes.get(shape, 0) + 1
        seen.add(url)
        started = time.perf_counter()
        response = client.get(url, HTTP_ACCEPT="text/html,application/json,*/*")
        if response.status_code >= 500:
            result.errors.append(f"{url}: {response.status_code}")
            continue
        if response.status_code in (301, 302, 303, 307, 308):
            location = response.headers.get("Location", "")
            if location:
                queue.appendleft(next(iter(_links(url, f'href="{location}"')), ""))
            continue
        content_type, text = response_text(response)
        if content_type == "text/html":
            text = CHOICE.sub("<option>", text)
        result.pages.append(
            Page(
                url, response.status_code, content_type, squash(text), text,
                time.perf_counter() - started,
            )
        )  # fmt: skip
        if content_type == "text/html":
            queue += [u for u in _links(url, text) if u not in seen and (api or "/api/" not in u)]
        elif content_type == "application/json":
            queue += [u for u in _json_links(text) if u not in seen]
    return result


def _json_links(text: str) -> Iterable[str]:
    """Pagination links of the API (next/previous) and any other same-site URL in it."""
    for match in re.findall(r'"(https?://testserver[^"]+|/api/v1/[^"]+)"', text):
        parts = urlsplit(match)
        yield parts.path + (f"?{parts.query}" if parts.query else "")
