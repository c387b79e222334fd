FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint runtime libraries (the PDF fonts are bundled in chibo/lib/fonts), gettext (msgfmt) for
# compilemessages, and the PostgreSQL 15 client (pg_dump / pg_restore) for `manage.py backup` and `restore`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        gettext \
        postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .

# Build-time only: settings need these to load; the dummy values exist only in
# this RUN's shell and are not kept in the image environment.
RUN export SECRET_KEY=build-only-not-secret DEBUG=false DATABASE_URL=sqlite://:memory: \
    && python manage.py compilemessages \
    && python manage.py collectstatic --noinput

RUN groupadd --system chibo \
    && useradd --system --gid chibo --home-dir /app --no-create-home chibo \
    && mkdir -p /app/var/media /app/var/backups /app/var/beat \
    && chown -R chibo:chibo /app/var

USER chibo

EXPOSE 8000

# Workers, timeouts and JSON logs come from the environment: gunicorn.conf.py.
CMD ["gunicorn", "-c", "gunicorn.conf.py", "chibo.wsgi:application"]
