# Production image for web, worker and beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH="/opt/venv/bin:$PATH"
RUN pip install --no-cache-dir uv==0.13.9 && useradd --create-home isova
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
# collectstatic needs settings that pass the production checks; the real ones come from the
# environment at run time (a throwaway key, never stored in the image).
RUN DEBUG=0 SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    ALLOWED_HOSTS=localhost SITE_URL=https://localhost python manage.py collectstatic --noinput
USER isova
EXPOSE 8000
CMD ["gunicorn", "isova.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
