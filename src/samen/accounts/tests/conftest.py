"""A live OpenID Connect provider for the sign-in tests (never a mock of the protocol)."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

CLIENT_ID = "samen-test"
CLIENT_SECRET = "samen-test-secret-0123456789"
REDIRECT_URI = "http://testserver/account/oidc/callback/"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class IdentityProvider:
    issuer: str
    state_dir: Path

    def directory(self, users: dict) -> None:
        """Who may sign in at the provider and what it asserts about each (rewritten per test)."""
        (self.state_dir / "directory.json").write_text(json.dumps(users))

    def authorize(self, authorization_url: str, username: str, password: str) -> str:
        """A browser's part: follow the provider's redirects, sign in on its form, and return
        the address it sends the browser back to (Samen's callback with code and state)."""
        browser = requests.Session()
        url = authorization_url
        for _ in range(10):
            response = browser.get(url, allow_redirects=False, timeout=10)
            if response.status_code == 200 and "csrfmiddlewaretoken" in response.text:
                token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
                following = re.search(r'name="next" value="([^"]*)"', response.text)
                response = browser.post(
                    url,
                    data={
                        "csrfmiddlewaretoken": token.group(1),
                        "username": username,
                        "password": password,
                        "next": unescape(following.group(1)),
                    },
                    allow_redirects=False,
                    timeout=10,
                )
            assert response.status_code == 302, response.text[:500]
            url = urljoin(url, response.headers["Location"])
            if url.startswith("http://testserver/"):
                return url
        raise AssertionError("the provider never sent the browser back")


@pytest.fixture(scope="session")
def identity_provider(tmp_path_factory) -> Iterator[IdentityProvider]:
    port = _free_port()
    state_dir = tmp_path_factory.mktemp("idp")
    (state_dir / "directory.json").write_text("{}")
    site = f"http://127.0.0.1:{port}"
    env = {**os.environ, "TEST_IDP_STATE_DIR": str(state_dir), "TEST_IDP_SITE_URL": site}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    process = subprocess.Popen(  # noqa: S603  # our own interpreter and module
        [
            sys.executable,
            "-m",
            "samen.accounts.tests.oidc_provider.serve",
            str(port),
            CLIENT_ID,
            CLIENT_SECRET,
            REDIRECT_URI,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(state_dir / "stderr.log").open("w"),
    )
    issuer = f"{site}/openid"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((state_dir / "stderr.log").read_text()[-2000:])
            time.sleep(0.1)  # waiting for a process to listen; no other signal to wait on
        yield IdentityProvider(issuer=issuer, state_dir=state_dir)
    finally:
        process.terminate()
        process.wait(timeout=10)
