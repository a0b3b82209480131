"""The REST API (version 1) and webhooks: tokens, the router, conventions; apps add resources
from their `api.py` and webhook events from their `webhooks.py` (see `isova.api.registry`)."""
