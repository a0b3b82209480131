from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from isova.actions import views
from isova.health import views as health_views
from isova.onboarding.totp import LoginView
from isova.ops import views as ops_views

handler500 = "isova.ops.views.server_error"

# Each core package and each app with the patterns of its own urls.py, at its prefix ("": the
# package's patterns spell their paths in full).
PACKAGES = (
    ("dashboard/", "isova.dashboard.urls"),
    ("actions/", "isova.actions.urls"),
    ("", "isova.records.urls"),
    ("", "isova.notifications.urls"),
    ("leadership/evidence/", "isova.evidence.urls"),
    ("", "isova.onboarding.urls"),
    ("objectives/", "objectives.urls"),
    ("audits/", "audits.urls"),
    ("risks/", "risks.urls"),
    ("reviews/", "reviews.urls"),
    ("decisions/", "decisions.urls"),
    ("lessons/", "isova.lessons.urls"),
    ("data/", "isova.imports.urls"),
    ("resources/", "isova.resources.urls"),
)

urlpatterns = [
    path("healthz", ops_views.healthz, name="healthz"),
    path("readyz", ops_views.readyz, name="readyz"),
    path("metrics", ops_views.metrics_view, name="metrics"),
    path("", views.home, name="home"),
    # Browsers ask for /favicon.ico whatever the page's <link rel="icon"> says.
    # (resolved per request: the manifest is read when asked, not when URLs load).
    path("favicon.ico", lambda request: HttpResponsePermanentRedirect(static("img/favicon.svg"))),
    path("dashboard/health/", health_views.thresholds, name="health_thresholds"),
    path("organisation/switch/", views.switch_organisation, name="switch_organisation"),
    *(path(prefix, include(patterns)) for prefix, patterns in PACKAGES),
    path(
        "accounts/login/",
        LoginView.as_view(),
        name="login",
    ),
    path(
        "accounts/password_reset/",
        views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("isova.api.urls")),
    path("account/api/", include("isova.api.page_urls")),
]
