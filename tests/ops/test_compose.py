"""docker-compose.yml is the topology `make prod-check` runs (no Docker engine here to run it;
CI also runs `docker compose config` when the compose plugin is installed)."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def env(service: str) -> dict[str, str]:
    return SERVICES[service].get("environment", {})


def test_worker_beat_and_web_start_only_after_migrate_completed():
    for name in ("web", "worker", "beat"):
        depends = SERVICES[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}, name
        assert depends["pgbouncer"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name


def test_migrate_runs_once_under_the_lock_straight_to_postgresql():
    migrate = SERVICES["migrate"]
    assert migrate["command"] == ["python", "manage.py", "migrate_locked"]
    assert migrate["restart"] == "no"
    assert "@postgres:5432/" in env("migrate")["DATABASE_URL"]
    assert env("migrate")["DB_POOLER"] == ""


def test_the_app_goes_through_pgbouncer_in_transaction_pooling():
    assert SERVICES["pgbouncer"]["environment"]["POOL_MODE"] == "transaction"
    for name in ("web", "worker", "beat"):
        assert "@pgbouncer:6432/" in env(name)["DATABASE_URL"], name
        assert env(name)["DB_POOLER"] == "transaction", name
        assert env(name)["DEBUG"] == "0", name


def test_web_worker_and_beat_have_health_checks():
    assert "/healthz" in " ".join(SERVICES["web"]["healthcheck"]["test"])
    assert "isova:health:worker:" in " ".join(SERVICES["worker"]["healthcheck"]["test"])
    assert "isova:health:beat" in " ".join(SERVICES["beat"]["healthcheck"]["test"])


def test_the_proxy_header_is_set_and_the_worker_listens_on_the_queue_the_app_uses():
    assert env("web")["SECURE_PROXY_SSL_HEADER"] == "HTTP_X_FORWARDED_PROTO,https"
    assert SERVICES["worker"]["command"][4:6] == ["-Q", "isova"]


def test_beat_is_never_scaled_and_metrics_stay_inside():
    assert "deploy" not in SERVICES["beat"]
    assert "respond @metrics 404" in COMPOSE["configs"]["caddyfile"]["content"]
