"""Test settings: the same as production except for speed-only differences."""

import base64
import os
import tempfile
from pathlib import Path

os.environ.setdefault("SAMEN_FIELD_KEY", base64.b64encode(b"t" * 32).decode())
os.environ.setdefault("SAMEN_PSEUDONYM_KEY", base64.b64encode(b"p" * 32).decode())
os.environ.setdefault("SAMEN_AUDIT_KEY", base64.b64encode(b"a" * 32).decode())

from samen.conf.base import *  # noqa: F403
from samen.conf.base import DATABASES

# Fast hashing for tests only; the strength rules are validators, which stay on.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["NAME"] = ":memory:"
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
    # The same transaction mode as production; WAL means nothing in memory.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
# Many tests sign in from 127.0.0.1 within minutes; the rate-limit test lowers this itself.
LOGIN_RATE_LIMIT = 10_000
# Checkpoints of test chains never land in var/; each test also gets its own file (conftest).
AUDIT_ANCHOR_FILE = Path(tempfile.mkdtemp(prefix="samen-test-anchor-")) / "audit-anchor.log"
# Scraped online data of tests never lands in var/ either (retention deletes what is old in it).
# Tests record signals by the hundred; the pacing test sets its own floor.
SIGNAL_ANSWER_SECONDS = 0.0
ONLINE_DATA_DIR = Path(tempfile.mkdtemp(prefix="samen-test-online-"))
ONLINE_SCAN_DIRS = [ONLINE_DATA_DIR / "inbox"]
# Tests call the API by the thousand from one address and one user within minutes; the
# throttling tests set their own rates.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"user": "1000000/minute", "address": "1000000/minute"},
}
