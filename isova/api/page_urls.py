from django.urls import path

from . import pages

urlpatterns = [
    path("tokens/", pages.tokens, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", pages.token_revoke, name="api_token_revoke"),
    path("webhooks/", pages.webhooks, name="api_webhooks"),
    path("webhooks/<int:pk>/switch/", pages.webhook_switch, name="api_webhook_switch"),
    path("webhooks/<int:pk>/delete/", pages.webhook_delete, name="api_webhook_delete"),
    path("webhooks/deliveries/<int:pk>/replay/", pages.delivery_replay, name="api_delivery_replay"),
]
