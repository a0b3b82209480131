# Production image for web, worker and beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH="/opt/venv/bin:$PATH"
RUN pip install --no-cache-dir uv==0.13.9 && useradd --create-home isova
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
# collectstatic needs settings that import cleanly; the real key comes from the environment.
RUN DEBUG=0 SECRET_KEY=collectstatic-only-placeholder-key-that-is-long-enough-000000 \
    ALLOWED_HOSTS=localhost SITE_URL=http://localhost python manage.py collectstatic --noinput
USER isova
EXPOSE 8000
CMD ["gunicorn", "isova.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
