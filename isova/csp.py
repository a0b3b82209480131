"""Content-Security-Policy on every response: scripts only from our own static files.

A small middleware rather than django-csp: the policy is one fixed header (no nonces, no
per-view changes), and Django 6.0 brings its own CSP support to replace this when we move.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

POLICY = "; ".join(
    [
        "default-src 'self'",
        # No inline <script>, no on*= handlers, no eval: page scripts live in static/js.
        "script-src 'self'",
        # Plotly sizes and positions its chart with inline styles, and a few templates set
        # a computed width (progress meters): inline styles stay allowed, inline script not.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", POLICY)
        return response
