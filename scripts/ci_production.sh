#!/usr/bin/env bash
# CI: the production commands as processes (CI cannot pull the Docker base image): build the
# static files, `check --deploy`, migrate a fresh PostgreSQL database, seed the demo, make one
# reminder due, start `samen serve` (gunicorn) and `samen worker`, run scripts/smoke_production.py,
# stop both. Usage: scripts/ci_production.sh [postgres admin URL without database]
set -euo pipefail
cd "$(dirname "$0")/.."
PG="${1:-postgres://samen:samen-ci@127.0.0.1:5432}"
WORK="$(mktemp -d /tmp/samen-prod-XXXX)"
key() { .venv/bin/python -c "import base64,secrets;print(base64.b64encode(secrets.token_bytes(32)).decode())"; }
export DJANGO_SETTINGS_MODULE=samen.conf.production
export SAMEN_SECRET_KEY="$(.venv/bin/python -c 'import secrets;print(secrets.token_urlsafe(50))')"
export SAMEN_FIELD_KEY="$(key)" SAMEN_PSEUDONYM_KEY="$(key)" SAMEN_AUDIT_KEY="$(key)"
export SAMEN_ALLOWED_HOSTS=127.0.0.1 SAMEN_TRUSTED_PROXIES=1
export SAMEN_VAR_DIR="$WORK/var" SAMEN_STATIC_ROOT="${SAMEN_STATIC_ROOT:-$WORK/static}"
export SAMEN_EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend
export SAMEN_EMAIL_FILE_PATH="$WORK/mail"
export DATABASE_URL="$PG/samen_smoke"
mkdir -p "$SAMEN_VAR_DIR" "$SAMEN_EMAIL_FILE_PATH"

echo "== production: collectstatic, check --deploy"
.venv/bin/samen collectstatic --no-input -v0
.venv/bin/samen check --deploy --fail-level WARNING

echo "== production: fresh database, migrate, seed, a reminder due"
.venv/bin/python - "$PG" <<'PY'
import sys, psycopg
with psycopg.connect(sys.argv[1] + "/postgres", autocommit=True) as c:
    c.execute("DROP DATABASE IF EXISTS samen_smoke")
    c.execute("CREATE DATABASE samen_smoke")
PY
.venv/bin/samen migrate --no-input -v0
.venv/bin/samen createcachetable
.venv/bin/samen seed_demo --seed 1 >/dev/null
.venv/bin/samen shell -c "
from datetime import timedelta
from django.utils import timezone
from samen.accounts.models import User
from samen.identification.models import Deadline
for user in User.objects.all():
    User.objects.filter(pk=user.pk).update(email=f'{user.username}@example.test')
first = Deadline.objects.filter(closed_at__isnull=True).order_by('pk').first()
assert first is not None, 'the demo has no open deadline'
Deadline.objects.filter(pk=first.pk).update(due_on=timezone.localdate() + timedelta(days=7))
"

PORT="$(.venv/bin/python -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')"
SAMEN_WORKERS=2 .venv/bin/samen serve --bind "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
SERVE=$!
.venv/bin/samen worker >"$WORK/worker.log" 2>&1 &
WORKER=$!
stop() { kill "$SERVE" "$WORKER" 2>/dev/null || true; wait "$SERVE" "$WORKER" 2>/dev/null || true; }
trap stop EXIT
for _ in $(seq 1 120); do
  .venv/bin/python -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$PORT/healthz', timeout=5)" 2>/dev/null && break
  sleep 1
done
if ! .venv/bin/python scripts/smoke_production.py "http://127.0.0.1:$PORT" "$SAMEN_EMAIL_FILE_PATH"; then
  echo "-- serve.log"; tail -40 "$WORK/serve.log"; echo "-- worker.log"; tail -40 "$WORK/worker.log"
  exit 1
fi
# The access log holds no query string (personal data could be in a search).
if grep -q '?' "$WORK/serve.log"; then echo "access log holds a query string"; exit 1; fi
