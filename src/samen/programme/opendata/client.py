"""A small, polite OData v4 client for the Tweede Kamer's Gegevensmagazijn.

Paging follows "@odata.nextLink" (the service pages at 250 entities); requests are spaced by
a minimum interval; the transport is injectable so tests replay recorded responses and never
touch the network. Network failures become one `OpenDataUnavailable` with a short reason.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

DEFAULT_BASE_URL = "https://gegevensmagazijn.tweedekamer.nl/OData/v4/2.0"
USER_AGENT = "samen-programme-monitor/1 (+https://github.com/samen)"
MAX_PAGES = 200  # 50,000 entities: far beyond any programme's dossiers; stops a looping link

_ODATA_SAFE = "(),;=/:'$"

Transport = Callable[[str], dict[str, Any]]


class OpenDataUnavailable(RuntimeError):
    """The open data service could not be reached or answered with something unusable."""


def base_url() -> str:
    return os.environ.get("SAMEN_TK_ODATA_URL", DEFAULT_BASE_URL).rstrip("/")


def min_interval() -> float:
    return float(os.environ.get("SAMEN_TK_ODATA_MIN_INTERVAL", "1.0"))


def http_transport(timeout: float = 20.0) -> Transport:
    def fetch(url: str) -> dict[str, Any]:
        if urllib.parse.urlsplit(url).scheme not in ("https", "http"):
            raise OpenDataUnavailable("the endpoint must be an http(s) URL")
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            url, headers={"Accept": "application/json", "User-Agent": USER_AGENT}
        )
        host = urllib.parse.urlsplit(url).netloc
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise OpenDataUnavailable(f"{host} answered HTTP {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise OpenDataUnavailable(f"cannot reach {host} ({reason})") from exc
        except ValueError as exc:
            raise OpenDataUnavailable(f"{host} answered with something that is not JSON") from exc

    return fetch


class RecordedTransport:
    """Replays responses recorded as [{"url": ..., "body": {...}}, ...] (tests, offline demo).

    An unrecorded URL is an error, so a test notices when the query it sends changes."""

    def __init__(self, path: Path) -> None:
        entries = json.loads(Path(path).read_text(encoding="utf-8"))
        self.bodies = {entry["url"]: entry["body"] for entry in entries}
        self.requested: list[str] = []

    def __call__(self, url: str) -> dict[str, Any]:
        self.requested.append(url)
        if url not in self.bodies:
            raise OpenDataUnavailable(f"no recorded response for {url}")
        return self.bodies[url]


def query_url(base: str, entity: str, params: dict[str, str]) -> str:
    # OData wants "$filter" etc. literally; spaces and quotes are percent-encoded.
    query = "&".join(
        key + "=" + urllib.parse.quote(value, safe=_ODATA_SAFE) for key, value in params.items()
    )
    return f"{base}/{entity}?{query}"


class Pacer:
    """At most one request per `interval` seconds, across every query of one sync."""

    def __init__(self, interval: float, sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = interval
        self.sleep = sleep
        self.last = 0.0

    def wait(self) -> None:
        wait = self.interval - (time.monotonic() - self.last)
        if self.last and wait > 0:
            self.sleep(wait)
        self.last = time.monotonic()


def pages(url: str, *, transport: Transport, pacer: Pacer) -> Iterator[list[dict[str, Any]]]:
    """Every page of a collection, following @odata.nextLink."""
    for _ in range(MAX_PAGES):
        pacer.wait()
        body = transport(url)
        if not isinstance(body, dict) or not isinstance(body.get("value"), list):
            raise OpenDataUnavailable("the answer has no 'value' list")
        yield body["value"]
        next_link = body.get("@odata.nextLink")
        if not next_link:
            return
        url = next_link
    raise OpenDataUnavailable(f"more than {MAX_PAGES} pages: stopped")
