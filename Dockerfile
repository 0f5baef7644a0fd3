# Samen for production: one image for the web process (`samen serve`) and the worker
# (`samen worker`); compose.yaml runs both beside PostgreSQL. docs/operations.md explains it.

# The package is built as a wheel in a stage with a C compiler and OpenSSL's headers: setup.py
# compiles the online engine's tokeniser and the audit verify walk's checks, which link
# libcrypto (ADR 0055, 0068). The image itself gets the wheel, not the compiler; libssl3 is in
# the Python image already (its ssl module needs it).
FROM python:3.11-slim-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev libssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY requirements/runtime.txt requirements/runtime.txt
RUN pip install --no-cache-dir -r requirements/runtime.txt
COPY pyproject.toml setup.py README.md ./
COPY scripts scripts
COPY src src
# Translations are compiled before the wheel is built, so the package carries them.
RUN python scripts/compile_messages.py && pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim-bookworm

# WeasyPrint (PDF) needs Pango; nothing else is native.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=samen.conf.production \
    SAMEN_VAR_DIR=/var/lib/samen SAMEN_STATIC_ROOT=/opt/samen/static SAMEN_BIND=0.0.0.0:8000

WORKDIR /opt/samen
# The runtime lock only: no test or lint tools in the image.
COPY requirements/runtime.txt requirements/runtime.txt
RUN pip install --no-cache-dir -r requirements/runtime.txt
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-deps /wheels/*.whl && rm -rf /wheels \
 && python -c "import samen.core._chainwalk, samen.online.engine._tokens, samen.online.engine._clusterc"

# Static files are built into the image (hashed names, compressed); collectstatic needs settings
# that pass the production checks, so it gets throw-away values that never reach a container.
RUN SAMEN_SECRET_KEY=build-only-$(python -c "import secrets;print(secrets.token_urlsafe(50))") \
    SAMEN_FIELD_KEY=$(python -c "import base64,os;print(base64.b64encode(os.urandom(32)).decode())") \
    SAMEN_PSEUDONYM_KEY=$(python -c "import base64,os;print(base64.b64encode(os.urandom(32)).decode())") \
    SAMEN_AUDIT_KEY=$(python -c "import base64,os;print(base64.b64encode(os.urandom(32)).decode())") \
    SAMEN_ALLOWED_HOSTS=build DATABASE_URL=postgres://build@localhost/build \
    samen collectstatic --no-input -v0

RUN useradd --system --home /var/lib/samen samen && mkdir -p /var/lib/samen \
 && chown samen /var/lib/samen
USER samen
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request;urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["samen", "serve"]
