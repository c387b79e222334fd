FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint runtime libraries, Liberation 2.x fonts (with Vietnamese glyphs),
# and gettext (msgfmt) for compilemessages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        fonts-liberation2 \
        gettext \
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
    && mkdir -p /app/var/media \
    && chown -R chibo:chibo /app/var

USER chibo

EXPOSE 8000

CMD ["sh", "-c", "exec gunicorn chibo.wsgi:application --bind 0.0.0.0:8000 --workers ${GUNICORN_WORKERS:-3} --access-logfile -"]
