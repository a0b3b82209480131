"""Running isova in production: health and readiness probes, Prometheus metrics, JSON request
logs, the 503 answer while a dependency is down, worker and beat heartbeats, the read-replica
router, and backups (see the README's production section and `make prod-check`)."""
