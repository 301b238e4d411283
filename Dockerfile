# Production image: slim Python, non-root, uvicorn. Migrations run at start (idempotent).
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /srv/ketao
RUN useradd --system --uid 10001 --home-dir /srv/ketao ketao

COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY seed ./seed
RUN pip install . && mkdir -p /var/lib/ketao && chown ketao /var/lib/ketao

USER ketao
ENV KETAO_DATA_DIR=/var/lib/ketao \
    KETAO_ENVIRONMENT=production \
    KETAO_SEED_DIR=/srv/ketao/seed
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health').status != 200)"
# `ketao serve` sets what uvicorn believes (KETAO_TRUSTED_PROXIES) and drops its banner.
CMD ["sh", "-c", "ketao db upgrade && exec ketao serve --host 0.0.0.0 --port 8000 --workers ${KETAO_WORKERS:-2}"]
