"""Smoke test of a production instance: gunicorn (`samen serve`) and the worker (`samen worker`),
started by .ci/run against PostgreSQL with the production settings.

Checks, over loopback as a TLS-terminating proxy would pass requests on (X-Forwarded-Proto):
/healthz and /readyz answer; a demo user signs in on the sign-in page (CSRF, session cookie);
a professional records a signal through the API; the reminder that .ci/run made due before the
worker started has been sent by the worker (a file in SAMEN_EMAIL_FILE_PATH) within a minute.

Usage: python scripts/smoke_production.py http://127.0.0.1:PORT MAILDIR
Exit 0 when all hold; the first failure is printed and exits 1.
"""

from __future__ import annotations

import http.client
import json
import re
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

PASSWORD = "Samen-Demo-2026!"  # noqa: S105 - the demo accounts' published password
PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.10"}


class Client:
    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        head = {**PROXY, "Host": "127.0.0.1", **(headers or {})}
        if self.cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=head)
        response = conn.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        conn.close()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data


def check(condition: bool, what: str) -> None:
    if not condition:
        print(f"SMOKE FAILED: {what}")
        sys.exit(1)
    print(f"ok  {what}")


def main() -> None:
    base, maildir = sys.argv[1], Path(sys.argv[2])
    web = Client(base)
    status, _, body = web.request("GET", "/healthz")
    check(status == 200 and json.loads(body) == {"status": "ok"}, "/healthz answers")
    status, _, body = web.request("GET", "/readyz")
    check(status == 200 and json.loads(body)["migrations"] == "ok", "/readyz: database, migrations")

    status, _, page = web.request("GET", "/account/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    check(status == 200 and token is not None, "sign-in page with a CSRF token")
    form = urlencode(
        {
            "csrfmiddlewaretoken": token.group(1).decode(),  # type: ignore[union-attr]
            "username": "demo-professional",
            "password": PASSWORD,
        }
    ).encode()
    status, _headers, _ = web.request(
        "POST",
        "/account/login/",
        form,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": "https://127.0.0.1/account/login/",
        },
    )
    check(status == 302 and "sessionid" in web.cookies, "signed in (session cookie, redirect)")
    status, _, _ = web.request("GET", "/")
    check(status == 200, "the signed-in home page")

    api = Client(base)
    credentials = json.dumps({"username": "demo-professional", "password": PASSWORD}).encode()
    status, _, body = api.request(
        "POST", "/api/v1/auth/token/", credentials, {"Content-Type": "application/json"}
    )
    check(status == 201, "API token issued")
    auth = {"Authorization": f"Token {json.loads(body)['token']}"}
    status, _, body = api.request("GET", "/api/v1/signal-lists/", None, auth)
    listed = json.loads(body)
    lists = listed["results"] if isinstance(listed, dict) else listed
    labour = next(x for x in lists if x["code"] == "labour")
    signal = {
        "signal_list": "labour",
        "indicators": [i["code"] for i in labour["indicators"] if not i["acute"]][:2],
        "observed_on": (date.today() - timedelta(days=1)).isoformat(),
        "municipality": "GM0344",
        "forms": ["labour"],
        "person": {"gender": "male", "age_band": "23-29"},
    }
    status, _, body = api.request(
        "POST",
        "/api/v1/signals/",
        json.dumps(signal).encode(),
        {**auth, "Content-Type": "application/json"},
    )
    check(
        status == 201 and json.loads(body)["receipt"].startswith("S-"),
        f"a signal recorded (HTTP {status}: {body[:300]!r})",
    )

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        sent = [p for p in maildir.glob("*") if b"Samen" in p.read_bytes()]
        if sent:
            break
        time.sleep(1)
    check(bool(sent), "the worker sent the due reminder by e-mail")
    print("SMOKE PASSED")


if __name__ == "__main__":
    main()
