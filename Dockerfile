# Reflect: one image for web (gunicorn), worker and beat (celery). See docker-compose.yml.

# --- Front-end assets: GOV.UK Frontend from the npm registry, built with Reflect's brand ---
FROM python:3.11-slim AS assets
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY assets ./assets
RUN npm run build

# --- The application ---
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt
COPY . .
COPY --from=assets /app/static ./static
# Collect static files once, at build time, for WhiteNoise. Production serves them through a
# manifest storage (hashed names), so collect with the production settings; the values below
# exist only to let the settings load here and are not in the final environment.
RUN DJANGO_ENV=production \
    SECRET_KEY=collectstatic-only-not-a-secret-collectstatic-only-not-a-secret \
    ALLOWED_HOSTS=build \
    DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 \
    EMAIL_HOST=collectstatic.invalid \
    CALENDAR_CREDENTIALS_KEY=Y29sbGVjdHN0YXRpYy1vbmx5LW5vdC1hLXNlY3JldCE= \
    python manage.py collectstatic --noinput -v0 \
    && useradd --create-home --uid 10001 reflect
USER reflect
EXPOSE 8000
# docker-compose.yml runs `migrate` first for the web service; the worker and beat override this.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
